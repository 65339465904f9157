// Milestones (时限) in the task aggregate: who may set, move, mark met and
// cancel them, and which changes a milestone's state refuses. Given events,
// a command, the exact outcome.
#include <gtest/gtest.h>

#include "domain/task_aggregate.h"
#include "domain/task_rules.h"
#include "tests/support/behaviour_name.h"

namespace kuimen {
namespace {

using std::chrono::year;
using namespace std::chrono_literals;

// Task 7 of the Fengjie plan: lead 县农业农村委, cooperating 县供销合作社.
SupervisedItem Task7() {
  Target target{"农业生产社会化服务规模", 78.0, "万亩次", std::nullopt, "", "农业生产社会化服务规模达到78万亩次"};
  return SupervisedItem{StreamId{"task-07"}, {"县农业农村委"}, {"县供销合作社"}, {target}};
}

const Actor kLead{"p-lead", Role::kDepartment, "县农业农村委"};
const Actor kCooperating{"p-coop", Role::kDepartment, "县供销合作社"};
const Actor kTaskForce{"p-tf", Role::kTaskForce, ""};
const Actor kAuditor{"p-audit", Role::kAuditor, ""};

const std::string kFirst = "首期托管";

DeadlineSet Set(std::chrono::year_month_day due, std::string reason = "") {
  return DeadlineSet{kFirst, due, std::move(reason)};
}
DeadlineSet SetNov30() { return Set(year(2024) / std::chrono::November / 30d); }

ProgressReported ReportMeeting(std::vector<std::string> milestones) {
  ProgressReported e;
  e.period = year(2024) / std::chrono::November;
  e.summary = "完成首期托管服务";
  e.percent = 30;
  e.milestones_met = std::move(milestones);
  return e;
}

ReportReviewed Review(std::uint64_t version, ReviewDecision decision) {
  return ReportReviewed{StreamVersion(version), decision, decision == ReviewDecision::kReturned ? "佐证不足" : ""};
}

TaskAggregate Given(const std::vector<EventData>& events) {
  TaskAggregate aggregate(Task7());
  std::uint64_t version = 0;
  for (const EventData& event : events) aggregate.Apply(StreamVersion(++version), event);
  return aggregate;
}

std::string Id(TaskRule rule) { return std::string(RuleId(rule)); }

struct MilestoneCase {
  const char* behaviour;
  std::vector<EventData> given;
  Actor actor;
  EventData command;
  StatusCode code;       // kOk: accepted
  std::string subject;   // the rule id, or the field for kInvalidArgument
  std::string rule = {};  // for kInvalidArgument refused by a named rule
};
void PrintTo(const MilestoneCase& c, std::ostream* os) { *os << c.behaviour; }

class MilestoneRules : public ::testing::TestWithParam<MilestoneCase> {};

TEST_P(MilestoneRules, DecideAsTheTableSays) {
  const MilestoneCase& c = GetParam();
  Status status = Given(c.given).Decide(c.actor, c.command);
  EXPECT_EQ(status.code(), c.code) << status.ToString();
  EXPECT_EQ(status.subject(), c.subject) << status.ToString();
  if (!c.rule.empty()) {
    EXPECT_EQ(status.rule(), c.rule) << status.ToString();
  }
}

const auto kMet = ReviewDecision::kApproved;

INSTANTIATE_TEST_SUITE_P(
    Table, MilestoneRules,
    ::testing::Values(
        // Setting and moving.
        MilestoneCase{"a new milestone needs no reason", {}, kTaskForce, SetNov30(), StatusCode::kOk, ""},
        MilestoneCase{"moving a milestone with a reason is accepted", {SetNov30()}, kTaskForce,
                      Set(year(2025) / std::chrono::January / 31d, "汛期顺延"), StatusCode::kOk, ""},
        MilestoneCase{"moving a milestone without a reason is refused", {SetNov30()}, kTaskForce,
                      Set(year(2025) / std::chrono::January / 31d), StatusCode::kInvalidArgument, "reason",
                      Id(TaskRule::kMilestoneReasonRequired)},
        MilestoneCase{"a blank reason is no reason", {SetNov30()}, kTaskForce,
                      Set(year(2025) / std::chrono::January / 31d, " \n"), StatusCode::kInvalidArgument, "reason",
                      Id(TaskRule::kMilestoneReasonRequired)},
        MilestoneCase{"a met milestone is not moved", {SetNov30(), MilestoneMet{kFirst, ""}}, kTaskForce,
                      Set(year(2025) / std::chrono::January / 31d, "顺延"), StatusCode::kFailedPrecondition,
                      Id(TaskRule::kMilestoneAlreadyMet)},
        MilestoneCase{"a cancelled milestone is not moved", {SetNov30(), MilestoneCancelled{kFirst, "不再单列"}},
                      kTaskForce, Set(year(2025) / std::chrono::January / 31d, "顺延"),
                      StatusCode::kFailedPrecondition, Id(TaskRule::kMilestoneCancelled)},
        MilestoneCase{"a department may not move a milestone", {SetNov30()}, kLead,
                      Set(year(2025) / std::chrono::January / 31d, "顺延"), StatusCode::kPermissionDenied,
                      Id(TaskRule::kTaskForceOnly)},
        // Marking met.
        MilestoneCase{"the task force marks a milestone met", {SetNov30()}, kTaskForce, MilestoneMet{kFirst, "现场核查"},
                      StatusCode::kOk, ""},
        MilestoneCase{"a department may not mark a milestone met", {SetNov30()}, kLead, MilestoneMet{kFirst, ""},
                      StatusCode::kPermissionDenied, Id(TaskRule::kTaskForceOnly)},
        MilestoneCase{"an auditor may not mark a milestone met", {SetNov30()}, kAuditor, MilestoneMet{kFirst, ""},
                      StatusCode::kPermissionDenied, Id(TaskRule::kAuditorReadOnly)},
        MilestoneCase{"marking an unknown milestone is refused", {SetNov30()}, kTaskForce, MilestoneMet{"年度目标", ""},
                      StatusCode::kInvalidArgument, "milestone", Id(TaskRule::kUnknownMilestone)},
        MilestoneCase{"a milestone is met once", {SetNov30(), MilestoneMet{kFirst, ""}}, kTaskForce,
                      MilestoneMet{kFirst, ""}, StatusCode::kFailedPrecondition, Id(TaskRule::kMilestoneAlreadyMet)},
        MilestoneCase{"an approved report has met it already",
                      {SetNov30(), ReportMeeting({kFirst}), Review(2, kMet)}, kTaskForce, MilestoneMet{kFirst, ""},
                      StatusCode::kFailedPrecondition, Id(TaskRule::kMilestoneAlreadyMet)},
        MilestoneCase{"a returned report met nothing",
                      {SetNov30(), ReportMeeting({kFirst}), Review(2, ReviewDecision::kReturned)}, kTaskForce,
                      MilestoneMet{kFirst, ""}, StatusCode::kOk, ""},
        MilestoneCase{"a report awaiting review met nothing yet", {SetNov30(), ReportMeeting({kFirst})}, kTaskForce,
                      MilestoneCancelled{kFirst, "并入年度目标"}, StatusCode::kOk, ""},
        // Cancelling.
        MilestoneCase{"the task force cancels a milestone with a reason", {SetNov30()}, kTaskForce,
                      MilestoneCancelled{kFirst, "并入年度目标"}, StatusCode::kOk, ""},
        MilestoneCase{"cancelling needs a reason", {SetNov30()}, kTaskForce, MilestoneCancelled{kFirst, ""},
                      StatusCode::kInvalidArgument, "reason"},
        MilestoneCase{"a department may not cancel a milestone", {SetNov30()}, kCooperating,
                      MilestoneCancelled{kFirst, "不需要"}, StatusCode::kPermissionDenied, Id(TaskRule::kTaskForceOnly)},
        MilestoneCase{"cancelling an unknown milestone is refused", {}, kTaskForce, MilestoneCancelled{kFirst, "不需要"},
                      StatusCode::kInvalidArgument, "milestone", Id(TaskRule::kUnknownMilestone)},
        MilestoneCase{"a cancelled milestone is not cancelled again",
                      {SetNov30(), MilestoneCancelled{kFirst, "不需要"}}, kTaskForce, MilestoneCancelled{kFirst, "再次"},
                      StatusCode::kFailedPrecondition, Id(TaskRule::kMilestoneCancelled)},
        MilestoneCase{"a cancelled milestone is not met", {SetNov30(), MilestoneCancelled{kFirst, "不需要"}},
                      kTaskForce, MilestoneMet{kFirst, ""}, StatusCode::kFailedPrecondition,
                      Id(TaskRule::kMilestoneCancelled)},
        // A report naming milestones.
        MilestoneCase{"a report may say it meets a milestone", {SetNov30()}, kLead, ReportMeeting({kFirst}),
                      StatusCode::kOk, ""},
        MilestoneCase{"a cooperating unit's report may say so too", {SetNov30()}, kCooperating,
                      ReportMeeting({kFirst}), StatusCode::kOk, ""},
        MilestoneCase{"a report naming an unknown milestone is refused, naming the entry", {SetNov30()}, kLead,
                      ReportMeeting({kFirst, "年度目标"}), StatusCode::kInvalidArgument, "milestones_met[1]",
                      Id(TaskRule::kUnknownMilestone)},
        MilestoneCase{"a report may not meet a met milestone", {SetNov30(), MilestoneMet{kFirst, ""}}, kLead,
                      ReportMeeting({kFirst}), StatusCode::kFailedPrecondition, Id(TaskRule::kMilestoneAlreadyMet)},
        MilestoneCase{"a report may not meet a cancelled milestone",
                      {SetNov30(), MilestoneCancelled{kFirst, "不需要"}}, kLead, ReportMeeting({kFirst}),
                      StatusCode::kFailedPrecondition, Id(TaskRule::kMilestoneCancelled)},
        MilestoneCase{"a report may not name a milestone twice", {SetNov30()}, kLead, ReportMeeting({kFirst, kFirst}),
                      StatusCode::kInvalidArgument, "milestones_met[1]"},
        MilestoneCase{"approving a report whose milestone was cancelled meanwhile is accepted",
                      {SetNov30(), ReportMeeting({kFirst}), MilestoneCancelled{kFirst, "不需要"}}, kTaskForce,
                      Review(2, kMet), StatusCode::kOk, ""}),
    testing::ByBehaviour());

TEST(MilestoneRules, RefusalsSpeakToTheClerkInChinese) {
  const TaskAggregate given = Given({SetNov30(), MilestoneMet{kFirst, ""}});
  EXPECT_EQ(given.Decide(kTaskForce, MilestoneMet{kFirst, ""}).message(),
            "时限“首期托管”已完成，不能再调整、取消或重复确认完成");
  EXPECT_EQ(Given({SetNov30()}).Decide(kTaskForce, Set(year(2025) / std::chrono::January / 31d)).message(),
            "调整时限“首期托管”（原定2024-11-30）须说明理由");
  EXPECT_EQ(Given({}).Decide(kTaskForce, MilestoneMet{kFirst, ""}).message(),
            "本事项没有名为“首期托管”的时限，请先由工作专班设定");
}

TEST(MilestoneRules, AnApprovedReportMeetsWhatItNamesAndAReturnedOneNothing) {
  const std::vector<EventData> reported = {SetNov30(), DeadlineSet{"年度目标", year(2024) / std::chrono::December / 31d},
                                           ReportMeeting({kFirst})};
  std::vector<EventData> approved = reported, returned = reported;
  approved.push_back(Review(3, kMet));
  returned.push_back(Review(3, ReviewDecision::kReturned));
  EXPECT_TRUE(Given(approved).FindMilestone(kFirst)->met);
  EXPECT_FALSE(Given(approved).FindMilestone("年度目标")->met);
  EXPECT_FALSE(Given(returned).FindMilestone(kFirst)->met);
}

}  // namespace
}  // namespace kuimen
