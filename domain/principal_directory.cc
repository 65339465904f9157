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
    void operator()(const WebhookRegistered& e) { self.webhook_urls_[e.unit] = e.url; }
    void operator()(const WebhookRemoved& e) { self.webhook_urls_.erase(e.unit); }
    // Never stored on the principals stream (Decide refuses them); nothing to fold.
    void operator()(const ProgressReported&) {}
    void operator()(const DeadlineSet&) {}
    void operator()(const MilestoneMet&) {}
    void operator()(const MilestoneCancelled&) {}
    void operator()(const InstructionGiven&) {}
    void operator()(const ReportReviewed&) {}
    void operator()(const NoticeIssued&) {}
    void operator()(const NoticeAnswered&) {}
    void operator()(const NoticeClosed&) {}
    void operator()(const NoticeSigned&) {}
    void operator()(const TaskCompleted&) {}
    void operator()(const TaskReopened&) {}
    void operator()(const AssessmentAdjusted&) {}
    void operator()(const YearFrozen&) {}
    void operator()(const UrgeSent&) {}
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
  RETURN_IF_ERROR(RequireLeaderWritesInstructionsOnly(actor, event));
  if (FamilyOf(event) != EventFamily::kPrincipals) {
    return Status::InvalidArgument("账号名册只登记账号、注销账号和乡镇（街道）；进展、审核和督办记在各事项上，"
                                   "加减分和年终定格记在年度考核中",
                                   "type", "wrong_stream");
  }
  if (actor.role != Role::kTaskForce) {
    return Status::PermissionDenied("账号和乡镇（街道）只能由工作专班登记或注销",
                                    std::string(RuleId(TaskRule::kTaskForceOnly)));
  }
  RETURN_IF_ERROR(ValidateEventData(event));

  struct Visitor {
    const PrincipalDirectory& self;

    Status operator()(const PrincipalRegistered& e) const {
      if (e.role == Role::kDepartment) {
        if (e.unit.empty()) {
          return Status::InvalidArgument("责任单位账号须填写所属单位", "unit", "required");
        }
        if (!self.IsDepartmentUnit(e.unit) && !self.IsTownship(e.unit)) {
          return Status::InvalidArgument(
              "“" + e.unit + "”既不是方案中的单位，也不是已登记的乡镇（街道），乡镇（街道）请先登记", "unit",
              "unknown_unit");
        }
      }
      if (self.Find(e.principal_id) != nullptr) {
        return Refuse(PrincipalRule::kPrincipalIdTaken, "账号编号已存在，请换一个编号");
      }
      if (self.token_hashes_.contains(e.token_sha256)) {
        return Refuse(PrincipalRule::kTokenTaken, "该令牌已被其他账号使用");
      }
      return Status::Ok();
    }
    Status operator()(const PrincipalRevoked& e) const {
      const PrincipalState* principal = self.Find(e.principal_id);
      if (principal == nullptr) return Status::NotFound("没有这个账号", "principal_not_found");
      if (principal->revoked) {
        return Refuse(PrincipalRule::kAlreadyRevoked, "该账号已注销，不能重复注销");
      }
      if (principal->role == Role::kTaskForce && self.active_task_force_ <= 1) {
        return Refuse(PrincipalRule::kLastTaskForce, "这是工作专班最后一个有效账号，请先登记新的工作专班账号再注销");
      }
      return Status::Ok();
    }
    Status operator()(const TownshipRegistered& e) const {
      if (std::find(self.catalog_units_.begin(), self.catalog_units_.end(), e.name) != self.catalog_units_.end()) {
        return Status::InvalidArgument("“" + e.name + "”是方案中的单位，不是乡镇（街道）", "name", "not_a_township");
      }
      if (self.IsTownship(e.name)) {
        return Refuse(PrincipalRule::kTownshipTaken, "“" + e.name + "”已登记，不能重复登记");
      }
      return Status::Ok();
    }
    Status operator()(const WebhookRegistered& e) const {
      const bool catalog_unit =
          std::find(self.catalog_units_.begin(), self.catalog_units_.end(), e.unit) != self.catalog_units_.end();
      if (!catalog_unit && !self.IsTownship(e.unit)) {
        return Status::InvalidArgument("“" + e.unit + "”既不是方案中的单位，也不是已登记的乡镇（街道）", "unit",
                                       "unknown_unit");
      }
      return Status::Ok();
    }
    Status operator()(const WebhookRemoved& e) const {
      if (!self.webhook_urls_.contains(e.unit)) {
        return Status::NotFound("“" + e.unit + "”没有登记消息推送地址", std::string(RuleId(PrincipalRule::kNoWebhook)));
      }
      return Status::Ok();
    }
    // Refused above, before validation.
    Status operator()(const ProgressReported&) const { return OtherStream(); }
    Status operator()(const DeadlineSet&) const { return OtherStream(); }
    Status operator()(const MilestoneMet&) const { return OtherStream(); }
    Status operator()(const MilestoneCancelled&) const { return OtherStream(); }
    Status operator()(const InstructionGiven&) const { return OtherStream(); }
    Status operator()(const ReportReviewed&) const { return OtherStream(); }
    Status operator()(const NoticeIssued&) const { return OtherStream(); }
    Status operator()(const NoticeAnswered&) const { return OtherStream(); }
    Status operator()(const NoticeClosed&) const { return OtherStream(); }
    Status operator()(const NoticeSigned&) const { return OtherStream(); }
    Status operator()(const TaskCompleted&) const { return OtherStream(); }
    Status operator()(const TaskReopened&) const { return OtherStream(); }
    Status operator()(const AssessmentAdjusted&) const { return OtherStream(); }
    Status operator()(const YearFrozen&) const { return OtherStream(); }
    Status operator()(const UrgeSent&) const { return OtherStream(); }

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
