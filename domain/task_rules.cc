#include "domain/task_rules.h"

#include <string>

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
    case TaskRule::kYearFrozen: return "year_frozen";
    case TaskRule::kPeriodInFuture: return "period_in_future";
    case TaskRule::kYearNotOver: return "year_not_over";
  }
  return "unknown_rule";
}

Status RequireNotAuditor(const Actor& actor) {
  if (actor.role != Role::kAuditor) return Status::Ok();
  return Status::PermissionDenied("auditors may read but not write", std::string(RuleId(TaskRule::kAuditorReadOnly)));
}

}  // namespace kuimen
