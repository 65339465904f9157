#include "gateway/assessment_export.h"

#include <memory>
#include <vector>

#include "eventstore/envelope_json.h"
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

std::vector<RuleColumn> RuleColumns(const json& units) {
  std::vector<RuleColumn> columns;
  if (!units.is_array()) return columns;
  for (const json& unit : units) {
    const json& lines = MemberOf(unit, "lines");
    if (!lines.is_array()) continue;
    for (const json& line : lines) {
      const std::string rule = TextOf(MemberOf(line, "rule"));
      bool known = false;
      for (const RuleColumn& column : columns) known = known || column.rule == rule;
      if (known) continue;
      std::string header = TextOf(MemberOf(line, "label"));
      if (header.empty()) header = rule;
      // 加减分 has no maximum (null): its header is the bare label.
      if (const json& max = MemberOf(line, "max"); max.is_number()) header += "（" + max.dump() + "分）";
      columns.push_back({rule, std::move(header)});
    }
  }
  return columns;
}

Table TableOf(const json& view) {
  const json& units = MemberOf(view, "units");
  const std::vector<RuleColumn> columns = RuleColumns(units);
  Table table;
  table.header = {"名次", "单位"};
  for (const RuleColumn& column : columns) table.header.push_back(column.header);
  table.header.push_back("适用项满分");
  table.header.push_back("折算得分");
  table.header.push_back("总分");
  table.header.push_back("计分依据");
  table.header.push_back("得分说明");
  if (!units.is_array()) return table;

  for (const json& unit : units) {
    Row row;
    // The view's 名次 (projections/assessment_score.h's RankUnits), in its order.
    const json& rank = MemberOf(unit, "rank");
    row.cells.push_back(rank.is_number() ? rank : json(kNotApplicable));
    row.cells.push_back(TextOf(MemberOf(unit, "unit")));
    const json& lines = MemberOf(unit, "lines");
    for (const RuleColumn& column : columns) {
      json points;  // null: the unit has no such line
      if (lines.is_array()) {
        for (const json& line : lines) {
          if (TextOf(MemberOf(line, "rule")) != column.rule) continue;
          if (const json& value = MemberOf(line, "points"); value.is_number()) points = value;
          if (MemberOf(line, "applicable") == false) points = kNotApplicable;
          const std::string label = TextOf(MemberOf(line, "label"));
          std::string detail = TextOf(MemberOf(line, "detail"));
          // The basis beside the points (projections/assessment_score.h):
          // "据1件督办（依据不足）"; absent from a result kept before it existed.
          const std::string basis = TextOf(MemberOf(MemberOf(line, "basis"), "text"));
          if (!basis.empty() && MemberOf(line, "applicable") != false) detail = basis + "。" + detail;
          if (!detail.empty()) row.details.push_back((label.empty() ? column.rule : label) + "：" + detail);
          break;
        }
      }
      row.cells.push_back(std::move(points));
    }
    for (const char* figure : {"applicable_max", "base", "score", "basis"}) {
      const json& value = MemberOf(unit, figure);
      if (std::string_view(figure) == "basis") {
        // "适用4/5项，1项依据不足"; empty for a result kept before bases existed.
        const json& text = MemberOf(value, "text");
        row.cells.push_back(text.is_string() ? text : json(nullptr));
        continue;
      }
      // No component applied: the unit has no score, and says so.
      row.cells.push_back(value.is_number() ? value : json(kNotApplicable));
    }
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

std::string NoteOf(const json& view) {
  std::string note = "评分规则 " + TextOf(MemberOf(view, "rules_version")) + "；评定时刻 " +
                     ReadableTime(TextOf(MemberOf(view, "evaluated_at"))) + "；";
  if (MemberOf(view, "frozen") == true) {
    note += "已年终定格（定格于第" + TextOf(MemberOf(view, "frozen_at_position")) + "号事件）";
    if (MemberOf(view, "frozen_early") == true) note += "，提前定格：" + TextOf(MemberOf(view, "frozen_reason"));
  } else {
    note += "未定格，为评定时刻的实时得分";
  }
  // The counting window of 报送及时, as the view words it (session 7, item 4).
  const json& window = MemberOf(MemberOf(view, "timeliness_window"), "label");
  if (window.is_string()) note += "；" + window.get<std::string>();
  const json& total = MemberOf(MemberOf(view, "rules"), "total");
  note += "；各项按应报、应审、应办事项计分，无应计事项的为“不适用”，总分 = 适用项得分 ÷ 适用项满分 × " +
          (total.is_number() ? total.dump() : std::string("100")) + " + 加减分";
  // What 依据不足 means (display only), with the threshold the view used.
  const json& min_basis = MemberOf(MemberOf(view, "rules"), "min_basis");
  note += "；计分依据少于" + (min_basis.is_number_integer() ? min_basis.dump() : std::string("3")) +
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

Result<std::string> AssessmentWorkbook(const json& assessment_view, std::string_view county) {
  const json& year = MemberOf(assessment_view, "year");
  if (!year.is_number_integer()) {
    return Status::InvalidArgument("the assessment view has no year; pass the view as RenderView gives it", "year");
  }
  if (!MemberOf(assessment_view, "units").is_array()) {
    return Status::InvalidArgument("the assessment view has no units; pass the view as RenderView gives it", "units");
  }
  const std::string title =
      std::string(county) + "“三位一体”改革 " + year.dump() + "年度综合考核台账";
  const Timestamp evaluated =
      ParseTimestamp(TextOf(MemberOf(assessment_view, "evaluated_at"))).value_or(Timestamp());
  ASSIGN_OR_RETURN(std::unique_ptr<XlsxBook> book, XlsxBook::Create(title, evaluated));
  XlsxSheet& sheet = book->AddSheet(year.dump() + "年度综合考核");

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

std::string AssessmentCsv(const json& assessment_view) {
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
