// The assessment's JSON (GET /views/assessment, the dashboard's and
// openapi.json's contract) and the exports made from the same result, pinned
// by golden files in tests/gateway/golden/assessment/: rich fixtures (a live
// year, a frozen year, an early freeze with its reason, adjustments, 批示,
// units with and without a basis, a year before supervision) and results kept
// by freezes of earlier releases in each shape they were stored in, read from
// the view's rows. The goldens were written by the code before the result was
// typed (issue 12, item 1); the JSON must stay byte for byte the same.
//
// KUIMEN_UPDATE_GOLDEN=1 rewrites the files (only for a deliberate change of
// the contract, with openapi.json and the dashboard changed alike).
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>
#include <string>

#include <gtest/gtest.h>

#include "gateway/assessment_export.h"
#include "gateway/views.h"
#include "projections/assessment_rules.h"
#include "projections/assessment_view.h"
#include "tests/projections/envelope_log.h"

namespace kuimen {
namespace {

using Log = testing::EnvelopeLog;

std::filesystem::path GoldenDir() {
  return std::filesystem::path(KUIMEN_SOURCE_DIR) / "tests" / "gateway" / "golden" / "assessment";
}

// A small plan: 县供销合作社 leads tasks 1 and 2 and cooperates on 7, 县农业农村委
// leads 7, 县商务委 leads 27; 县财政局 only cooperates (on 1).
Catalog SmallPlan() {
  Catalog c;
  c.document = {"奉节府办发〔2024〕62号", "奉节县人民政府办公室", "2024-10-15", "实施方案", ""};
  c.supervision_start = std::chrono::year(2024) / std::chrono::October;
  c.units = {{"县供销合作社", "department"}, {"县农业农村委", "department"}, {"县财政局", "department"},
             {"县商务委", "department"}};
  c.tasks = {
      TaskSpec{TaskNo(1), "构建为农服务平台", "组建农合联", "组建农合联11个", "县供销合作社", {"县财政局"},
               {Target{"农合联", 11.0, "个", std::nullopt, "", "组建农合联11个"}}},
      TaskSpec{TaskNo(2), "构建为农服务平台", "发挥服务功能", "建设为农服务中心", "县供销合作社", {}, {}},
      TaskSpec{TaskNo(7), "全面推进农业生产合作", "创新农业生产服务方式", "托管服务", "县农业农村委",
               {"县供销合作社"},
               {Target{"农业生产社会化服务规模", 78.0, "万亩次", std::nullopt, "", "达到78万亩次"}}},
      TaskSpec{TaskNo(27), "共用流通渠道", "流通网点", "建设流通网点", "县商务委", {}, {}},
  };
  return c;
}

std::chrono::year_month Month(int y, unsigned m) { return {std::chrono::year(y), std::chrono::month(m)}; }
std::chrono::year_month_day Date(int y, unsigned m, unsigned d) {
  return {std::chrono::year(y), std::chrono::month(m), std::chrono::day(d)};
}
Timestamp China(int y, unsigned m, unsigned d, int hour = 10) {
  return Timestamp(std::chrono::sys_days(Date(y, m, d)) + std::chrono::hours(hour - 8));
}

const Actor kTaskForce{"p-tf", Role::kTaskForce, ""};
const Actor kLeader{"p-ld", Role::kLeader, ""};
const Actor kCoop{"p-gxs", Role::kDepartment, "县供销合作社"};
const Actor kAgriculture{"p-nyw", Role::kDepartment, "县农业农村委"};

ProgressReported Progress(std::chrono::year_month period, std::vector<IndicatorValue> indicators = {}) {
  return ProgressReported{period, "本月进展", 10, std::move(indicators), {}};
}
ReportReviewed Approve(std::uint64_t version) { return {StreamVersion(version), ReviewDecision::kApproved, ""}; }
ReportReviewed Return(std::uint64_t version) { return {StreamVersion(version), ReviewDecision::kReturned, "数据不实"}; }

// A year of work: reports on time and late, approved and returned, notices
// answered, overdue and pending, a completion, bonuses and a penalty, 批示
// on the item and on a notice.
Log YearOfWork() {
  Log log;
  log.Add("task-01", China(2024, 11, 5), kCoop, Progress(Month(2024, 10), {{"农合联", 3, "个"}}));
  log.Add("task-01", China(2024, 12, 5), kCoop, Progress(Month(2024, 11), {{"农合联", 5, "个"}}));
  log.Add("task-01", China(2024, 12, 6), kTaskForce, Approve(2));
  log.Add("task-01", China(2024, 11, 6), kTaskForce, Approve(1));
  log.Add("task-07", China(2024, 11, 20), kAgriculture,
          Progress(Month(2024, 10), {{"农业生产社会化服务规模", 40.5, "万亩次"}}));
  log.Add("task-07", China(2024, 11, 21), kTaskForce, Return(1));
  log.Add("task-07", China(2024, 12, 1), kTaskForce, NoticeIssued{"DB-1", "进度滞后", Date(2024, 12, 10), ""});
  log.Add("task-07", China(2024, 12, 1), kTaskForce, NoticeIssued{"DB-2", "数据不实", Date(2024, 12, 31), ""});
  log.Add("task-07", China(2024, 12, 8), kAgriculture, NoticeAnswered{"DB-1", "已整改"});
  log.Add("task-07", China(2024, 12, 9), kLeader, InstructionGiven{"请抓紧推进，年底前见成效", "", "县委副书记 李四"});
  log.Add("task-07", China(2024, 12, 9), kLeader, InstructionGiven{"整改要彻底", "DB-2", ""});
  log.Add("task-27", China(2024, 12, 2), kTaskForce, TaskCompleted{"完成"});
  log.Add("assessment-2024", China(2024, 12, 3), kTaskForce, AssessmentAdjusted{"县商务委", 2024, 3, "示范创建"});
  log.Add("assessment-2024", China(2024, 12, 4), kTaskForce, AssessmentAdjusted{"县商务委", 2024, -1.5, "数据迟报"});
  log.Add("assessment-2024", China(2024, 12, 4), kTaskForce, AssessmentAdjusted{"县农业农村委", 2024, -80, "严重失职"});
  log.Add("task-01", China(2024, 12, 18), kCoop, Progress(Month(2024, 12)));
  return log;
}

std::unique_ptr<AssessmentView> ViewOf(const Log& log, AssessmentRules rules = DefaultAssessmentRules()) {
  Result<std::unique_ptr<AssessmentView>> view = AssessmentView::Create(SmallPlan(), std::move(rules));
  EXPECT_TRUE(view.ok()) << view.status().ToString();
  for (const auto& [envelope, data] : log.events()) (*view)->Apply(envelope, data);
  return std::move(view).value();
}

// The view after its rows were written and read back into a fresh one, as a
// restarted service has it.
std::unique_ptr<AssessmentView> Restored(AssessmentView& live, AssessmentRules rules = DefaultAssessmentRules()) {
  std::unique_ptr<AssessmentView> restored = ViewOf(Log(), std::move(rules));
  for (const auto& [key, value] : live.TakeChangedRows()) EXPECT_TRUE(restored->LoadRow(key, value).ok()) << key;
  return restored;
}

std::string ReadFile(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

// Compares `actual` with the golden file `name` (or rewrites it when asked).
void ExpectGolden(const std::string& name, const std::string& actual) {
  const std::filesystem::path path = GoldenDir() / name;
  if (const char* update = std::getenv("KUIMEN_UPDATE_GOLDEN"); update != nullptr && std::string(update) == "1") {
    std::filesystem::create_directories(path.parent_path());
    std::ofstream(path, std::ios::binary) << actual;
    return;
  }
  ASSERT_TRUE(std::filesystem::exists(path)) << path << " is missing; KUIMEN_UPDATE_GOLDEN=1 writes it";
  EXPECT_EQ(ReadFile(path), actual) << "differs from " << path;
}

// The view's JSON (compact, as the API sends it) and both exports of it.
void ExpectRendering(const std::string& name, const View& view, Timestamp now, int year) {
  const nlohmann::json rendered = RenderView(view, ViewQuery{now, year});
  ExpectGolden(name + ".json", rendered.dump() + "\n");
  ExpectGolden(name + ".csv", AssessmentCsv(AssessmentOf(view, ViewQuery{now, year})));
}

TEST(AssessmentJson, LiveYearRendersAsTheGoldenFile) {
  std::unique_ptr<AssessmentView> view = ViewOf(YearOfWork());
  ExpectRendering("live_2024", *view, China(2024, 12, 20), 2024);
  // Thin bases and no 配合 weights: the lead-only rules with a higher min_basis.
  AssessmentRules strict = DefaultAssessmentRules();
  strict.version = "test-strict";
  strict.min_basis = 5;
  for (AssessmentRule& rule : strict.rules) rule.cooperating_weight = 0;
  ExpectRendering("live_2024_strict", *ViewOf(YearOfWork(), strict), China(2025, 2, 1), 2024);
}

TEST(AssessmentJson, YearBeforeSupervisionRendersAsNotInScope) {
  ExpectRendering("before_supervision_2023", *ViewOf(YearOfWork()), China(2024, 12, 20), 2023);
}

TEST(AssessmentJson, FrozenYearRendersAsTheGoldenFileLiveAndRestored) {
  Log log = YearOfWork();
  YearFrozen freeze{2024, "年终定格"};
  freeze.rules_version = DefaultAssessmentRules().version;
  freeze.rules = AssessmentRulesToJson(DefaultAssessmentRules());
  log.Add("assessment-2024", China(2024, 12, 31, 16), kTaskForce, freeze);
  log.Add("task-07", China(2025, 1, 3), kAgriculture, NoticeAnswered{"DB-2", "已整改"});  // after: not counted
  std::unique_ptr<AssessmentView> view = ViewOf(log);
  ExpectRendering("frozen_2024", *view, China(2025, 3, 1), 2024);
  ExpectRendering("frozen_2024", *Restored(*view), China(2025, 3, 1), 2024);
}

TEST(AssessmentJson, EarlyFreezeRendersItsReason) {
  Log log = YearOfWork();
  YearFrozen freeze{2024, "提前定格"};
  freeze.early = true;
  freeze.reason = "机构改革，提前完成年度考核";
  log.Add("assessment-2024", China(2024, 12, 19), kTaskForce, freeze);  // no rules recorded: the view's
  std::unique_ptr<AssessmentView> view = ViewOf(log);
  ExpectRendering("early_freeze_2024", *view, China(2025, 3, 1), 2024);
  ExpectRendering("early_freeze_2024", *Restored(*view), China(2025, 3, 1), 2024);
}

// Results kept by freezes of earlier releases, as their rows hold them, under
// rules the view no longer runs (so they stand as stored). One per shape the
// result had: the first release's; with 不适用, scaling and the rules
// (98093c2); with 批示, the window and the bases (before 未纳入督办).
const char* const kFirstReleaseRow =
    R"({"format":2,"version":2,"adjustments":[{"position":3,"unit":"县商务委","points":-5}],)"
    R"("freeze":{"position":9,"recorded_at_us":1703037600000000,"result":{"year":2023,"rules_version":"fengjie-2023.1",)"
    R"("frozen":true,"frozen_at_position":9,"evaluated_at":"2023-12-20T02:00:00.000000Z","units":[)"
    R"({"unit":"县供销合作社","score":62.5,"lines":[{"rule":"timeliness","label":"报送及时","points":30,"max":30,"positions":[1,2],"detail":"应报2期，按时报送2期"},)"
    R"({"rule":"adjustments","label":"加减分","points":0,"max":null,"positions":[],"detail":"无加减分"}]},)"
    R"({"unit":"县商务委","score":70,"lines":[{"rule":"timeliness","label":"报送及时","points":15,"max":30,"positions":[4],"detail":"应报2期，按时报送1期"},)"
    R"({"rule":"adjustments","label":"加减分","points":-5,"max":null,"positions":[3],"detail":"减分1项共5分"}]},)"
    R"({"unit":"县农业农村委","score":70,"lines":[]}]}}})";

const char* const kScaledRow =
    R"({"format":2,"version":1,"adjustments":[],"freeze":{"position":12,"recorded_at_us":1703037600000000,)"
    R"("early":true,"reason":"提前定格","result":{"year":2023,"rules_version":"fengjie-2024.2",)"
    R"("rules":{"version":"fengjie-2024.2","total":100,"utc_offset_minutes":480,"rules":[{"id":"timeliness","label":"报送及时","max_points":30,"parameters":{"due_day":10}},{"id":"adjustments","label":"加减分"}]},)"
    R"("frozen":true,"frozen_at_position":12,"frozen_early":true,"frozen_reason":"提前定格","evaluated_at":"2023-12-20T02:00:00.000000Z","units":[)"
    R"({"unit":"县供销合作社","involvement":"lead_and_cooperating","score":null,"base":null,"earned":0,"applicable_max":0,"adjustments":0,"not_applicable":["timeliness"],)"
    R"("lines":[{"rule":"timeliness","label":"报送及时","applicable":false,"points":null,"max":30,"positions":[],"detail":"不适用：本年度尚无应报送的月份"},)"
    R"({"rule":"adjustments","label":"加减分","applicable":true,"points":0,"max":null,"positions":[],"detail":"无加减分"}]},)"
    R"({"unit":"县财政局","involvement":"cooperating","score":87.33,"base":87.33,"earned":26.2,"applicable_max":30,"adjustments":0,"not_applicable":[],)"
    R"("lines":[{"rule":"timeliness","label":"报送及时","applicable":true,"points":26.2,"max":30,"positions":[5,7],"detail":"应报2期"},)"
    R"({"rule":"adjustments","label":"加减分","applicable":true,"points":0,"max":null,"positions":[],"detail":"无加减分"}]}]}}})";

const char* const kWithBasisRow =
    R"({"format":2,"version":1,"adjustments":[],"freeze":{"position":20,"recorded_at_us":1703037600000000,)"
    R"("rules_version":"fengjie-2024.3x","rules":"{}","result":{"year":2023,"rules_version":"fengjie-2024.3x",)"
    R"("rules":{"version":"fengjie-2024.3x","total":120,"min_basis":2,"utc_offset_minutes":480,"rules":[{"id":"notices","label":"督办整改","max_points":20,"cooperating_weight":0.5}]},)"
    R"("timeliness_window":{"from":null,"to":null,"label":"按时报送率统计自2023年12月起，尚无已到报送期限的月份"},)"
    R"("frozen":true,"frozen_at_position":20,"frozen_early":false,"frozen_reason":null,"evaluated_at":"2023-12-20T02:00:00.000000Z","units":[)"
    R"({"unit":"县农业农村委","involvement":"lead","score":100,"base":100,"earned":20,"applicable_max":20,"adjustments":0,"not_applicable":[],)"
    R"("basis":{"applicable":1,"components":1,"text":"适用1/1项，1项依据不足","thin":["notices"]},)"
    R"("lines":[{"rule":"notices","label":"督办整改","applicable":true,"points":20,"max":20,"positions":[15],"basis":{"count":1,"thin":true,"text":"据1件督办（依据不足）"},"detail":"督办事项1件，按期整改1件"}],)"
    R"("instructions":[{"stream":"task-07","version":4,"position":16,"given_at":"2023-12-01T02:00:00.000000Z","principal":"p-ld","leader_name":"p-ld","notice_id":null,"text":"抓紧"}]},)"
    R"({"unit":"县供销合作社","involvement":"cooperating","score":100,"base":100,"earned":20,"applicable_max":20,"adjustments":0,"not_applicable":[],)"
    R"("basis":{"applicable":1,"components":1,"text":"适用1/1项","thin":[]},)"
    R"("lines":[{"rule":"notices","label":"督办整改","applicable":true,"points":20,"max":20,"positions":[15],"basis":{"count":4,"thin":false,"text":"据4件督办"},"detail":"督办事项1件"}],)"
    R"("instructions":[]}]}}})";

TEST(AssessmentJson, ResultsKeptByEarlierReleasesRenderAsStored) {
  for (const auto& [name, row] : std::map<std::string, const char*>{
           {"kept_first_release_2023", kFirstReleaseRow},
           {"kept_scaled_2023", kScaledRow},
           {"kept_with_basis_2023", kWithBasisRow}}) {
    SCOPED_TRACE(name);
    std::unique_ptr<AssessmentView> view = ViewOf(Log());
    ASSERT_TRUE(view->LoadRow("assessment-2023", row).ok());
    ExpectRendering(name, *view, China(2025, 3, 1), 2023);
    // An event after the freeze rewrites the year's row; read back (a
    // restarted service), the kept result is still as stored.
    RecordedEvent late;
    late.stream = StreamId{"assessment-2023"};
    late.version = StreamVersion(100);
    late.position = GlobalPosition(1000);
    late.recorded_at = China(2024, 1, 5);
    late.actor = kTaskForce;
    view->Apply(late, AssessmentAdjusted{"县商务委", 2023, 1, "迟到的加分"});
    std::map<std::string, std::string> rows;
    for (auto& [key, value] : view->TakeChangedRows()) rows[key] = value;
    ASSERT_TRUE(rows.contains("assessment-2023"));
    std::unique_ptr<AssessmentView> again = ViewOf(Log());
    ASSERT_TRUE(again->LoadRow("assessment-2023", rows["assessment-2023"]).ok());
    ExpectRendering(name, *again, China(2025, 3, 1), 2023);
  }
}

}  // namespace
}  // namespace kuimen
