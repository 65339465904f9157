// A report's period is its valid time: a month that has not begun (China time,
// the clock given to the decision) has no figure yet.
#include <gtest/gtest.h>

#include "domain/calendar.h"
#include "domain/task_aggregate.h"
#include "domain/task_rules.h"
#include "tests/support/behaviour_name.h"

namespace kuimen {
namespace {

using std::chrono::year;

SupervisedItem Task7() {
  Target target{"农业生产社会化服务规模", 78.0, "万亩次", std::nullopt, "", "农业生产社会化服务规模达到78万亩次"};
  return SupervisedItem{StreamId{"task-07"}, {"县农业农村委"}, {"县供销合作社"}, {target}};
}

const Actor kLead{"p-lead", Role::kDepartment, "县农业农村委"};

ProgressReported ReportFor(std::chrono::year_month period) {
  return ProgressReported{period, "完成托管服务12万亩次", 40, {{"农业生产社会化服务规模", 12, "万亩次"}}, {}};
}

// A moment written in China time (UTC+8).
Timestamp China(int y, unsigned m, unsigned d, int hour) {
  return Timestamp(std::chrono::sys_days(year(y) / std::chrono::month(m) / std::chrono::day(d)) +
                   std::chrono::hours(hour - 8));
}

struct PeriodCase {
  const char* behaviour;
  std::chrono::year_month period;
  Timestamp now;
  bool refused;
};
void PrintTo(const PeriodCase& c, std::ostream* os) { *os << c.behaviour; }

class ReportPeriod : public ::testing::TestWithParam<PeriodCase> {};

TEST_P(ReportPeriod, IsRefusedOnlyWhenAfterTheCurrentMonthInChinaTime) {
  const TaskAggregate aggregate(Task7());
  const Status decided = aggregate.Decide(kLead, ReportFor(GetParam().period), GetParam().now);
  if (!GetParam().refused) {
    EXPECT_TRUE(decided.ok()) << decided.ToString();
    return;
  }
  EXPECT_EQ(decided.code(), StatusCode::kInvalidArgument) << decided.ToString();
  EXPECT_EQ(decided.subject(), "period");
  EXPECT_EQ(decided.rule(), "period_in_future");
  EXPECT_NE(decided.message().find("报送期间"), std::string::npos) << decided.message();
}

INSTANTIATE_TEST_SUITE_P(
    Table, ReportPeriod,
    ::testing::Values(
        PeriodCase{"a report for 2027-05 on 2026-12-02 is refused", year(2027) / 5, China(2026, 12, 2, 10), true},
        PeriodCase{"a report for next month is refused", year(2027) / 1, China(2026, 12, 31, 23), true},
        PeriodCase{"a report for the current month is accepted", year(2026) / 12, China(2026, 12, 2, 10), false},
        PeriodCase{"a late report for an earlier month is accepted", year(2026) / 10, China(2026, 12, 2, 10), false},
        // 2026-12-31T17:00Z is 2027-01-01 01:00 in China: January has begun there.
        PeriodCase{"the month is China's: just after midnight of the 1st the new month may be reported",
                   year(2027) / 1, China(2027, 1, 1, 1), false}),
    testing::ByBehaviour());

TEST(ReportPeriod, WithoutAClockNoPeriodIsJudgedToBeInTheFuture) {
  const TaskAggregate aggregate(Task7());
  EXPECT_TRUE(aggregate.Decide(kLead, ReportFor(year(2099) / 1)).ok());
}

TEST(ReportPeriod, RuleIdIsStable) { EXPECT_EQ(RuleId(TaskRule::kPeriodInFuture), "period_in_future"); }

}  // namespace
}  // namespace kuimen
