#include "domain/task_rules.h"

#include <string>

#include "domain/calendar.h"

namespace kuimen {

std::string_view RuleId(TaskRule rule) {
  switch (rule) {
    case TaskRule::kAuditorReadOnly: return "auditor_read_only";
    case TaskRule::kUnitNotInvolved: return "unit_not_involved";
    case TaskRule::kTaskForceOnly: return "taskforce_only";
    case TaskRule::kDepartmentOnly: return "department_only";
    case TaskRule::kTaskCompleted: return "task_completed";
    case TaskRule::kTaskNotCompleted: return "task_not_completed";
    case TaskRule::kReportAlreadyReviewed: return "report_already_reviewed";
    case TaskRule::kNoticeIdTaken: return "notice_id_taken";
    case TaskRule::kNoticeClosed: return "notice_closed";
    case TaskRule::kNoticeAlreadySigned: return "notice_already_signed";
    case TaskRule::kNoticeUnanswered: return "notice_unanswered";
    case TaskRule::kYearFrozen: return "year_frozen";
    case TaskRule::kPeriodInFuture: return "period_in_future";
    case TaskRule::kYearNotOver: return "year_not_over";
    case TaskRule::kCountyFigureLeadOnly: return "county_figure_lead_only";
    case TaskRule::kUnknownMilestone: return "unknown_milestone";
    case TaskRule::kMilestoneAlreadyMet: return "milestone_already_met";
    case TaskRule::kMilestoneCancelled: return "milestone_cancelled";
    case TaskRule::kMilestoneReasonRequired: return "milestone_reason_required";
    case TaskRule::kReportSuperseded: return "report_superseded";
    case TaskRule::kLeaderOnly: return "leader_only";
    case TaskRule::kLeaderInstructionsOnly: return "leader_instructions_only";
  }
  return "unknown_rule";
}

Status RequireNotAuditor(const Actor& actor) {
  if (actor.role != Role::kAuditor) return Status::Ok();
  return Status::PermissionDenied("审计人员只能查阅，不能填报或修改", std::string(RuleId(TaskRule::kAuditorReadOnly)));
}

Status RequireLeaderWritesInstructionsOnly(const Actor& actor, const EventData& event) {
  if (actor.role != Role::kLeader || std::holds_alternative<InstructionGiven>(event)) return Status::Ok();
  return Status::PermissionDenied("县领导只能作批示，不能填报、审核、督办或登记账号",
                                  std::string(RuleId(TaskRule::kLeaderInstructionsOnly)));
}

Status RefuseDueInPast(const EventData& event, std::chrono::year_month_day today) {
  const auto* issued = std::get_if<NoticeIssued>(&event);
  if (issued == nullptr || std::chrono::sys_days(issued->due) >= std::chrono::sys_days(today)) return Status::Ok();
  return Status::InvalidArgument("办理时限不能早于今天（今天是" + FormatDate(today) + "）", "due",
                                 std::string(kDueInPast));
}

}  // namespace kuimen
