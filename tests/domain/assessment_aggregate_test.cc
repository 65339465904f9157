// The assessment aggregate's rules as given-events / command / expected-outcome tables.
#include "domain/assessment_aggregate.h"

#include <gtest/gtest.h>

#include "domain/task_rules.h"

#include "tests/support/behaviour_name.h"

namespace kuimen {
namespace {

using std::chrono::year;

const Actor kTaskForce{"p-tf", Role::kTaskForce, ""};
const Actor kDepartment{"p-gxs", Role::kDepartment, "县供销合作社"};
const Actor kAuditor{"p-audit", Role::kAuditor, ""};

AssessmentAdjusted Bonus(double points = 5, int in_year = 2024, std::string unit = "县供销合作社") {
  return AssessmentAdjusted{std::move(unit), in_year, points, "牵头组建县农合联成效突出"};
}

YearFrozen Freeze(int in_year = 2024) { return YearFrozen{in_year, "年终定格"}; }
YearFrozen EarlyFreeze(std::string reason = "县委常委会12月研究年度考核，需提前定格") {
  YearFrozen e{2024, "年终定格"};
  e.early = true;
  e.reason = std::move(reason);
  return e;
}

// A moment in China time (UTC+8), as the task force reads its clock.
Timestamp China(int y, unsigned m, unsigned d, int hour = 10, int minute = 0) {
  return Timestamp(std::chrono::sys_days(std::chrono::year(y) / m / d) + std::chrono::hours(hour - 8) +
                   std::chrono::minutes(minute));
}
const Timestamp kYearOver = China(2025, 1, 6);

// The stream assessment-2024 at `now`; the plan's units (two lead, one cooperates).
AssessmentAggregate Given(const std::vector<EventData>& events, const Clock& clock) {
  AssessmentAggregate aggregate(2024, {"县供销合作社", "县农业农村委", "县财政局"}, clock);
  std::uint64_t version = 0;
  for (const EventData& event : events) aggregate.Apply(StreamVersion(++version), event);
  return aggregate;
}

struct RuleCase {
  const char* behaviour;
  std::vector<EventData> given;
  Actor actor;
  EventData command;
  StatusCode code;      // kOk: accepted
  std::string subject;  // the rule id or field named
  Timestamp now = kYearOver;  // the clock's reading when deciding
};

class AssessmentAggregateRules : public ::testing::TestWithParam<RuleCase> {};

TEST_P(AssessmentAggregateRules, DecidesAsTheTableSays) {
  const RuleCase& c = GetParam();
  const ManualClock clock(c.now);
  Status status = Given(c.given, clock).Decide(c.actor, c.command);
  EXPECT_EQ(status.code(), c.code) << status.ToString();
  EXPECT_EQ(status.subject(), c.subject) << status.ToString();
}

std::string Id(TaskRule rule) { return std::string(RuleId(rule)); }

ProgressReported Report() {
  ProgressReported e;
  e.period = year(2024) / std::chrono::November;
  e.summary = "完成托管服务12万亩次";
  e.percent = 10;
  return e;
}

INSTANTIATE_TEST_SUITE_P(
    Table, AssessmentAggregateRules,
    ::testing::Values(
        RuleCase{"task force adds points", {}, kTaskForce, Bonus(5), StatusCode::kOk, ""},
        RuleCase{"task force deducts points", {}, kTaskForce, Bonus(-2.5), StatusCode::kOk, ""},
        RuleCase{"twenty points either way is the limit", {Bonus(20)}, kTaskForce, Bonus(-20), StatusCode::kOk, ""},
        RuleCase{"more than twenty points is refused", {}, kTaskForce, Bonus(20.5), StatusCode::kInvalidArgument,
                 "points"},
        RuleCase{"zero points is refused", {}, kTaskForce, Bonus(0), StatusCode::kInvalidArgument, "points"},
        RuleCase{"an adjustment needs a reason", {}, kTaskForce, AssessmentAdjusted{"县供销合作社", 2024, 3, " "},
                 StatusCode::kInvalidArgument, "reason"},
        RuleCase{"a department may not adjust", {}, kDepartment, Bonus(), StatusCode::kPermissionDenied,
                 Id(TaskRule::kTaskForceOnly)},
        RuleCase{"a department may not freeze", {}, kDepartment, Freeze(), StatusCode::kPermissionDenied,
                 Id(TaskRule::kTaskForceOnly)},
        RuleCase{"an auditor writes nothing", {}, kAuditor, Bonus(), StatusCode::kPermissionDenied,
                 Id(TaskRule::kAuditorReadOnly)},
        RuleCase{"a cooperating unit can be adjusted", {}, kTaskForce, Bonus(5, 2024, "县财政局"), StatusCode::kOk,
                 ""},
        RuleCase{"the unit must be a unit of the plan", {}, kTaskForce, Bonus(5, 2024, "县教委"),
                 StatusCode::kInvalidArgument, "unit"},
        RuleCase{"the unit must be named", {}, kTaskForce, Bonus(5, 2024, ""), StatusCode::kInvalidArgument, "unit"},
        RuleCase{"an adjustment for another year is refused", {}, kTaskForce, Bonus(5, 2025),
                 StatusCode::kInvalidArgument, "year"},
        RuleCase{"a freeze of another year is refused", {}, kTaskForce, Freeze(2023), StatusCode::kInvalidArgument,
                 "year"},
        RuleCase{"a year outside 2000 to 2100 is refused", {}, kTaskForce, Freeze(1999),
                 StatusCode::kInvalidArgument, "year"},
        RuleCase{"task force freezes the year", {Bonus()}, kTaskForce, Freeze(), StatusCode::kOk, ""},
        RuleCase{"a freeze without a comment is fine", {}, kTaskForce, YearFrozen{2024, ""}, StatusCode::kOk, ""},
        RuleCase{"a frozen year takes no adjustment", {Bonus(), Freeze()}, kTaskForce, Bonus(-3),
                 StatusCode::kFailedPrecondition, Id(TaskRule::kYearFrozen)},
        RuleCase{"a frozen year is not frozen twice", {Freeze()}, kTaskForce, Freeze(),
                 StatusCode::kFailedPrecondition, Id(TaskRule::kYearFrozen)},
        RuleCase{"a year is frozen on its last day China time", {}, kTaskForce, Freeze(), StatusCode::kOk, "",
                 China(2024, 12, 31, 0, 0)},
        RuleCase{"a freeze the day before the last is refused", {}, kTaskForce, Freeze(),
                 StatusCode::kFailedPrecondition, Id(TaskRule::kYearNotOver), China(2024, 12, 30, 23, 59)},
        RuleCase{"a freeze in early December is refused", {}, kTaskForce, Freeze(), StatusCode::kFailedPrecondition,
                 Id(TaskRule::kYearNotOver), China(2024, 12, 2)},
        RuleCase{"an early freeze with a reason is accepted in December", {}, kTaskForce, EarlyFreeze(),
                 StatusCode::kOk, "", China(2024, 12, 2)},
        RuleCase{"an early freeze needs a reason", {}, kTaskForce, EarlyFreeze(" "), StatusCode::kInvalidArgument,
                 "reason", China(2024, 12, 2)},
        RuleCase{"an early freeze of a year already over is refused", {}, kTaskForce, EarlyFreeze(),
                 StatusCode::kInvalidArgument, "early"},
        RuleCase{"a year not begun cannot be frozen even early", {}, kTaskForce, EarlyFreeze(),
                 StatusCode::kFailedPrecondition, Id(TaskRule::kYearNotOver), China(2023, 12, 31)},
        RuleCase{"the rules are recorded with their version", {}, kTaskForce,
                 YearFrozen{2024, "", false, "", "fengjie-2024.2", ""}, StatusCode::kInvalidArgument, "rules"},
        RuleCase{"a progress report does not belong here", {}, kDepartment, Report(), StatusCode::kInvalidArgument,
                 "type"},
        RuleCase{"nor does completing a task", {}, kTaskForce, TaskCompleted{"完成"}, StatusCode::kInvalidArgument,
                 "type"}),
    testing::ByBehaviour());

TEST(AssessmentAggregate, KeepsAdjustmentsAndTheFreezeVersion) {
  const ManualClock clock(kYearOver);
  AssessmentAggregate aggregate = Given({Bonus(5), Bonus(-2, 2024, "县农业农村委"), Freeze()}, clock);
  EXPECT_EQ(aggregate.year(), 2024);
  EXPECT_EQ(aggregate.version(), StreamVersion(3));
  EXPECT_EQ(aggregate.frozen_at(), StreamVersion(3));
  ASSERT_EQ(aggregate.adjustments().size(), 2u);
  EXPECT_EQ(aggregate.adjustments()[1].unit, "县农业农村委");
  EXPECT_EQ(aggregate.adjustments()[1].points, -2);
  EXPECT_EQ(aggregate.adjustments()[1].version, StreamVersion(2));
}

Catalog ThreeUnitCatalog() {
  Catalog c;
  c.units = {{"县供销合作社", "department"}, {"县财政局", "department"}, {"县农业农村委", "department"}};
  c.tasks = {TaskSpec{TaskNo(7), "全面推进农业生产合作", "创新农业生产服务方式和手段", "……", "县农业农村委",
                      {"县财政局"}, {}},
             TaskSpec{TaskNo(1), "构建为农服务平台", "组建农合联", "……", "县供销合作社", {}, {}}};
  return c;
}

TEST(AssessedUnits, AreTheUnitsThatLeadOrCooperateOnATaskInCatalogOrder) {
  Catalog catalog = ThreeUnitCatalog();
  catalog.units.push_back({"县教委", "department"});  // in no task
  EXPECT_EQ(AssessedUnits(catalog), (std::vector<std::string>{"县供销合作社", "县财政局", "县农业农村委"}));
}

TEST(NewAssessmentAggregate, TakesTheYearFromTheStreamNameAndAdjustsAnyUnitOfThePlan) {
  const ManualClock clock(China(2026, 1, 5));
  Result<AssessmentAggregate> aggregate =
      NewAssessmentAggregate(ThreeUnitCatalog(), StreamId{"assessment-2025"}, clock);
  ASSERT_TRUE(aggregate.ok()) << aggregate.status().ToString();
  EXPECT_EQ(aggregate->year(), 2025);
  EXPECT_TRUE(aggregate->Decide(kTaskForce, Bonus(1, 2025, "县农业农村委")).ok());
  EXPECT_TRUE(aggregate->Decide(kTaskForce, Bonus(1, 2025, "县财政局")).ok());  // cooperates only
  EXPECT_EQ(aggregate->Decide(kTaskForce, Bonus(1, 2025, "县教委")).subject(), "unit");
  for (const char* name : {"assessment-1999", "assessment-24", "task-07", "assessment-2101"}) {
    EXPECT_EQ(NewAssessmentAggregate(ThreeUnitCatalog(), StreamId{name}, clock).status().code(),
              StatusCode::kNotFound)
        << name;
  }
}

TEST(AssessmentAggregate, ReadsTheYearEndFromTheClockItIsGiven) {
  ManualClock clock(China(2024, 12, 30, 23, 59));
  AssessmentAggregate aggregate = Given({}, clock);
  EXPECT_EQ(aggregate.Decide(kTaskForce, Freeze()).subject(), Id(TaskRule::kYearNotOver));
  clock.Advance(std::chrono::minutes(1));  // 2024-12-31 00:00 China time
  EXPECT_TRUE(aggregate.Decide(kTaskForce, Freeze()).ok());
}

}  // namespace
}  // namespace kuimen
