#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace kuimen {

// The four kinds of user of the platform.
enum class Role {
  kTaskForce,   // 工作专班: supervises, sets deadlines, reviews, issues 督办 notices
  kDepartment,  // 责任单位 / 配合单位: a county department or township; reports progress
  kAuditor,     // 审计: reads everything, writes nothing
  kLeader,      // 县领导: reads everything the task force reads, writes only 批示 (InstructionGiven)
};

// Wire name of a role: "taskforce", "department", "auditor", "leader".
std::string_view RoleName(Role role);
std::optional<Role> RoleFromName(std::string_view name);

// Who did something. Every event carries one.
struct Actor {
  std::string principal;  // the principal's id, e.g. "p-3f2a" or "admin"
  Role role = Role::kAuditor;
  std::string unit;       // the unit acted for; required for a department, may be empty otherwise
  // For a township (乡镇/街道) the task force registered: the catalog's group
  // unit that stands for all townships ("各乡镇人民政府、街道办事处"), so the
  // township acts on the tasks that group leads or cooperates on. Empty for a
  // county department and for other roles. Stored in the envelope only when set.
  std::string group = {};  // "= {}" keeps Actor{p, r, u} free of missing-initializer warnings

  bool operator==(const Actor&) const = default;
};

}  // namespace kuimen
