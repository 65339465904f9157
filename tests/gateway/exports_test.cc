#include "gateway/exports.h"

#include <stdio.h>
#include <stdlib.h>

#include <cstring>
#include <filesystem>
#include <fstream>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

#include "eventstore/catalog_codec.h"
#include "gateway/views.h"
#include "projections/supervision_view.h"
#include "tests/projections/envelope_log.h"
#include "tests/support/temp_dir.h"

namespace kuimen {
namespace {

using nlohmann::json;

// The Fengjie plan, supervised from its own month (2024-10), so October's
// report is due although the first event is recorded in November.
const Catalog& Fengjie() {
  static const Catalog catalog = [] {
    Catalog plan = LoadDefaultCatalog().value();
    plan.supervision_start = std::chrono::year(2024) / std::chrono::October;
    return plan;
  }();
  return catalog;
}

std::chrono::year_month_day Date(int y, unsigned m, unsigned d) {
  return {std::chrono::year(y), std::chrono::month(m), std::chrono::day(d)};
}

// A moment given in China time (UTC+8), as the units and the task force see it.
Timestamp China(int y, unsigned m, unsigned d, int hour = 10) {
  return Timestamp(std::chrono::sys_days(Date(y, m, d)) + std::chrono::hours(hour - 8));
}

const Actor kTaskForce{"p-tf", Role::kTaskForce, ""};
const Actor kAgriculture{"p-nyw", Role::kDepartment, "县农业农村委"};

// The real views of the Fengjie plan after a month of work: 县农业农村委
// reports on task 7 for October and the task force approves it, and gives
// 县商务委 five points off.
std::unique_ptr<View> ViewAfterAMonth(const std::string& name) {
  testing::EnvelopeLog log;
  log.Add("task-07", China(2024, 11, 5), kAgriculture,
          ProgressReported{{std::chrono::year(2024), std::chrono::month(10)},
                           "完成托管服务12万亩次",
                           15,
                           {{"农业生产社会化服务规模", 12, "万亩次"}},
                           {}});
  log.Add("task-07", China(2024, 11, 6), kTaskForce, ReportReviewed{StreamVersion(1), ReviewDecision::kApproved, ""});
  log.Add("assessment-2024", China(2024, 11, 7), kTaskForce, AssessmentAdjusted{"县商务委", 2024, -5, "专班评定"});
  Result<std::unique_ptr<View>> view = MakeView(name, Fengjie(), ViewSettings{});
  EXPECT_TRUE(view.ok()) << view.status().ToString();
  for (const auto& [envelope, data] : log.events()) (*view)->Apply(envelope, data);
  return std::move(view).value();
}

// The year's result as the exports take it, and as the page shows it (JSON),
// to compare the exports against.
const AssessmentResult& TypedAssessment() {
  static const AssessmentResult result = AssessmentOf(*ViewAfterAMonth("assessment"), ViewQuery{China(2024, 11, 20), 2024});
  return result;
}

const json& AssessmentView() {
  static const json view = RenderView(*ViewAfterAMonth("assessment"), ViewQuery{China(2024, 11, 20), 2024});
  return view;
}

const SupervisionBoard& BoardAfterAMonth() {
  static const SupervisionBoard board =
      dynamic_cast<const kuimen::SupervisionView&>(*ViewAfterAMonth("supervision")).Board(China(2024, 11, 20));
  return board;
}

// RFC 4180 records, each a list of fields (quotes undone), after the BOM.
std::vector<std::vector<std::string>> ParseCsv(const std::string& csv) {
  std::vector<std::vector<std::string>> records(1, std::vector<std::string>(1));
  bool quoted = false;
  for (size_t i = 3; i < csv.size(); ++i) {
    const char c = csv[i];
    if (quoted) {
      if (c == '"' && i + 1 < csv.size() && csv[i + 1] == '"') {
        records.back().back() += '"';
        ++i;
      } else if (c == '"') {
        quoted = false;
      } else {
        records.back().back() += c;
      }
    } else if (c == '"') {
      quoted = true;
    } else if (c == ',') {
      records.back().emplace_back();
    } else if (c == '\r' && i + 1 < csv.size() && csv[i + 1] == '\n') {
      ++i;
      if (i + 1 < csv.size()) records.emplace_back(1);
    } else {
      records.back().back() += c;
    }
  }
  return records;
}

// One member of an xlsx (a zip), read back with unzip(1), the reader a clerk's
// tools would not be; XML entities undone so texts compare as written.
class Xlsx {
 public:
  explicit Xlsx(const std::string& bytes) : file_(dir_.path() / "book.xlsx") {
    std::ofstream(file_, std::ios::binary) << bytes;
  }
  std::string Member(const std::string& name) const {
    const std::string command = "unzip -p '" + file_.string() + "' '" + name + "' 2>/dev/null";
    FILE* pipe = popen(command.c_str(), "r");
    EXPECT_NE(pipe, nullptr) << "cannot run unzip (ops/test.sh installs it)";
    if (pipe == nullptr) return {};
    std::string out;
    char buffer[4096];
    for (size_t n; (n = fread(buffer, 1, sizeof buffer, pipe)) > 0;) out.append(buffer, n);
    EXPECT_EQ(pclose(pipe), 0) << "unzip could not read " << name << " from the workbook";
    return Unescape(out);
  }

 private:
  static std::string Unescape(const std::string& xml) {
    std::string out;
    for (size_t i = 0; i < xml.size(); ++i) {
      bool replaced = false;
      for (const auto& [entity, c] : {std::pair{"&amp;", '&'}, {"&lt;", '<'}, {"&gt;", '>'}, {"&quot;", '"'}}) {
        if (xml.compare(i, std::strlen(entity), entity) == 0) {
          out += c;
          i += std::strlen(entity) - 1;
          replaced = true;
          break;
        }
      }
      if (!replaced) out += xml[i];
    }
    return out;
  }

  testing::TempDir dir_;
  std::filesystem::path file_;
};

bool Contains(const std::string& haystack, const std::string& needle) {
  return haystack.find(needle) != std::string::npos;
}

// Points as the CSV and the sheet print them: as JSON prints the view's number.
std::string PointsOf(const json& unit, const std::string& rule) {
  for (const json& line : unit["lines"]) {
    // A component where nothing was due (不适用) has no points and says so.
    if (line["rule"] == rule) return line["applicable"] == false ? "不适用" : line["points"].dump();
  }
  return "(no line " + rule + ")";
}

// The XML of one cell of a sheet, e.g. <c r="I4" s="4"><v>35</v></c>; "" if absent.
std::string CellXml(const std::string& sheet, const std::string& ref) {
  const size_t start = sheet.find("<c r=\"" + ref + "\"");
  if (start == std::string::npos) return {};
  const size_t open_end = sheet.find('>', start);
  if (open_end == std::string::npos) return {};
  if (sheet[open_end - 1] == '/') return sheet.substr(start, open_end + 1 - start);  // an empty cell
  const size_t end = sheet.find("</c>", open_end);
  return end == std::string::npos ? std::string() : sheet.substr(start, end + 4 - start);
}

// A number cell holds its value in <v> and has no t="s" (a shared string) or t="str".
bool IsNumberCell(const std::string& cell, const std::string& value) {
  return !cell.empty() && !Contains(cell, " t=\"") && Contains(cell, "><v>" + value + "</v></c>");
}

// Sets TMPDIR for one test and puts it back after.
class ScopedTmpdir {
 public:
  explicit ScopedTmpdir(const std::string& dir) {
    if (const char* old = getenv("TMPDIR")) old_ = old;
    setenv("TMPDIR", dir.c_str(), 1);
  }
  ~ScopedTmpdir() {
    if (old_) {
      setenv("TMPDIR", old_->c_str(), 1);
    } else {
      unsetenv("TMPDIR");
    }
  }

 private:
  std::optional<std::string> old_;
};

const char* const kAssessmentHeader[] = {"名次",           "单位",           "报送及时（30分）", "审核通过（20分）",
                                         "目标达成（20分）", "督办整改（15分）", "任务完成（15分）", "加减分",
                                         "适用项满分",     "折算得分",       "总分",             "计分依据",
                                         "得分说明"};

// A unit's figure as the exports write it: the number, or 不适用 when no component applied.
std::string FigureOf(const json& unit, const char* figure) {
  return unit[figure].is_null() ? "不适用" : unit[figure].dump();
}

// --- the assessment as CSV ------------------------------------------------------

TEST(AssessmentCsv, StartsWithAByteOrderMarkAndEndsEveryRecordWithCrLf) {
  const std::string csv = AssessmentCsv(TypedAssessment());
  ASSERT_GE(csv.size(), 3u);
  EXPECT_EQ(csv.substr(0, 3), "\xEF\xBB\xBF");
  EXPECT_EQ(csv.substr(csv.size() - 2), "\r\n");
  for (size_t i = 0; i < csv.size(); ++i) {
    if (csv[i] == '\n') {
      EXPECT_EQ(csv[i - 1], '\r') << "a bare LF at byte " << i;
    }
  }
}

TEST(AssessmentCsv, HasAColumnPerScoreLineThenTheTotal) {
  const auto records = ParseCsv(AssessmentCsv(TypedAssessment()));
  ASSERT_FALSE(records.empty());
  EXPECT_EQ(records[0], std::vector<std::string>(std::begin(kAssessmentHeader), std::end(kAssessmentHeader)));
}

TEST(AssessmentCsv, HasOneRowPerUnitWithTheViewsPoints) {
  const json& view = AssessmentView();
  const auto records = ParseCsv(AssessmentCsv(TypedAssessment()));
  ASSERT_EQ(records.size(), view["units"].size() + 1);
  ASSERT_GT(view["units"].size(), 7u);  // the seven lead units of 附件2 and the cooperating units
  for (size_t i = 0; i < view["units"].size(); ++i) {
    const json& unit = view["units"][i];
    const std::vector<std::string>& row = records[i + 1];
    ASSERT_EQ(row.size(), 13u) << "row " << i + 1;
    EXPECT_EQ(row[0], unit["rank"].is_number() ? std::to_string(unit["rank"].get<int>()) : "不适用") << row[1];
    EXPECT_EQ(row[1], unit["unit"].get<std::string>());
    EXPECT_EQ(row[2], PointsOf(unit, "timeliness")) << row[1];
    EXPECT_EQ(row[3], PointsOf(unit, "approval")) << row[1];
    EXPECT_EQ(row[4], PointsOf(unit, "targets")) << row[1];
    EXPECT_EQ(row[5], PointsOf(unit, "notices")) << row[1];
    EXPECT_EQ(row[6], PointsOf(unit, "completion")) << row[1];
    EXPECT_EQ(row[7], PointsOf(unit, "adjustments")) << row[1];
    EXPECT_EQ(row[8], FigureOf(unit, "applicable_max")) << row[1];
    EXPECT_EQ(row[9], FigureOf(unit, "base")) << row[1];
    EXPECT_EQ(row[10], FigureOf(unit, "score")) << row[1];
    EXPECT_EQ(row[11], unit["basis"]["text"].get<std::string>()) << row[1];
  }
}

// Session 7, score basis: what each score rests on stands beside it, and a
// score resting on too little says 依据不足, as the view words it.
TEST(AssessmentCsv, ShowsWhatEachScoreRestsOnBesideItAndMarksAThinOne) {
  const json& view = AssessmentView();
  const auto records = ParseCsv(AssessmentCsv(TypedAssessment()));
  bool thin_seen = false;
  for (size_t i = 0; i < view["units"].size(); ++i) {
    const json& unit = view["units"][i];
    const std::vector<std::string>& row = records[i + 1];
    EXPECT_EQ(row[11].rfind("适用", 0), 0u) << row[11];
    for (const json& line : unit["lines"]) {
      if (line["basis"].is_null() || line["applicable"] == false) continue;
      const std::string basis = line["basis"]["text"].get<std::string>();
      EXPECT_TRUE(Contains(row[12], line["label"].get<std::string>() + "：" + basis + "。")) << row[12];
      if (line["basis"]["thin"] == true) {
        thin_seen = true;
        EXPECT_TRUE(Contains(basis, "（依据不足）")) << basis;
        EXPECT_TRUE(Contains(row[11], "依据不足")) << row[11];
      }
    }
  }
  EXPECT_TRUE(thin_seen) << "the fixture has a unit scored on fewer than three items";
}

TEST(AssessmentWorkbook, WritesTheBasisColumnAndTheBasisOfEachLine) {
  Result<std::string> bytes = AssessmentWorkbook(TypedAssessment());
  ASSERT_TRUE(bytes.ok()) << bytes.status().ToString();
  const std::string strings = Xlsx(*bytes).Member("xl/sharedStrings.xml");
  EXPECT_TRUE(Contains(strings, "计分依据"));
  for (const json& unit : AssessmentView()["units"]) {
    EXPECT_TRUE(Contains(strings, unit["basis"]["text"].get<std::string>())) << unit["unit"];
  }
  EXPECT_TRUE(Contains(strings, "（依据不足）"));
  EXPECT_TRUE(Contains(strings, "计分依据少于3项的标注“依据不足”，得分照常计入")) << "the note says what it means";
}

TEST(AssessmentCsv, SaysWhichComponentsDidNotApply) {
  for (const auto& row : ParseCsv(AssessmentCsv(TypedAssessment()))) {
    if (row[1] != "县商务委") continue;
    // October's report was due by 10 November: 报送及时 and 审核通过 apply;
    // 县商务委 leads a task without a target and got no notice.
    EXPECT_EQ(row[2], "0");
    EXPECT_EQ(row[4], "不适用");
    EXPECT_EQ(row[5], "不适用");
    EXPECT_TRUE(Contains(row[12], "目标达成：不适用：所涉任务无量化目标")) << row[12];
    return;
  }
  FAIL() << "no row for 县商务委";
}

TEST(AssessmentCsv, WritesAPenaltyAsANegativeNumberAndExplainsIt) {
  for (const auto& row : ParseCsv(AssessmentCsv(TypedAssessment()))) {
    if (row[1] != "县商务委") continue;
    EXPECT_EQ(row[7], "-5");
    EXPECT_TRUE(Contains(row[12], "加减分：减分1项共5分")) << row[12];
    return;
  }
  FAIL() << "no row for 县商务委";
}

TEST(AssessmentCsv, QuotesFieldsWithCommasQuotesAndLineBreaks) {
  AssessmentResult view = TypedAssessment();
  view.units[0].unit = "县供销合作社,\"联社\"\n本级";
  const std::string csv = AssessmentCsv(view);
  EXPECT_TRUE(Contains(csv, "\r\n1,\"县供销合作社,\"\"联社\"\"\n本级\",")) << csv.substr(0, 400);
  EXPECT_EQ(ParseCsv(csv)[1][1], "县供销合作社,\"联社\"\n本级");
}

TEST(AssessmentCsv, KeepsTextThatLooksLikeAFormulaAsText) {
  AssessmentResult view = TypedAssessment();
  view.units[0].unit = "=HYPERLINK(\"http://x\")";
  EXPECT_EQ(ParseCsv(AssessmentCsv(view))[1][1], "'=HYPERLINK(\"http://x\")");
}

TEST(AssessmentCsv, GivesTheHeaderAloneForAViewWithoutUnits) {
  const auto records = ParseCsv(AssessmentCsv(AssessmentResult{}));
  ASSERT_EQ(records.size(), 1u);
  EXPECT_EQ(records[0].front(), "名次");
}

// --- the assessment as xlsx -----------------------------------------------------

TEST(AssessmentWorkbook, IsAZipWhoseSheetHoldsTheTitleHeaderAndUnits) {
  Result<std::string> bytes = AssessmentWorkbook(TypedAssessment(), "奉节县");
  ASSERT_TRUE(bytes.ok()) << bytes.status().ToString();
  ASSERT_EQ(bytes->substr(0, 4), std::string("PK\x03\x04", 4));
  const Xlsx xlsx(*bytes);
  EXPECT_TRUE(Contains(xlsx.Member("xl/workbook.xml"), "name=\"2024年度综合考核\""));
  const std::string strings = xlsx.Member("xl/sharedStrings.xml");
  EXPECT_TRUE(Contains(strings, "奉节县“三位一体”改革 2024年度综合考核台账"));
  EXPECT_TRUE(Contains(strings, "评分规则 fengjie-2024.3"));
  EXPECT_TRUE(Contains(strings, "无应计事项的为“不适用”")) << "the note explains 不适用 and the scaling";
  // The window 报送及时 counts, worded once by the view (session 7, item 4).
  const std::string window = AssessmentView()["timeliness_window"]["label"].get<std::string>();
  EXPECT_EQ(window.rfind("按时报送率统计自", 0), 0u) << window;
  EXPECT_TRUE(Contains(strings, window)) << window;
  for (const char* header : kAssessmentHeader) EXPECT_TRUE(Contains(strings, header)) << header;
  for (const json& unit : AssessmentView()["units"]) {
    EXPECT_TRUE(Contains(strings, unit["unit"].get<std::string>())) << unit["unit"];
  }
}

TEST(AssessmentWorkbook, WritesPointsAsNumbersUnderAFrozenHeader) {
  Result<std::string> bytes = AssessmentWorkbook(TypedAssessment());
  ASSERT_TRUE(bytes.ok()) << bytes.status().ToString();
  const std::string sheet = Xlsx(*bytes).Member("xl/worksheets/sheet1.xml");
  // Rows 1-3 are title, note and header; the panes freeze below row 3, right of 序号 and 单位.
  EXPECT_TRUE(Contains(sheet, "<pane xSplit=\"2\" ySplit=\"3\" topLeftCell=\"C4\"")) << sheet.substr(0, 800);
  // The first unit's total (column K, row 4) and each unit's 加减分 (column H) are numbers.
  const json& units = AssessmentView()["units"];
  EXPECT_TRUE(IsNumberCell(CellXml(sheet, "K4"), units[0]["score"].dump())) << CellXml(sheet, "K4");
  for (size_t i = 0; i < units.size(); ++i) {
    const std::string ref = "H" + std::to_string(4 + i);
    EXPECT_TRUE(IsNumberCell(CellXml(sheet, ref), PointsOf(units[i], "adjustments"))) << CellXml(sheet, ref);
  }
  EXPECT_TRUE(Contains(sheet, "><v>-5</v></c>"));  // 县商务委's five points off
  const std::string last = std::to_string(3 + units.size());  // title, note, header, then the units
  EXPECT_TRUE(Contains(sheet, "<row r=\"" + last + "\""));
  EXPECT_FALSE(Contains(sheet, "<row r=\"" + std::to_string(4 + units.size()) + "\""));
}

TEST(AssessmentWorkbook, GivesTheSameBytesForTheSameView) {
  Result<std::string> first = AssessmentWorkbook(TypedAssessment());
  Result<std::string> second = AssessmentWorkbook(TypedAssessment());
  ASSERT_TRUE(first.ok() && second.ok());
  EXPECT_EQ(*first, *second);
}

// A view without "year" or "units" was refused while the exports read JSON;
// a typed result always has both, and one without units is the header alone.
TEST(AssessmentWorkbook, GivesTheHeaderAloneForAYearWithoutUnits) {
  AssessmentResult empty;
  empty.year = 2024;
  Result<std::string> bytes = AssessmentWorkbook(empty);
  ASSERT_TRUE(bytes.ok()) << bytes.status().ToString();
  const std::string sheet = Xlsx(*bytes).Member("xl/worksheets/sheet1.xml");
  EXPECT_TRUE(Contains(Xlsx(*bytes).Member("xl/workbook.xml"), "name=\"2024年度综合考核\""));
  EXPECT_TRUE(Contains(sheet, "<row r=\"3\""));   // the header
  EXPECT_FALSE(Contains(sheet, "<row r=\"4\""));  // no unit
}

TEST(AssessmentWorkbook, LeavesNoTemporaryFileBehind) {
  testing::TempDir tmp;
  const ScopedTmpdir scoped(tmp.path().string());
  Result<std::string> bytes = AssessmentWorkbook(TypedAssessment());
  ASSERT_TRUE(bytes.ok()) << bytes.status().ToString();
  EXPECT_TRUE(std::filesystem::is_empty(tmp.path()));
}

TEST(AssessmentWorkbook, ReportsAMissingTemporaryDirectoryAsInternal) {
  testing::TempDir tmp;
  const ScopedTmpdir scoped((tmp.path() / "gone").string());
  Result<std::string> bytes = AssessmentWorkbook(TypedAssessment());
  ASSERT_FALSE(bytes.ok());
  EXPECT_EQ(bytes.status().code(), StatusCode::kInternal);
}

// --- the tasks as xlsx ----------------------------------------------------------

TEST(TasksWorkbook, HasTheTasksSheetAndTheMajorItemsSheet) {
  Result<std::string> bytes = TasksWorkbook(Fengjie(), BoardAfterAMonth());
  ASSERT_TRUE(bytes.ok()) << bytes.status().ToString();
  const std::string workbook = Xlsx(*bytes).Member("xl/workbook.xml");
  EXPECT_TRUE(Contains(workbook, "name=\"附件2 重点任务分工\"")) << workbook;
  EXPECT_TRUE(Contains(workbook, "name=\"附件1 四个重大\"")) << workbook;
}

TEST(TasksWorkbook, ListsEveryTaskInTheColumnsOfAttachment2WithItsStatus) {
  Result<std::string> bytes = TasksWorkbook(Fengjie(), BoardAfterAMonth());
  ASSERT_TRUE(bytes.ok()) << bytes.status().ToString();
  const Xlsx xlsx(*bytes);
  const std::string strings = xlsx.Member("xl/sharedStrings.xml");
  for (const char* header : {"序号", "名称", "事项", "工作任务", "责任单位", "配合单位", "状态", "进度（%）", "预警",
                             "预警原因", "最近报送", "目标进展"}) {
    EXPECT_TRUE(Contains(strings, std::string(">") + header + "<")) << header;
  }
  for (const TaskSpec& task : Fengjie().tasks) {
    EXPECT_TRUE(Contains(strings, task.text)) << "task " << task.no.value;
    EXPECT_TRUE(Contains(strings, task.lead_unit)) << "task " << task.no.value;
  }
  EXPECT_TRUE(Contains(strings, "2024-10（县农业农村委报送，已通过）"));
  EXPECT_TRUE(Contains(strings, "农业生产社会化服务规模：12/78万亩次（15.4%；各单位合计）"));
  EXPECT_TRUE(Contains(strings, "推进中"));
  EXPECT_TRUE(Contains(strings, "未启动"));

  const std::string sheet = xlsx.Member("xl/worksheets/sheet1.xml");
  EXPECT_TRUE(Contains(sheet, "<row r=\"32\""));  // title, note, header and 29 tasks
  EXPECT_FALSE(Contains(sheet, "<row r=\"33\""));
  EXPECT_TRUE(Contains(sheet, "<autoFilter ref=\"A3:L32\"")) << sheet.substr(0, 1200);
  EXPECT_TRUE(Contains(sheet, "ySplit=\"3\""));
  // Task 7's progress (row 3 + 7, column H) is the number 15.
  EXPECT_TRUE(IsNumberCell(CellXml(sheet, "H10"), "15")) << CellXml(sheet, "H10");
}

TEST(TasksWorkbook, ListsTheMajorItemsOfAttachment1) {
  Result<std::string> bytes = TasksWorkbook(Fengjie(), BoardAfterAMonth());
  ASSERT_TRUE(bytes.ok()) << bytes.status().ToString();
  const Xlsx xlsx(*bytes);
  const std::string strings = xlsx.Member("xl/sharedStrings.xml");
  for (const MajorItem& item : Fengjie().major_items) {
    EXPECT_TRUE(Contains(strings, item.name)) << "major " << item.no.value;
    EXPECT_TRUE(Contains(strings, "重大" + item.kind)) << "major " << item.no.value;
  }
  const std::string sheet = xlsx.Member("xl/worksheets/sheet2.xml");
  const std::string last_row = "<row r=\"" + std::to_string(3 + Fengjie().major_items.size()) + "\"";
  EXPECT_TRUE(Contains(sheet, last_row));
}

TEST(TasksWorkbook, BuildsTheSameBooksOnSeveralThreadsAtOnce) {
  // The HTTP server serves downloads on its pool threads.
  const Result<std::string> expected = TasksWorkbook(Fengjie(), BoardAfterAMonth());
  ASSERT_TRUE(expected.ok()) << expected.status().ToString();
  std::vector<Result<std::string>> results(4, Status::Internal("not run"));
  std::vector<std::thread> threads;
  for (Result<std::string>& result : results) {
    threads.emplace_back([&result] { result = TasksWorkbook(Fengjie(), BoardAfterAMonth()); });
  }
  for (std::thread& thread : threads) thread.join();
  for (const Result<std::string>& result : results) {
    ASSERT_TRUE(result.ok()) << result.status().ToString();
    EXPECT_EQ(*result, *expected);
  }
}

TEST(TasksWorkbook, RefusesABoardWithoutTasks) {
  Result<std::string> bytes = TasksWorkbook(Fengjie(), SupervisionBoard{});
  ASSERT_FALSE(bytes.ok());
  EXPECT_EQ(bytes.status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(bytes.status().subject(), "tasks");
}

// The county figure (issue 10 item 2): a township's figure adds to the lead's
// in tasks.xlsx as on the board, and the lead's 全县数 stands alone.
TEST(TasksWorkbook, ShowsTheCountyFigureTheBoardShows) {
  const Actor township{"p-yazd", Role::kDepartment, "永安街道", "各乡镇人民政府、街道办事处"};
  const auto report = [](unsigned month, double value, IndicatorScope scope) {
    return ProgressReported{{std::chrono::year(2024), std::chrono::month(month)}, "本月进展", 15,
                            {IndicatorValue{"农业生产社会化服务规模", value, "万亩次", scope}}, {}};
  };
  testing::EnvelopeLog log;
  log.Add("task-07", China(2024, 11, 5), kAgriculture, report(10, 12, IndicatorScope::kOwn));
  log.Add("task-07", China(2024, 11, 6), township, report(10, 1.2, IndicatorScope::kOwn));
  Result<std::unique_ptr<View>> view = MakeView("supervision", Fengjie(), ViewSettings{});
  ASSERT_TRUE(view.ok()) << view.status().ToString();
  const auto workbook_and_board = [&](Timestamp now) {
    const SupervisionBoard board = dynamic_cast<const kuimen::SupervisionView&>(**view).Board(now);
    Result<std::string> bytes = TasksWorkbook(Fengjie(), board);
    EXPECT_TRUE(bytes.ok()) << bytes.status().ToString();
    return std::pair(Xlsx(bytes.ok() ? *bytes : std::string()).Member("xl/sharedStrings.xml"),
                     board.tasks.at(6).indicators.at(0));
  };
  for (const auto& [envelope, data] : log.events()) (*view)->Apply(envelope, data);
  // Awaiting review, the figures are not counted yet (session 7, item 3): the
  // sheet says so beside the county figure, as the board does.
  auto [strings, indicator] = workbook_and_board(China(2024, 11, 20));
  EXPECT_FALSE(indicator.latest.has_value());
  EXPECT_TRUE(Contains(strings, "农业生产社会化服务规模：—/78万亩次，另有待审核13.2万亩次（审核通过后全县13.2万亩次）")) << strings;
  for (std::uint64_t version : {1, 2}) {
    log.Add("task-07", China(2024, 11, 7), kTaskForce,
            ReportReviewed{StreamVersion(version), ReviewDecision::kApproved, ""});
    (*view)->Apply(log.events().back().first, log.events().back().second);
  }
  std::tie(strings, indicator) = workbook_and_board(China(2024, 11, 20));
  ASSERT_TRUE(indicator.latest.has_value());
  EXPECT_EQ(indicator.latest->value, 13.2);
  EXPECT_TRUE(Contains(strings, "农业生产社会化服务规模：13.2/78万亩次（16.9%；各单位合计）")) << strings;

  log.Add("task-07", China(2024, 12, 5), kAgriculture, report(11, 30, IndicatorScope::kCounty));  // v5
  (*view)->Apply(log.events().back().first, log.events().back().second);
  log.Add("task-07", China(2024, 12, 6), kTaskForce, ReportReviewed{StreamVersion(5), ReviewDecision::kApproved, ""});
  (*view)->Apply(log.events().back().first, log.events().back().second);
  std::tie(strings, indicator) = workbook_and_board(China(2024, 12, 20));
  ASSERT_TRUE(indicator.latest.has_value());
  EXPECT_EQ(indicator.latest->value, 30);
  EXPECT_TRUE(Contains(strings, "农业生产社会化服务规模：30/78万亩次（38.5%；牵头单位报全县数）")) << strings;
}

// Clerk review A1, A4, A5: 最近报送 follows the lead unit with the other units
// listed beside it; a pending figure is its amount and the total it would make;
// 总体进度 is the lead's approved estimate, a pending one written beside.
TEST(TasksWorkbook, LastReportFollowsTheLeadAndPendingFiguresShowTheirAmount) {
  const Actor township{"p-yazd", Role::kDepartment, "永安街道", "各乡镇人民政府、街道办事处"};
  const Actor coop{"p-gxs", Role::kDepartment, "县供销合作社"};
  const auto report = [](double value, double percent) {
    return ProgressReported{{std::chrono::year(2024), std::chrono::November}, "本月进展", percent,
                            {IndicatorValue{"农业生产社会化服务规模", value, "万亩次"}}, {}};
  };
  testing::EnvelopeLog log;
  log.Add("task-07", China(2024, 12, 1), kAgriculture, report(20, 25));                                     // v1
  log.Add("task-07", China(2024, 12, 2), kTaskForce, ReportReviewed{StreamVersion(1), ReviewDecision::kApproved, ""});
  log.Add("task-07", China(2024, 12, 3), coop, report(3, 5));                                               // v3
  log.Add("task-07", China(2024, 12, 4), kTaskForce, ReportReviewed{StreamVersion(3), ReviewDecision::kReturned, "数据不全"});
  log.Add("task-07", China(2024, 12, 5), township, report(2, 5));                                           // v5
  log.Add("task-07", China(2024, 12, 6), kAgriculture, report(20, 40));                                     // v6
  log.Add("task-07", China(2024, 12, 7), kTaskForce, ReportReviewed{StreamVersion(6), ReviewDecision::kApproved, ""});
  log.Add("task-07", China(2024, 12, 8), kAgriculture,
          ProgressReported{{std::chrono::year(2024), std::chrono::December}, "本月进展", 55, {}, {}});     // v8
  Result<std::unique_ptr<View>> view = MakeView("supervision", Fengjie(), ViewSettings{});
  ASSERT_TRUE(view.ok()) << view.status().ToString();
  for (const auto& [envelope, data] : log.events()) (*view)->Apply(envelope, data);
  const SupervisionBoard board = dynamic_cast<const kuimen::SupervisionView&>(**view).Board(China(2024, 12, 9));
  EXPECT_EQ(board.tasks.at(6).status, TaskStatus::kPendingReview);  // the lead's v8
  Result<std::string> bytes = TasksWorkbook(Fengjie(), board);
  ASSERT_TRUE(bytes.ok()) << bytes.status().ToString();
  const std::string strings = Xlsx(*bytes).Member("xl/sharedStrings.xml");
  EXPECT_TRUE(Contains(strings, "2024-12（县农业农村委报送，待审核）；另有配合单位待审核：永安街道；配合单位已退回：县供销合作社"))
      << strings;
  EXPECT_TRUE(Contains(strings, "总体进度另有待审核：55%（2024-12）")) << strings;
  EXPECT_TRUE(Contains(strings, "农业生产社会化服务规模：20/78万亩次（25.6%；各单位合计），另有待审核2万亩次（审核通过后全县22万亩次）"))
      << strings;
}

}  // namespace
}  // namespace kuimen
