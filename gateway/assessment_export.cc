#include "gateway/assessment_export.h"

#include <memory>
#include <vector>

#include "eventstore/envelope_json.h"
#include "eventstore/json_reader.h"
#include "gateway/assessment_json.h"
#include "gateway/export_cells.h"
#include "gateway/xlsx_book.h"

namespace kuimen {
namespace {

using nlohmann::json;

// The cell of a component where nothing was due, and of a unit none applied to.
const char* const kNotApplicable = "不适用";

// The ledger as cells: a string, a number or null (an empty cell).
struct Row {
  std::vector<json> cells;           // every column but the last
  std::vector<std::string> details;  // the last column, one entry per score line
};
struct Table {
  std::vector<std::string> header;
  std::vector<Row> rows;
};

// A score line's column: lines are matched by rule id, so a unit whose lines
// came in another order (or lacked one) still lands in the right columns.
struct RuleColumn {
  std::string rule;
  std::string header;
};

json NumberCell(double value) { return NumberJson<json>(value); }

std::vector<RuleColumn> RuleColumns(const std::vector<AssessmentUnitResult>& units) {
  std::vector<RuleColumn> columns;
  for (const AssessmentUnitResult& unit : units) {
    for (const AssessmentLine& line : unit.lines) {
      bool known = false;
      for (const RuleColumn& column : columns) known = known || column.rule == line.rule;
      if (known) continue;
      std::string header = line.label.empty() ? line.rule : line.label;
      // 加减分 has no maximum: its header is the bare label.
      if (line.max.has_value()) header += "（" + NumberText(*line.max) + "分）";
      columns.push_back({line.rule, std::move(header)});
    }
  }
  return columns;
}

Table TableOf(const AssessmentResult& view) {
  const std::vector<RuleColumn> columns = RuleColumns(view.units);
  Table table;
  table.header = {"名次", "单位"};
  for (const RuleColumn& column : columns) table.header.push_back(column.header);
  table.header.push_back("适用项满分");
  table.header.push_back("折算得分");
  table.header.push_back("总分");
  table.header.push_back("计分依据");
  table.header.push_back("得分说明");

  for (const AssessmentUnitResult& unit : view.units) {
    Row row;
    // The view's 名次 (projections/assessment_score.h's RankUnits), in its order.
    row.cells.push_back(unit.rank.has_value() ? json(*unit.rank) : json(kNotApplicable));
    row.cells.push_back(unit.unit);
    for (const RuleColumn& column : columns) {
      json points;  // null: the unit has no such line
      for (const AssessmentLine& line : unit.lines) {
        if (line.rule != column.rule) continue;
        const bool not_applicable = line.applicable.has_value() && !*line.applicable;
        if (line.points.has_value()) points = NumberCell(*line.points);
        if (not_applicable) points = kNotApplicable;
        std::string detail = line.detail;
        // The basis beside the points (projections/assessment_score.h):
        // "据1件督办（依据不足）"; absent from a result kept before it existed.
        if (line.basis.has_value() && !line.basis->text.empty() && !not_applicable) {
          detail = line.basis->text + "。" + detail;
        }
        if (!detail.empty()) row.details.push_back((line.label.empty() ? column.rule : line.label) + "：" + detail);
        break;
      }
      row.cells.push_back(std::move(points));
    }
    // No component applied: the unit has no score, and says so. A result of
    // the first release has no applicable maximum or base either.
    const bool scaled = unit.involvement.has_value();
    row.cells.push_back(scaled ? NumberCell(unit.applicable_max) : json(kNotApplicable));
    row.cells.push_back(scaled && unit.base.has_value() ? NumberCell(*unit.base) : json(kNotApplicable));
    row.cells.push_back(unit.score.has_value() ? NumberCell(*unit.score) : json(kNotApplicable));
    // "适用4/5项，1项依据不足"; empty for a result kept before bases existed.
    row.cells.push_back(unit.basis.has_value() ? json(unit.basis->text) : json(nullptr));
    table.rows.push_back(std::move(row));
  }
  return table;
}

// "2024-10-20T02:00:00.000000Z" as "2024-10-20 02:00:00 UTC": the view keeps
// times in UTC and does not say in which zone the rules reckon days.
std::string ReadableTime(const std::string& rfc3339) {
  if (rfc3339.size() < 19 || rfc3339[10] != 'T') return rfc3339;
  return rfc3339.substr(0, 10) + " " + rfc3339.substr(11, 8) + " UTC";
}

std::string NoteOf(const AssessmentResult& view) {
  std::string note = "评分规则 " + view.rules_version + "；评定时刻 " +
                     ReadableTime(FormatTimestamp(view.evaluated_at)) + "；";
  if (view.frozen) {
    note += "已年终定格（定格于第" +
            (view.frozen_at_position.has_value() ? std::to_string(*view.frozen_at_position) : std::string()) +
            "号事件）";
    if (view.frozen_early.value_or(false)) note += "，提前定格：" + view.frozen_reason.value_or("");
  } else {
    note += "未定格，为评定时刻的实时得分";
  }
  // The counting window of 报送及时, as the view words it (session 7, item 4).
  if (view.timeliness_window.has_value()) note += "；" + view.timeliness_window->label;
  note += "；各项按应报、应审、应办事项计分，无应计事项的为“不适用”，总分 = 适用项得分 ÷ 适用项满分 × " +
          (view.rules_total.has_value() ? NumberText(*view.rules_total) : std::string("100")) + " + 加减分";
  // What 依据不足 means (display only), with the threshold the view used.
  note += "；计分依据少于" +
          (view.rules_min_basis.has_value() ? std::to_string(*view.rules_min_basis) : std::string("3")) +
          "项的标注“依据不足”，得分照常计入";
  return note;
}

// RFC 4180: a field holding a comma, quote or line break is quoted, its quotes doubled.
std::string CsvField(const json& cell) {
  if (cell.is_number()) return cell.dump();
  std::string text = TextOf(cell);
  // A spreadsheet would run text starting like a formula (CSV injection); an
  // apostrophe keeps it text, as Excel itself does.
  if (!text.empty() && (text[0] == '=' || text[0] == '+' || text[0] == '-' || text[0] == '@')) text = "'" + text;
  if (text.find_first_of(",\"\r\n") == std::string::npos) return text;
  std::string quoted = "\"";
  for (char c : text) {
    if (c == '"') quoted += '"';
    quoted += c;
  }
  return quoted + "\"";
}

}  // namespace

Result<std::string> AssessmentWorkbook(const AssessmentResult& assessment_view, std::string_view county) {
  const std::string year = std::to_string(assessment_view.year);
  const std::string title = std::string(county) + "“三位一体”改革 " + year + "年度综合考核台账";
  const Timestamp evaluated = assessment_view.evaluated_at;
  ASSIGN_OR_RETURN(std::unique_ptr<XlsxBook> book, XlsxBook::Create(title, evaluated));
  XlsxSheet& sheet = book->AddSheet(year + "年度综合考核");

  const Table table = TableOf(assessment_view);
  const int last_col = static_cast<int>(table.header.size()) - 1;
  constexpr int kHeaderRow = 2;
  sheet.Banner(0, last_col, title, XlsxStyle::kTitle);
  sheet.Banner(1, last_col, NoteOf(assessment_view), XlsxStyle::kNote);
  for (int col = 0; col <= last_col; ++col) sheet.Text(kHeaderRow, col, table.header[col], XlsxStyle::kHeader);
  int row = kHeaderRow + 1;
  for (const Row& cells : table.rows) {
    for (int col = 0; col < static_cast<int>(cells.cells.size()); ++col) {
      const json& cell = cells.cells[col];
      if (cell.is_number()) {
        sheet.Number(row, col, cell.get<double>());
      } else if (cell.is_string()) {
        sheet.Text(row, col, cell.get_ref<const std::string&>());
      } else {
        sheet.Blank(row, col);
      }
    }
    sheet.Text(row, last_col, Join(cells.details, "\n"), XlsxStyle::kWrapped);
    ++row;
  }
  sheet.FixWidth(last_col, 60);
  sheet.Freeze(kHeaderRow + 1, 2);
  sheet.PrintSetup(kHeaderRow);
  return book->Finish();
}

std::string AssessmentCsv(const AssessmentResult& assessment_view) {
  const Table table = TableOf(assessment_view);
  std::string csv = "\xEF\xBB\xBF";
  auto record = [&csv](const std::vector<json>& fields) {
    for (size_t i = 0; i < fields.size(); ++i) {
      if (i > 0) csv += ',';
      csv += CsvField(fields[i]);
    }
    csv += "\r\n";
  };
  record(std::vector<json>(table.header.begin(), table.header.end()));
  for (const Row& row : table.rows) {
    std::vector<json> fields = row.cells;
    fields.push_back(Join(row.details, "；"));
    record(fields);
  }
  return csv;
}

}  // namespace kuimen
