#include "gateway/print_pages.h"

#include "domain/calendar.h"

namespace kuimen {

namespace {

constexpr const char* kIssuer = "奉节县“三位一体”改革工作专班";

std::string Escape(const std::string& text) {
  std::string out;
  out.reserve(text.size());
  for (char c : text) {
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      case '\'': out += "&#39;"; break;
      default: out += c;
    }
  }
  return out;
}

// Text inside a CSS string: the margin boxes' title.
std::string CssString(const std::string& text) {
  std::string out = "\"";
  for (char c : text) {
    if (c == '"' || c == '\\') {
      out += '\\';
      out += c;
    } else if (c == '\n' || c == '<' || c == '>') {
      out += ' ';  // never closes the <style> element
    } else {
      out += c;
    }
  }
  return out + "\"";
}

std::string DateText(std::chrono::year_month_day date) {
  return std::to_string(static_cast<int>(date.year())) + "年" + std::to_string(static_cast<unsigned>(date.month())) +
         "月" + std::to_string(static_cast<unsigned>(date.day())) + "日";
}

std::string MonthText(std::chrono::year_month month) {
  return std::to_string(static_cast<int>(month.year())) + "年" + std::to_string(static_cast<unsigned>(month.month())) +
         "月";
}

std::string Join(const std::vector<std::string>& parts, const std::string& separator) {
  std::string out;
  for (const std::string& part : parts) out += (out.empty() ? "" : separator) + part;
  return out;
}

// The page around a document's body: A4, the title on every page, page numbers.
std::string Page(const std::string& title, const std::string& body) {
  return "<!DOCTYPE html>\n<html lang=\"zh-CN\"><head><meta charset=\"utf-8\"><title>" + Escape(title) +
         "</title>\n<style>\n"
         "@page { size: A4; margin: 22mm 18mm 20mm 18mm;\n"
         "  @top-center { content: " + CssString(title) + "; font-size: 9pt; color: #444; }\n"
         "  @bottom-center { content: \"第 \" counter(page) \" 页 共 \" counter(pages) \" 页\"; font-size: 9pt; } }\n"
         "body { font-family: \"Noto Serif CJK SC\", \"Source Han Serif SC\", SimSun, \"宋体\", \"WenQuanYi Micro Hei\", serif;"
         " font-size: 12pt; line-height: 1.6; color: #000; max-width: 174mm; margin: 0 auto; padding: 8mm 4mm; }\n"
         "h1 { text-align: center; font-size: 20pt; font-weight: bold; letter-spacing: 2pt; margin: 0 0 4mm; }\n"
         "h2 { font-size: 14pt; margin: 6mm 0 2mm; break-after: avoid; }\n"
         ".number { text-align: center; margin: 0 0 4mm; }\n"
         ".meta { display: flex; flex-wrap: wrap; justify-content: space-between; gap: 1mm 6mm; margin: 0 0 3mm; }\n"
         "table { border-collapse: collapse; width: 100%; table-layout: fixed; }\n"
         "th, td { border: 1px solid #000; padding: 2mm 2.5mm; vertical-align: top; overflow-wrap: anywhere; }\n"
         "th { background: #f2f2f2; font-weight: bold; white-space: nowrap; }\n"
         ".list { font-size: 10.5pt; line-height: 1.45; }\n"
         ".list th, .list td { padding: 1.5mm 2mm; }\n"
         "th.side { width: 26mm; text-align: center; vertical-align: middle; }\n"
         "thead { display: table-header-group; }\n"
         "tr { break-inside: avoid; }\n"
         ".red { color: #b00000; font-weight: bold; } .yellow { color: #8a6d00; font-weight: bold; }\n"
         ".sign { height: 30mm; }\n"
         ".issuer { text-align: right; margin-top: 8mm; }\n"
         ".none { color: #444; }\n"
         "@media screen { body { box-shadow: 0 0 4px #999; margin: 8px auto; background: #fff; } }\n"
         // A phone shows the page at its own width: columns size to their text.
         "@media screen and (max-width: 600px) { body { padding: 3mm 2mm; box-shadow: none; }"
         " table { table-layout: auto; } col { width: auto !important; } th { white-space: normal; } }\n"
         "</style></head>\n<body>\n" + body + "</body></html>\n";
}

std::string LevelClass(WarningLevel level) {
  return level == WarningLevel::kRed ? "red" : level == WarningLevel::kYellow ? "yellow" : "";
}

std::string LevelCell(WarningLevel level) {
  return "<td class=\"" + LevelClass(level) + "\">" + std::string(WarningLevelLabel(level)) + "</td>";
}

}  // namespace

std::string ChineseDate(Timestamp time, int utc_offset_minutes) {
  return DateText(std::chrono::year_month_day(LocalDay(time, utc_offset_minutes)));
}

std::string BulletinTitle(const MonthlyBulletin& bulletin) {
  return "“三位一体”改革工作情况通报（" + MonthText(bulletin.month) + "）";
}

std::string NoticeSheetHtml(const Catalog& catalog, const NoticeSheet& sheet, int utc_offset_minutes) {
  const std::string title = "督办通知单";
  std::string body = "<h1>" + title + "</h1>\n";
  body += "<p class=\"number\">" + Escape(sheet.number.empty() ? "（无文号）" : sheet.number) + "</p>\n";
  body += "<div class=\"meta\"><span>督办单位：" + std::string(kIssuer) + "</span><span>下发日期：" +
          ChineseDate(sheet.issued_at, utc_offset_minutes) + "</span></div>\n";
  std::string item = Escape(sheet.item_title);
  if (!sheet.item_text.empty()) item += "<br>" + Escape(sheet.item_text);
  const std::string requirements =
      Escape(sheet.reason) + "<br>请责任单位收到本通知后" + std::to_string(catalog.notice_sign_working_days) +
      "个工作日内签收，于办理时限前整改到位，并通过督办系统反馈整改情况及佐证材料；逾期未反馈的，纳入年度考核。";
  body += "<table>\n";
  body += "<tr><th class=\"side\">文号</th><td>" + Escape(sheet.number.empty() ? "（无文号）" : sheet.number) + "</td></tr>\n";
  body += "<tr><th class=\"side\">督办事项</th><td>" + item + "</td></tr>\n";
  body += "<tr><th class=\"side\">责任单位</th><td>" + Escape(Join(sheet.responsible_units, "、")) + "</td></tr>\n";
  if (!sheet.cooperating_units.empty()) {
    body += "<tr><th class=\"side\">配合单位</th><td>" + Escape(Join(sheet.cooperating_units, "、")) + "</td></tr>\n";
  }
  body += "<tr><th class=\"side\">办理时限</th><td>" + DateText(sheet.due) + "前</td></tr>\n";
  body += "<tr><th class=\"side\">工作要求</th><td>" + requirements + "</td></tr>\n";
  std::string sign;
  if (sheet.signed_at.has_value()) {
    sign = "签收单位：" + Escape(sheet.signed_by_unit) + "<br>签收人：" + Escape(sheet.signer_name.empty() ? sheet.signed_by : sheet.signer_name) +
           "<br>签收时间：" + ChineseDate(*sheet.signed_at, utc_offset_minutes);
  } else {
    sign = "签收单位（盖章）：<br><br>签收人：　　　　　　　　签收时间：　　　年　　月　　日";
  }
  body += "<tr><th class=\"side\">签收栏</th><td class=\"sign\">" + sign + "</td></tr>\n";
  std::string answer = "（尚未反馈）";
  if (sheet.answered_at.has_value()) {
    answer = Escape(sheet.answer) + "<br>反馈时间：" + ChineseDate(*sheet.answered_at, utc_offset_minutes);
  }
  // 领导批示 on this notice (session 7, item 7), oldest first, each signed and dated.
  if (!sheet.instructions.empty()) {
    std::string instructions;
    for (const NoticeSheet::Instruction& i : sheet.instructions) {
      if (!instructions.empty()) instructions += "<br><br>";
      instructions +=
          Escape(i.text) + "<br>——" + Escape(i.leader_name) + "，" + ChineseDate(i.given_at, utc_offset_minutes);
    }
    body += "<tr><th class=\"side\">领导批示</th><td class=\"instructions\">" + instructions + "</td></tr>\n";
  }
  body += "<tr><th class=\"side\">整改反馈</th><td>" + answer + "</td></tr>\n";
  if (sheet.closed_at.has_value()) {
    std::string closed = "已于" + ChineseDate(*sheet.closed_at, utc_offset_minutes) + "销号";
    if (!sheet.unanswered_reason.empty()) closed += "（未整改销号：" + Escape(sheet.unanswered_reason) + "）";
    body += "<tr><th class=\"side\">销号</th><td>" + closed + "</td></tr>\n";
  }
  body += "</table>\n";
  body += "<p class=\"issuer\">" + std::string(kIssuer) + "<br>" + ChineseDate(sheet.issued_at, utc_offset_minutes) +
          "</p>\n";
  return Page(title + " " + sheet.number, body);
}

namespace {

// The summary's clause on the reports due this month: the lapses counted, or,
// for a period before supervision began, 未纳入督办 (session 7, A3).
std::string ReportsText(const MonthlyBulletin& bulletin, int late, int missing) {
  if (!bulletin.reports_in_scope) return MonthText(bulletin.report_period) + "进度未纳入督办";
  return MonthText(bulletin.report_period) + "进度逾期报送" + std::to_string(late) + "项、未报送" +
         std::to_string(missing) + "项";
}

}  // namespace

std::string BulletinHtml(const Catalog& catalog, const MonthlyBulletin& bulletin, int utc_offset_minutes) {
  (void)catalog;
  const std::string title = BulletinTitle(bulletin);
  const std::string as_of = ChineseDate(bulletin.as_of, utc_offset_minutes);
  std::string body = "<h1>" + Escape(title) + "</h1>\n";
  body += "<div class=\"meta\"><span>" + std::string(kIssuer) + "</span><span>数据截至" + as_of +
          (bulletin.month_complete ? "（月末）" : "（本月尚未结束）") + "</span></div>\n";
  int red = 0, yellow = 0;
  for (const BulletinItem& item : bulletin.items) ++(item.level == WarningLevel::kRed ? red : yellow);
  int late = 0, missing = 0;
  for (const BulletinReport& report : bulletin.reports) ++(report.lapse == ReportLapse::kLate ? late : missing);
  body += "<p>截至" + as_of + "，红色预警事项" + std::to_string(red) + "项，黄色预警事项" + std::to_string(yellow) +
          "项；" + ReportsText(bulletin, late, missing) + "；未销号督办通知" + std::to_string(bulletin.notices.size()) + "份（本月新下发" +
          std::to_string(bulletin.new_notices) + "份）；与上月通报相比预警颜色变化" +
          std::to_string(bulletin.changes.size()) + "项。现通报如下：</p>\n";
  if (!bulletin.window_label.empty()) body += "<p class=\"window\">" + Escape(bulletin.window_label) + "。</p>\n";

  body += "<h2>一、红黄预警事项</h2>\n";
  if (bulletin.items.empty()) {
    body += "<p class=\"none\">无。</p>\n";
  } else {
    body += "<table class=\"list\"><colgroup><col style=\"width:13mm\"><col style=\"width:68mm\"><col style=\"width:30mm\"><col></colgroup>"
            "<thead><tr><th>预警</th><th>事项</th><th>责任单位</th><th>预警原因</th></tr></thead><tbody>\n";
    for (const BulletinItem& item : bulletin.items) {
      std::vector<std::string> reasons;
      for (const std::string& reason : item.reasons) reasons.push_back(Escape(reason));
      body += "<tr>" + LevelCell(item.level) + "<td>" + Escape(item.title) + "</td><td>" +
              Escape(Join(item.units, "、")) + "</td><td>" + Join(reasons, "<br>") + "</td></tr>\n";
    }
    body += "</tbody></table>\n";
  }

  body += "<h2>二、分单位情况</h2>\n";
  if (bulletin.units.empty()) {
    body += "<p class=\"none\">无。</p>\n";
  } else {
    body += "<table class=\"list\"><colgroup><col style=\"width:50mm\"><col><col><col><col><col></colgroup>"
            "<thead><tr><th>单位</th><th>红色预警</th><th>黄色预警</th><th>逾期报送</th><th>未报送</th><th>未销号督办</th></tr></thead><tbody>\n";
    for (const BulletinUnit& unit : bulletin.units) {
      body += "<tr><td>" + Escape(unit.unit) + "</td><td>" + std::to_string(unit.red) + "</td><td>" +
              std::to_string(unit.yellow) + "</td><td>" + std::to_string(unit.late_reports) + "</td><td>" +
              std::to_string(unit.missing_reports) + "</td><td>" + std::to_string(unit.open_notices) + "</td></tr>\n";
    }
    body += "</tbody></table>\n";
  }

  body += "<h2>三、" + MonthText(bulletin.report_period) + "进度报送情况（逾期报送、未报送）</h2>\n";
  if (!bulletin.reports_in_scope) {
    body += "<p class=\"none\">" + MonthText(bulletin.report_period) + "未纳入督办，不统计报送情况。</p>\n";
  } else if (bulletin.reports.empty()) {
    body += "<p class=\"none\">无。</p>\n";
  } else {
    body += "<table class=\"list\"><colgroup><col style=\"width:68mm\"><col style=\"width:34mm\"><col><col style=\"width:30mm\"></colgroup>"
            "<thead><tr><th>事项</th><th>责任单位</th><th>情况</th><th>应报时限</th></tr></thead><tbody>\n";
    for (const BulletinReport& report : bulletin.reports) {
      std::string lapse(ReportLapseLabel(report.lapse));
      if (report.recorded_at.has_value()) lapse += "（" + ChineseDate(*report.recorded_at, utc_offset_minutes) + "报送）";
      body += "<tr><td>" + Escape(report.title) + "</td><td>" + Escape(report.unit) + "</td><td>" + lapse +
              "</td><td>" + DateText(report.due) + "</td></tr>\n";
    }
    body += "</tbody></table>\n";
  }

  body += "<h2>四、未销号督办通知</h2>\n";
  if (bulletin.notices.empty()) {
    body += "<p class=\"none\">无。</p>\n";
  } else {
    body += "<table class=\"list\"><colgroup><col style=\"width:38mm\"><col style=\"width:46mm\"><col><col style=\"width:28mm\"><col style=\"width:24mm\"></colgroup>"
            "<thead><tr><th>文号</th><th>事项</th><th>督办事由</th><th>办理时限</th><th>状态</th></tr></thead><tbody>\n";
    for (const BulletinNotice& notice : bulletin.notices) {
      std::vector<std::string> state;
      if (notice.issued_this_month) state.push_back("本月新下发");
      state.push_back(notice.answered ? "已反馈" : notice.is_signed ? "已签收" : "未签收");
      if (notice.sign_overdue) state.push_back("逾期未签收");
      if (notice.overdue) state.push_back("逾期未整改");
      body += "<tr><td>" + Escape(notice.number.empty() ? notice.id : notice.number) + "</td><td>" +
              Escape(notice.title) + "</td><td>" + Escape(notice.reason) + "</td><td>" + DateText(notice.due) +
              "</td><td>" + Join(state, "<br>") + "</td></tr>\n";
    }
    body += "</tbody></table>\n";
  }

  body += "<h2>五、与上月通报相比的变化</h2>\n";
  if (bulletin.changes.empty()) {
    body += "<p class=\"none\">无变化。</p>\n";
  } else {
    body += "<table class=\"list\"><colgroup><col><col style=\"width:26mm\"><col style=\"width:26mm\"></colgroup>"
            "<thead><tr><th>事项</th><th>上月末</th><th>本月末</th></tr></thead><tbody>\n";
    for (const BulletinChange& change : bulletin.changes) {
      body += "<tr><td>" + Escape(change.title) + "</td>" + LevelCell(change.from) + LevelCell(change.to) + "</tr>\n";
    }
    body += "</tbody></table>\n";
  }
  body += "<p class=\"issuer\">" + std::string(kIssuer) + "<br>" + as_of + "</p>\n";
  return Page(title, body);
}

}  // namespace kuimen
