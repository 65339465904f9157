#include "gateway/tasks_export.h"

#include <map>
#include <memory>
#include <string_view>
#include <vector>

#include "eventstore/envelope_json.h"
#include "gateway/export_cells.h"
#include "gateway/xlsx_book.h"

namespace kuimen {
namespace {

using nlohmann::json;

constexpr int kHeaderRow = 2;  // under the title and the note

// The view's items by number; null members of a malformed entry are skipped.
std::map<std::int64_t, const json*> ByNumber(const json& items) {
  std::map<std::int64_t, const json*> by_no;
  if (!items.is_array()) return by_no;
  for (const json& item : items) {
    if (const json& no = MemberOf(item, "no"); no.is_number_integer()) by_no[no.get<std::int64_t>()] = &item;
  }
  return by_no;
}

std::string DecisionLabel(const json& decision) {
  if (decision == "approved") return "已通过";
  if (decision == "returned") return "已退回";
  return "待审核";
}

// "2024-11（县农业农村委报送，已通过）", or "" before the first report.
std::string LastReportText(const json& last_report) {
  if (!last_report.is_object()) return {};
  std::string text = TextOf(MemberOf(last_report, "period")) + "（";
  if (std::string unit = TextOf(MemberOf(last_report, "unit")); !unit.empty()) text += unit + "报送，";
  text += DecisionLabel(MemberOf(last_report, "decision")) + "）";
  if (const json& late = MemberOf(last_report, "late"); late.is_boolean() && late.get<bool>()) text += "补报";
  return text;
}

// 最近报送 follows the lead units' reports, as the status does (clerk review
// A1): "2026-12（县农业农村委报送，已通过）；另有配合单位待审核：永安街道；配合单位已退回：县供销合作社".
// A view without lead_report (an older build) shows the report recorded last.
std::string LeadReportText(const json& entry) {
  const json& lead = MemberOf(entry, "lead_report");
  std::string text = LastReportText(entry.contains("lead_report") ? lead : MemberOf(entry, "last_report"));
  if (entry.contains("lead_report") && !lead.is_object()) text = "牵头单位未报送";
  if (const json& pending = MemberOf(entry, "pending_units"); pending.is_array() && !pending.empty()) {
    text += "；另有配合单位待审核：" + JoinTexts(pending, "、");
  }
  if (const json& returned = MemberOf(entry, "returned_units"); returned.is_array() && !returned.empty()) {
    text += "；配合单位已退回：" + JoinTexts(returned, "、");
  }
  return text;
}

// "（15.4%；各单位合计）": `parts`, then how the county figure was formed
// ("各单位合计", "牵头单位报全县数") where the view says; "" when neither.
std::string Parenthesised(std::vector<std::string> parts, const json& entry) {
  if (const json& basis = MemberOf(entry, "basis_label"); basis.is_string()) parts.push_back(basis.get<std::string>());
  return parts.empty() ? std::string() : "（" + Join(parts, "；") + "）";
}

// One line per target, with the county figure (projections/county_figure.h)
// and how it was formed: "农合联：3/11个（27.3%；各单位合计）", "农合联：—/11个" before any
// figure, "标准化建设：—" for a target without a number.
std::string TargetsText(const json& indicators) {
  std::vector<std::string> lines;
  if (!indicators.is_array()) return {};
  for (const json& entry : indicators) {
    const std::string latest = TextOf(MemberOf(entry, "latest_value"));
    const std::string target = TextOf(MemberOf(entry, "target"));
    const std::string unit = TextOf(MemberOf(entry, "unit"));
    std::string line = TextOf(MemberOf(entry, "indicator")) + "：" + (latest.empty() ? "—" : latest);
    if (!target.empty()) {
      line += "/" + target + unit;
      const std::string percent = TextOf(MemberOf(entry, "progress_percent"));
      line += Parenthesised(percent.empty() ? std::vector<std::string>{} : std::vector<std::string>{percent + "%"},
                            entry);
    } else if (!latest.empty()) {
      line += unit + Parenthesised({}, entry);
    }
    // A figure awaiting review is not in the county figure; the board shows it
    // beside it, and so does the sheet (session 7, item 3).
    if (const json& pending = MemberOf(entry, "pending"); pending.is_object()) {
      // Only what awaits review, and the total it would make (clerk review A4).
      line += "，另有待审核" + TextOf(MemberOf(pending, "amount")) + unit + "（审核通过后全县" +
              TextOf(MemberOf(pending, "value")) + unit + "）";
    }
    lines.push_back(std::move(line));
  }
  return Join(lines, "\n");
}

// The columns every item carries after the plan's own, from its view entry.
const std::vector<std::string>& StatusHeader() {
  static const std::vector<std::string> header = {"状态", "进度（%）", "预警", "预警原因", "最近报送", "目标进展"};
  return header;
}

void WriteStatus(XlsxSheet& sheet, int row, int first_col, const json* item) {
  static const json kNoEntry;
  const json& entry = item != nullptr ? *item : kNoEntry;
  sheet.Text(row, first_col, TextOf(MemberOf(entry, "status_label")));
  // 总体进度 as of its period (the latest period's report), as the board shows it.
  if (const json& percent = MemberOf(MemberOf(entry, "progress"), "percent"); percent.is_number()) {
    sheet.Number(row, first_col + 1, percent.get<double>());
  } else {
    sheet.Blank(row, first_col + 1);
  }
  sheet.Text(row, first_col + 2, TextOf(MemberOf(entry, "warning_label")));
  sheet.Text(row, first_col + 3, JoinTexts(MemberOf(entry, "warning_reasons"), "\n"), XlsxStyle::kWrapped);
  sheet.Text(row, first_col + 4, LeadReportText(entry));
  // 总体进度 counts the approved estimate only; one awaiting review is beside it (clerk review A5).
  std::string targets = TargetsText(MemberOf(entry, "indicators"));
  if (const json& pending = MemberOf(entry, "progress_pending"); pending.is_object()) {
    targets = "总体进度另有待审核：" + TextOf(MemberOf(pending, "percent")) + "%（" + TextOf(MemberOf(pending, "period")) +
              "）" + (targets.empty() ? "" : "\n" + targets);
  }
  sheet.Text(row, first_col + 5, targets, XlsxStyle::kWrapped);
}

void FixStatusWidths(XlsxSheet& sheet, int first_col) {
  sheet.FixWidth(first_col + 3, 28);  // 预警原因
  sheet.FixWidth(first_col + 5, 32);  // 目标进展
}

// Title, note and header rows, the frozen header with its filter, and printing.
void Frame(XlsxSheet& sheet, const std::string& title, const std::string& note, const std::vector<std::string>& header,
           int rows) {
  const int last_col = static_cast<int>(header.size()) - 1;
  sheet.Banner(0, last_col, title, XlsxStyle::kTitle);
  sheet.Banner(1, last_col, note, XlsxStyle::kNote);
  for (int col = 0; col <= last_col; ++col) sheet.Text(kHeaderRow, col, header[col], XlsxStyle::kHeader);
  sheet.Freeze(kHeaderRow + 1, 1);
  sheet.Filter(kHeaderRow, kHeaderRow + rows, last_col);
  sheet.PrintSetup(kHeaderRow);
}

std::vector<std::string> WithStatus(std::vector<std::string> header) {
  header.insert(header.end(), StatusHeader().begin(), StatusHeader().end());
  return header;
}

void WriteTasks(XlsxSheet& sheet, const Catalog& catalog, const json& view, const std::string& as_of) {
  // 附件2's header as the document prints it.
  const std::vector<std::string> header = WithStatus({"序号", "名称", "事项", "工作任务", "责任单位", "配合单位"});
  Frame(sheet, catalog.document.number + " 附件2 重点任务分工推进台账",
        "截至 " + as_of + "，共 " + std::to_string(catalog.tasks.size()) + " 项", header,
        static_cast<int>(catalog.tasks.size()));
  const std::map<std::int64_t, const json*> items = ByNumber(MemberOf(view, "tasks"));
  int row = kHeaderRow + 1;
  for (const TaskSpec& task : catalog.tasks) {
    sheet.Number(row, 0, task.no.value);
    sheet.Text(row, 1, task.category, XlsxStyle::kWrapped);
    sheet.Text(row, 2, task.item, XlsxStyle::kWrapped);
    sheet.Text(row, 3, task.text, XlsxStyle::kWrapped);
    sheet.Text(row, 4, task.lead_unit, XlsxStyle::kWrapped);
    sheet.Text(row, 5, Join(task.cooperating_units, "、"), XlsxStyle::kWrapped);
    const auto it = items.find(static_cast<std::int64_t>(task.no.value));
    WriteStatus(sheet, row, 6, it == items.end() ? nullptr : it->second);
    ++row;
  }
  // The plan's long texts wrap in fixed columns; the short ones fit their content.
  sheet.FixWidth(1, 14);
  sheet.FixWidth(2, 16);
  sheet.FixWidth(3, 48);
  sheet.FixWidth(4, 16);
  sheet.FixWidth(5, 28);
  FixStatusWidths(sheet, 6);
}

void WriteMajors(XlsxSheet& sheet, const Catalog& catalog, const json& view, const std::string& as_of) {
  // 附件1 prints 序号, 名称, 责任单位, with the kind (重大改革 …) as a group
  // heading; here it is a column, so the rows can be filtered.
  const std::vector<std::string> header = WithStatus({"序号", "类别", "名称", "责任单位", "关联任务"});
  Frame(sheet, catalog.document.number + " 附件1 “四个重大”清单推进台账",
        "截至 " + as_of + "，共 " + std::to_string(catalog.major_items.size()) + " 项；关联任务为编者所加，文件未列",
        header, static_cast<int>(catalog.major_items.size()));
  const std::map<std::int64_t, const json*> items = ByNumber(MemberOf(view, "major_items"));
  int row = kHeaderRow + 1;
  for (const MajorItem& item : catalog.major_items) {
    std::vector<std::string> related;
    for (TaskNo no : item.related_tasks) related.push_back(std::to_string(no.value));
    sheet.Number(row, 0, item.no.value);
    sheet.Text(row, 1, "重大" + item.kind);
    sheet.Text(row, 2, item.name, XlsxStyle::kWrapped);
    sheet.Text(row, 3, Join(item.units, "、"), XlsxStyle::kWrapped);
    sheet.Text(row, 4, Join(related, "、"));
    const auto it = items.find(static_cast<std::int64_t>(item.no.value));
    WriteStatus(sheet, row, 5, it == items.end() ? nullptr : it->second);
    ++row;
  }
  sheet.FixWidth(2, 40);
  sheet.FixWidth(3, 24);
  FixStatusWidths(sheet, 5);
}

}  // namespace

Result<std::string> TasksWorkbook(const Catalog& catalog, const json& supervision_view) {
  if (!MemberOf(supervision_view, "tasks").is_array()) {
    return Status::InvalidArgument("the supervision view has no tasks; pass the view as RenderView gives it", "tasks");
  }
  const std::string as_of_text = TextOf(MemberOf(supervision_view, "as_of"));
  std::string today = TextOf(MemberOf(supervision_view, "today"));
  if (today.empty()) today = as_of_text.substr(0, 10);
  const Timestamp as_of = ParseTimestamp(as_of_text).value_or(Timestamp());
  ASSIGN_OR_RETURN(std::unique_ptr<XlsxBook> book, XlsxBook::Create(catalog.document.number + " 推进台账", as_of));
  WriteTasks(book->AddSheet("附件2 重点任务分工"), catalog, supervision_view, today);
  WriteMajors(book->AddSheet("附件1 四个重大"), catalog, supervision_view, today);
  return book->Finish();
}

}  // namespace kuimen
