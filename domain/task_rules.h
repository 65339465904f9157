#pragma once

#include <string_view>

#include "domain/actor.h"
#include "domain/status.h"

namespace kuimen {

// The rules by which the task aggregate (and the assessment aggregate,
// domain/assessment_aggregate.h) refuse an event. Each refusal is a
// Status whose subject() is RuleId(rule), so callers and tests can tell them
// apart without parsing sentences.
enum class TaskRule {
  kAuditorReadOnly,        // auditors write nothing                      (permission_denied)
  kUnitNotInvolved,        // the unit neither leads nor cooperates       (permission_denied)
  kTaskForceOnly,          // only the task force may do this             (permission_denied)
  kDepartmentOnly,         // only a responsible unit reports or answers  (permission_denied)
  kTaskCompleted,          // a completed task takes no reports           (failed_precondition)
  kTaskNotCompleted,       // only a completed task can be reopened       (failed_precondition)
  kReportAlreadyReviewed,  // a report is reviewed once                   (failed_precondition)
  kNoticeIdTaken,          // notice ids are unique within a stream       (failed_precondition)
  kNoticeClosed,           // a closed notice takes no answer or closing  (failed_precondition)
  kYearFrozen,             // a frozen assessment year takes nothing more (failed_precondition)
  kPeriodInFuture,         // a report's period is after the current month (invalid_argument, field "period")
  kYearNotOver,            // a year is frozen on its last day or later,  (failed_precondition)
                           // or early with a reason
};

// Stable snake_case id: "report_already_reviewed".
std::string_view RuleId(TaskRule rule);

// The first check of every aggregate's Decide: auditors write nothing
// (permission_denied, auditor_read_only); OK for anyone else.
Status RequireNotAuditor(const Actor& actor);

}  // namespace kuimen
