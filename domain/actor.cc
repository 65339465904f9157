#include "domain/actor.h"

namespace kuimen {

std::string_view RoleName(Role role) {
  switch (role) {
    case Role::kTaskForce: return "taskforce";
    case Role::kDepartment: return "department";
    case Role::kAuditor: return "auditor";
    case Role::kLeader: return "leader";
  }
  return "unknown";
}

std::optional<Role> RoleFromName(std::string_view name) {
  for (Role role : {Role::kTaskForce, Role::kDepartment, Role::kAuditor, Role::kLeader}) {
    if (RoleName(role) == name) return role;
  }
  return std::nullopt;
}

}  // namespace kuimen
