#include "domain/principal_rules.h"

namespace kuimen {

std::string_view RuleId(PrincipalRule rule) {
  switch (rule) {
    case PrincipalRule::kPrincipalIdTaken: return "principal_id_taken";
    case PrincipalRule::kAlreadyRevoked: return "principal_already_revoked";
    case PrincipalRule::kLastTaskForce: return "last_taskforce";
    case PrincipalRule::kTokenTaken: return "token_taken";
    case PrincipalRule::kTownshipTaken: return "township_taken";
    case PrincipalRule::kNoWebhook: return "webhook_not_found";
  }
  return "unknown_rule";
}

}  // namespace kuimen
