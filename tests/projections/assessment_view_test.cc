#include "projections/assessment_view.h"

#include <algorithm>
#include <map>
#include <random>

#include <gtest/gtest.h>

#include "eventstore/catalog_codec.h"
#include "eventstore/event_codec.h"
#include "tests/projections/envelope_log.h"

namespace kuimen {
namespace {

using nlohmann::json;

// A small plan: 县供销合作社 leads tasks 1 (target 农合联 11个) and 2, 县农业农村委
// leads task 7 (target 78万亩次), 县商务委 leads task 27; 县财政局 only cooperates.
Catalog SmallPlan() {
  Catalog c;
  c.document = {"奉节府办发〔2024〕62号", "奉节县人民政府办公室", "2024-10-15", "实施方案", ""};
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

// A moment given in China time (UTC+8), as the units and the task force see it.
Timestamp China(int y, unsigned m, unsigned d, int hour = 10, int minute = 0) {
  return Timestamp(std::chrono::sys_days(Date(y, m, d)) + std::chrono::hours(hour - 8) + std::chrono::minutes(minute));
}

const Actor kTaskForce{"p-tf", Role::kTaskForce, ""};
const Actor kCoop{"p-gxs", Role::kDepartment, "县供销合作社"};
const Actor kAgriculture{"p-nyw", Role::kDepartment, "县农业农村委"};
const Actor kFinance{"p-czj", Role::kDepartment, "县财政局"};

ProgressReported Progress(std::chrono::year_month period, std::vector<IndicatorValue> indicators = {}) {
  return ProgressReported{period, "本月进展", 10, std::move(indicators), {}};
}
ReportReviewed Approve(std::uint64_t version) { return {StreamVersion(version), ReviewDecision::kApproved, ""}; }
ReportReviewed Return(std::uint64_t version) { return {StreamVersion(version), ReviewDecision::kReturned, "数据不实"}; }
AssessmentAdjusted Adjust(const std::string& unit, double points, int year = 2024) {
  return {unit, year, points, "专班评定"};
}

using Log = testing::EnvelopeLog;

std::unique_ptr<AssessmentView> NewView(AssessmentRules rules = DefaultAssessmentRules()) {
  Result<std::unique_ptr<AssessmentView>> view = AssessmentView::Create(SmallPlan(), std::move(rules));
  EXPECT_TRUE(view.ok()) << view.status().ToString();
  return std::move(view).value();
}

std::unique_ptr<AssessmentView> ViewOf(const Log& log) {
  std::unique_ptr<AssessmentView> view = NewView();
  for (const auto& [envelope, data] : log.events()) view->Apply(envelope, data);
  return view;
}

const json& UnitOf(const json& render, const std::string& unit) {
  for (const json& entry : render.at("units")) {
    if (entry.at("unit") == unit) return entry;
  }
  ADD_FAILURE() << "no unit " << unit << " in " << render.dump();
  static const json kNone;
  return kNone;
}

json LineOf(const json& render, const std::string& unit, const std::string& rule) {
  for (const json& line : UnitOf(render, unit).at("lines")) {
    if (line.at("rule") == rule) return line;
  }
  ADD_FAILURE() << "no line " << rule << " for " << unit;
  return json();
}

std::vector<std::uint64_t> Positions(std::initializer_list<std::uint64_t> positions) { return positions; }

// --- the form ---------------------------------------------------------------

TEST(AssessmentView, ScoresTheUnitsThatLeadATaskInCatalogOrder) {
  json render = NewView()->Render(2024, China(2024, 10, 20));
  EXPECT_EQ(render["year"], 2024);
  EXPECT_EQ(render["rules_version"], "fengjie-2024.1");
  EXPECT_EQ(render["frozen"], false);
  EXPECT_TRUE(render["frozen_at_position"].is_null());
  EXPECT_EQ(render["evaluated_at"], "2024-10-20T02:00:00.000000Z");
  std::vector<std::string> units;
  for (const json& unit : render["units"]) units.push_back(unit["unit"]);
  EXPECT_EQ(units, (std::vector<std::string>{"县供销合作社", "县农业农村委", "县商务委"}));
  const json& lines = UnitOf(render, "县供销合作社")["lines"];
  ASSERT_EQ(lines.size(), 6u);
  EXPECT_EQ(lines[0]["rule"], "timeliness");
  EXPECT_EQ(lines[0]["label"], "报送及时");
  EXPECT_EQ(lines[0]["max"], 30);
  EXPECT_EQ(lines[5]["rule"], "adjustments");
  EXPECT_TRUE(lines[5]["max"].is_null());
}

TEST(AssessmentView, ScoresTheSevenLeadUnitsOfTheFengjiePlan) {
  Result<Catalog> fengjie = LoadDefaultCatalog();
  ASSERT_TRUE(fengjie.ok()) << fengjie.status().ToString();
  Result<std::unique_ptr<AssessmentView>> view = AssessmentView::Create(*fengjie, DefaultAssessmentRules());
  ASSERT_TRUE(view.ok()) << view.status().ToString();
  json render = (*view)->Render(2024, China(2025, 1, 20));
  std::vector<std::string> units;
  for (const json& unit : render["units"]) units.push_back(unit["unit"]);
  EXPECT_EQ(units, (std::vector<std::string>{"县供销合作社", "县农业农村委", "县政府口岸物流办", "县商务委",
                                             "县交通运输委", "县发展改革委", "县政府金融服务中心"}));
  // Nothing reported: October to December missed on all 12 of 县供销合作社's tasks.
  EXPECT_EQ(LineOf(render, "县供销合作社", "timeliness")["detail"], "应报36期，按时报送0期，逾期报送0期，未报送36期");
}

// --- 报送及时 ---------------------------------------------------------------------

TEST(AssessmentTimeliness, EarnsItsShareForEachMonthReportedByTheTenthChinaTime) {
  Log log;
  // Task 1: October by 23:59 on 10 November (China time) is on time; November
  // at 00:00 on 11 December is late; December comes only from a cooperating unit.
  log.Add("task-01", China(2024, 11, 10, 23, 59), kCoop, Progress(Month(2024, 10)));  // 1
  log.Add("task-01", China(2024, 12, 11, 0, 0), kCoop, Progress(Month(2024, 11)));    // 2
  log.Add("task-01", China(2025, 1, 5), kFinance, Progress(Month(2024, 12)));         // 3
  // Task 2: every month on time; a second October report and a September one count for nothing.
  log.Add("task-02", China(2024, 10, 31), kCoop, Progress(Month(2024, 10)));         // 4
  log.Add("task-02", China(2024, 11, 1), kCoop, Progress(Month(2024, 10)));          // 5
  log.Add("task-02", China(2024, 12, 10), kCoop, Progress(Month(2024, 11)));         // 6
  log.Add("task-02", China(2025, 1, 10, 23), kCoop, Progress(Month(2024, 12)));      // 7
  log.Add("task-02", China(2024, 10, 5), kCoop, Progress(Month(2024, 9)));           // 8

  // 2024 seen from 2025: October (the plan's month) to December, 2 tasks: 6 due.
  json line = LineOf(ViewOf(log)->Render(2024, China(2025, 1, 20)), "县供销合作社", "timeliness");
  EXPECT_EQ(line["points"], 20);  // 30 × 4 / 6
  EXPECT_EQ(line["positions"], Positions({1, 2, 4, 6, 7}));
  EXPECT_EQ(line["detail"], "应报6期，按时报送4期，逾期报送1期，未报送1期");
}

TEST(AssessmentTimeliness, CountsAMonthNotYetReportedOnlyOnceItsDueDayHasPassed) {
  Log log;
  log.Add("task-01", China(2024, 11, 8), kCoop, Progress(Month(2024, 10)));  // 1
  // On 5 December: October and November are due months. Task 1's October is on
  // time; task 2's October is missing; both Novembers may still come by 10 December.
  json line = LineOf(ViewOf(log)->Render(2024, China(2024, 12, 5)), "县供销合作社", "timeliness");
  EXPECT_EQ(line["points"], 15);  // 30 × 1 / 2
  EXPECT_EQ(line["positions"], Positions({1}));
  EXPECT_EQ(line["detail"], "应报2期，按时报送1期，逾期报送0期，未报送1期；另有2期未到报送期限");
}

TEST(AssessmentTimeliness, ExpectsNoReportWhileATaskStandsCompleted) {
  Log log;
  for (unsigned month : {10u, 11u, 12u}) {
    log.Add("task-01", China(2024 + month / 12, month % 12 + 1, 3), kCoop, Progress(Month(2024, month)));  // 1-3
  }
  log.Add("task-02", China(2024, 11, 3), kCoop, Progress(Month(2024, 10)));   // 4
  log.Add("task-02", China(2024, 11, 20), kTaskForce, TaskCompleted{"完成"});  // 5
  json line = LineOf(ViewOf(log)->Render(2024, China(2025, 1, 20)), "县供销合作社", "timeliness");
  EXPECT_EQ(line["points"], 30);
  EXPECT_EQ(line["detail"], "应报4期，按时报送4期，逾期报送0期，未报送0期；2期因任务已完成免报");

  // Reopened on 20 December, task 2 owes December's report again (due 10 January).
  log.Add("task-02", China(2024, 12, 20), kTaskForce, TaskReopened{"复核"});  // 6
  line = LineOf(ViewOf(log)->Render(2024, China(2025, 1, 20)), "县供销合作社", "timeliness");
  EXPECT_EQ(line["points"], 24);  // 30 × 4 / 5
  EXPECT_EQ(line["positions"], Positions({1, 2, 3, 4}));
}

TEST(AssessmentTimeliness, GivesFullPointsBeforeAnyMonthIsDue) {
  json line = LineOf(NewView()->Render(2024, China(2024, 10, 20)), "县商务委", "timeliness");
  EXPECT_EQ(line["points"], 30);
  EXPECT_EQ(line["detail"], "本年度尚无应报送的月份");
  // A year before the plan's has no due month either.
  EXPECT_EQ(LineOf(NewView()->Render(2023, China(2025, 1, 1)), "县商务委", "timeliness")["points"], 30);
}

TEST(AssessmentTimeliness, TakesTheDueDayFromTheRules) {
  AssessmentRules rules = DefaultAssessmentRules();
  rules.version = "test-due-5";
  rules.rules[0].parameters["due_day"] = 5;
  std::unique_ptr<AssessmentView> view = NewView(rules);
  Log log;
  log.Add("task-27", China(2024, 11, 6), Actor{"p-swj", Role::kDepartment, "县商务委"}, Progress(Month(2024, 10)));
  for (const auto& [envelope, data] : log.events()) view->Apply(envelope, data);
  json render = view->Render(2024, China(2024, 11, 20));
  EXPECT_EQ(render["rules_version"], "test-due-5");
  EXPECT_EQ(LineOf(render, "县商务委", "timeliness")["points"], 0);  // late: after 5 November
}

// --- 审核通过 ---------------------------------------------------------------------

TEST(AssessmentApproval, IsTheApprovedShareOfTheUnitsReviewedReports) {
  Log log;
  log.Add("task-01", China(2024, 11, 5), kCoop, Progress(Month(2024, 10)));     // 1 v1
  log.Add("task-01", China(2024, 12, 5), kCoop, Progress(Month(2024, 11)));     // 2 v2
  log.Add("task-01", China(2024, 12, 6), kFinance, Progress(Month(2024, 11)));  // 3 v3, not the unit's
  log.Add("task-02", China(2024, 11, 5), kCoop, Progress(Month(2024, 10)));     // 4 v1
  log.Add("task-02", China(2024, 12, 5), kCoop, Progress(Month(2024, 11)));     // 5 v2, not reviewed
  log.Add("task-01", China(2024, 11, 7), kTaskForce, Approve(1));               // 6
  log.Add("task-01", China(2024, 12, 7), kTaskForce, Return(2));                // 7
  log.Add("task-01", China(2024, 12, 7), kTaskForce, Approve(3));               // 8
  log.Add("task-02", China(2024, 11, 7), kTaskForce, Approve(1));               // 9

  json render = ViewOf(log)->Render(2024, China(2024, 12, 20));
  json line = LineOf(render, "县供销合作社", "approval");
  EXPECT_EQ(line["points"], 13.33);  // 20 × 2 / 3
  EXPECT_EQ(line["positions"], Positions({6, 7, 9}));
  EXPECT_EQ(line["detail"], "已审核进度报告3份，通过2份，退回1份");
  // Nothing reviewed: full points.
  EXPECT_EQ(LineOf(render, "县农业农村委", "approval")["points"], 20);
}

// --- 目标达成 ---------------------------------------------------------------------

TEST(AssessmentTargets, ReadTheLatestValueNotReturnedAgainstEachTarget) {
  Log log;
  log.Add("task-01", China(2024, 12, 5), kCoop, Progress(Month(2024, 11), {{"农合联", 4, "个"}}));  // 1 v1
  log.Add("task-01", China(2025, 1, 5), kCoop, Progress(Month(2024, 12), {{"农合联", 6, "个"}}));   // 2 v2
  log.Add("task-01", China(2025, 1, 6), kTaskForce, Return(2));                                     // 3
  log.Add("task-01", China(2025, 2, 5), kCoop, Progress(Month(2025, 1), {{"农合联", 11, "个"}}));  // 4 v4, 2025
  // A cooperating unit's report counts for the task's target.
  log.Add("task-07", China(2024, 12, 5), kCoop, Progress(Month(2024, 11), {{"农业生产社会化服务规模", 100, "万亩次"}}));  // 5

  json render = ViewOf(log)->Render(2024, China(2025, 2, 10));
  json coop = LineOf(render, "县供销合作社", "targets");
  EXPECT_EQ(coop["points"], 7.27);  // 20 × 4 / 11
  EXPECT_EQ(coop["positions"], Positions({1}));
  EXPECT_EQ(coop["detail"], "量化目标1项，平均完成36.36%");
  json agriculture = LineOf(render, "县农业农村委", "targets");
  EXPECT_EQ(agriculture["points"], 20);  // beyond the target counts as the target
  EXPECT_EQ(agriculture["positions"], Positions({5}));
  json commerce = LineOf(render, "县商务委", "targets");
  EXPECT_EQ(commerce["points"], 20);
  EXPECT_EQ(commerce["detail"], "牵头任务无量化目标");
  // In 2025 the January report is the latest.
  EXPECT_EQ(LineOf(ViewOf(log)->Render(2025, China(2025, 2, 10)), "县供销合作社", "targets")["points"], 20);
}

// --- 督办整改 ---------------------------------------------------------------------

TEST(AssessmentNotices, EarnTheShareAnsweredByTheirDueDate) {
  Log log;
  log.Add("task-07", China(2024, 12, 1), kTaskForce, NoticeIssued{"DB-A", "进度滞后", Date(2024, 12, 31)});  // 1
  log.Add("task-07", China(2024, 12, 1), kTaskForce, NoticeIssued{"DB-B", "进度滞后", Date(2024, 12, 15)});  // 2
  log.Add("task-07", China(2024, 12, 1), kTaskForce, NoticeIssued{"DB-C", "进度滞后", Date(2024, 12, 20)});  // 3
  log.Add("task-07", China(2024, 12, 25), kTaskForce, NoticeIssued{"DB-D", "进度滞后", Date(2025, 2, 1)});   // 4
  log.Add("task-07", China(2024, 12, 31, 23), kAgriculture, NoticeAnswered{"DB-A", "已整改"});               // 5
  log.Add("task-07", China(2024, 12, 16), kAgriculture, NoticeAnswered{"DB-B", "已整改"});                   // 6
  log.Add("task-07", China(2024, 12, 17), kAgriculture, NoticeAnswered{"DB-B", "再次说明"});                 // 7
  log.Add("task-07", China(2023, 12, 20), kTaskForce, NoticeIssued{"DB-2023", "上年", Date(2023, 12, 25)});   // 8

  json line = LineOf(ViewOf(log)->Render(2024, China(2025, 1, 20)), "县农业农村委", "notices");
  EXPECT_EQ(line["points"], 5);  // 15 × 1 / 3: A on time; B late; C unanswered; D not yet due
  EXPECT_EQ(line["positions"], Positions({3, 5, 6}));
  EXPECT_EQ(line["detail"], "督办事项3件，按期整改1件，逾期整改1件，逾期未整改1件；另有1件未到整改期限");
  EXPECT_EQ(LineOf(ViewOf(log)->Render(2024, China(2025, 1, 20)), "县供销合作社", "notices")["points"], 15);
}

// 未整改销号: a notice the task force closed without an answer counts as not
// rectified from the closing on, even before its due date, and never as answered.
TEST(AssessmentNotices, CountANoticeClosedUnansweredAgainstTheUnitAtOnce) {
  Log log;
  log.Add("task-07", China(2024, 12, 1), kTaskForce, NoticeIssued{"DB-A", "进度滞后", Date(2024, 12, 10), ""});  // 1
  log.Add("task-07", China(2024, 12, 1), kTaskForce, NoticeIssued{"DB-B", "进度滞后", Date(2025, 1, 31), ""});   // 2
  log.Add("task-07", China(2024, 12, 5), kAgriculture, NoticeAnswered{"DB-A", "已整改"});                        // 3
  log.Add("task-07", China(2024, 12, 6), kTaskForce, NoticeClosed{"DB-A", "整改到位", ""});                      // 4
  log.Add("task-07", China(2024, 12, 20), kTaskForce, NoticeClosed{"DB-B", "", "单位拒不整改"});                 // 5

  std::unique_ptr<AssessmentView> view = ViewOf(log);
  json line = LineOf(view->Render(2024, China(2024, 12, 21)), "县农业农村委", "notices");
  EXPECT_EQ(line["points"], 7.5);  // 15 × 1 / 2: A answered on time; B closed unanswered before its due date
  EXPECT_EQ(line["positions"], Positions({2, 3, 5}));
  EXPECT_EQ(line["detail"], "督办事项2件，按期整改1件，逾期整改0件，逾期未整改0件，未整改销号1件");

  // The rows keep it.
  std::unique_ptr<AssessmentView> loaded = NewView();
  for (auto& [key, value] : view->TakeChangedRows()) ASSERT_TRUE(loaded->LoadRow(key, value).ok()) << key;
  EXPECT_EQ(LineOf(loaded->Render(2024, China(2024, 12, 21)), "县农业农村委", "notices"), line);
}

// --- 任务完成 ---------------------------------------------------------------------

TEST(AssessmentCompletion, CountsLedTasksCompletedAndNotReopened) {
  Log log;
  log.Add("task-01", China(2024, 12, 1), kTaskForce, TaskCompleted{"完成"});  // 1
  log.Add("task-02", China(2024, 12, 1), kTaskForce, TaskCompleted{"完成"});  // 2
  log.Add("task-02", China(2024, 12, 9), kTaskForce, TaskReopened{"复核"});   // 3
  json line = LineOf(ViewOf(log)->Render(2024, China(2024, 12, 20)), "县供销合作社", "completion");
  EXPECT_EQ(line["points"], 7.5);
  EXPECT_EQ(line["positions"], Positions({1, 3}));
  EXPECT_EQ(line["detail"], "牵头任务2项，已完成1项");
}

// --- 加减分 and the total --------------------------------------------------------

TEST(AssessmentAdjustments, AddToTheScoreWhichStaysWithin0And100) {
  Log log;
  const std::string commerce = "县商务委", agriculture = "县农业农村委", coop = "县供销合作社";
  log.Add("assessment-2024", China(2024, 10, 16), kTaskForce, Adjust(commerce, 20));  // 1
  log.Add("assessment-2024", China(2024, 10, 16), kTaskForce, Adjust(coop, 2.5));      // 2
  log.Add("assessment-2024", China(2024, 10, 16), kTaskForce, Adjust(coop, -1));       // 3
  for (int i = 0; i < 4; ++i) log.Add("assessment-2024", China(2024, 10, 17), kTaskForce, Adjust(agriculture, -20));
  log.Add("assessment-2025", China(2025, 1, 2), kTaskForce, Adjust(coop, 10, 2025));  // 8: another year

  // On 20 October nothing is due yet; only completion (no task done) costs points.
  json render = ViewOf(log)->Render(2024, China(2024, 10, 20));
  json line = LineOf(render, commerce, "adjustments");
  EXPECT_EQ(line["points"], 20);
  EXPECT_EQ(line["positions"], Positions({1}));
  EXPECT_EQ(UnitOf(render, commerce)["score"], 100);  // 85 + 20, at most 100

  json coop_line = LineOf(render, coop, "adjustments");
  EXPECT_EQ(coop_line["points"], 1.5);
  EXPECT_EQ(coop_line["positions"], Positions({2, 3}));
  EXPECT_EQ(coop_line["detail"], "加分1项共2.5分，减分1项共1分");
  EXPECT_EQ(UnitOf(render, coop)["score"], 66.5);  // 30 + 20 + 0 (no value for 农合联) + 15 + 0 + 1.5

  EXPECT_EQ(UnitOf(render, agriculture)["score"], 0);  // 65 − 80, at least 0
  EXPECT_EQ(LineOf(render, agriculture, "adjustments")["points"], -80);
}

// --- 年终定格 ---------------------------------------------------------------------

// Reports, reviews, a notice and adjustments of 2024, frozen on 20 December.
Log FrozenYear() {
  Log log;
  log.Add("task-01", China(2024, 11, 5), kCoop, Progress(Month(2024, 10), {{"农合联", 3, "个"}}));  // 1
  log.Add("task-01", China(2024, 12, 5), kCoop, Progress(Month(2024, 11), {{"农合联", 5, "个"}}));  // 2
  log.Add("task-07", China(2024, 12, 1), kTaskForce, NoticeIssued{"DB-1", "进度滞后", Date(2024, 12, 10)});  // 3
  log.Add("task-01", China(2024, 12, 6), kTaskForce, Approve(2));                                     // 4
  log.Add("task-01", China(2024, 12, 18), kCoop, Progress(Month(2024, 12)));                          // 5
  log.Add("assessment-2024", China(2024, 12, 19), kTaskForce, Adjust("县商务委", -5));                 // 6
  log.Add("assessment-2024", China(2024, 12, 20), kTaskForce, YearFrozen{2024, "年终定格"});          // 7
  return log;
}

void AfterTheFreeze(Log& log) {
  log.Add("task-02", China(2024, 12, 21), kCoop, Progress(Month(2024, 11)));                          // 8
  log.Add("task-01", China(2024, 12, 22), kTaskForce, Return(2));                                     // 9
  log.Add("task-01", China(2024, 12, 23), kTaskForce, TaskCompleted{"完成"});                          // 10
  log.Add("task-07", China(2024, 12, 24), kAgriculture, NoticeAnswered{"DB-1", "已整改"});             // 11
  log.Add("task-01", China(2025, 1, 5), kCoop, Progress(Month(2024, 12), {{"农合联", 11, "个"}}));    // 12
  log.Add("assessment-2025", China(2025, 1, 6), kTaskForce, Adjust("县供销合作社", 10, 2025));         // 13
}

TEST(AssessmentFreeze, ScoresTheYearAsOfTheFreezeWithAllTwelveMonthsDue) {
  Log log = FrozenYear();
  std::unique_ptr<AssessmentView> view = ViewOf(log);
  json frozen = view->Render(2024, China(2025, 3, 1));
  EXPECT_EQ(frozen["frozen"], true);
  EXPECT_EQ(frozen["frozen_at_position"], 7);
  EXPECT_EQ(frozen["evaluated_at"], "2024-12-20T02:00:00.000000Z");
  // December counts although the freeze came before its due day: task 1's
  // three months are on time; task 2's October and November are missing, its
  // December not yet due. Unfrozen on the same day, December would not count.
  json line = LineOf(frozen, "县供销合作社", "timeliness");
  EXPECT_EQ(line["points"], 18);  // 30 × 3 / 5
  EXPECT_EQ(line["positions"], Positions({1, 2, 5}));
  EXPECT_EQ(LineOf(frozen, "县商务委", "adjustments")["positions"], Positions({6}));
  EXPECT_EQ(LineOf(frozen, "县农业农村委", "notices")["points"], 0);  // DB-1 overdue at the freeze
}

TEST(AssessmentFreeze, NothingAfterTheFreezeChangesTheYear) {
  Log log = FrozenYear();
  std::unique_ptr<AssessmentView> view = ViewOf(log);
  const json at_freeze = view->Render(2024, China(2024, 12, 20));
  AfterTheFreeze(log);
  for (size_t i = 7; i < log.events().size(); ++i) view->Apply(log.events()[i].first, log.events()[i].second);

  EXPECT_EQ(view->Render(2024, China(2025, 6, 1)).dump(), at_freeze.dump());
  // The same events unfrozen would have scored differently.
  Log unfrozen;
  for (size_t i = 0; i < log.events().size(); ++i) {
    if (log.events()[i].first.position != GlobalPosition(7)) {
      const auto& [envelope, data] = log.events()[i];
      unfrozen.Add(envelope.stream.value, envelope.recorded_at, envelope.actor, data);
    }
  }
  EXPECT_NE(ViewOf(unfrozen)->Render(2024, China(2024, 12, 20))["units"], at_freeze["units"]);
  // Other years go on.
  EXPECT_EQ(LineOf(view->Render(2025, China(2025, 1, 20)), "县供销合作社", "adjustments")["points"], 10);
}

// --- rows ---------------------------------------------------------------------

std::map<std::string, std::string> Feed(AssessmentView& view, const std::vector<std::pair<RecordedEvent, EventData>>& events) {
  std::map<std::string, std::string> rows;
  for (const auto& [envelope, data] : events) {
    view.Apply(envelope, data);
    for (auto& [key, value] : view.TakeChangedRows()) rows[key] = std::move(value);
  }
  return rows;
}

Log WholeStory() {
  Log log = FrozenYear();
  AfterTheFreeze(log);
  return log;
}

TEST(AssessmentRows, RestoreTheSameRenderInAFreshView) {
  const Log log = WholeStory();
  std::unique_ptr<AssessmentView> live = NewView();
  std::map<std::string, std::string> rows = Feed(*live, log.events());
  std::vector<std::string> keys;
  for (const auto& [key, value] : rows) keys.push_back(key);
  // Each task stream has a head row and its facts in chunks of 128 versions.
  EXPECT_EQ(keys, (std::vector<std::string>{"assessment-2024", "assessment-2025", "task-01", "task-01/0000000001",
                                            "task-02", "task-02/0000000001", "task-07", "task-07/0000000001"}));

  std::unique_ptr<AssessmentView> restored = NewView();
  for (const auto& [key, value] : rows) ASSERT_TRUE(restored->LoadRow(key, value).ok()) << key;
  for (int year : {2024, 2025}) {
    EXPECT_EQ(restored->Render(year, China(2025, 2, 1)).dump(), live->Render(year, China(2025, 2, 1)).dump()) << year;
  }
  EXPECT_TRUE(restored->TakeChangedRows().empty());
}

TEST(AssessmentRows, AreTheSameBytesWhateverTheInterleavingOfStreams) {
  const Log log = WholeStory();
  const std::map<std::string, std::string> in_log_order = Feed(*NewView(), log.events());

  // Stream by stream, the assessment streams first: the freeze arrives before
  // the reports it covers.
  std::vector<std::pair<RecordedEvent, EventData>> by_stream = log.events();
  std::stable_sort(by_stream.begin(), by_stream.end(), [](const auto& a, const auto& b) {
    return a.first.stream.value < b.first.stream.value;
  });
  EXPECT_EQ(Feed(*NewView(), by_stream), in_log_order);

  // A seeded random merge that keeps each stream's order.
  std::map<std::string, std::vector<std::pair<RecordedEvent, EventData>>> streams;
  for (const auto& event : log.events()) streams[event.first.stream.value].push_back(event);
  std::mt19937 random(20241015);
  std::vector<std::pair<RecordedEvent, EventData>> merged;
  while (!streams.empty()) {
    auto it = std::next(streams.begin(), static_cast<long>(random() % streams.size()));
    merged.push_back(it->second.front());
    it->second.erase(it->second.begin());
    if (it->second.empty()) streams.erase(it);
  }
  EXPECT_EQ(Feed(*NewView(), merged), in_log_order);
}

TEST(AssessmentRows, RewriteOnlyTheChunksAnEventTouched) {
  Log log;
  for (unsigned i = 0; i < 130; ++i) log.Add("task-01", China(2024, 11, 5), kCoop, Progress(Month(2024, 10)));
  std::unique_ptr<AssessmentView> view = NewView();
  std::map<std::string, std::string> rows = Feed(*view, log.events());
  EXPECT_EQ(rows.size(), 3u);  // the head, versions 1..128 and 129..
  // Reviewing version 2 rewrites the head and the first chunk only.
  log.Add("task-01", China(2024, 11, 7), kTaskForce, Approve(2));
  view->Apply(log.events().back().first, log.events().back().second);
  std::vector<std::string> keys;
  for (auto& [key, value] : view->TakeChangedRows()) {
    keys.push_back(key);
    rows[key] = std::move(value);
  }
  EXPECT_EQ(keys, (std::vector<std::string>{"task-01", "task-01/0000000001"}));
  // Rows restore in any order.
  std::unique_ptr<AssessmentView> restored = NewView();
  for (auto it = rows.rbegin(); it != rows.rend(); ++it) ASSERT_TRUE(restored->LoadRow(it->first, it->second).ok());
  EXPECT_EQ(restored->Render(2024, China(2025, 2, 1)).dump(), view->Render(2024, China(2025, 2, 1)).dump());
  // Rows of the former format (one row per stream) ask for a rebuild.
  EXPECT_EQ(NewView()->LoadRow("task-01", R"({"version":1,"reports":[],"notices":[],"completions":[]})").code(),
            StatusCode::kDataLoss);
}

TEST(AssessmentRows, IgnoreMajorItemsAndUnknownStreams) {
  Log log;
  log.Add("major-5", China(2024, 11, 5), kCoop, Progress(Month(2024, 10)));
  std::unique_ptr<AssessmentView> view = ViewOf(log);
  EXPECT_TRUE(view->TakeChangedRows().empty());
}

TEST(AssessmentRows, IgnoreThePrincipalsStream) {
  Log log;
  log.Add("principals", China(2024, 11, 5), kTaskForce, TownshipRegistered{"永安街道"});
  log.Add("principals", China(2024, 11, 5), kTaskForce,
          PrincipalRegistered{"p-1", "李四", Role::kDepartment, "永安街道", std::string(64, 'a')});
  log.Add("principals", China(2024, 11, 6), kTaskForce, PrincipalRevoked{"p-1"});
  std::unique_ptr<AssessmentView> view = ViewOf(log);
  EXPECT_TRUE(view->TakeChangedRows().empty());
}

TEST(AssessmentRows, RefuseWhatTheyCannotRead) {
  std::unique_ptr<AssessmentView> view = NewView();
  EXPECT_EQ(view->LoadRow("task-01", "{").code(), StatusCode::kDataLoss);
  Status missing =
      view->LoadRow("task-01/0000000001", R"({"format":2,"reports":[{"version":1}],"notices":[],"completions":[]})");
  EXPECT_EQ(missing.code(), StatusCode::kDataLoss);
  EXPECT_NE(missing.message().find("reports[0].position"), std::string::npos) << missing.message();
  EXPECT_EQ(view->LoadRow("supervision-x", "{}").code(), StatusCode::kDataLoss);
  EXPECT_EQ(view->LoadRow("assessment-2024", R"({"version":1,"adjustments":[],"freeze":{"position":1}})").code(),
            StatusCode::kDataLoss);
}

TEST(AssessmentView, RefusesRulesThatDoNotAddUp) {
  AssessmentRules rules = DefaultAssessmentRules();
  rules.rules[0].max_points = 10;
  Result<std::unique_ptr<AssessmentView>> view = AssessmentView::Create(SmallPlan(), rules);
  EXPECT_EQ(view.status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(view.status().subject(), "rules");
}

}  // namespace
}  // namespace kuimen
