// 已被替代: a later report by the same unit for the same task and period
// replaces an older unreviewed one, which then cannot be reviewed. Given
// reports (with who sent them) / a review / the outcome.
#include <gtest/gtest.h>

#include "domain/task_aggregate.h"
#include "domain/task_rules.h"

#include "tests/support/behaviour_name.h"

namespace kuimen {
namespace {

using std::chrono::year;

SupervisedItem Task7() {
  Target target{"农业生产社会化服务规模", 78.0, "万亩次", std::nullopt, "", "农业生产社会化服务规模达到78万亩次"};
  return SupervisedItem{StreamId{"task-07"}, {"县农业农村委"}, {"县供销合作社", "各乡镇人民政府、街道办事处"}, {target}};
}

const Actor kLead{"p-lead", Role::kDepartment, "县农业农村委"};
const Actor kLeadColleague{"p-lead-2", Role::kDepartment, "县农业农村委"};
const Actor kTownship{"p-yazd", Role::kDepartment, "永安街道", "各乡镇人民政府、街道办事处"};
const Actor kOtherTownship{"p-kmzd", Role::kDepartment, "夔门街道", "各乡镇人民政府、街道办事处"};
const Actor kTaskForce{"p-tf", Role::kTaskForce, ""};

constexpr auto kNov = year(2024) / std::chrono::November;
constexpr auto kOct = year(2024) / std::chrono::October;

ProgressReported Report(std::chrono::year_month period, double percent = 40) {
  ProgressReported e;
  e.period = period;
  e.summary = "完成托管服务";
  e.percent = percent;
  return e;
}

ReportReviewed Approve(std::uint64_t version) { return ReportReviewed{StreamVersion(version), ReviewDecision::kApproved, ""}; }
ReportReviewed Return(std::uint64_t version) { return ReportReviewed{StreamVersion(version), ReviewDecision::kReturned, "数据不全"}; }

struct Given {
  Actor actor;
  EventData event;
};

struct SupersessionCase {
  const char* behaviour;
  std::vector<Given> given;
  EventData command;         // decided as the task force
  StatusCode code;           // kOk: accepted
  std::string subject;       // the rule id or field named
};

TaskAggregate Fold(const std::vector<Given>& given) {
  TaskAggregate aggregate(Task7());
  std::uint64_t version = 0;
  for (const Given& g : given) aggregate.Apply(StreamVersion(++version), g.event, g.actor);
  return aggregate;
}

class ReportSupersession : public ::testing::TestWithParam<SupersessionCase> {};

TEST_P(ReportSupersession, DecidesTheReviewAsTheTableSays) {
  const SupersessionCase& c = GetParam();
  Status status = Fold(c.given).Decide(kTaskForce, c.command);
  EXPECT_EQ(status.code(), c.code) << status.ToString();
  EXPECT_EQ(status.subject(), c.subject) << status.ToString();
}

const std::string kSuperseded(RuleId(TaskRule::kReportSuperseded));
const std::string kAlreadyReviewed(RuleId(TaskRule::kReportAlreadyReviewed));

INSTANTIATE_TEST_SUITE_P(
    Table, ReportSupersession,
    ::testing::Values(
        SupersessionCase{"a report replaced by its units later one for the same period is not reviewed",
                         {{kLead, Report(kNov, 30)}, {kLead, Report(kNov, 35)}}, Approve(1),
                         StatusCode::kFailedPrecondition, kSuperseded},
        SupersessionCase{"returning a replaced report is refused too",
                         {{kLead, Report(kNov, 30)}, {kLead, Report(kNov, 35)}}, Return(1),
                         StatusCode::kFailedPrecondition, kSuperseded},
        SupersessionCase{"the replacing report is reviewed",
                         {{kLead, Report(kNov, 30)}, {kLead, Report(kNov, 35)}}, Approve(2), StatusCode::kOk, ""},
        SupersessionCase{"another principal of the same unit replaces it as well",
                         {{kLead, Report(kNov, 30)}, {kLeadColleague, Report(kNov, 35)}}, Approve(1),
                         StatusCode::kFailedPrecondition, kSuperseded},
        SupersessionCase{"a townships report never replaces the leads",
                         {{kLead, Report(kNov, 30)}, {kTownship, Report(kNov, 2)}}, Approve(1), StatusCode::kOk, ""},
        SupersessionCase{"the leads report never replaces a townships",
                         {{kTownship, Report(kNov, 2)}, {kLead, Report(kNov, 30)}}, Approve(1), StatusCode::kOk, ""},
        SupersessionCase{"one township never replaces another",
                         {{kTownship, Report(kNov, 2)}, {kOtherTownship, Report(kNov, 3)}}, Approve(1), StatusCode::kOk,
                         ""},
        SupersessionCase{"a report for another period replaces nothing",
                         {{kLead, Report(kOct, 20)}, {kLead, Report(kNov, 30)}}, Approve(1), StatusCode::kOk, ""},
        SupersessionCase{"a reviewed report is not replaced: a second review is refused as already reviewed",
                         {{kLead, Report(kNov, 30)}, {kTaskForce, Return(1)}, {kLead, Report(kNov, 35)}}, Approve(1),
                         StatusCode::kFailedPrecondition, kAlreadyReviewed},
        SupersessionCase{"a resubmission after a return is reviewed",
                         {{kLead, Report(kNov, 30)}, {kTaskForce, Return(1)}, {kLead, Report(kNov, 35)}}, Approve(3),
                         StatusCode::kOk, ""},
        SupersessionCase{"a third report replaces the second, and the second cannot be reviewed",
                         {{kLead, Report(kNov, 30)}, {kLead, Report(kNov, 35)}, {kLead, Report(kNov, 40)}}, Approve(2),
                         StatusCode::kFailedPrecondition, kSuperseded}),
    testing::ByBehaviour());

TEST(ReportSupersession, RefusalIsWrittenForAClerk) {
  TaskAggregate aggregate = Fold({{kLead, Report(kNov, 30)}, {kLead, Report(kNov, 35)}});
  Status status = aggregate.Decide(kTaskForce, Approve(1));
  EXPECT_EQ(status.message(), "该报告已被新的报告替代，请审核最新报告");
}

TEST(ReportSupersession, ReplacedReportRecordsItsSuccessorAndLeavesReviewPending) {
  TaskAggregate aggregate = Fold({{kLead, Report(kNov, 30)}, {kLead, Report(kNov, 35)}});
  ASSERT_NE(aggregate.FindReport(StreamVersion(1)), nullptr);
  EXPECT_EQ(aggregate.FindReport(StreamVersion(1))->superseded_by, StreamVersion(2));
  EXPECT_EQ(aggregate.FindReport(StreamVersion(2))->superseded_by, std::nullopt);
  EXPECT_EQ(aggregate.status(), TaskStatus::kPendingReview);
}

TEST(ReportSupersession, ItemIsNoLongerPendingOnceTheReplacingReportIsApproved) {
  TaskAggregate aggregate = Fold({{kLead, Report(kNov, 30)}, {kLead, Report(kNov, 35)}, {kTaskForce, Approve(2)}});
  EXPECT_EQ(aggregate.status(), TaskStatus::kInProgress);
}

TEST(ReportSupersession, AReviewStoredBeforeTheRuleStillCounts) {
  // A store written before the rule may hold a review of a report that a later
  // one replaced: replay keeps the decision, and a second review is refused.
  TaskAggregate aggregate = Fold({{kLead, Report(kNov, 30)}, {kLead, Report(kNov, 35)}, {kTaskForce, Approve(1)}});
  EXPECT_EQ(aggregate.FindReport(StreamVersion(1))->decision, ReviewDecision::kApproved);
  EXPECT_EQ(aggregate.Decide(kTaskForce, Approve(1)).subject(), kAlreadyReviewed);
}

}  // namespace
}  // namespace kuimen
