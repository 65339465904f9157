#include "projections/assessment_view.h"

#include <algorithm>
#include <cstdio>
#include <functional>
#include <map>
#include <random>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "domain/assessment_aggregate.h"
#include "eventstore/catalog_codec.h"
#include "eventstore/event_codec.h"
#include "eventstore/envelope_json.h"
#include "projections/assessment_score.h"
#include "tests/projections/envelope_log.h"
#include "tests/support/behaviour_name.h"

namespace kuimen {
namespace {

using nlohmann::json;

// A small plan: 县供销合作社 leads tasks 1 (target 农合联 11个) and 2, 县农业农村委
// leads task 7 (target 78万亩次), 县商务委 leads task 27; 县财政局 only cooperates.
Catalog SmallPlan() {
  Catalog c;
  c.document = {"奉节府办发〔2024〕62号", "奉节县人民政府办公室", "2024-10-15", "实施方案", ""};
  // Supervised from the plan's month, whenever the test's first event was recorded
  // (tests/projections/report_period_test.cc covers the default, the store's creation).
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

// The built-in rules with cooperating tasks left out (weight 0 everywhere):
// each rule's own tests read led tasks only; the cooperating weight has its own.
AssessmentRules LeadOnlyRules() {
  AssessmentRules rules = DefaultAssessmentRules();
  rules.version = "test-lead-only";
  for (AssessmentRule& rule : rules.rules) rule.cooperating_weight = 0;
  return rules;
}

std::unique_ptr<AssessmentView> NewView(AssessmentRules rules = LeadOnlyRules()) {
  Result<std::unique_ptr<AssessmentView>> view = AssessmentView::Create(SmallPlan(), std::move(rules));
  EXPECT_TRUE(view.ok()) << view.status().ToString();
  return std::move(view).value();
}

std::unique_ptr<AssessmentView> ViewOf(const Log& log, AssessmentRules rules = LeadOnlyRules()) {
  std::unique_ptr<AssessmentView> view = NewView(std::move(rules));
  for (const auto& [envelope, data] : log.events()) view->Apply(envelope, data);
  return view;
}

const AssessmentUnitResult& UnitOf(const AssessmentResult& render, const std::string& unit) {
  for (const AssessmentUnitResult& entry : render.units) {
    if (entry.unit == unit) return entry;
  }
  ADD_FAILURE() << "no unit " << unit;
  static const AssessmentUnitResult kNone;
  return kNone;
}

AssessmentLine LineOf(const AssessmentResult& render, const std::string& unit, const std::string& rule) {
  for (const AssessmentLine& line : UnitOf(render, unit).lines) {
    if (line.rule == rule) return line;
  }
  ADD_FAILURE() << "no line " << rule << " for " << unit;
  return {};
}

std::vector<std::uint64_t> Positions(std::initializer_list<std::uint64_t> positions) { return positions; }

// --- the form ---------------------------------------------------------------

TEST(AssessmentView, ScoresTheUnitsThatLeadOrCooperateRankedThenInCatalogOrder) {
  AssessmentResult render = NewView(DefaultAssessmentRules())->Render(2024, China(2024, 10, 20));
  EXPECT_EQ(render.year, 2024);
  EXPECT_EQ(render.rules_version, "fengjie-2024.3");
  EXPECT_EQ(json::parse(render.rules_json.value()), json::parse(AssessmentRulesToJson(DefaultAssessmentRules())));
  EXPECT_EQ(render.frozen, false);
  EXPECT_FALSE(render.frozen_at_position.has_value());
  EXPECT_EQ(FormatTimestamp(render.evaluated_at), "2024-10-20T02:00:00.000000Z");
  std::vector<std::string> units;
  for (const AssessmentUnitResult& unit : render.units) units.push_back(unit.unit);
  // Equal totals (0) share 名次 1 in catalog order; 县财政局, which nothing
  // applies to yet, comes last without a place.
  EXPECT_EQ(units, (std::vector<std::string>{"县供销合作社", "县农业农村委", "县商务委", "县财政局"}));
  EXPECT_EQ(UnitOf(render, "县商务委").rank, 1);
  EXPECT_FALSE(UnitOf(render, "县财政局").rank.has_value());
  EXPECT_EQ(UnitOf(render, "县供销合作社").involvement, AssessmentInvolvement::kLeadAndCooperating);
  EXPECT_EQ(UnitOf(render, "县财政局").involvement, AssessmentInvolvement::kCooperating);
  EXPECT_EQ(UnitOf(render, "县商务委").involvement, AssessmentInvolvement::kLead);
  const std::vector<AssessmentLine>& lines = UnitOf(render, "县供销合作社").lines;
  ASSERT_EQ(lines.size(), 6u);
  EXPECT_EQ(lines[0].rule, "timeliness");
  EXPECT_EQ(lines[0].label, "报送及时");
  EXPECT_EQ(lines[0].max, 30);
  EXPECT_EQ(lines[5].rule, "adjustments");
  EXPECT_FALSE(lines[5].max.has_value());
}

TEST(AssessmentRanking, SharesAPlaceBetweenEqualTotalsAndSkipsTheNextAndPutsUnscoredUnitsLast) {
  AssessmentResult result;
  for (const auto& [unit, score] : std::vector<std::pair<std::string, std::optional<double>>>{
           {"甲", 70}, {"乙", std::nullopt}, {"丙", 90.5}, {"丁", 70}, {"戊", 12}}) {
    AssessmentUnitResult entry;
    entry.unit = unit;
    entry.score = score;
    result.units.push_back(entry);
  }
  RankUnits(result);
  std::vector<std::pair<std::string, std::optional<std::int64_t>>> ranked;
  for (const AssessmentUnitResult& unit : result.units) ranked.emplace_back(unit.unit, unit.rank);
  EXPECT_EQ(ranked, (std::vector<std::pair<std::string, std::optional<std::int64_t>>>{
                        {"丙", 1}, {"甲", 2}, {"丁", 2}, {"戊", 4}, {"乙", std::nullopt}}));
}

TEST(AssessmentView, ScoresEverySilentUnitOfTheFengjiePlanZero) {
  Result<Catalog> fengjie = LoadDefaultCatalog();
  ASSERT_TRUE(fengjie.ok()) << fengjie.status().ToString();
  Result<std::unique_ptr<AssessmentView>> view = AssessmentView::Create(*fengjie, DefaultAssessmentRules());
  ASSERT_TRUE(view.ok()) << view.status().ToString();
  AssessmentResult render = (*view)->Render(2024, China(2025, 1, 20));
  // The seven lead units, and every unit that cooperates on a task.
  EXPECT_EQ(render.units.size(), AssessedUnits(*fengjie).size());
  EXPECT_GT(render.units.size(), 7u);
  // Nothing reported: October to December missed on all 12 of 县供销合作社's
  // led tasks, and on the tasks it cooperates on at half weight.
  EXPECT_EQ(LineOf(render, "县供销合作社", "timeliness").detail,
            "应报81期，按时报送0期，逾期报送0期，未报送81期（配合任务按0.5折算）");
  // Silence earns nothing: the units that never reported score 0, not 55.
  for (const AssessmentUnitResult& unit : render.units) {
    EXPECT_EQ(unit.score, 0) << unit.unit;
    EXPECT_EQ(LineOf(render, unit.unit, "approval").points, 0) << unit.unit;
  }
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
  AssessmentLine line = LineOf(ViewOf(log)->Render(2024, China(2025, 1, 20)), "县供销合作社", "timeliness");
  EXPECT_EQ(line.points, 20);  // 30 × 4 / 6
  EXPECT_EQ(line.positions, Positions({1, 2, 4, 6, 7}));
  EXPECT_EQ(line.detail, "应报6期，按时报送4期，逾期报送1期，未报送1期");
}

TEST(AssessmentTimeliness, CountsAMonthNotYetReportedOnlyOnceItsDueDayHasPassed) {
  Log log;
  log.Add("task-01", China(2024, 11, 8), kCoop, Progress(Month(2024, 10)));  // 1
  // On 5 December: October and November are due months. Task 1's October is on
  // time; task 2's October is missing; both Novembers may still come by 10 December.
  AssessmentLine line = LineOf(ViewOf(log)->Render(2024, China(2024, 12, 5)), "县供销合作社", "timeliness");
  EXPECT_EQ(line.points, 15);  // 30 × 1 / 2
  EXPECT_EQ(line.positions, Positions({1}));
  EXPECT_EQ(line.detail, "应报2期，按时报送1期，逾期报送0期，未报送1期；另有2期未到报送期限");
}

TEST(AssessmentTimeliness, ExpectsNoReportWhileATaskStandsCompleted) {
  Log log;
  for (unsigned month : {10u, 11u, 12u}) {
    log.Add("task-01", China(2024 + month / 12, month % 12 + 1, 3), kCoop, Progress(Month(2024, month)));  // 1-3
  }
  log.Add("task-02", China(2024, 11, 3), kCoop, Progress(Month(2024, 10)));   // 4
  log.Add("task-02", China(2024, 11, 20), kTaskForce, TaskCompleted{"完成"});  // 5
  AssessmentLine line = LineOf(ViewOf(log)->Render(2024, China(2025, 1, 20)), "县供销合作社", "timeliness");
  EXPECT_EQ(line.points, 30);
  EXPECT_EQ(line.detail, "应报4期，按时报送4期，逾期报送0期，未报送0期；2期因任务已完成免报");

  // Reopened on 20 December, task 2 owes December's report again (due 10 January).
  log.Add("task-02", China(2024, 12, 20), kTaskForce, TaskReopened{"复核"});  // 6
  line = LineOf(ViewOf(log)->Render(2024, China(2025, 1, 20)), "县供销合作社", "timeliness");
  EXPECT_EQ(line.points, 24);  // 30 × 4 / 5
  EXPECT_EQ(line.positions, Positions({1, 2, 3, 4}));
}

TEST(AssessmentTimeliness, IsNotApplicableBeforeAnyMonthIsDue) {
  AssessmentResult render = NewView()->Render(2024, China(2024, 10, 20));
  AssessmentLine line = LineOf(render, "县商务委", "timeliness");
  EXPECT_EQ(line.applicable, false);
  EXPECT_FALSE(line.points.has_value());
  EXPECT_EQ(line.detail, "不适用：本年度尚无应报送的月份");
  EXPECT_EQ(UnitOf(render, "县商务委").not_applicable, (std::vector<std::string>{"timeliness", "approval", "targets", "notices"}));
  // A year before the plan's has no due month either.
  EXPECT_FALSE(LineOf(NewView()->Render(2023, China(2025, 1, 1)), "县商务委", "timeliness").points.has_value());
}

TEST(AssessmentTimeliness, TakesTheDueDayFromTheRules) {
  AssessmentRules rules = DefaultAssessmentRules();
  rules.version = "test-due-5";
  rules.rules[0].parameters["due_day"] = 5;
  std::unique_ptr<AssessmentView> view = NewView(rules);
  Log log;
  log.Add("task-27", China(2024, 11, 6), Actor{"p-swj", Role::kDepartment, "县商务委"}, Progress(Month(2024, 10)));
  for (const auto& [envelope, data] : log.events()) view->Apply(envelope, data);
  AssessmentResult render = view->Render(2024, China(2024, 11, 20));
  EXPECT_EQ(render.rules_version, "test-due-5");
  EXPECT_EQ(LineOf(render, "县商务委", "timeliness").points, 0);  // late: after 5 November
}

// --- 审核通过 ---------------------------------------------------------------------

TEST(AssessmentApproval, IsTheApprovedShareOfTheDueMonthsAMissingMonthCountingAsNotApproved) {
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

  // October and November are due on 20 December: task 1's October approved,
  // its November returned (the approved one is 县财政局's); task 2's October
  // approved, its November waiting for review (not counted yet).
  AssessmentResult render = ViewOf(log)->Render(2024, China(2024, 12, 20));
  AssessmentLine line = LineOf(render, "县供销合作社", "approval");
  EXPECT_EQ(line.points, 13.33);  // 20 × 2 / 3
  EXPECT_EQ(line.positions, Positions({6, 7, 9}));
  EXPECT_EQ(line.detail, "应审核3期，审核通过2期，退回未通过1期，未报送0期；另有1期待审核");
  // Nothing reported: each due month counts as not approved, never full points.
  AssessmentLine silent = LineOf(render, "县农业农村委", "approval");
  EXPECT_EQ(silent.points, 0);
  EXPECT_EQ(silent.detail, "应审核2期，审核通过0期，退回未通过0期，未报送2期");
}

// 已被替代: a report the same unit replaced before review waits for nothing;
// what the month's latest report got decides it.
TEST(AssessmentApproval, ASupersededReportLeavesItsMonthToTheReportThatReplacedIt) {
  Log log;
  log.Add("task-01", China(2024, 11, 5), kCoop, Progress(Month(2024, 10)));  // 1 v1, replaced by v2
  log.Add("task-01", China(2024, 11, 6), kCoop, Progress(Month(2024, 10)));  // 2 v2
  log.Add("task-01", China(2024, 11, 7), kTaskForce, Return(2));             // 3
  log.Add("task-02", China(2024, 11, 5), kCoop, Progress(Month(2024, 10)));  // 4 v1, replaced by v2
  log.Add("task-02", China(2024, 11, 6), kCoop, Progress(Month(2024, 10)));  // 5 v2, waiting

  AssessmentResult render = ViewOf(log)->Render(2024, China(2024, 11, 20));
  AssessmentLine line = LineOf(render, "县供销合作社", "approval");
  EXPECT_EQ(line.points, 0);  // task 1's October returned; task 2's waits for v2 only
  EXPECT_EQ(line.detail, "应审核1期，审核通过0期，退回未通过1期，未报送0期；另有1期待审核");
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
  // Only approved figures count (session 7, item 3).
  log.Add("task-01", China(2025, 2, 6), kTaskForce, Approve(1));  // 6
  log.Add("task-07", China(2025, 2, 6), kTaskForce, Approve(1));  // 7
  log.Add("task-01", China(2025, 2, 6), kTaskForce, Approve(4));   // 8

  AssessmentResult render = ViewOf(log)->Render(2024, China(2025, 2, 10));
  AssessmentLine coop = LineOf(render, "县供销合作社", "targets");
  EXPECT_EQ(coop.points, 7.27);  // 20 × 4 / 11
  EXPECT_EQ(coop.positions, Positions({1}));
  EXPECT_EQ(coop.detail, "量化目标1项，平均完成36.36%");
  AssessmentLine agriculture = LineOf(render, "县农业农村委", "targets");
  EXPECT_EQ(agriculture.points, 20);  // beyond the target counts as the target
  EXPECT_EQ(agriculture.positions, Positions({5}));
  AssessmentLine commerce = LineOf(render, "县商务委", "targets");
  EXPECT_FALSE(commerce.points.has_value());
  EXPECT_EQ(commerce.detail, "不适用：所涉任务无量化目标");
  // A target due and never reported counts 0.
  Log silent;
  AssessmentLine none = LineOf(ViewOf(silent)->Render(2024, China(2025, 2, 10)), "县供销合作社", "targets");
  EXPECT_EQ(none.points, 0);
  EXPECT_EQ(none.detail, "量化目标1项，平均完成0%，其中1项未报送数值按0计");
  // In 2025 the January report is the latest.
  EXPECT_EQ(LineOf(ViewOf(log)->Render(2025, China(2025, 2, 10)), "县供销合作社", "targets").points, 20);
}

// --- 督办整改 ---------------------------------------------------------------------

TEST(AssessmentNotices, EarnTheShareAnsweredByTheirDueDate) {
  Log log;
  log.Add("task-07", China(2024, 12, 1), kTaskForce, NoticeIssued{"DB-A", "进度滞后", Date(2024, 12, 31), ""});  // 1
  log.Add("task-07", China(2024, 12, 1), kTaskForce, NoticeIssued{"DB-B", "进度滞后", Date(2024, 12, 15), ""});  // 2
  log.Add("task-07", China(2024, 12, 1), kTaskForce, NoticeIssued{"DB-C", "进度滞后", Date(2024, 12, 20), ""});  // 3
  log.Add("task-07", China(2024, 12, 25), kTaskForce, NoticeIssued{"DB-D", "进度滞后", Date(2025, 2, 1), ""});   // 4
  log.Add("task-07", China(2024, 12, 31, 23), kAgriculture, NoticeAnswered{"DB-A", "已整改"});               // 5
  log.Add("task-07", China(2024, 12, 16), kAgriculture, NoticeAnswered{"DB-B", "已整改"});                   // 6
  log.Add("task-07", China(2024, 12, 17), kAgriculture, NoticeAnswered{"DB-B", "再次说明"});                 // 7
  log.Add("task-07", China(2023, 12, 20), kTaskForce, NoticeIssued{"DB-2023", "上年", Date(2023, 12, 25), ""});   // 8

  AssessmentLine line = LineOf(ViewOf(log)->Render(2024, China(2025, 1, 20)), "县农业农村委", "notices");
  EXPECT_EQ(line.points, 5);  // 15 × 1 / 3: A on time; B late; C unanswered; D not yet due
  EXPECT_EQ(line.positions, Positions({3, 5, 6}));
  EXPECT_EQ(line.detail, "督办事项3件，按期整改1件，逾期整改1件，逾期未整改1件；另有1件未到整改期限");
  // No notice on its tasks: 不适用, not full points.
  AssessmentLine none = LineOf(ViewOf(log)->Render(2024, China(2025, 1, 20)), "县供销合作社", "notices");
  EXPECT_FALSE(none.points.has_value());
  EXPECT_EQ(none.detail, "不适用：本年度无到期的督办事项");
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
  AssessmentLine line = LineOf(view->Render(2024, China(2024, 12, 21)), "县农业农村委", "notices");
  EXPECT_EQ(line.points, 7.5);  // 15 × 1 / 2: A answered on time; B closed unanswered before its due date
  EXPECT_EQ(line.positions, Positions({2, 3, 5}));
  EXPECT_EQ(line.detail, "督办事项2件，按期整改1件，逾期整改0件，逾期未整改0件，未整改销号1件");

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
  AssessmentLine line = LineOf(ViewOf(log)->Render(2024, China(2024, 12, 20)), "县供销合作社", "completion");
  EXPECT_EQ(line.points, 7.5);
  EXPECT_EQ(line.positions, Positions({1, 3}));
  EXPECT_EQ(line.detail, "所涉任务2项，已完成1项");
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

  // On 20 October nothing is due yet but completion (no task done): the base
  // is 0 of the 15 points that applied, and the adjustments are added to it.
  AssessmentResult render = ViewOf(log)->Render(2024, China(2024, 10, 20));
  AssessmentLine line = LineOf(render, commerce, "adjustments");
  EXPECT_EQ(line.points, 20);
  EXPECT_EQ(line.positions, Positions({1}));
  EXPECT_EQ(UnitOf(render, commerce).base, 0);
  EXPECT_EQ(UnitOf(render, commerce).score, 20);
  // Later, every month on time and approved: 30 + 20 of the 65 points that
  // applied (no target, no notice), scaled to 76.92, plus 20.
  for (unsigned month : {10u, 11u}) {
    log.Add("task-27", China(2024, month + 1, 5), Actor{"p-swj", Role::kDepartment, commerce}, Progress(Month(2024, month)));
    log.Add("task-27", China(2024, month + 1, 6), kTaskForce, Approve(month - 9));
  }
  AssessmentResult later = ViewOf(log)->Render(2024, China(2024, 12, 20));
  EXPECT_EQ(UnitOf(later, commerce).base, 76.92);
  EXPECT_EQ(UnitOf(later, commerce).score, 96.92);
  log.Add("assessment-2024", China(2024, 12, 21), kTaskForce, Adjust(commerce, 10));
  EXPECT_EQ(UnitOf(ViewOf(log)->Render(2024, China(2024, 12, 21)), commerce).score, 100);  // at most 100


  AssessmentLine coop_line = LineOf(render, coop, "adjustments");
  EXPECT_EQ(coop_line.points, 1.5);
  EXPECT_EQ(coop_line.positions, Positions({2, 3}));
  EXPECT_EQ(coop_line.detail, "加分1项共2.5分，减分1项共1分");
  EXPECT_EQ(UnitOf(render, coop).score, 1.5);  // 0 of 15 (completion), plus 1.5

  EXPECT_EQ(UnitOf(render, agriculture).score, 0);  // 0 − 80, at least 0
  EXPECT_EQ(LineOf(render, agriculture, "adjustments").points, -80);
}

// --- 年终定格 ---------------------------------------------------------------------

// Reports, reviews, a notice and adjustments of 2024, frozen on 20 December.
Log FrozenYear() {
  Log log;
  log.Add("task-01", China(2024, 11, 5), kCoop, Progress(Month(2024, 10), {{"农合联", 3, "个"}}));  // 1
  log.Add("task-01", China(2024, 12, 5), kCoop, Progress(Month(2024, 11), {{"农合联", 5, "个"}}));  // 2
  log.Add("task-07", China(2024, 12, 1), kTaskForce, NoticeIssued{"DB-1", "进度滞后", Date(2024, 12, 10), ""});  // 3
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
  AssessmentResult frozen = view->Render(2024, China(2025, 3, 1));
  EXPECT_EQ(frozen.frozen, true);
  EXPECT_EQ(frozen.frozen_at_position, 7);
  EXPECT_EQ(FormatTimestamp(frozen.evaluated_at), "2024-12-20T02:00:00.000000Z");
  // December counts although the freeze came before its due day: task 1's
  // three months are on time; task 2's October and November are missing, its
  // December not yet due. Unfrozen on the same day, December would not count.
  AssessmentLine line = LineOf(frozen, "县供销合作社", "timeliness");
  EXPECT_EQ(line.points, 18);  // 30 × 3 / 5
  EXPECT_EQ(line.positions, Positions({1, 2, 5}));
  EXPECT_EQ(LineOf(frozen, "县商务委", "adjustments").positions, Positions({6}));
  EXPECT_EQ(LineOf(frozen, "县农业农村委", "notices").points, 0);  // DB-1 overdue at the freeze
}

TEST(AssessmentFreeze, NothingAfterTheFreezeChangesTheYear) {
  Log log = FrozenYear();
  std::unique_ptr<AssessmentView> view = ViewOf(log);
  const AssessmentResult at_freeze = view->Render(2024, China(2024, 12, 20));
  AfterTheFreeze(log);
  for (size_t i = 7; i < log.events().size(); ++i) view->Apply(log.events()[i].first, log.events()[i].second);

  EXPECT_EQ(view->Render(2024, China(2025, 6, 1)), at_freeze);
  // The same events unfrozen would have scored differently.
  Log unfrozen;
  for (size_t i = 0; i < log.events().size(); ++i) {
    if (log.events()[i].first.position != GlobalPosition(7)) {
      const auto& [envelope, data] = log.events()[i];
      unfrozen.Add(envelope.stream.value, envelope.recorded_at, envelope.actor, data);
    }
  }
  EXPECT_NE(ViewOf(unfrozen)->Render(2024, China(2024, 12, 20)).units, at_freeze.units);
  // Other years go on.
  EXPECT_EQ(LineOf(view->Render(2025, China(2025, 1, 20)), "县供销合作社", "adjustments").points, 10);
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
                                            "task-02", "task-02/0000000001", "task-07", "task-07/0000000001",
                                            "~store"}));  // and when the store was created (its first event)

  std::unique_ptr<AssessmentView> restored = NewView();
  for (const auto& [key, value] : rows) ASSERT_TRUE(restored->LoadRow(key, value).ok()) << key;
  for (int year : {2024, 2025}) {
    EXPECT_EQ(restored->Render(year, China(2025, 2, 1)), live->Render(year, China(2025, 2, 1))) << year;
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
  EXPECT_EQ(rows.size(), 4u);  // the head, versions 1..128 and 129.., the store's creation
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
  EXPECT_EQ(restored->Render(2024, China(2025, 2, 1)), view->Render(2024, China(2025, 2, 1)));
  // Rows of the former format (one row per stream) ask for a rebuild.
  EXPECT_EQ(NewView()->LoadRow("task-01", R"({"version":1,"reports":[],"notices":[],"completions":[]})").code(),
            StatusCode::kDataLoss);
}

// The binary chunk rows keep every fact the scoring reads: reloaded, the
// facts write the same bytes again and score the same.
TEST(AssessmentRows, AChunkReloadedKeepsEveryKindOfFact) {
  const Actor township{"p-yajd", Role::kDepartment, "永安街道", "县供销合作社"};
  Log log;
  // A report naming an indicator twice (the last counts) and one county-wide.
  log.Add("task-01", China(2024, 11, 5), kCoop,
          Progress(Month(2024, 10), {{"农合联", 3, "个"}, {"农合联", 4, "个", IndicatorScope::kCounty}}));  // 1
  log.Add("task-01", China(2024, 11, 6), township, Progress(Month(2024, 10), {{"农合联", 1.25, "个"}}));    // 2
  log.Add("task-01", China(2024, 11, 7), kTaskForce, Return(2));                                        // 3
  log.Add("task-01", China(2024, 11, 8), kTaskForce, Approve(1));                                       // 4
  log.Add("task-01", China(2024, 12, 1), kTaskForce, NoticeIssued{"DB-A", "进度滞后", Date(2024, 12, 10), ""});  // 5
  log.Add("task-01", China(2024, 12, 1), kTaskForce, NoticeIssued{"DB-B", "进度滞后", Date(2024, 12, 20), ""});  // 6
  log.Add("task-01", China(2024, 12, 1), kTaskForce, NoticeIssued{"DB-C", "进度滞后", Date(2025, 1, 20), ""});   // 7
  log.Add("task-01", China(2024, 12, 9), kCoop, NoticeAnswered{"DB-A", "已整改"});                           // 8
  log.Add("task-01", China(2024, 12, 25), kTaskForce, NoticeClosed{"DB-B", "", "逾期未整改"});                   // 9
  log.Add("task-01", China(2024, 12, 26), kTaskForce, TaskCompleted{"完成"});                                // 10
  log.Add("task-01", China(2024, 12, 27), kTaskForce, TaskReopened{"复核"});                                 // 11
  std::unique_ptr<AssessmentView> live = NewView();
  std::map<std::string, std::string> rows = Feed(*live, log.events());

  std::unique_ptr<AssessmentView> restored = NewView();
  for (const auto& [key, value] : rows) ASSERT_TRUE(restored->LoadRow(key, value).ok()) << key;
  EXPECT_EQ(restored->Render(2024, China(2025, 2, 1)), live->Render(2024, China(2025, 2, 1)));
  // The open notice is still open after the reload: its answer lands on it,
  // and both views write the chunk alike.
  log.Add("task-01", China(2025, 1, 10), kCoop, NoticeAnswered{"DB-C", "已整改"});  // 12
  live->Apply(log.events().back().first, log.events().back().second);
  restored->Apply(log.events().back().first, log.events().back().second);
  const std::vector<std::pair<std::string, std::string>> after = live->TakeChangedRows();
  EXPECT_EQ(restored->TakeChangedRows(), after);
  ASSERT_EQ(after.size(), 2u);
  EXPECT_NE(after[1].second, rows.at("task-01/0000000001"));
  EXPECT_EQ(restored->Render(2025, China(2025, 2, 1)), live->Render(2025, China(2025, 2, 1)));
}

TEST(AssessmentRows, IgnoreMajorItemsAndUnknownStreams) {
  Log log;
  log.Add("major-5", China(2024, 11, 5), kCoop, Progress(Month(2024, 10)));
  std::unique_ptr<AssessmentView> view = ViewOf(log);
  // Only the store's creation, which its first event dates, whatever the stream.
  std::vector<std::pair<std::string, std::string>> rows = view->TakeChangedRows();
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_EQ(rows[0].first, "~store");
}

TEST(AssessmentRows, IgnoreThePrincipalsStream) {
  Log log;
  log.Add("principals", China(2024, 11, 5), kTaskForce, TownshipRegistered{"永安街道"});
  log.Add("principals", China(2024, 11, 5), kTaskForce,
          PrincipalRegistered{"p-1", "李四", Role::kDepartment, "永安街道", std::string(64, 'a')});
  log.Add("principals", China(2024, 11, 6), kTaskForce, PrincipalRevoked{"p-1"});
  std::unique_ptr<AssessmentView> view = ViewOf(log);
  std::vector<std::pair<std::string, std::string>> rows = view->TakeChangedRows();
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_EQ(rows[0].first, "~store");
}

TEST(AssessmentRows, RefuseWhatTheyCannotRead) {
  std::unique_ptr<AssessmentView> view = NewView();
  EXPECT_EQ(view->LoadRow("task-01", "{").code(), StatusCode::kDataLoss);
  // A chunk as JSON (rows before the binary chunks: RowFormat 1, rebuilt at start).
  Status json_chunk = view->LoadRow("task-01/0000000001",
                                    R"({"format":2,"reports":[],"notices":[],"completions":[]})");
  EXPECT_EQ(json_chunk.code(), StatusCode::kDataLoss);
  EXPECT_NE(json_chunk.message().find("format"), std::string::npos) << json_chunk.message();
  // A binary chunk cut short, or running on past its last entry.
  Log log;
  log.Add("task-01", China(2024, 11, 5), kCoop, Progress(Month(2024, 10), {{"农合联", 3, "个"}}));
  std::map<std::string, std::string> rows = Feed(*NewView(), log.events());
  const std::string chunk = rows.at("task-01/0000000001");
  Status cut = NewView()->LoadRow("task-01/0000000001", chunk.substr(0, chunk.size() - 3));
  EXPECT_EQ(cut.code(), StatusCode::kDataLoss);
  EXPECT_NE(cut.message().find("task-01/0000000001"), std::string::npos) << cut.message();
  EXPECT_EQ(NewView()->LoadRow("task-01/0000000001", chunk + '\0').code(), StatusCode::kDataLoss);
  EXPECT_TRUE(NewView()->LoadRow("task-01/0000000001", chunk).ok());
  // A chunk whose entry lies outside its versions.
  EXPECT_EQ(NewView()->LoadRow("task-01/0000000129", chunk).code(), StatusCode::kDataLoss);
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


// --- 计分规则: what was due, 不适用, scaling, cooperating units -----------------------

const Actor kCommerce{"p-swj", Role::kDepartment, "县商务委"};

// Each month of 2024 from October, reported by `actor` on `task` by the 5th of
// the next month, and approved the day after when `approve`.
void ReportEveryMonth(Log& log, const std::string& task, const Actor& actor, bool approve) {
  for (unsigned month : {10u, 11u, 12u}) {
    const Timestamp sent = China(2024 + month / 12, month % 12 + 1, 5);
    log.Add(task, sent, actor, Progress(Month(2024, month)));
    if (approve) log.Add(task, sent + std::chrono::hours(24), kTaskForce, Approve(month == 10 ? 1 : month == 11 ? 3 : 5));
  }
}

struct ScoreCase {
  const char* behaviour;
  std::function<void(Log&)> story;
  std::string unit;
  json score;           // null: no component applied
  json base;            // before 加减分
  json not_applicable;  // rule ids
  Timestamp at = China(2025, 1, 20);
  bool lead_only = false;  // LeadOnlyRules instead of the built-in fengjie-2024.3
};

class AssessmentScoreTable : public ::testing::TestWithParam<ScoreCase> {};

TEST_P(AssessmentScoreTable, ScoresWhatWasDue) {
  const ScoreCase& c = GetParam();
  Log log;
  c.story(log);
  AssessmentResult render = ViewOf(log, c.lead_only ? LeadOnlyRules() : DefaultAssessmentRules())->Render(2024, c.at);
  const AssessmentUnitResult& unit = UnitOf(render, c.unit);
  const auto figure = [](const json& value) {
    return value.is_null() ? std::nullopt : std::optional<double>(value.get<double>());
  };
  EXPECT_EQ(unit.score, figure(c.score)) << unit.unit;
  EXPECT_EQ(unit.base, figure(c.base)) << unit.unit;
  EXPECT_EQ(unit.not_applicable, c.not_applicable.get<std::vector<std::string>>()) << unit.unit;
}

INSTANTIATE_TEST_SUITE_P(
    Table, AssessmentScoreTable,
    ::testing::Values(
        // Three due months never reported: 0 in 报送及时 and 审核通过, 0 for the
        // task not completed; no target and no notice: those two 不适用.
        ScoreCase{"a silent lead unit scores nothing", [](Log&) {}, "县商务委", 0, 0,
                  (std::vector<std::string>{"targets", "notices"})},
        // 30 + 20 + 0 of the 65 points that applied, scaled: 76.92.
        ScoreCase{"a lead unit reporting every month on time scores above its silent self",
                  [](Log& log) { ReportEveryMonth(log, "task-27", kCommerce, true); }, "县商务委", 76.92, 76.92,
                  (std::vector<std::string>{"targets", "notices"})},
        // On 20 October 2024 no month is due yet: only 任务完成 applies, and the
        // task is completed: 15 of 15, scaled to 100.
        ScoreCase{"nothing due but completion: the total is scaled over completion alone",
                  [](Log& log) { log.Add("task-27", China(2024, 10, 18), kTaskForce, TaskCompleted{"完成"}); },
                  "县商务委", 100, 100, (std::vector<std::string>{"timeliness", "approval", "targets", "notices"}),
                  China(2024, 10, 20)},
        // 县财政局 cooperates on task 1: October on time and approved, November
        // missed, December on time and not reviewed yet. 报送及时 20 of 30,
        // 审核通过 10 of 20 (November counts as not approved, December waits):
        // 30 of 50, scaled to 60. Targets, notices and completion are the
        // lead's.
        ScoreCase{"a cooperating unit is scored on the tasks it cooperates on",
                  [](Log& log) {
                    log.Add("task-01", China(2024, 11, 5), kFinance, Progress(Month(2024, 10)));  // v1
                    log.Add("task-01", China(2024, 11, 6), kTaskForce, Approve(1));
                    log.Add("task-01", China(2025, 1, 9), kFinance, Progress(Month(2024, 12)));
                  },
                  "县财政局", 60, 60, (std::vector<std::string>{"targets", "notices", "completion"})},
        ScoreCase{"rules that give cooperating tasks no weight leave a cooperating unit unscored",
                  [](Log& log) { log.Add("task-01", China(2024, 11, 5), kFinance, Progress(Month(2024, 10))); },
                  "县财政局", nullptr, nullptr,
                  (std::vector<std::string>{"timeliness", "approval", "targets", "notices", "completion"}), China(2025, 1, 20),
                  true},
        // 县供销合作社 reports tasks 1 and 2 every month on time (6 of 6) but
        // never task 7, which it cooperates on (3 months at 0.5): 报送及时
        // 30 × 6 / 7.5 = 24; 审核通过 0 of 20 (nothing reviewed yet, task 7's
        // months missed); 目标达成 0 (no value for 农合联); 任务完成 0:
        // 24 of 85, scaled to 28.24.
        ScoreCase{"a cooperating task's months weigh half beside the led ones",
                  [](Log& log) {
                    ReportEveryMonth(log, "task-01", kCoop, false);
                    ReportEveryMonth(log, "task-02", kCoop, false);
                  },
                  "县供销合作社", 28.24, 28.24, (std::vector<std::string>{"notices"})}),
    testing::ByBehaviour());

TEST(AssessmentScore, SaysWhichComponentsDidNotApplyInEachLine) {
  AssessmentResult render = ViewOf(Log(), DefaultAssessmentRules())->Render(2024, China(2025, 1, 20));
  AssessmentLine line = LineOf(render, "县财政局", "completion");
  EXPECT_EQ(line.applicable, false);
  EXPECT_FALSE(line.points.has_value());
  EXPECT_EQ(line.max, 15);
  EXPECT_EQ(line.detail, "不适用：未牵头任务，配合任务不计此项");
  EXPECT_EQ(UnitOf(render, "县财政局").applicable_max, 50);
}

// --- monotonicity: reporting never ranks below silence ----------------------------

// Two twin units, 甲 and 乙, each leading a task with a target and one
// without, and each cooperating on a task 丙 leads: 甲 on 1, 2 and 5; 乙 on
// their mirror images 3, 4 and 6.
Catalog TwinPlan() {
  Catalog c;
  c.document = {"测试", "测试", "2025-01-01", "实施方案", ""};
  c.units = {{"甲", "department"}, {"乙", "department"}, {"丙", "department"}};
  const Target target{"规模", 11.0, "万亩次", std::nullopt, "", "达到11万亩次"};
  c.tasks = {
      TaskSpec{TaskNo(1), "类", "事", "任务", "甲", {}, {target}},
      TaskSpec{TaskNo(2), "类", "事", "任务", "甲", {}, {}},
      TaskSpec{TaskNo(3), "类", "事", "任务", "乙", {}, {target}},
      TaskSpec{TaskNo(4), "类", "事", "任务", "乙", {}, {}},
      TaskSpec{TaskNo(5), "类", "事", "任务", "丙", {"甲"}, {}},
      TaskSpec{TaskNo(6), "类", "事", "任务", "丙", {"乙"}, {}},
  };
  return c;
}

// One twin's side of the plan: its unit and its three streams, as pairs.
struct Twin {
  Actor actor;
  std::string streams[3];
};
const Twin kTwins[2] = {{{"p-a", Role::kDepartment, "甲"}, {"task-01", "task-02", "task-05"}},
                        {{"p-b", Role::kDepartment, "乙"}, {"task-03", "task-04", "task-06"}}};

// A seeded year 2025 of reports (figures cumulative, as the plan's targets
// are), reviews, notices and answers, completions and reopenings, the same on
// both twins' streams; only events recorded by `now` are kept.
Log TwinHistory(std::mt19937& random, Timestamp now) {
  struct Planned {
    Timestamp at;
    int pair;         // 0..2: which of each twin's streams
    EventData event;  // the twins' events differ only in the stream
    bool by_unit;     // the twin's own unit acts; else the task force
    int reviews = -1;  // for a review: the index in `plan` of the report it decides
  };
  std::vector<Planned> plan;
  auto chance = [&random](double p) { return std::uniform_real_distribution<double>(0, 1)(random) < p; };
  auto day = [&random](int low, int high) { return std::uniform_int_distribution<int>(low, high)(random); };
  int notices = 0;
  for (unsigned month = 1; month <= 12; ++month) {
    for (int pair = 0; pair < 3; ++pair) {
      const std::chrono::year_month next = Month(2025, month) + std::chrono::months(1);
      const auto on = [&](int d, int hour = 10) {
        return China(static_cast<int>(next.year()), static_cast<unsigned>(next.month()), static_cast<unsigned>(d), hour);
      };
      if (chance(0.6)) {
        const Timestamp sent = on(day(1, 20));
        plan.push_back({sent, pair, Progress(Month(2025, month), {{"规模", static_cast<double>(month), "万亩次"}}), true});
        const int report = static_cast<int>(plan.size()) - 1;
        if (chance(0.6)) {
          // The version is filled in when the log is written.
          plan.push_back({sent + std::chrono::hours(24 * day(1, 5)), pair, chance(0.7) ? Approve(0) : Return(0), false,
                          report});
        }
      }
      if (chance(0.15)) {
        const std::string id = "DB-" + std::to_string(++notices);
        plan.push_back({on(1, 9), pair, NoticeIssued{id, "进度滞后", Date(2025 + month / 12, month % 12 + 1, 15), ""}, false});
        if (chance(0.6)) plan.push_back({on(day(2, 25)), pair, NoticeAnswered{id, "已整改"}, true});
      }
      if (chance(0.05)) {
        plan.push_back({on(day(1, 25)), pair, TaskCompleted{"完成"}, false});
        if (chance(0.5)) plan.push_back({on(28), pair, TaskReopened{"复核"}, false});
      }
    }
  }
  // In plan order (times need not be sorted); a review names the version its
  // report got, and goes when its report was not recorded by now.
  Log log;
  std::uint64_t versions[3] = {0, 0, 0};
  std::map<int, std::uint64_t> version_of;  // plan index -> stream version
  for (size_t i = 0; i < plan.size(); ++i) {
    const Planned& p = plan[i];
    if (p.at > now) continue;
    EventData event = p.event;
    if (p.reviews >= 0) {
      auto reviewed = version_of.find(p.reviews);
      if (reviewed == version_of.end()) continue;
      std::get<ReportReviewed>(event).report_version = StreamVersion(reviewed->second);
    }
    version_of[static_cast<int>(i)] = ++versions[p.pair];
    for (const Twin& twin : kTwins) log.Add(twin.streams[p.pair], p.at, p.by_unit ? twin.actor : kTaskForce, event);
  }
  return log;
}

TEST(AssessmentMonotonicity, AReportNeverRanksAUnitBelowItsSilentTwin) {
  Result<std::unique_ptr<AssessmentView>> probe = AssessmentView::Create(TwinPlan(), DefaultAssessmentRules());
  ASSERT_TRUE(probe.ok()) << probe.status().ToString();
  int raised = 0, cases = 0;
  for (std::uint32_t seed = 1; seed <= 300; ++seed) {
    std::mt19937 random(seed);
    const Timestamp now = China(2025, 1, 5) + std::chrono::hours(std::uniform_int_distribution<int>(0, 24 * 390)(random));
    Log log = TwinHistory(random, now);
    // A month already due by now, on one of 甲's streams, that 甲 did not report.
    const std::chrono::year_month_day today(std::chrono::floor<std::chrono::days>(now + std::chrono::hours(8)));
    const std::chrono::year_month last = std::min(Month(2025, 12), today.year() / today.month() - std::chrono::months(1));
    if (last < Month(2025, 1)) continue;
    std::vector<std::pair<int, unsigned>> unreported;  // (pair, month)
    for (int pair = 0; pair < 3; ++pair) {
      for (std::chrono::year_month m = Month(2025, 1); m <= last; m += std::chrono::months(1)) {
        const bool reported = std::any_of(log.events().begin(), log.events().end(), [&](const auto& event) {
          const auto* report = std::get_if<ProgressReported>(&event.second);
          return report != nullptr && event.first.stream.value == kTwins[0].streams[pair] && report->period == m;
        });
        if (!reported) unreported.emplace_back(pair, static_cast<unsigned>(m.month()));
      }
    }
    if (unreported.empty()) continue;
    const auto [pair, month] =
        unreported[std::uniform_int_distribution<size_t>(0, unreported.size() - 1)(random)];
    const Timestamp first_day = China(2025 + month / 12, month % 12 + 1, 1);
    const Timestamp sent = first_day + std::chrono::microseconds(std::uniform_int_distribution<std::int64_t>(
                                           0, (now - first_day).count())(random));
    const AssessmentResult silent = [&] {
      std::unique_ptr<AssessmentView> view = std::move(AssessmentView::Create(TwinPlan(), DefaultAssessmentRules()).value());
      for (const auto& [envelope, data] : log.events()) view->Apply(envelope, data);
      return view->Render(2025, now);
    }();
    ASSERT_EQ(UnitOf(silent, "甲").score, UnitOf(silent, "乙").score) << "seed " << seed << ": twins differ";
    log.Add(kTwins[0].streams[pair], sent, kTwins[0].actor,
            Progress(Month(2025, month), {{"规模", static_cast<double>(month), "万亩次"}}));
    std::unique_ptr<AssessmentView> view = std::move(AssessmentView::Create(TwinPlan(), DefaultAssessmentRules()).value());
    for (const auto& [envelope, data] : log.events()) view->Apply(envelope, data);
    const AssessmentResult render = view->Render(2025, now);
    const std::optional<double> reporting = UnitOf(render, "甲").score;
    const std::optional<double> twin = UnitOf(render, "乙").score;
    ++cases;
    if (!twin.has_value()) continue;  // nothing applied to the silent twin: any score ranks at least as high
    ASSERT_TRUE(reporting.has_value()) << "seed " << seed;
    EXPECT_GE(*reporting, *twin) << "seed " << seed << " month " << month << " pair " << pair;
    if (*reporting > *twin) ++raised;
  }
  std::printf("monotonicity: %d seeded histories, the added report raised the score in %d, never lowered it\n", cases,
              raised);
  EXPECT_GT(cases, 200);
}

// --- a frozen year keeps its rules ------------------------------------------------

AssessmentRules CompletionOnlyRules() {
  AssessmentRules rules;
  rules.version = "test-completion-only";
  rules.rules = {AssessmentRule{AssessmentRuleKind::kCompletion, "任务完成", 100, {}, 0}};
  return rules;
}

TEST(AssessmentFreeze, KeepsTheRulesItWasFrozenWithWhateverRulesTheViewRuns) {
  Log log = FrozenYear();
  Log recorded;
  for (const auto& [envelope, data] : log.events()) {
    EventData event = data;
    if (auto* freeze = std::get_if<YearFrozen>(&event)) {
      freeze->rules_version = "test-completion-only";
      freeze->rules = AssessmentRulesToJson(CompletionOnlyRules());
    }
    recorded.Add(envelope.stream.value, envelope.recorded_at, envelope.actor, event);
  }
  std::unique_ptr<AssessmentView> view = ViewOf(recorded, DefaultAssessmentRules());
  AssessmentResult frozen = view->Render(2024, China(2025, 3, 1));
  EXPECT_EQ(frozen.rules_version, "test-completion-only");
  EXPECT_EQ(json::parse(frozen.rules_json.value()), json::parse(AssessmentRulesToJson(CompletionOnlyRules())));
  ASSERT_EQ(UnitOf(frozen, "县供销合作社").lines.size(), 1u);
  EXPECT_EQ(UnitOf(frozen, "县供销合作社").score, 0);  // nothing completed at the freeze
  // Rebuilt from the log under yet other rules, and restored from its rows: the same.
  EXPECT_EQ(ViewOf(recorded, LeadOnlyRules())->Render(2024, China(2026, 1, 1)), frozen);
  std::unique_ptr<AssessmentView> live = NewView(DefaultAssessmentRules());
  std::map<std::string, std::string> rows = Feed(*live, recorded.events());
  std::unique_ptr<AssessmentView> restored = NewView(LeadOnlyRules());
  for (const auto& [key, value] : rows) ASSERT_TRUE(restored->LoadRow(key, value).ok()) << key;
  EXPECT_EQ(restored->Render(2024, China(2026, 1, 1)), frozen);
  // A freeze recorded without rules (schema 1) is scored with the view's.
  EXPECT_EQ(ViewOf(log, DefaultAssessmentRules())->Render(2024, China(2025, 3, 1)).rules_version, "fengjie-2024.3");
}

TEST(AssessmentFreeze, SaysWhenTheYearWasFrozenEarlyAndWhy) {
  Log log;
  YearFrozen freeze{2024, "年终定格"};
  freeze.early = true;
  freeze.reason = "县委常委会12月研究年度考核";
  log.Add("assessment-2024", China(2024, 12, 2), kTaskForce, freeze);
  AssessmentResult frozen = ViewOf(log)->Render(2024, China(2025, 1, 1));
  EXPECT_EQ(frozen.frozen, true);
  EXPECT_EQ(frozen.frozen_early, true);
  EXPECT_EQ(frozen.frozen_reason, "县委常委会12月研究年度考核");
  AssessmentResult live = ViewOf(Log())->Render(2024, China(2024, 12, 2));
  EXPECT_EQ(live.frozen_early, false);
  EXPECT_FALSE(live.frozen_reason.has_value());
}


// --- the worked example of projections/README.md (计分规则) ---------------------------

TEST(AssessmentWorkedExample, ScoresTheReadmesLeadUnit43Point49) {
  Log log;
  const auto value = [](double v) { return std::vector<IndicatorValue>{{"农合联", v, "个"}}; };
  // Task 1 (led, target 农合联 11个).
  log.Add("task-01", China(2024, 11, 5), kCoop, Progress(Month(2024, 10), value(2)));    // v1 on time
  log.Add("task-01", China(2024, 12, 12), kCoop, Progress(Month(2024, 11), value(4)));   // v2 late
  log.Add("task-01", China(2024, 12, 13), kTaskForce, Approve(1));                       // v3
  log.Add("task-01", China(2024, 12, 13), kTaskForce, Approve(2));                       // v4
  log.Add("task-01", China(2025, 1, 8), kCoop, Progress(Month(2024, 12), value(5.5)));   // v5 on time, not reviewed
  // Task 2 (led, no target): October returned, November never reported.
  log.Add("task-02", China(2024, 11, 8), kCoop, Progress(Month(2024, 10)));              // v1 on time
  log.Add("task-02", China(2024, 11, 12), kTaskForce, Return(1));                        // v2
  log.Add("task-02", China(2025, 1, 6), kCoop, Progress(Month(2024, 12)));               // v3 on time
  log.Add("task-02", China(2025, 1, 7), kTaskForce, Approve(3));                         // v4
  // Task 7 (cooperating): October only, not reviewed.
  log.Add("task-07", China(2024, 11, 9), kCoop, Progress(Month(2024, 10)));
  log.Add("assessment-2024", China(2025, 1, 10), kTaskForce, Adjust("县供销合作社", 2));

  AssessmentResult render = ViewOf(log, DefaultAssessmentRules())->Render(2024, China(2025, 1, 20));
  EXPECT_EQ(LineOf(render, "县供销合作社", "timeliness").points, 18);   // 30 × 4.5 / 7.5
  EXPECT_EQ(LineOf(render, "县供销合作社", "approval").points, 10);     // 20 × 3 / 6
  // Only approved figures count (session 7, item 3; was 10 = 20 × 5.5 / 11 with
  // December's 5.5 still awaiting review): November's approved 4.
  EXPECT_EQ(LineOf(render, "县供销合作社", "targets").points, 7.27);    // 20 × 4 / 11
  EXPECT_FALSE(LineOf(render, "县供销合作社", "notices").points.has_value());
  EXPECT_EQ(LineOf(render, "县供销合作社", "completion").points, 0);
  const AssessmentUnitResult& unit = UnitOf(render, "县供销合作社");
  EXPECT_EQ(unit.earned, 35.27);
  EXPECT_EQ(unit.applicable_max, 85);
  EXPECT_EQ(unit.base, 41.49);   // 35.27 / 85 × 100
  EXPECT_EQ(unit.score, 43.49);  // + 2
  for (const AssessmentLine& line : unit.lines) {
    std::printf("%s %s: %s\n", line.label.c_str(), line.points.has_value() ? std::to_string(*line.points).c_str() : "null",
                line.detail.c_str());
  }
}


// Session 7, item 3: fengjie-2024.3 counts approved figures only in 目标达成; a
// year frozen under fengjie-2024.2 (its rules recorded without approved_only)
// keeps counting the figure that awaited review, as it was scored then.
TEST(AssessmentTargets, AFigureAwaitingReviewCountsOnlyUnderRulesThatSaidSo) {
  Log log;
  log.Add("task-01", China(2024, 12, 5), kCoop, Progress(Month(2024, 11), {{"农合联", 4, "个"}}));  // 1, approved
  log.Add("task-01", China(2024, 12, 6), kTaskForce, Approve(1));                                  // 2
  log.Add("task-01", China(2025, 1, 5), kCoop, Progress(Month(2024, 12), {{"农合联", 11, "个"}}));  // 3, waits
  EXPECT_EQ(LineOf(ViewOf(log)->Render(2024, China(2025, 1, 20)), "县供销合作社", "targets").points, 7.27);

  AssessmentRules before = LeadOnlyRules();
  before.version = "fengjie-2024.2";
  json recorded = json::parse(AssessmentRulesToJson(before));
  for (json& rule : recorded["rules"]) {
    if (rule["id"] == "targets") rule.erase("parameters");  // 2024.2 had no parameter here
  }
  Result<AssessmentRules> parsed = ParseAssessmentRules(recorded.dump());
  ASSERT_TRUE(parsed.ok()) << parsed.status().ToString();
  EXPECT_EQ(parsed->Find(AssessmentRuleKind::kTargets)->Parameter("approved_only"), 0);
  EXPECT_EQ(LineOf(ViewOf(log, *parsed)->Render(2024, China(2025, 1, 20)), "县供销合作社", "targets").points, 20);
}

TEST(AssessmentScore, CountsATownshipsReportForTheTownshipGroupItActsFor) {
  const std::string group = "各乡镇人民政府、街道办事处";
  Catalog plan = SmallPlan();
  plan.units.push_back({group, "group"});
  plan.tasks.push_back(TaskSpec{TaskNo(30), "类", "事", "乡镇任务", group, {}, {}});
  Result<std::unique_ptr<AssessmentView>> view = AssessmentView::Create(plan, DefaultAssessmentRules());
  ASSERT_TRUE(view.ok()) << view.status().ToString();
  Log log;
  const Actor yongan{"p-ya", Role::kDepartment, "永安街道", group};
  log.Add("task-30", China(2024, 11, 5), yongan, Progress(Month(2024, 10)));
  for (const auto& [envelope, data] : log.events()) (*view)->Apply(envelope, data);
  AssessmentLine line = LineOf((*view)->Render(2024, China(2024, 11, 20)), group, "timeliness");
  EXPECT_EQ(line.points, 30);
  EXPECT_EQ(line.positions, Positions({1}));
  // The row keeps the group, so a restored view scores it alike.
  std::unique_ptr<AssessmentView> restored = std::move(AssessmentView::Create(plan, DefaultAssessmentRules()).value());
  for (const auto& [key, value] : (*view)->TakeChangedRows()) ASSERT_TRUE(restored->LoadRow(key, value).ok()) << key;
  EXPECT_EQ(restored->Render(2024, China(2024, 11, 20)), (*view)->Render(2024, China(2024, 11, 20)));
}

}  // namespace
}  // namespace kuimen
