#include "domain/principal_directory.h"

#include <algorithm>

#include "domain/event_validation.h"
#include "domain/principal_rules.h"
#include "domain/stream_kind.h"
#include "domain/task_rules.h"

namespace kuimen {

PrincipalDirectory::PrincipalDirectory(std::vector<std::string> department_units,
                                       std::vector<std::string> catalog_units)
    : department_units_(std::move(department_units)), catalog_units_(std::move(catalog_units)) {}

const PrincipalState* PrincipalDirectory::Find(const std::string& id) const {
  auto it = by_id_.find(id);
  return it == by_id_.end() ? nullptr : &principals_[it->second];
}

bool PrincipalDirectory::IsDepartmentUnit(const std::string& name) const {
  return std::find(department_units_.begin(), department_units_.end(), name) != department_units_.end();
}

void PrincipalDirectory::Apply(StreamVersion version, const EventData& event) {
  version_ = version;
  struct Visitor {
    PrincipalDirectory& self;
    StreamVersion version;
    void operator()(const PrincipalRegistered& e) {
      self.by_id_[e.principal_id] = self.principals_.size();
      self.principals_.push_back(PrincipalState{e.principal_id, e.name, e.role, e.unit, e.token_sha256, false, version});
      self.token_hashes_.insert(e.token_sha256);
      if (e.role == Role::kTaskForce) ++self.active_task_force_;
    }
    void operator()(const PrincipalRevoked& e) {
      auto it = self.by_id_.find(e.principal_id);
      if (it == self.by_id_.end()) return;
      PrincipalState& principal = self.principals_[it->second];
      if (principal.revoked) return;
      principal.revoked = true;
      if (principal.role == Role::kTaskForce) --self.active_task_force_;
    }
    void operator()(const TownshipRegistered& e) {
      if (self.township_set_.insert(e.name).second) self.townships_.push_back(e.name);
    }
    // Never stored on the principals stream (Decide refuses them); nothing to fold.
    void operator()(const ProgressReported&) {}
    void operator()(const DeadlineSet&) {}
    void operator()(const MilestoneMet&) {}
    void operator()(const MilestoneCancelled&) {}
    void operator()(const ReportReviewed&) {}
    void operator()(const NoticeIssued&) {}
    void operator()(const NoticeAnswered&) {}
    void operator()(const NoticeClosed&) {}
    void operator()(const NoticeSigned&) {}
    void operator()(const TaskCompleted&) {}
    void operator()(const TaskReopened&) {}
    void operator()(const AssessmentAdjusted&) {}
    void operator()(const YearFrozen&) {}
  };
  std::visit(Visitor{*this, version}, event);
}

namespace {

Status Refuse(PrincipalRule rule, const std::string& message) {
  return Status::FailedPrecondition(message, std::string(RuleId(rule)));
}

}  // namespace

Status PrincipalDirectory::Decide(const Actor& actor, const EventData& event) const {
  RETURN_IF_ERROR(RequireNotAuditor(actor));
  if (FamilyOf(event) != EventFamily::kPrincipals) {
    return Status::InvalidArgument("type: the " + PrincipalsStream().value +
                                       " stream takes only principals, their revocation and townships; progress, "
                                       "reviews and notices belong on a task-NN or major-N stream, 加减分 and "
                                       "年终定格 on assessment-YYYY",
                                   "type");
  }
  if (actor.role != Role::kTaskForce) {
    return Status::PermissionDenied("only the task force (工作专班) registers and revokes principals and townships",
                                    std::string(RuleId(TaskRule::kTaskForceOnly)));
  }
  RETURN_IF_ERROR(ValidateEventData(event));

  struct Visitor {
    const PrincipalDirectory& self;

    Status operator()(const PrincipalRegistered& e) const {
      if (e.role == Role::kDepartment) {
        if (e.unit.empty()) {
          return Status::InvalidArgument("unit: a department principal must name the unit it acts for", "unit");
        }
        if (!self.IsDepartmentUnit(e.unit) && !self.IsTownship(e.unit)) {
          return Status::InvalidArgument(
              "unit: \"" + e.unit +
                  "\" is neither a department of the plan nor a township the task force registered "
                  "(register a township first)",
              "unit");
        }
      }
      if (self.Find(e.principal_id) != nullptr) {
        return Refuse(PrincipalRule::kPrincipalIdTaken, "principal \"" + e.principal_id + "\" already exists");
      }
      if (self.token_hashes_.contains(e.token_sha256)) {
        return Refuse(PrincipalRule::kTokenTaken, "another principal already holds this token");
      }
      return Status::Ok();
    }
    Status operator()(const PrincipalRevoked& e) const {
      const PrincipalState* principal = self.Find(e.principal_id);
      if (principal == nullptr) return Status::NotFound("there is no principal \"" + e.principal_id + "\"");
      if (principal->revoked) {
        return Refuse(PrincipalRule::kAlreadyRevoked, "principal \"" + e.principal_id + "\" is already revoked");
      }
      if (principal->role == Role::kTaskForce && self.active_task_force_ <= 1) {
        return Refuse(PrincipalRule::kLastTaskForce,
                      "principal \"" + e.principal_id +
                          "\" is the last task-force principal; register another before revoking it");
      }
      return Status::Ok();
    }
    Status operator()(const TownshipRegistered& e) const {
      if (std::find(self.catalog_units_.begin(), self.catalog_units_.end(), e.name) != self.catalog_units_.end()) {
        return Status::InvalidArgument("name: \"" + e.name + "\" is a unit of the plan, not a township", "name");
      }
      if (self.IsTownship(e.name)) {
        return Refuse(PrincipalRule::kTownshipTaken, "township \"" + e.name + "\" is already registered");
      }
      return Status::Ok();
    }
    // Refused above, before validation.
    Status operator()(const ProgressReported&) const { return OtherStream(); }
    Status operator()(const DeadlineSet&) const { return OtherStream(); }
    Status operator()(const MilestoneMet&) const { return OtherStream(); }
    Status operator()(const MilestoneCancelled&) const { return OtherStream(); }
    Status operator()(const ReportReviewed&) const { return OtherStream(); }
    Status operator()(const NoticeIssued&) const { return OtherStream(); }
    Status operator()(const NoticeAnswered&) const { return OtherStream(); }
    Status operator()(const NoticeClosed&) const { return OtherStream(); }
    Status operator()(const NoticeSigned&) const { return OtherStream(); }
    Status operator()(const TaskCompleted&) const { return OtherStream(); }
    Status operator()(const TaskReopened&) const { return OtherStream(); }
    Status operator()(const AssessmentAdjusted&) const { return OtherStream(); }
    Status operator()(const YearFrozen&) const { return OtherStream(); }

    static Status OtherStream() { return Status::Internal("another stream's event on the principals stream"); }
  };
  return std::visit(Visitor{*this}, event);
}

PrincipalDirectory NewPrincipalDirectory(const Catalog& catalog) {
  std::vector<std::string> departments, names;
  for (const Unit& unit : catalog.units) {
    names.push_back(unit.name);
    if (unit.kind == "department") departments.push_back(unit.name);
  }
  return PrincipalDirectory(std::move(departments), std::move(names));
}

}  // namespace kuimen
