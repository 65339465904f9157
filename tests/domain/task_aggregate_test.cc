// The task aggregate's rules as given-events / command / expected-outcome tables.
#include "domain/task_aggregate.h"

#include <gtest/gtest.h>

#include "domain/task_rules.h"

#include "tests/support/behaviour_name.h"

namespace kuimen {
namespace {

using std::chrono::year;
using std::chrono::year_month_day;
using namespace std::chrono_literals;

// Task 7 of the Fengjie plan: lead 县农业农村委, cooperating 县供销合作社.
SupervisedItem Task7() {
  Target target{"农业生产社会化服务规模", 78.0, "万亩次", std::nullopt, "", "农业生产社会化服务规模达到78万亩次"};
  return SupervisedItem{StreamId{"task-07"}, {"县农业农村委"}, {"县供销合作社", "各乡镇人民政府、街道办事处"}, {target}};
}

const Actor kLead{"p-lead", Role::kDepartment, "县农业农村委"};
const Actor kCooperating{"p-coop", Role::kDepartment, "县供销合作社"};
const Actor kUnrelated{"p-other", Role::kDepartment, "县商务委"};
const Actor kTaskForce{"p-tf", Role::kTaskForce, ""};
const Actor kAuditor{"p-audit", Role::kAuditor, ""};
// A township the task force registered acts for the plan's township group.
const Actor kTownship{"p-yazd", Role::kDepartment, "永安街道", "各乡镇人民政府、街道办事处"};
const Actor kBank{"p-bank", Role::kDepartment, "某农商行", "各银行机构"};

ProgressReported Report(double percent = 40) {
  ProgressReported e;
  e.period = year(2024) / std::chrono::November;
  e.summary = "完成托管服务12万亩次";
  e.percent = percent;
  e.indicators = {{"农业生产社会化服务规模", 12, "万亩次"}};
  return e;
}

ReportReviewed Review(std::uint64_t version, ReviewDecision decision) {
  return ReportReviewed{StreamVersion(version), decision, decision == ReviewDecision::kReturned ? "数据不全" : ""};
}

NoticeIssued Notice(const std::string& id) {
  return NoticeIssued{id, "进度滞后", year(2024) / std::chrono::December / 31d, ""};
}

TaskAggregate Given(const std::vector<EventData>& events) {
  TaskAggregate aggregate(Task7());
  std::uint64_t version = 0;
  for (const EventData& event : events) aggregate.Apply(StreamVersion(++version), event);
  return aggregate;
}

struct RuleCase {
  const char* behaviour;
  std::vector<EventData> given;
  Actor actor;
  EventData command;
  StatusCode code;          // kOk: accepted
  std::string subject;      // the rule id or field named
};

class TaskAggregateRules : public ::testing::TestWithParam<RuleCase> {};

TEST_P(TaskAggregateRules, DecidesAsTheTableSays) {
  const RuleCase& c = GetParam();
  Status status = Given(c.given).Decide(c.actor, c.command);
  EXPECT_EQ(status.code(), c.code) << status.ToString();
  EXPECT_EQ(status.subject(), c.subject) << status.ToString();
}

std::string Id(TaskRule rule) { return std::string(RuleId(rule)); }

INSTANTIATE_TEST_SUITE_P(
    Table, TaskAggregateRules,
    ::testing::Values(
        RuleCase{"lead unit reports", {}, kLead, Report(), StatusCode::kOk, ""},
        RuleCase{"cooperating unit reports", {}, kCooperating, Report(), StatusCode::kOk, ""},
        RuleCase{"unrelated unit may not report", {}, kUnrelated, Report(), StatusCode::kPermissionDenied,
                 Id(TaskRule::kUnitNotInvolved)},
        RuleCase{"task force does not report", {}, kTaskForce, Report(), StatusCode::kPermissionDenied,
                 Id(TaskRule::kDepartmentOnly)},
        RuleCase{"auditor writes nothing", {}, kAuditor, Report(), StatusCode::kPermissionDenied,
                 Id(TaskRule::kAuditorReadOnly)},
        RuleCase{"township reports on a task its group cooperates on", {}, kTownship, Report(), StatusCode::kOk, ""},
        RuleCase{"a group not on the task does not let its member report", {}, kBank, Report(),
                 StatusCode::kPermissionDenied, Id(TaskRule::kUnitNotInvolved)},
        RuleCase{"township answers a notice on its group's task", {Notice("DB-2024-001")}, kTownship,
                 NoticeAnswered{"DB-2024-001", "已整改"}, StatusCode::kOk, ""},
        RuleCase{"indicator unit must match the target's", {}, kLead,
                 [] { auto e = Report(); e.indicators[0].unit = "亩"; return e; }(),
                 StatusCode::kInvalidArgument, "indicators[0].unit"},
        RuleCase{"indicator must be a target of the task", {}, kLead,
                 [] { auto e = Report(); e.indicators[0].indicator = "信贷资金"; return e; }(),
                 StatusCode::kInvalidArgument, "indicators[0].indicator"},
        RuleCase{"percent over 100 is refused", {}, kLead, Report(120), StatusCode::kInvalidArgument, "percent"},
        RuleCase{"completed task takes no report", {TaskCompleted{"全部完成"}}, kLead, Report(),
                 StatusCode::kFailedPrecondition, Id(TaskRule::kTaskCompleted)},
        RuleCase{"reopened task takes reports again", {TaskCompleted{"全部完成"}, TaskReopened{"数据有误"}}, kLead,
                 Report(), StatusCode::kOk, ""},
        RuleCase{"department may not set deadlines", {}, kLead,
                 DeadlineSet{"年底完成", year(2024) / std::chrono::December / 31d}, StatusCode::kPermissionDenied,
                 Id(TaskRule::kTaskForceOnly)},
        RuleCase{"task force sets deadlines", {}, kTaskForce,
                 DeadlineSet{"年底完成", year(2024) / std::chrono::December / 31d}, StatusCode::kOk, ""},
        RuleCase{"task force reviews a pending report", {Report()}, kTaskForce,
                 Review(1, ReviewDecision::kApproved), StatusCode::kOk, ""},
        RuleCase{"a report is reviewed once", {Report(), Review(1, ReviewDecision::kApproved)}, kTaskForce,
                 Review(1, ReviewDecision::kReturned), StatusCode::kFailedPrecondition,
                 Id(TaskRule::kReportAlreadyReviewed)},
        RuleCase{"review must name a report", {DeadlineSet{"年底", year(2024) / std::chrono::December / 1d}},
                 kTaskForce, Review(1, ReviewDecision::kApproved), StatusCode::kInvalidArgument, "report_version"},
        RuleCase{"a returned report needs a reason", {Report()}, kTaskForce,
                 ReportReviewed{StreamVersion(1), ReviewDecision::kReturned, ""}, StatusCode::kInvalidArgument,
                 "comment"},
        RuleCase{"department may not review", {Report()}, kLead, Review(1, ReviewDecision::kApproved),
                 StatusCode::kPermissionDenied, Id(TaskRule::kTaskForceOnly)},
        RuleCase{"task force issues a notice", {}, kTaskForce, Notice("DB-2024-001"), StatusCode::kOk, ""},
        RuleCase{"notice ids are unique", {Notice("DB-2024-001")}, kTaskForce, Notice("DB-2024-001"),
                 StatusCode::kFailedPrecondition, Id(TaskRule::kNoticeIdTaken)},
        RuleCase{"responsible unit answers a notice", {Notice("DB-2024-001")}, kLead,
                 NoticeAnswered{"DB-2024-001", "已整改"}, StatusCode::kOk, ""},
        RuleCase{"unrelated unit may not answer", {Notice("DB-2024-001")}, kUnrelated,
                 NoticeAnswered{"DB-2024-001", "已整改"}, StatusCode::kPermissionDenied,
                 Id(TaskRule::kUnitNotInvolved)},
        RuleCase{"answer must name an existing notice", {}, kLead, NoticeAnswered{"DB-9", "已整改"},
                 StatusCode::kInvalidArgument, "notice_id"},
        RuleCase{"closed notice takes no answer", {Notice("DB-1"), NoticeClosed{"DB-1", "销号", "未反馈"}}, kLead,
                 NoticeAnswered{"DB-1", "已整改"}, StatusCode::kFailedPrecondition, Id(TaskRule::kNoticeClosed)},
        RuleCase{"department may not close a notice", {Notice("DB-1")}, kLead, NoticeClosed{"DB-1", "", ""},
                 StatusCode::kPermissionDenied, Id(TaskRule::kTaskForceOnly)},
        RuleCase{"task force closes an answered notice", {Notice("DB-1"), NoticeAnswered{"DB-1", "已整改"}},
                 kTaskForce, NoticeClosed{"DB-1", "销号", ""}, StatusCode::kOk, ""},
        RuleCase{"closing an unanswered notice without a reason is refused", {Notice("DB-1")}, kTaskForce,
                 NoticeClosed{"DB-1", "销号", ""}, StatusCode::kFailedPrecondition, Id(TaskRule::kNoticeUnanswered)},
        RuleCase{"closing an unanswered notice with a reason is 未整改销号", {Notice("DB-1")}, kTaskForce,
                 NoticeClosed{"DB-1", "", "单位已撤并，事项转交"}, StatusCode::kOk, ""},
        RuleCase{"an answered notice takes no unanswered reason", {Notice("DB-1"), NoticeAnswered{"DB-1", "已整改"}},
                 kTaskForce, NoticeClosed{"DB-1", "", "未整改"}, StatusCode::kInvalidArgument, "unanswered_reason"},
        RuleCase{"responsible unit signs for a notice", {Notice("DB-1")}, kLead, NoticeSigned{"DB-1"},
                 StatusCode::kOk, ""},
        RuleCase{"cooperating unit signs for a notice", {Notice("DB-1")}, kCooperating, NoticeSigned{"DB-1"},
                 StatusCode::kOk, ""},
        RuleCase{"a notice is signed for once", {Notice("DB-1"), NoticeSigned{"DB-1"}}, kLead, NoticeSigned{"DB-1"},
                 StatusCode::kFailedPrecondition, Id(TaskRule::kNoticeAlreadySigned)},
        RuleCase{"unrelated unit may not sign", {Notice("DB-1")}, kUnrelated, NoticeSigned{"DB-1"},
                 StatusCode::kPermissionDenied, Id(TaskRule::kUnitNotInvolved)},
        RuleCase{"task force does not sign for its own notice", {Notice("DB-1")}, kTaskForce, NoticeSigned{"DB-1"},
                 StatusCode::kPermissionDenied, Id(TaskRule::kDepartmentOnly)},
        RuleCase{"signing names an existing notice", {}, kLead, NoticeSigned{"DB-9"}, StatusCode::kInvalidArgument,
                 "notice_id"},
        RuleCase{"a closed notice takes no signature",
                 {Notice("DB-1"), NoticeAnswered{"DB-1", "已整改"}, NoticeClosed{"DB-1", "销号", ""}}, kLead,
                 NoticeSigned{"DB-1"}, StatusCode::kFailedPrecondition, Id(TaskRule::kNoticeClosed)},
        RuleCase{"department may not complete", {}, kLead, TaskCompleted{"完成"}, StatusCode::kPermissionDenied,
                 Id(TaskRule::kTaskForceOnly)},
        RuleCase{"completed task cannot complete again", {TaskCompleted{"完成"}}, kTaskForce,
                 TaskCompleted{"完成"}, StatusCode::kFailedPrecondition, Id(TaskRule::kTaskCompleted)},
        RuleCase{"only a completed task reopens", {}, kTaskForce, TaskReopened{"复核"},
                 StatusCode::kFailedPrecondition, Id(TaskRule::kTaskNotCompleted)},
        RuleCase{"an adjustment belongs on an assessment stream", {}, kTaskForce,
                 AssessmentAdjusted{"县农业农村委", 2024, 5, "成效突出"}, StatusCode::kInvalidArgument, "type"},
        RuleCase{"a freeze belongs on an assessment stream", {}, kTaskForce, YearFrozen{2024, ""},
                 StatusCode::kInvalidArgument, "type"},
        RuleCase{"a township belongs on the principals stream", {}, kTaskForce, TownshipRegistered{"永安街道"},
                 StatusCode::kInvalidArgument, "type"}),
    testing::ByBehaviour());

struct StatusCase {
  const char* behaviour;
  std::vector<EventData> given;
  TaskStatus expected;
};

class TaskAggregateStatus : public ::testing::TestWithParam<StatusCase> {};

TEST_P(TaskAggregateStatus, FollowsTheEvents) {
  EXPECT_EQ(Given(GetParam().given).status(), GetParam().expected) << GetParam().behaviour;
}

INSTANTIATE_TEST_SUITE_P(
    Table, TaskAggregateStatus,
    ::testing::Values(
        StatusCase{"nothing yet", {}, TaskStatus::kNotStarted},
        StatusCase{"a deadline alone does not start it",
                   {DeadlineSet{"年底", year(2024) / std::chrono::December / 1d}}, TaskStatus::kNotStarted},
        StatusCase{"a report awaits review", {Report()}, TaskStatus::kPendingReview},
        StatusCase{"approved report", {Report(), Review(1, ReviewDecision::kApproved)}, TaskStatus::kInProgress},
        StatusCase{"returned report", {Report(), Review(1, ReviewDecision::kReturned)}, TaskStatus::kReturned},
        StatusCase{"resent after return", {Report(), Review(1, ReviewDecision::kReturned), Report()},
                   TaskStatus::kPendingReview},
        StatusCase{"second report still pending after first approved",
                   {Report(), Report(), Review(1, ReviewDecision::kApproved)}, TaskStatus::kPendingReview},
        StatusCase{"completed", {Report(), TaskCompleted{"完成"}}, TaskStatus::kCompleted},
        StatusCase{"reopened", {TaskCompleted{"完成"}, TaskReopened{"复核"}}, TaskStatus::kInProgress}));

TEST(NoticeDue, RefusesADueDateBeforeToday) {
  const year_month_day today = year(2026) / std::chrono::December / 2d;
  Status status = RefuseDueInPast(NoticeIssued{"DB-1", "进度滞后", year(2026) / std::chrono::December / 1d, ""}, today);
  EXPECT_EQ(status.code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(status.subject(), "due");
  EXPECT_NE(status.message().find("办理时限不能早于今天"), std::string::npos) << status.message();
}

TEST(NoticeDue, AcceptsTodayAndLater) {
  const year_month_day today = year(2026) / std::chrono::December / 2d;
  EXPECT_TRUE(RefuseDueInPast(NoticeIssued{"DB-1", "进度滞后", today, ""}, today).ok());
  EXPECT_TRUE(RefuseDueInPast(NoticeIssued{"DB-1", "进度滞后", year(2027) / std::chrono::January / 5d, ""}, today).ok());
}

TEST(NoticeDue, LeavesOtherEventsAlone) {
  const year_month_day today = year(2026) / std::chrono::December / 2d;
  EXPECT_TRUE(RefuseDueInPast(DeadlineSet{"年底", year(2020) / std::chrono::January / 1d}, today).ok());
}

TEST(TaskAggregate, RecordsSigningForANotice) {
  TaskAggregate aggregate = Given({Notice("DB-1"), NoticeSigned{"DB-1"}});
  ASSERT_NE(aggregate.FindNotice("DB-1"), nullptr);
  EXPECT_TRUE(aggregate.FindNotice("DB-1")->signed_for);
  EXPECT_FALSE(aggregate.FindNotice("DB-1")->answered);
}

TEST(TaskAggregate, TracksReviewsAndNoticesByVersionAndId) {
  TaskAggregate aggregate = Given({Report(), Notice("DB-1"), Review(1, ReviewDecision::kReturned),
                                   NoticeAnswered{"DB-1", "已整改"}});
  EXPECT_EQ(aggregate.version(), StreamVersion(4));
  ASSERT_NE(aggregate.FindReport(StreamVersion(1)), nullptr);
  EXPECT_EQ(aggregate.FindReport(StreamVersion(1))->decision, ReviewDecision::kReturned);
  EXPECT_EQ(aggregate.FindReport(StreamVersion(2)), nullptr);
  ASSERT_NE(aggregate.FindNotice("DB-1"), nullptr);
  EXPECT_TRUE(aggregate.FindNotice("DB-1")->answered);
  EXPECT_FALSE(aggregate.FindNotice("DB-1")->closed);
}

TEST(TaskStatus, HasTheDocumentsChineseLabels) {
  EXPECT_EQ(TaskStatusLabel(TaskStatus::kNotStarted), "未启动");
  EXPECT_EQ(TaskStatusLabel(TaskStatus::kInProgress), "推进中");
  EXPECT_EQ(TaskStatusLabel(TaskStatus::kPendingReview), "待审核");
  EXPECT_EQ(TaskStatusLabel(TaskStatus::kReturned), "已退回");
  EXPECT_EQ(TaskStatusLabel(TaskStatus::kCompleted), "已完成");
  EXPECT_EQ(TaskStatusName(TaskStatus::kPendingReview), "pending_review");
}

}  // namespace
}  // namespace kuimen
