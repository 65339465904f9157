#include "domain/task_aggregate.h"

#include <algorithm>

#include "domain/calendar.h"
#include "domain/event_validation.h"
#include "domain/stream_kind.h"
#include "domain/task_rules.h"

namespace kuimen {

TaskStatus TaskAggregate::status() const {
  std::vector<ReportForStatus> reports;
  reports.reserve(reports_.size());
  for (const auto& [version, report] : reports_) {
    reports.push_back(ReportForStatus{report.unit, report.decision, report.superseded_by.has_value()});
  }
  return ItemStatus(completed_, started_, reports, item_.lead_units);
}

const ReportState* TaskAggregate::FindReport(StreamVersion version) const {
  auto it = reports_.find(version);
  return it == reports_.end() ? nullptr : &it->second;
}

const NoticeState* TaskAggregate::FindNotice(const std::string& id) const {
  auto it = notices_.find(id);
  return it == notices_.end() ? nullptr : &it->second;
}

const MilestoneState* TaskAggregate::FindMilestone(const std::string& name) const {
  auto it = milestones_.find(name);
  return it == milestones_.end() ? nullptr : &it->second;
}

void TaskAggregate::Apply(StreamVersion version, const EventData& event, const Actor& actor) {
  version_ = version;
  struct Visitor {
    TaskAggregate& self;
    StreamVersion version;
    const Actor& actor;
    void operator()(const ProgressReported& e) {
      self.started_ = true;
      // Same unit, same period, still unreviewed: the new report replaces it (已被替代).
      for (auto& [older_version, older] : self.reports_) {
        if (older.unit == actor.unit && older.period == e.period && !older.decision.has_value() &&
            !older.superseded_by.has_value()) {
          older.superseded_by = version;
        }
      }
      self.reports_[version] = ReportState{version, std::nullopt, actor.unit, e.period, std::nullopt, e.milestones_met};
    }
    void operator()(const DeadlineSet& e) { self.milestones_[e.milestone].due = e.due; }
    void operator()(const MilestoneMet& e) { self.milestones_[e.milestone].met = true; }
    void operator()(const MilestoneCancelled& e) { self.milestones_[e.milestone].cancelled = true; }
    void operator()(const ReportReviewed& e) {
      auto it = self.reports_.find(e.report_version);
      if (it == self.reports_.end()) return;
      it->second.decision = e.decision;
      // Only an approved report meets the milestones it names; one cancelled
      // meanwhile stays cancelled.
      if (e.decision != ReviewDecision::kApproved) return;
      for (const std::string& name : it->second.milestones_met) {
        auto milestone = self.milestones_.find(name);
        if (milestone != self.milestones_.end() && !milestone->second.cancelled) milestone->second.met = true;
      }
    }
    void operator()(const NoticeIssued& e) { self.notices_[e.notice_id] = NoticeState{e.notice_id, e.due}; }
    void operator()(const NoticeAnswered& e) {
      auto it = self.notices_.find(e.notice_id);
      if (it != self.notices_.end()) it->second.answered = true;
    }
    void operator()(const NoticeClosed& e) {
      auto it = self.notices_.find(e.notice_id);
      if (it != self.notices_.end()) it->second.closed = true;
    }
    void operator()(const NoticeSigned& e) {
      auto it = self.notices_.find(e.notice_id);
      if (it != self.notices_.end()) it->second.signed_for = true;
    }
    void operator()(const TaskCompleted&) { self.completed_ = true; }
    void operator()(const InstructionGiven&) {}  // 批示 change no state the rules read
    void operator()(const TaskReopened&) {
      self.completed_ = false;
      self.started_ = true;
    }
    // Never stored on a task stream (Decide refuses them); nothing to fold.
    void operator()(const AssessmentAdjusted&) {}
    void operator()(const YearFrozen&) {}
    void operator()(const PrincipalRegistered&) {}
    void operator()(const PrincipalRevoked&) {}
    void operator()(const TownshipRegistered&) {}
    void operator()(const UrgeSent&) {}
    void operator()(const WebhookRegistered&) {}
    void operator()(const WebhookRemoved&) {}
  };
  std::visit(Visitor{*this, version, actor}, event);
}

namespace {

Status Refuse(StatusCode code, TaskRule rule, const std::string& message) {
  std::string id(RuleId(rule));
  return code == StatusCode::kPermissionDenied ? Status::PermissionDenied(message, id)
                                               : Status::FailedPrecondition(message, id);
}

std::string Quoted(const std::string& text) { return "“" + text + "”"; }

Status RequireTaskForce(const Actor& actor) {
  if (actor.role == Role::kTaskForce) return Status::Ok();
  return Refuse(StatusCode::kPermissionDenied, TaskRule::kTaskForceOnly, "此操作只能由工作专班办理");
}

Status RequireInvolvedUnit(const Actor& actor, const SupervisedItem& item) {
  if (actor.role != Role::kDepartment) {
    return Refuse(StatusCode::kPermissionDenied, TaskRule::kDepartmentOnly,
                  "此操作只能由该事项的责任单位或配合单位办理");
  }
  // A township acts for the catalog's township group (各乡镇人民政府、街道办事处),
  // which the plan names instead of each township.
  if (!item.Involves(actor.unit) && (actor.group.empty() || !item.Involves(actor.group))) {
    return Refuse(StatusCode::kPermissionDenied, TaskRule::kUnitNotInvolved,
                  actor.unit + "不是" + StreamDisplayName(item.stream) + "的责任单位或配合单位");
  }
  return Status::Ok();
}

}  // namespace

Status TaskAggregate::Decide(const Actor& actor, const EventData& event, std::optional<Timestamp> now) const {
  RETURN_IF_ERROR(RequireNotAuditor(actor));
  RETURN_IF_ERROR(RequireLeaderWritesInstructionsOnly(actor, event));
  switch (FamilyOf(event)) {
    case EventFamily::kTask: break;
    case EventFamily::kAssessment:
      return Status::InvalidArgument("加减分和年终定格只能在年度考核中办理，不能记在" +
                                         StreamDisplayName(item_.stream) + "上",
                                     "type", "wrong_stream");
    case EventFamily::kPrincipals:
      return Status::InvalidArgument("账号和乡镇（街道）只能在账号管理中登记，不能记在" +
                                         StreamDisplayName(item_.stream) + "上",
                                     "type", "wrong_stream");
    case EventFamily::kUrges:
      return Status::InvalidArgument("催办记在催办记录中，不能记在" + StreamDisplayName(item_.stream) + "上", "type",
                                     "wrong_stream");
  }
  RETURN_IF_ERROR(ValidateEventData(event));

  struct Visitor {
    const TaskAggregate& self;
    const Actor& actor;
    std::optional<Timestamp> now;

    Status operator()(const ProgressReported& e) const {
      RETURN_IF_ERROR(RequireInvolvedUnit(actor, self.item_));
      // A figure is as of its period: a month that has not begun has none yet.
      if (now.has_value()) {
        const std::chrono::year_month current = LocalMonth(*now, kPlanUtcOffsetMinutes);
        if (e.period > current) {
          return Status::InvalidArgument("报送期间（" + FormatMonth(e.period) + "）不能晚于本月（" +
                                             FormatMonth(current) + "）",
                                         "period", std::string(RuleId(TaskRule::kPeriodInFuture)));
        }
      }
      if (self.completed_) {
        return Refuse(StatusCode::kFailedPrecondition, TaskRule::kTaskCompleted,
                      StreamDisplayName(self.item_.stream) + "已完成，重新启动前不再接受进展报送");
      }
      for (size_t i = 0; i < e.milestones_met.size(); ++i) {
        RETURN_IF_ERROR(RequireOpenMilestone(e.milestones_met[i], "milestones_met[" + std::to_string(i) + "]"));
      }
      for (size_t i = 0; i < e.indicators.size(); ++i) {
        const IndicatorValue& v = e.indicators[i];
        const std::string where = "indicators[" + std::to_string(i) + "]";
        const Target* target = self.item_.FindTarget(v.indicator);
        if (target == nullptr) {
          std::string known;
          for (const Target& t : self.item_.targets) known += (known.empty() ? "" : "、") + t.indicator;
          return Status::InvalidArgument(
              "“" + v.indicator + "”不是" + StreamDisplayName(self.item_.stream) + "的指标" +
                  (known.empty() ? "（该事项没有量化指标）" : "，可填报的指标为：" + known),
              where + ".indicator", "unknown_indicator");
        }
        if (target->unit != v.unit) {
          return Status::InvalidArgument("指标“" + target->indicator + "”的计量单位应为“" + target->unit + "”",
                                         where + ".unit", "wrong_indicator_unit");
        }
        RETURN_IF_ERROR(RequireLeadForCountyFigure(v));
      }
      return Status::Ok();
    }
    // A new milestone, or a move (调整) of an open one, which needs a reason.
    Status operator()(const DeadlineSet& e) const {
      RETURN_IF_ERROR(RequireTaskForce(actor));
      const MilestoneState* milestone = self.FindMilestone(e.milestone);
      if (milestone == nullptr) return Status::Ok();
      RETURN_IF_ERROR(RequireOpenMilestone(e.milestone, "milestone"));
      if (e.reason.find_first_not_of(" \t\r\n") == std::string::npos) {
        return Status::InvalidArgument("调整时限" + Quoted(e.milestone) + "（原定" + FormatDate(milestone->due) +
                                           "）须说明理由",
                                       "reason", std::string(RuleId(TaskRule::kMilestoneReasonRequired)));
      }
      return Status::Ok();
    }
    Status operator()(const MilestoneMet& e) const {
      RETURN_IF_ERROR(RequireTaskForce(actor));
      return RequireOpenMilestone(e.milestone, "milestone");
    }
    Status operator()(const MilestoneCancelled& e) const {
      RETURN_IF_ERROR(RequireTaskForce(actor));
      return RequireOpenMilestone(e.milestone, "milestone");
    }
    Status operator()(const ReportReviewed& e) const {
      RETURN_IF_ERROR(RequireTaskForce(actor));
      const ReportState* report = self.FindReport(e.report_version);
      if (report == nullptr) {
        return Status::InvalidArgument(StreamDisplayName(self.item_.stream) + "没有第" +
                                           std::to_string(e.report_version.value) + "版的进展报告",
                                       "report_version", "report_not_found");
      }
      if (report->decision.has_value()) {
        return Refuse(StatusCode::kFailedPrecondition, TaskRule::kReportAlreadyReviewed,
                      "该报告已审核，不能重复审核");
      }
      if (report->superseded_by.has_value()) {
        return Refuse(StatusCode::kFailedPrecondition, TaskRule::kReportSuperseded,
                      "该报告已被新的报告替代，请审核最新报告");
      }
      return Status::Ok();
    }
    Status operator()(const NoticeIssued& e) const {
      RETURN_IF_ERROR(RequireTaskForce(actor));
      if (self.FindNotice(e.notice_id) != nullptr) {
        return Refuse(StatusCode::kFailedPrecondition, TaskRule::kNoticeIdTaken,
                      StreamDisplayName(self.item_.stream) + "已有编号相同的督办通知");
      }
      return Status::Ok();
    }
    Status operator()(const NoticeAnswered& e) const {
      RETURN_IF_ERROR(RequireInvolvedUnit(actor, self.item_));
      return RequireOpenNotice(e.notice_id);
    }
    Status operator()(const NoticeClosed& e) const {
      RETURN_IF_ERROR(RequireTaskForce(actor));
      RETURN_IF_ERROR(RequireOpenNotice(e.notice_id));
      const NoticeState& notice = *self.FindNotice(e.notice_id);
      if (!notice.answered && e.unanswered_reason.empty()) {
        return Refuse(StatusCode::kFailedPrecondition, TaskRule::kNoticeUnanswered,
                      "该督办通知尚未反馈整改情况，未整改销号须填写理由");
      }
      if (notice.answered && !e.unanswered_reason.empty()) {
        return Status::InvalidArgument("该督办通知已反馈整改情况，不需要填写未整改销号理由",
                                       "unanswered_reason", "notice_answered");
      }
      return Status::Ok();
    }
    Status operator()(const NoticeSigned& e) const {
      RETURN_IF_ERROR(RequireInvolvedUnit(actor, self.item_));
      RETURN_IF_ERROR(RequireOpenNotice(e.notice_id));
      if (self.FindNotice(e.notice_id)->signed_for) {
        return Refuse(StatusCode::kFailedPrecondition, TaskRule::kNoticeAlreadySigned,
                      "该督办通知已签收，不能重复签收");
      }
      return Status::Ok();
    }
    Status operator()(const TaskCompleted&) const {
      RETURN_IF_ERROR(RequireTaskForce(actor));
      if (self.completed_) {
        return Refuse(StatusCode::kFailedPrecondition, TaskRule::kTaskCompleted,
                      StreamDisplayName(self.item_.stream) + "已经完成");
      }
      return Status::Ok();
    }
    // 批示: by a county leader, on the item or on one of its notices (open or closed).
    Status operator()(const InstructionGiven& e) const {
      if (actor.role != Role::kLeader) {
        return Refuse(StatusCode::kPermissionDenied, TaskRule::kLeaderOnly, "批示只能由县领导作出");
      }
      if (!e.notice_id.empty() && self.FindNotice(e.notice_id) == nullptr) {
        return Status::InvalidArgument(StreamDisplayName(self.item_.stream) + "没有这份督办通知", "notice_id",
                                       "notice_not_found");
      }
      return Status::Ok();
    }
    Status operator()(const TaskReopened&) const {
      RETURN_IF_ERROR(RequireTaskForce(actor));
      if (!self.completed_) {
        return Refuse(StatusCode::kFailedPrecondition, TaskRule::kTaskNotCompleted,
                      StreamDisplayName(self.item_.stream) + "尚未完成，不需要重新启动");
      }
      return Status::Ok();
    }

    // Refused above, before validation.
    Status operator()(const AssessmentAdjusted&) const { return Status::Internal("assessment event on a task stream"); }
    Status operator()(const YearFrozen&) const { return Status::Internal("assessment event on a task stream"); }
    Status operator()(const PrincipalRegistered&) const { return Status::Internal("principal event on a task stream"); }
    Status operator()(const PrincipalRevoked&) const { return Status::Internal("principal event on a task stream"); }
    Status operator()(const TownshipRegistered&) const { return Status::Internal("principal event on a task stream"); }
    Status operator()(const UrgeSent&) const { return Status::Internal("urge event on a task stream"); }
    Status operator()(const WebhookRegistered&) const { return Status::Internal("principal event on a task stream"); }
    Status operator()(const WebhookRemoved&) const { return Status::Internal("principal event on a task stream"); }

    // 全县数: only a lead unit speaks for the whole county; a township, even
    // one of a leading group, and a cooperating unit report their own share.
    Status RequireLeadForCountyFigure(const IndicatorValue& v) const {
      if (v.scope != IndicatorScope::kCounty) return Status::Ok();
      const std::vector<std::string>& leads = self.item_.lead_units;
      if (std::find(leads.begin(), leads.end(), actor.unit) != leads.end()) return Status::Ok();
      std::string names;
      for (const std::string& lead : leads) names += (names.empty() ? "" : "、") + lead;
      return Refuse(StatusCode::kPermissionDenied, TaskRule::kCountyFigureLeadOnly,
                    "只有牵头单位（" + names + "）可以报送全县数，" + actor.unit +
                        "请报送本单位完成数");
    }

    // The milestone exists and is neither met nor cancelled; `field` names
    // where the request named it.
    Status RequireOpenMilestone(const std::string& name, const std::string& field) const {
      const MilestoneState* milestone = self.FindMilestone(name);
      if (milestone == nullptr) {
        return Status::InvalidArgument("本事项没有名为" + Quoted(name) + "的时限，请先由工作专班设定",
                                       field, std::string(RuleId(TaskRule::kUnknownMilestone)));
      }
      if (milestone->cancelled) {
        return Refuse(StatusCode::kFailedPrecondition, TaskRule::kMilestoneCancelled,
                      "时限" + Quoted(name) + "已取消，不能再调整或确认完成");
      }
      if (milestone->met) {
        return Refuse(StatusCode::kFailedPrecondition, TaskRule::kMilestoneAlreadyMet,
                      "时限" + Quoted(name) + "已完成，不能再调整、取消或重复确认完成");
      }
      return Status::Ok();
    }

    Status RequireOpenNotice(const std::string& id) const {
      const NoticeState* notice = self.FindNotice(id);
      if (notice == nullptr) {
        return Status::InvalidArgument(StreamDisplayName(self.item_.stream) + "没有这份督办通知", "notice_id",
                                       "notice_not_found");
      }
      if (notice->closed) {
        return Refuse(StatusCode::kFailedPrecondition, TaskRule::kNoticeClosed, "该督办通知已销号");
      }
      return Status::Ok();
    }
  };
  return std::visit(Visitor{*this, actor, now}, event);
}

}  // namespace kuimen
