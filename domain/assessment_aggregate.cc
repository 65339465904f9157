#include "domain/assessment_aggregate.h"

#include <algorithm>

#include "domain/calendar.h"
#include "domain/event_validation.h"
#include "domain/stream_kind.h"
#include "domain/task_rules.h"

namespace kuimen {

std::vector<std::string> AssessedUnits(const Catalog& catalog) {
  std::vector<std::string> units;
  for (const Unit& unit : catalog.units) {
    const bool involved = std::any_of(catalog.tasks.begin(), catalog.tasks.end(), [&](const TaskSpec& task) {
      return task.lead_unit == unit.name || std::find(task.cooperating_units.begin(), task.cooperating_units.end(),
                                                      unit.name) != task.cooperating_units.end();
    });
    if (involved) units.push_back(unit.name);
  }
  return units;
}

void AssessmentAggregate::Apply(StreamVersion version, const EventData& event) {
  version_ = version;
  struct Visitor {
    AssessmentAggregate& self;
    StreamVersion version;
    void operator()(const AssessmentAdjusted& e) {
      self.adjustments_.push_back(AdjustmentState{version, e.unit, e.points});
    }
    void operator()(const YearFrozen&) { self.frozen_at_ = version; }
    // Task events are never stored here (Decide refuses them); nothing to fold.
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
    void operator()(const PrincipalRegistered&) {}
    void operator()(const PrincipalRevoked&) {}
    void operator()(const TownshipRegistered&) {}
    void operator()(const UrgeSent&) {}
    void operator()(const WebhookRegistered&) {}
    void operator()(const WebhookRemoved&) {}
  };
  std::visit(Visitor{*this, version}, event);
}

Status AssessmentAggregate::Decide(const Actor& actor, const EventData& event) const {
  RETURN_IF_ERROR(RequireNotAuditor(actor));
  RETURN_IF_ERROR(RequireLeaderWritesInstructionsOnly(actor, event));
  if (FamilyOf(event) != EventFamily::kAssessment) {
    return Status::InvalidArgument(std::to_string(year_) +
                                       "年度考核只办理工作专班的加减分和年终定格；进展、审核、督办和完成记在各事项上，"
                                       "账号和乡镇（街道）在账号管理中登记",
                                   "type", "wrong_stream");
  }
  if (actor.role != Role::kTaskForce) {
    return Status::PermissionDenied("考核加减分和年终定格只能由工作专班办理",
                                    std::string(RuleId(TaskRule::kTaskForceOnly)));
  }
  RETURN_IF_ERROR(ValidateEventData(event));

  struct Visitor {
    const AssessmentAggregate& self;

    Status operator()(const AssessmentAdjusted& e) const {
      RETURN_IF_ERROR(RequireStreamYear(e.year));
      if (std::find(self.units_.begin(), self.units_.end(), e.unit) == self.units_.end()) {
        std::string assessed;
        for (const std::string& unit : self.units_) assessed += (assessed.empty() ? "" : "、") + unit;
        return Status::InvalidArgument("“" + e.unit + "”不是方案中的责任单位或配合单位，可选单位为：" + assessed,
                                       "unit", "unknown_unit");
      }
      return RequireNotFrozen("不能再加减分");
    }
    Status operator()(const YearFrozen& e) const {
      RETURN_IF_ERROR(RequireStreamYear(e.year));
      RETURN_IF_ERROR(RequireNotFrozen("不能再次定格"));
      if (e.rules_version.empty() != e.rules.empty()) {
        const char* field = e.rules_version.empty() ? "rules_version" : "rules";
        return Status::InvalidArgument("计分规则及其版本须同时记录或同时不记录", field, "rules_incomplete");
      }
      // The year is over from the start of its last day, China time.
      using namespace std::chrono;
      const sys_days today = LocalDay(self.clock_->Now(), kPlanUtcOffsetMinutes);
      const year_month_day last_day = std::chrono::year(self.year_) / December / 31;
      const year_month_day first_day = std::chrono::year(self.year_) / January / 1;
      const bool over = today >= sys_days(last_day);
      if (today < sys_days(first_day)) {
        return Status::FailedPrecondition(std::to_string(self.year_) + "年尚未开始（今天是" +
                                              FormatDate(year_month_day(today)) + "），不能年终定格",
                                          std::string(RuleId(TaskRule::kYearNotOver)));
      }
      if (over) {
        if (e.early) {
          return Status::InvalidArgument(std::to_string(self.year_) + "年已到年末，请直接年终定格，不需要提前定格",
                                         "early", "early_not_needed");
        }
        return Status::Ok();
      }
      if (!e.early) {
        return Status::FailedPrecondition(
            std::to_string(self.year_) + "年要到" + FormatDate(last_day) + "才结束（今天是" +
                FormatDate(year_month_day(today)) + "），届时再年终定格；如需现在定格，请选择提前定格并填写理由",
            std::string(RuleId(TaskRule::kYearNotOver)));
      }
      if (e.reason.find_first_not_of(" \t\r\n") == std::string::npos) {
        return Status::InvalidArgument("提前定格须填写理由", "reason", "required");
      }
      if (Utf8Length(e.reason) > kMaxTextChars) {
        return Status::InvalidArgument("提前定格的理由不能超过" + std::to_string(kMaxTextChars) + "个字", "reason",
                                       "too_long");
      }
      return Status::Ok();
    }
    // Refused above, before validation.
    Status operator()(const ProgressReported&) const { return TaskEvent(); }
    Status operator()(const DeadlineSet&) const { return TaskEvent(); }
    Status operator()(const MilestoneMet&) const { return TaskEvent(); }
    Status operator()(const MilestoneCancelled&) const { return TaskEvent(); }
    Status operator()(const InstructionGiven&) const { return TaskEvent(); }
    Status operator()(const ReportReviewed&) const { return TaskEvent(); }
    Status operator()(const NoticeIssued&) const { return TaskEvent(); }
    Status operator()(const NoticeAnswered&) const { return TaskEvent(); }
    Status operator()(const NoticeClosed&) const { return TaskEvent(); }
    Status operator()(const NoticeSigned&) const { return TaskEvent(); }
    Status operator()(const TaskCompleted&) const { return TaskEvent(); }
    Status operator()(const TaskReopened&) const { return TaskEvent(); }
    Status operator()(const PrincipalRegistered&) const { return TaskEvent(); }
    Status operator()(const PrincipalRevoked&) const { return TaskEvent(); }
    Status operator()(const TownshipRegistered&) const { return TaskEvent(); }
    Status operator()(const UrgeSent&) const { return TaskEvent(); }
    Status operator()(const WebhookRegistered&) const { return TaskEvent(); }
    Status operator()(const WebhookRemoved&) const { return TaskEvent(); }

    Status RequireStreamYear(int year) const {
      if (year == self.year_) return Status::Ok();
      return Status::InvalidArgument("考核年度应为" + std::to_string(self.year_) + "年，不是" + std::to_string(year) + "年",
                                     "year", "wrong_year");
    }
    Status RequireNotFrozen(const char* what) const {
      if (!self.frozen_at_.has_value()) return Status::Ok();
      return Status::FailedPrecondition(std::to_string(self.year_) + "年度考核已年终定格，" + what,
                                        std::string(RuleId(TaskRule::kYearFrozen)));
    }
    static Status TaskEvent() { return Status::Internal("another stream's event on an assessment stream"); }
  };
  return std::visit(Visitor{*this}, event);
}

Result<AssessmentAggregate> NewAssessmentAggregate(const Catalog& catalog, const StreamId& stream,
                                                   const Clock& clock) {
  const std::optional<int> year = AssessmentStreamYear(stream);
  if (!year.has_value()) {
    return Status::NotFound("没有这个考核年度：年度应在" + std::to_string(kMinAssessmentYear) + "年至" +
                                std::to_string(kMaxAssessmentYear) + "年之间",
                            "year_not_found");
  }
  // The task force may adjust any unit of the plan, lead or cooperating.
  std::vector<std::string> units;
  for (const Unit& unit : catalog.units) units.push_back(unit.name);
  return AssessmentAggregate(*year, std::move(units), clock);
}

}  // namespace kuimen
