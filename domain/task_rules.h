#pragma once

#include <chrono>
#include <string_view>

#include "domain/actor.h"
#include "domain/events.h"
#include "domain/status.h"

namespace kuimen {

// The rules by which the task aggregate (and the assessment aggregate,
// domain/assessment_aggregate.h) refuse an event. Each refusal is a
// Status whose reason() (and error_code()) is RuleId(rule), so callers and
// tests can tell them apart without parsing sentences, and whose message() is
// a Chinese sentence for the clerk. A new rule is one enumerator here, one
// case in RuleId and one line in gateway/error_codes.cc (and openapi.json).
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
  kNoticeAlreadySigned,    // a notice is signed for (签收) once           (failed_precondition)
  kNoticeUnanswered,       // closing an unanswered notice (未整改销号) needs a reason (failed_precondition)
  kYearFrozen,             // a frozen assessment year takes nothing more (failed_precondition)
  kPeriodInFuture,         // a report's period is after the current month (invalid_argument, field "period")
  kYearNotOver,            // a year is frozen on its last day or later,  (failed_precondition)
                           // or early with a reason
  kCountyFigureLeadOnly,   // only a lead unit reports a county-wide figure (全县数) (permission_denied)
  // 时限 (milestones):
  kUnknownMilestone,       // names a milestone the item does not have    (invalid_argument, field "milestone"
                           //                                               or "milestones_met[i]")
  kMilestoneAlreadyMet,    // a met milestone takes no further change     (failed_precondition)
  kMilestoneCancelled,     // a cancelled milestone takes no further change (failed_precondition)
  kMilestoneReasonRequired,  // moving a milestone needs a reason         (invalid_argument, field "reason")
  kReportSuperseded,       // a later report by the same unit for the same (failed_precondition)
                           // period replaced it while unreviewed (已被替代)
  // 批示:
  kLeaderOnly,             // only a county leader (县领导) writes a 批示   (permission_denied)
  kLeaderInstructionsOnly, // a county leader writes nothing but 批示      (permission_denied)
};
// The last enumerator: a new rule goes before this line and becomes it, so
// tests that walk every rule (e.g. that each has an error code) see it.
inline constexpr TaskRule kLastTaskRule = TaskRule::kLeaderInstructionsOnly;

// The rule-style code of a notice whose due date lies before today: a
// refusal of the request, not of the stream's state (kInvalidArgument, field "due").
inline constexpr std::string_view kDueInPast = "due_in_past";

// Stable snake_case id: "report_already_reviewed".
std::string_view RuleId(TaskRule rule);

// The first check of every aggregate's Decide: auditors write nothing
// (permission_denied, auditor_read_only); OK for anyone else.
Status RequireNotAuditor(const Actor& actor);

// The second check of every aggregate's Decide: a county leader writes only
// 批示 (InstructionGiven): permission_denied, leader_instructions_only, for
// anything else a leader proposes; OK for anyone else and for a 批示.
Status RequireLeaderWritesInstructionsOnly(const Actor& actor, const EventData& event);

// A new notice's due date may not lie before `today` (the county's calendar
// day when the request arrives): kInvalidArgument with field "due", reason
// kDueInPast and a message for a clerk, "办理时限不能早于今天". OK for every other event. Checked
// when a request arrives, never on replay: a notice stays valid as its due
// date passes.
Status RefuseDueInPast(const EventData& event, std::chrono::year_month_day today);

}  // namespace kuimen
