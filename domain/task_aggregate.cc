#include "domain/task_aggregate.h"

#include <algorithm>

#include "domain/calendar.h"
#include "domain/event_validation.h"
#include "domain/task_rules.h"

namespace kuimen {

std::string_view TaskStatusName(TaskStatus status) {
  switch (status) {
    case TaskStatus::kNotStarted: return "not_started";
    case TaskStatus::kInProgress: return "in_progress";
    case TaskStatus::kPendingReview: return "pending_review";
    case TaskStatus::kReturned: return "returned";
    case TaskStatus::kCompleted: return "completed";
  }
  return "unknown";
}

std::string_view TaskStatusLabel(TaskStatus status) {
  switch (status) {
    case TaskStatus::kNotStarted: return "未启动";
    case TaskStatus::kInProgress: return "推进中";
    case TaskStatus::kPendingReview: return "待审核";
    case TaskStatus::kReturned: return "已退回";
    case TaskStatus::kCompleted: return "已完成";
  }
  return "未知";
}

TaskStatus TaskAggregate::status() const {
  if (completed_) return TaskStatus::kCompleted;
  for (const auto& [version, report] : reports_) {
    if (!report.decision.has_value() && !report.superseded_by.has_value()) return TaskStatus::kPendingReview;
  }
  if (!reports_.empty() && reports_.rbegin()->second.decision == ReviewDecision::kReturned) {
    return TaskStatus::kReturned;
  }
  return started_ ? TaskStatus::kInProgress : TaskStatus::kNotStarted;
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
  return Refuse(StatusCode::kPermissionDenied, TaskRule::kTaskForceOnly,
                "only the task force (工作专班) may do this");
}

Status RequireInvolvedUnit(const Actor& actor, const SupervisedItem& item) {
  if (actor.role != Role::kDepartment) {
    return Refuse(StatusCode::kPermissionDenied, TaskRule::kDepartmentOnly,
                  "only a responsible or cooperating unit may do this");
  }
  // A township acts for the catalog's township group (各乡镇人民政府、街道办事处),
  // which the plan names instead of each township.
  if (!item.Involves(actor.unit) && (actor.group.empty() || !item.Involves(actor.group))) {
    return Refuse(StatusCode::kPermissionDenied, TaskRule::kUnitNotInvolved,
                  "unit \"" + actor.unit + "\"" + (actor.group.empty() ? "" : " (of \"" + actor.group + "\")") +
                      " neither leads nor cooperates on " + item.stream.value);
  }
  return Status::Ok();
}

}  // namespace

Status TaskAggregate::Decide(const Actor& actor, const EventData& event, std::optional<Timestamp> now) const {
  RETURN_IF_ERROR(RequireNotAuditor(actor));
  switch (FamilyOf(event)) {
    case EventFamily::kTask: break;
    case EventFamily::kAssessment:
      return Status::InvalidArgument("type: an assessment event (加减分, 年终定格) cannot be appended to " +
                                         item_.stream.value + "; it belongs on the year's assessment-YYYY stream",
                                     "type");
    case EventFamily::kPrincipals:
      return Status::InvalidArgument("type: principals and townships cannot be appended to " + item_.stream.value +
                                         "; they belong on the principals stream",
                                     "type");
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
          return Status::InvalidArgument("period: 报送期间（" + FormatMonth(e.period) + "）不能晚于本月（" +
                                             FormatMonth(current) + "）",
                                         "period", std::string(RuleId(TaskRule::kPeriodInFuture)));
        }
      }
      if (self.completed_) {
        return Refuse(StatusCode::kFailedPrecondition, TaskRule::kTaskCompleted,
                      self.item_.stream.value + " is completed and takes no reports until reopened");
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
              where + ".indicator: \"" + v.indicator + "\" is not a target of " +
                  self.item_.stream.value + (known.empty() ? " (it has none)" : "; its targets: " + known),
              where + ".indicator");
        }
        if (target->unit != v.unit) {
          return Status::InvalidArgument(where + ".unit: must be \"" + target->unit + "\", the unit of target \"" +
                                             target->indicator + "\"",
                                         where + ".unit");
        }
        RETURN_IF_ERROR(RequireLeadForCountyFigure(v, where));
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
        return Status::InvalidArgument("reason: 调整时限" + Quoted(e.milestone) + "（原定" + FormatDate(milestone->due) +
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
        return Status::InvalidArgument("report_version: " + self.item_.stream.value +
                                           " has no progress report at version " +
                                           std::to_string(e.report_version.value),
                                       "report_version");
      }
      if (report->decision.has_value()) {
        return Refuse(StatusCode::kFailedPrecondition, TaskRule::kReportAlreadyReviewed,
                      "the report at version " + std::to_string(e.report_version.value) +
                          " has already been reviewed");
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
                      "notice \"" + e.notice_id + "\" already exists on " + self.item_.stream.value);
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
                      "notice \"" + e.notice_id +
                          "\" has no answer (整改情况); closing it unanswered (未整改销号) needs unanswered_reason");
      }
      if (notice.answered && !e.unanswered_reason.empty()) {
        return Status::InvalidArgument("unanswered_reason: notice \"" + e.notice_id +
                                           "\" has been answered; leave unanswered_reason empty",
                                       "unanswered_reason");
      }
      return Status::Ok();
    }
    Status operator()(const NoticeSigned& e) const {
      RETURN_IF_ERROR(RequireInvolvedUnit(actor, self.item_));
      RETURN_IF_ERROR(RequireOpenNotice(e.notice_id));
      if (self.FindNotice(e.notice_id)->signed_for) {
        return Refuse(StatusCode::kFailedPrecondition, TaskRule::kNoticeAlreadySigned,
                      "notice \"" + e.notice_id + "\" has already been signed for (已签收)");
      }
      return Status::Ok();
    }
    Status operator()(const TaskCompleted&) const {
      RETURN_IF_ERROR(RequireTaskForce(actor));
      if (self.completed_) {
        return Refuse(StatusCode::kFailedPrecondition, TaskRule::kTaskCompleted,
                      self.item_.stream.value + " is already completed");
      }
      return Status::Ok();
    }
    Status operator()(const TaskReopened&) const {
      RETURN_IF_ERROR(RequireTaskForce(actor));
      if (!self.completed_) {
        return Refuse(StatusCode::kFailedPrecondition, TaskRule::kTaskNotCompleted,
                      self.item_.stream.value + " is not completed, so it cannot be reopened");
      }
      return Status::Ok();
    }

    // Refused above, before validation.
    Status operator()(const AssessmentAdjusted&) const { return Status::Internal("assessment event on a task stream"); }
    Status operator()(const YearFrozen&) const { return Status::Internal("assessment event on a task stream"); }
    Status operator()(const PrincipalRegistered&) const { return Status::Internal("principal event on a task stream"); }
    Status operator()(const PrincipalRevoked&) const { return Status::Internal("principal event on a task stream"); }
    Status operator()(const TownshipRegistered&) const { return Status::Internal("principal event on a task stream"); }

    // 全县数: only a lead unit speaks for the whole county; a township, even
    // one of a leading group, and a cooperating unit report their own share.
    Status RequireLeadForCountyFigure(const IndicatorValue& v, const std::string& where) const {
      if (v.scope != IndicatorScope::kCounty) return Status::Ok();
      const std::vector<std::string>& leads = self.item_.lead_units;
      if (std::find(leads.begin(), leads.end(), actor.unit) != leads.end()) return Status::Ok();
      std::string names;
      for (const std::string& lead : leads) names += (names.empty() ? "" : "、") + lead;
      return Refuse(StatusCode::kPermissionDenied, TaskRule::kCountyFigureLeadOnly,
                    where + ".scope: 只有牵头单位（" + names + "）可以报送全县数，" + actor.unit +
                        "请报送本单位完成数");
    }

    // The milestone exists and is neither met nor cancelled; `field` names
    // where the request named it.
    Status RequireOpenMilestone(const std::string& name, const std::string& field) const {
      const MilestoneState* milestone = self.FindMilestone(name);
      if (milestone == nullptr) {
        return Status::InvalidArgument(field + ": 本事项没有名为" + Quoted(name) + "的时限，请先由工作专班设定",
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
        return Status::InvalidArgument(
            "notice_id: " + self.item_.stream.value + " has no notice \"" + id + "\"", "notice_id");
      }
      if (notice->closed) {
        return Refuse(StatusCode::kFailedPrecondition, TaskRule::kNoticeClosed,
                      "notice \"" + id + "\" is already closed");
      }
      return Status::Ok();
    }
  };
  return std::visit(Visitor{*this, actor, now}, event);
}

}  // namespace kuimen
