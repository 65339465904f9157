#pragma once

#include <string_view>

namespace kuimen {

// The rules by which the principal directory (domain/principal_directory.h)
// refuses an event, besides the shared permission rules of domain/task_rules.h
// (auditor_read_only, taskforce_only). Each refusal is a Status whose
// reason() is RuleId(rule) and whose message() is Chinese, for the clerk.
enum class PrincipalRule {
  kPrincipalIdTaken,  // principal ids are unique                     (failed_precondition)
  kAlreadyRevoked,    // a revoked principal cannot be revoked again   (failed_precondition)
  kLastTaskForce,     // the last active task-force principal stays    (failed_precondition)
  kTokenTaken,        // a token hash names one principal only         (failed_precondition)
  kTownshipTaken,     // a township is registered once                 (failed_precondition)
  kNoWebhook,         // removing a webhook the unit does not have     (not_found)
};

// Stable snake_case id: "principal_id_taken".
std::string_view RuleId(PrincipalRule rule);

}  // namespace kuimen
