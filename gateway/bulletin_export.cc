#include "gateway/bulletin_export.h"

#include <memory>
#include <vector>

#include "domain/calendar.h"
#include "eventstore/envelope_json.h"
#include "gateway/print_pages.h"
#include "gateway/xlsx_book.h"

namespace kuimen {

namespace {

using nlohmann::ordered_json;

ordered_json TimeJson(const std::optional<Timestamp>& time) {
  return time.has_value() ? ordered_json(FormatTimestamp(*time)) : ordered_json(nullptr);
}

std::string Joined(const std::vector<std::string>& parts) {
  std::string out;
  for (const std::string& part : parts) out += (out.empty() ? "" : "、") + part;
  return out;
}

std::string NoticeStateText(const BulletinNotice& notice) {
  std::string state = notice.answered ? "已反馈" : notice.is_signed ? "已签收" : "未签收";
  if (notice.sign_overdue) state += "；逾期未签收";
  if (notice.overdue) state += "；逾期未整改";
  if (notice.issued_this_month) state += "；本月新下发";
  return state;
}

// A sheet: the title across the top, the header row, then `rows`.
Status WriteSheet(XlsxBook& book, const std::string& name, const std::string& title,
                  const std::vector<std::string>& header, const std::vector<std::vector<std::string>>& rows) {
  XlsxSheet& sheet = book.AddSheet(name);
  const int last_col = static_cast<int>(header.size()) - 1;
  sheet.Banner(0, last_col, title, XlsxStyle::kTitle);
  for (int col = 0; col <= last_col; ++col) sheet.Text(1, col, header[col], XlsxStyle::kHeader);
  int row = 2;
  for (const std::vector<std::string>& cells : rows) {
    for (int col = 0; col <= last_col && col < static_cast<int>(cells.size()); ++col) {
      sheet.Text(row, col, cells[col], XlsxStyle::kWrapped);
    }
    ++row;
  }
  if (rows.empty()) sheet.Text(2, 0, "无");
  sheet.PrintSetup(1);
  return sheet.Finish();
}

}  // namespace

ordered_json BulletinJson(const MonthlyBulletin& bulletin, int utc_offset_minutes) {
  ordered_json out;
  out["month"] = FormatMonth(bulletin.month);
  out["title"] = BulletinTitle(bulletin);
  out["as_of"] = FormatTimestamp(bulletin.as_of);
  out["as_of_date"] = FormatDate(std::chrono::year_month_day(LocalDay(bulletin.as_of, utc_offset_minutes)));
  out["month_complete"] = bulletin.month_complete;
  out["previous_as_of"] = FormatTimestamp(bulletin.previous_as_of);
  out["report_period"] = FormatMonth(bulletin.report_period);
  out["supervision_start"] =
      bulletin.supervision_start ? ordered_json(FormatMonth(*bulletin.supervision_start)) : ordered_json(nullptr);
  out["reports_in_scope"] = bulletin.reports_in_scope;
  out["window_label"] = bulletin.window_label.empty() ? ordered_json(nullptr) : ordered_json(bulletin.window_label);
  ordered_json items = ordered_json::array();
  for (const BulletinItem& item : bulletin.items) {
    items.push_back({{"stream", item.stream.value},
                     {"title", item.title},
                     {"units", item.units},
                     {"warning", WarningLevelName(item.level)},
                     {"warning_label", WarningLevelLabel(item.level)},
                     {"reasons", item.reasons}});
  }
  out["items"] = std::move(items);
  ordered_json units = ordered_json::array();
  for (const BulletinUnit& unit : bulletin.units) {
    units.push_back({{"unit", unit.unit},
                     {"red", unit.red},
                     {"yellow", unit.yellow},
                     {"late_reports", unit.late_reports},
                     {"missing_reports", unit.missing_reports},
                     {"open_notices", unit.open_notices}});
  }
  out["units"] = std::move(units);
  ordered_json reports = ordered_json::array();
  for (const BulletinReport& report : bulletin.reports) {
    reports.push_back({{"stream", report.stream.value},
                       {"title", report.title},
                       {"unit", report.unit},
                       {"period", FormatMonth(report.period)},
                       {"due", FormatDate(report.due)},
                       {"lapse", ReportLapseName(report.lapse)},
                       {"lapse_label", ReportLapseLabel(report.lapse)},
                       {"recorded_at", TimeJson(report.recorded_at)}});
  }
  out["reports"] = std::move(reports);
  ordered_json notices = ordered_json::array();
  for (const BulletinNotice& notice : bulletin.notices) {
    notices.push_back({{"stream", notice.stream.value},
                       {"title", notice.title},
                       {"units", notice.units},
                       {"id", notice.id},
                       {"number", notice.number},
                       {"reason", notice.reason},
                       {"due", FormatDate(notice.due)},
                       {"issued_at", TimeJson(notice.issued_at)},
                       {"signed", notice.is_signed},
                       {"answered", notice.answered},
                       {"overdue", notice.overdue},
                       {"sign_overdue", notice.sign_overdue},
                       {"issued_this_month", notice.issued_this_month}});
  }
  out["notices"] = std::move(notices);
  out["new_notices"] = bulletin.new_notices;
  ordered_json changes = ordered_json::array();
  for (const BulletinChange& change : bulletin.changes) {
    changes.push_back({{"stream", change.stream.value},
                       {"title", change.title},
                       {"from", WarningLevelName(change.from)},
                       {"to", WarningLevelName(change.to)}});
  }
  out["changes"] = std::move(changes);
  return out;
}

Result<std::string> BulletinWorkbook(const MonthlyBulletin& bulletin, int utc_offset_minutes) {
  const std::string title = BulletinTitle(bulletin);
  ASSIGN_OR_RETURN(std::unique_ptr<XlsxBook> book, XlsxBook::Create(title, bulletin.as_of));
  const std::string as_of = "（数据截至" + ChineseDate(bulletin.as_of, utc_offset_minutes) + "）";

  std::vector<std::vector<std::string>> rows;
  for (const BulletinItem& item : bulletin.items) {
    std::string reasons;
    for (const std::string& reason : item.reasons) reasons += (reasons.empty() ? "" : "\n") + reason;
    rows.push_back({std::string(WarningLevelLabel(item.level)), item.title, Joined(item.units), reasons});
  }
  RETURN_IF_ERROR(WriteSheet(*book, "红黄预警事项", title + as_of, {"预警", "事项", "责任单位", "预警原因"}, rows));

  rows.clear();
  for (const BulletinUnit& unit : bulletin.units) {
    rows.push_back({unit.unit, std::to_string(unit.red), std::to_string(unit.yellow), std::to_string(unit.late_reports),
                    std::to_string(unit.missing_reports), std::to_string(unit.open_notices)});
  }
  RETURN_IF_ERROR(WriteSheet(*book, "分单位情况", title + as_of,
                             {"单位", "红色预警", "黄色预警", "逾期报送", "未报送", "未销号督办"}, rows));

  rows.clear();
  for (const BulletinReport& report : bulletin.reports) {
    std::string lapse(ReportLapseLabel(report.lapse));
    if (report.recorded_at.has_value()) lapse += "（" + ChineseDate(*report.recorded_at, utc_offset_minutes) + "报送）";
    rows.push_back({report.title, report.unit, FormatMonth(report.period), lapse, FormatDate(report.due)});
  }
  if (!bulletin.reports_in_scope) {  // a period before supervision began (session 7, A3)
    rows.push_back({"未纳入督办", "", FormatMonth(bulletin.report_period), "督办开始前的月份，不统计报送情况", ""});
  }
  if (!bulletin.window_label.empty()) rows.push_back({bulletin.window_label, "", "", "", ""});
  RETURN_IF_ERROR(WriteSheet(*book, "进度报送情况", title + as_of, {"事项", "责任单位", "报送期间", "情况", "应报时限"}, rows));

  rows.clear();
  for (const BulletinNotice& notice : bulletin.notices) {
    rows.push_back({notice.number.empty() ? notice.id : notice.number, notice.title, Joined(notice.units),
                    notice.reason, FormatDate(notice.due), NoticeStateText(notice)});
  }
  RETURN_IF_ERROR(WriteSheet(*book, "未销号督办通知", title + as_of,
                             {"文号", "事项", "责任单位", "督办事由", "办理时限", "状态"}, rows));

  rows.clear();
  for (const BulletinChange& change : bulletin.changes) {
    rows.push_back({change.title, std::string(WarningLevelLabel(change.from)), std::string(WarningLevelLabel(change.to))});
  }
  RETURN_IF_ERROR(WriteSheet(*book, "与上月相比", title + as_of, {"事项", "上月末", "本月末"}, rows));
  return book->Finish();
}

}  // namespace kuimen
