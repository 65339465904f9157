#include "gateway/tasks_export.h"

#include <map>
#include <memory>
#include <string_view>
#include <vector>

#include "domain/calendar.h"
#include "eventstore/envelope_json.h"
#include "eventstore/json_reader.h"
#include "gateway/export_cells.h"
#include "gateway/xlsx_book.h"

namespace kuimen {
namespace {

constexpr int kHeaderRow = 2;  // under the title and the note

// A number as the view's JSON prints it (30, 28.5), so the sheet and the board agree.
std::string NumberText(double value) { return NumberJson<nlohmann::json>(value).dump(); }

// The board's items by number.
std::map<std::uint64_t, const ItemBoard*> ByNumber(const std::vector<ItemBoard>& items) {
  std::map<std::uint64_t, const ItemBoard*> by_no;
  for (const ItemBoard& item : items) {
    if (const TaskHeader* task = item.task()) by_no[task->no.value] = &item;
    if (const MajorHeader* major = item.major()) by_no[major->no.value] = &item;
  }
  return by_no;
}

std::string DecisionLabel(const std::optional<ReviewDecision>& decision) {
  if (decision == ReviewDecision::kApproved) return "已通过";
  if (decision == ReviewDecision::kReturned) return "已退回";
  return "待审核";
}

// 最近报送 follows the lead units' reports, as the status does (clerk review
// A1): "2026-12（县农业农村委报送，已通过）；另有配合单位待审核：永安街道；配合单位已退回：县供销合作社",
// with 补报 after a late one; "牵头单位未报送" before the leads' first report.
std::string LeadReportText(const ItemBoard& item) {
  std::string text = "牵头单位未报送";
  if (const std::optional<LeadReport>& lead = item.lead_report) {
    text = FormatMonth(lead->period) + "（";
    if (!lead->unit.empty()) text += lead->unit + "报送，";
    text += DecisionLabel(lead->decision) + "）";
    if (lead->late) text += "补报";
  }
  if (!item.pending_units.empty()) text += "；另有配合单位待审核：" + Join(item.pending_units, "、");
  if (!item.returned_units.empty()) text += "；配合单位已退回：" + Join(item.returned_units, "、");
  return text;
}

// "（15.4%；各单位合计）": `parts`, then how the county figure was formed
// ("各单位合计", "牵头单位报全县数") where there is one; "" when neither.
std::string Parenthesised(std::vector<std::string> parts, const TargetReading& reading) {
  if (reading.latest.has_value()) parts.push_back(std::string(CountyBasisLabel(reading.latest->basis)));
  return parts.empty() ? std::string() : "（" + Join(parts, "；") + "）";
}

// One line per target, with the county figure (projections/county_figure.h)
// and how it was formed: "农合联：3/11个（27.3%；各单位合计）", "农合联：—/11个" before any
// figure, "标准化建设：—" for a target without a number.
std::string TargetsText(const std::vector<TargetReading>& indicators) {
  std::vector<std::string> lines;
  for (const TargetReading& reading : indicators) {
    const std::optional<FigureReading>& latest = reading.latest;
    std::string line = reading.indicator + "：" + (latest ? NumberText(latest->value) : "—");
    if (reading.target.has_value()) {
      line += "/" + NumberText(*reading.target) + reading.unit;
      std::vector<std::string> parts;
      if (latest && latest->progress_percent) parts.push_back(NumberText(*latest->progress_percent) + "%");
      line += Parenthesised(std::move(parts), reading);
    } else if (latest.has_value()) {
      line += reading.unit + Parenthesised({}, reading);
    }
    // A figure awaiting review is not in the county figure; the board shows it
    // beside it, and so does the sheet (session 7, item 3).
    if (const std::optional<PendingFigure>& pending = reading.pending) {
      // Only what awaits review, and the total it would make (clerk review A4).
      line += "，另有待审核" + NumberText(pending->amount) + reading.unit + "（审核通过后全县" +
              NumberText(pending->value) + reading.unit + "）";
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

// An item the board lacks has empty status cells.
void WriteStatus(XlsxSheet& sheet, int row, int first_col, const ItemBoard* item) {
  if (item == nullptr) {
    sheet.Text(row, first_col, "");
    sheet.Blank(row, first_col + 1);
    sheet.Text(row, first_col + 2, "");
    sheet.Text(row, first_col + 3, "", XlsxStyle::kWrapped);
    sheet.Text(row, first_col + 4, "");
    sheet.Text(row, first_col + 5, "", XlsxStyle::kWrapped);
    return;
  }
  sheet.Text(row, first_col, std::string(TaskStatusLabel(item->status)));
  // 总体进度 as of its period (the latest period's report), as the board shows it.
  if (item->progress.has_value()) {
    sheet.Number(row, first_col + 1, item->progress->percent);
  } else {
    sheet.Blank(row, first_col + 1);
  }
  sheet.Text(row, first_col + 2, std::string(WarningLevelLabel(item->warning)));
  sheet.Text(row, first_col + 3, Join(item->warning_reasons, "\n"), XlsxStyle::kWrapped);
  sheet.Text(row, first_col + 4, LeadReportText(*item));
  // 总体进度 counts the approved estimate only; one awaiting review is beside it (clerk review A5).
  std::string targets = TargetsText(item->indicators);
  if (const std::optional<PendingProgress>& pending = item->progress_pending) {
    targets = "总体进度另有待审核：" + NumberText(pending->percent) + "%（" + FormatMonth(pending->period) + "）" +
              (targets.empty() ? "" : "\n" + targets);
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

void WriteTasks(XlsxSheet& sheet, const Catalog& catalog, const SupervisionBoard& board, const std::string& as_of) {
  // 附件2's header as the document prints it.
  const std::vector<std::string> header = WithStatus({"序号", "名称", "事项", "工作任务", "责任单位", "配合单位"});
  Frame(sheet, catalog.document.number + " 附件2 重点任务分工推进台账",
        "截至 " + as_of + "，共 " + std::to_string(catalog.tasks.size()) + " 项", header,
        static_cast<int>(catalog.tasks.size()));
  const std::map<std::uint64_t, const ItemBoard*> items = ByNumber(board.tasks);
  int row = kHeaderRow + 1;
  for (const TaskSpec& task : catalog.tasks) {
    sheet.Number(row, 0, task.no.value);
    sheet.Text(row, 1, task.category, XlsxStyle::kWrapped);
    sheet.Text(row, 2, task.item, XlsxStyle::kWrapped);
    sheet.Text(row, 3, task.text, XlsxStyle::kWrapped);
    sheet.Text(row, 4, task.lead_unit, XlsxStyle::kWrapped);
    sheet.Text(row, 5, Join(task.cooperating_units, "、"), XlsxStyle::kWrapped);
    const auto it = items.find(task.no.value);
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

void WriteMajors(XlsxSheet& sheet, const Catalog& catalog, const SupervisionBoard& board, const std::string& as_of) {
  // 附件1 prints 序号, 名称, 责任单位, with the kind (重大改革 …) as a group
  // heading; here it is a column, so the rows can be filtered.
  const std::vector<std::string> header = WithStatus({"序号", "类别", "名称", "责任单位", "关联任务"});
  Frame(sheet, catalog.document.number + " 附件1 “四个重大”清单推进台账",
        "截至 " + as_of + "，共 " + std::to_string(catalog.major_items.size()) + " 项；关联任务为编者所加，文件未列",
        header, static_cast<int>(catalog.major_items.size()));
  const std::map<std::uint64_t, const ItemBoard*> items = ByNumber(board.major_items);
  int row = kHeaderRow + 1;
  for (const MajorItem& item : catalog.major_items) {
    std::vector<std::string> related;
    for (TaskNo no : item.related_tasks) related.push_back(std::to_string(no.value));
    sheet.Number(row, 0, item.no.value);
    sheet.Text(row, 1, "重大" + item.kind);
    sheet.Text(row, 2, item.name, XlsxStyle::kWrapped);
    sheet.Text(row, 3, Join(item.units, "、"), XlsxStyle::kWrapped);
    sheet.Text(row, 4, Join(related, "、"));
    const auto it = items.find(item.no.value);
    WriteStatus(sheet, row, 5, it == items.end() ? nullptr : it->second);
    ++row;
  }
  sheet.FixWidth(2, 40);
  sheet.FixWidth(3, 24);
  FixStatusWidths(sheet, 5);
}

}  // namespace

Result<std::string> TasksWorkbook(const Catalog& catalog, const SupervisionBoard& board) {
  // A board the view built lists every task of its catalog.
  if (board.tasks.empty() && !catalog.tasks.empty()) {
    return Status::InvalidArgument("the supervision board has no tasks; pass the board SupervisionView::Board gives",
                                   "tasks");
  }
  const std::string today = FormatDate(board.today);
  ASSIGN_OR_RETURN(std::unique_ptr<XlsxBook> book, XlsxBook::Create(catalog.document.number + " 推进台账", board.as_of));
  WriteTasks(book->AddSheet("附件2 重点任务分工"), catalog, board, today);
  WriteMajors(book->AddSheet("附件1 四个重大"), catalog, board, today);
  return book->Finish();
}

}  // namespace kuimen
