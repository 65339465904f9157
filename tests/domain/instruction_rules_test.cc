// 领导批示: who may write an InstructionGiven, where, with what text; and that a
// county leader (Role::kLeader) writes nothing else, on any stream. Given
// events, a command, the exact outcome.
#include <gtest/gtest.h>

#include "domain/assessment_aggregate.h"
#include "domain/principal_directory.h"
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

const Actor kLeader{"p-leader", Role::kLeader, ""};
const Actor kLead{"p-lead", Role::kDepartment, "县农业农村委"};
const Actor kTaskForce{"p-tf", Role::kTaskForce, ""};
const Actor kAuditor{"p-audit", Role::kAuditor, ""};

const NoticeIssued kNotice{"DB-7", "进度滞后于序时", year(2024) / std::chrono::December / 20d, "奉三位一体督〔2024〕1号"};

InstructionGiven Instruction(std::string text = "请县农业农村委月底前拿出整改方案。\n专班跟踪督办。",
                             std::string notice = "") {
  return InstructionGiven{std::move(text), std::move(notice), "县委副书记 李四"};
}

ProgressReported Report() {
  ProgressReported e;
  e.period = year(2024) / std::chrono::November;
  e.summary = "完成首期托管服务";
  e.percent = 30;
  return e;
}

TaskAggregate Given(const std::vector<EventData>& events) {
  TaskAggregate aggregate(Task7());
  std::uint64_t version = 0;
  for (const EventData& event : events) aggregate.Apply(StreamVersion(++version), event);
  return aggregate;
}

std::string Id(TaskRule rule) { return std::string(RuleId(rule)); }

struct InstructionCase {
  const char* behaviour;
  std::vector<EventData> given;
  Actor actor;
  EventData command;
  StatusCode code;      // kOk: accepted
  std::string subject;  // the rule id, or the field for kInvalidArgument
};
void PrintTo(const InstructionCase& c, std::ostream* os) { *os << c.behaviour; }

class InstructionRules : public ::testing::TestWithParam<InstructionCase> {};

TEST_P(InstructionRules, DecideAsTheTableSays) {
  const InstructionCase& c = GetParam();
  Status status = Given(c.given).Decide(c.actor, c.command);
  EXPECT_EQ(status.code(), c.code) << status.ToString();
  EXPECT_EQ(status.subject(), c.subject) << status.ToString();
  if (!status.ok()) {
    EXPECT_FALSE(status.message().empty());
  }
}

INSTANTIATE_TEST_SUITE_P(
    Table, InstructionRules,
    ::testing::Values(
        // Who may.
        InstructionCase{"a leader writes a 批示 on the item", {}, kLeader, Instruction(), StatusCode::kOk, ""},
        InstructionCase{"a leader writes a 批示 on an open notice", {kNotice}, kLeader, Instruction("抓紧整改", "DB-7"),
                        StatusCode::kOk, ""},
        InstructionCase{"a leader writes a 批示 on a closed notice", {kNotice, NoticeClosed{"DB-7", "", "逾期未反馈"}},
                        kLeader, Instruction("追责问效", "DB-7"), StatusCode::kOk, ""},
        InstructionCase{"a 批示 on a completed task is accepted", {TaskCompleted{"全年目标已完成"}}, kLeader,
                        Instruction(), StatusCode::kOk, ""},
        InstructionCase{"the task force may not write a 批示", {}, kTaskForce, Instruction(),
                        StatusCode::kPermissionDenied, Id(TaskRule::kLeaderOnly)},
        InstructionCase{"a responsible unit may not write a 批示", {}, kLead, Instruction(),
                        StatusCode::kPermissionDenied, Id(TaskRule::kLeaderOnly)},
        InstructionCase{"an auditor may not write a 批示", {}, kAuditor, Instruction(), StatusCode::kPermissionDenied,
                        Id(TaskRule::kAuditorReadOnly)},
        // What it says.
        InstructionCase{"a 批示 on a notice the item does not have is refused", {}, kLeader,
                        Instruction("抓紧整改", "DB-9"), StatusCode::kInvalidArgument, "notice_id"},
        InstructionCase{"a 批示 needs its text", {}, kLeader, Instruction(" \n "), StatusCode::kInvalidArgument,
                        "text"},
        InstructionCase{"a 批示 with a control character other than a newline is refused", {}, kLeader,
                        Instruction("抓紧\x07整改"), StatusCode::kInvalidArgument, "text"},
        InstructionCase{"a 批示 of more than 4000 characters is refused", {}, kLeader,
                        Instruction(std::string(4001, 'a')), StatusCode::kInvalidArgument, "text"},
        InstructionCase{"a 批示 of 4000 characters with newlines is accepted", {}, kLeader,
                        Instruction(std::string(3999, 'a') + "\n"), StatusCode::kOk, ""},
        // A leader writes nothing else.
        InstructionCase{"a leader may not report progress", {}, kLeader, Report(), StatusCode::kPermissionDenied,
                        Id(TaskRule::kLeaderInstructionsOnly)},
        InstructionCase{"a leader may not review a report", {Report()}, kLeader,
                        ReportReviewed{StreamVersion(1), ReviewDecision::kApproved, ""},
                        StatusCode::kPermissionDenied, Id(TaskRule::kLeaderInstructionsOnly)},
        InstructionCase{"a leader may not issue a notice", {}, kLeader, kNotice, StatusCode::kPermissionDenied,
                        Id(TaskRule::kLeaderInstructionsOnly)},
        InstructionCase{"a leader may not answer a notice", {kNotice}, kLeader, NoticeAnswered{"DB-7", "已整改"},
                        StatusCode::kPermissionDenied, Id(TaskRule::kLeaderInstructionsOnly)},
        InstructionCase{"a leader may not set a deadline", {}, kLeader,
                        DeadlineSet{"首期托管", year(2024) / std::chrono::November / 30d},
                        StatusCode::kPermissionDenied, Id(TaskRule::kLeaderInstructionsOnly)},
        InstructionCase{"a leader may not complete a task", {}, kLeader, TaskCompleted{"完成"},
                        StatusCode::kPermissionDenied, Id(TaskRule::kLeaderInstructionsOnly)}),
    testing::ByBehaviour());

TEST(LeaderRole, WritesNoAssessmentAdjustmentNorFreeze) {
  const ManualClock clock(Timestamp(std::chrono::sys_days(year(2025) / std::chrono::January / 5d)));
  const AssessmentAggregate aggregate(2024, {"县农业农村委"}, clock);
  EXPECT_EQ(aggregate.Decide(kLeader, AssessmentAdjusted{"县农业农村委", 2024, 2, "成效突出"}).subject(),
            Id(TaskRule::kLeaderInstructionsOnly));
  EXPECT_EQ(aggregate.Decide(kLeader, YearFrozen{2024, ""}).subject(), Id(TaskRule::kLeaderInstructionsOnly));
  EXPECT_EQ(aggregate.Decide(kTaskForce, AssessmentAdjusted{"县农业农村委", 2024, 2, "成效突出"}).code(),
            StatusCode::kOk);
}

TEST(LeaderRole, RegistersNoPrincipalNorTownship) {
  PrincipalDirectory directory({"县农业农村委"}, {"县农业农村委"});
  const Status status = directory.Decide(kLeader, PrincipalRegistered{"p-9", "王五", Role::kAuditor, "",
                                                                      std::string(64, 'a')});
  EXPECT_EQ(status.code(), StatusCode::kPermissionDenied);
  EXPECT_EQ(status.subject(), Id(TaskRule::kLeaderInstructionsOnly));
  EXPECT_EQ(directory.Decide(kLeader, TownshipRegistered{"永安街道"}).subject(), Id(TaskRule::kLeaderInstructionsOnly));
}

TEST(LeaderRole, IsRegisteredByTheTaskForceLikeAnyOtherRole) {
  PrincipalDirectory directory({"县农业农村委"}, {"县农业农村委"});
  EXPECT_TRUE(directory.Decide(kTaskForce, PrincipalRegistered{"p-9", "县委副书记 李四", Role::kLeader, "",
                                                                std::string(64, 'a')})
                  .ok());
  EXPECT_EQ(RoleName(Role::kLeader), "leader");
  EXPECT_EQ(RoleFromName("leader"), Role::kLeader);
}

}  // namespace
}  // namespace kuimen
