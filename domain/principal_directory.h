#pragma once

#include <string>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "domain/actor.h"
#include "domain/catalog.h"
#include "domain/events.h"
#include "domain/ids.h"
#include "domain/status.h"

namespace kuimen {

// One principal as folded from the "principals" stream.
struct PrincipalState {
  std::string id;
  std::string name;
  Role role = Role::kAuditor;
  std::string unit;
  std::string token_sha256;  // lower-case hex; the token itself is never stored
  bool revoked = false;
  StreamVersion registered_at;  // version of its PrincipalRegistered event
};

// The write model of the one "principals" stream: who may act (principals and
// their revocation) and the townships (乡镇/街道) the task force registered.
// Pure: no I/O, no clock, no tokens (only their hashes).
class PrincipalDirectory {
 public:
  // `department_units`: the catalog's units of kind "department", which a
  // department principal may act for besides registered townships.
  // `catalog_units`: every unit name of the catalog, which no township may take.
  PrincipalDirectory(std::vector<std::string> department_units, std::vector<std::string> catalog_units);

  // Folds an event that is already stored at `version` (the next one in order).
  void Apply(StreamVersion version, const EventData& event);

  // OK if `actor` may append `event` now. Otherwise:
  // - kPermissionDenied auditor_read_only / taskforce_only: only the task force writes here;
  // - kInvalidArgument naming the field: "type" for an event of another stream;
  //   "unit" for a department without a unit, or whose unit is neither a catalog
  //   department nor a registered township; "name" for a township that bears a
  //   catalog unit's name; or a field named by ValidateEventData;
  // - kFailedPrecondition (domain/principal_rules.h): principal_id_taken,
  //   token_taken, principal_already_revoked, last_taskforce (the last active
  //   task-force principal cannot be revoked, or nobody could register anyone
  //   again), township_taken;
  // - kInvalidArgument unknown_unit: a webhook for a unit that is neither a
  //   catalog unit nor a registered township;
  // - kNotFound: revoking a principal id never registered (principal_not_found);
  //   removing a webhook the unit does not have (webhook_not_found).
  Status Decide(const Actor& actor, const EventData& event) const;

  StreamVersion version() const { return version_; }
  // Every principal ever registered, revoked ones included, in registration order.
  const std::vector<PrincipalState>& principals() const { return principals_; }
  // The principal with that id, or nullptr.
  const PrincipalState* Find(const std::string& id) const;
  // Registered townships, in registration order.
  const std::vector<std::string>& townships() const { return townships_; }
  bool IsTownship(const std::string& name) const { return township_set_.contains(name); }
  // Each unit's registered webhook URL (WebhookRegistered, not since removed).
  const std::unordered_map<std::string, std::string>& webhook_urls() const { return webhook_urls_; }

 private:
  bool IsDepartmentUnit(const std::string& name) const;

  std::vector<std::string> department_units_;
  std::vector<std::string> catalog_units_;
  StreamVersion version_;
  std::vector<PrincipalState> principals_;
  std::unordered_map<std::string, size_t> by_id_;  // id -> index in principals_
  std::unordered_set<std::string> token_hashes_;
  std::size_t active_task_force_ = 0;
  std::vector<std::string> townships_;
  std::unordered_set<std::string> township_set_;
  std::unordered_map<std::string, std::string> webhook_urls_;  // unit -> URL
};

// The directory before any event, knowing the catalog's units.
PrincipalDirectory NewPrincipalDirectory(const Catalog& catalog);

}  // namespace kuimen
