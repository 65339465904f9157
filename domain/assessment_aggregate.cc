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
  };
  std::visit(Visitor{*this, version}, event);
}

Status AssessmentAggregate::Decide(const Actor& actor, const EventData& event) const {
  RETURN_IF_ERROR(RequireNotAuditor(actor));
  if (FamilyOf(event) != EventFamily::kAssessment) {
    return Status::InvalidArgument("type: " + AssessmentStream(year_).value +
                                       " takes only the task force's 加减分 and 年终定格; progress, reviews, "
                                       "notices and completion belong on a task-NN or major-N stream, principals "
                                       "and townships on the principals stream",
                                   "type");
  }
  if (actor.role != Role::kTaskForce) {
    return Status::PermissionDenied("only the task force (工作专班) adjusts or freezes the assessment",
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
        return Status::InvalidArgument("unit: \"" + e.unit + "\" is not a unit of the plan (its units: " +
                                           assessed + ")",
                                       "unit");
      }
      return RequireNotFrozen("it takes no more 加减分");
    }
    Status operator()(const YearFrozen& e) const {
      RETURN_IF_ERROR(RequireStreamYear(e.year));
      RETURN_IF_ERROR(RequireNotFrozen("it cannot be frozen again"));
      if (e.rules_version.empty() != e.rules.empty()) {
        const char* field = e.rules_version.empty() ? "rules_version" : "rules";
        return Status::InvalidArgument(std::string(field) + ": the rules are recorded with their version, both or neither",
                                       field);
      }
      // The year is over from the start of its last day, China time.
      using namespace std::chrono;
      const sys_days today = LocalDay(self.clock_->Now(), kPlanUtcOffsetMinutes);
      const year_month_day last_day = std::chrono::year(self.year_) / December / 31;
      const year_month_day first_day = std::chrono::year(self.year_) / January / 1;
      const bool over = today >= sys_days(last_day);
      if (today < sys_days(first_day)) {
        return Status::FailedPrecondition(std::to_string(self.year_) + " has not begun (today is " +
                                              FormatDate(year_month_day(today)) + ", China time); it cannot be frozen",
                                          std::string(RuleId(TaskRule::kYearNotOver)));
      }
      if (over) {
        if (e.early) {
          return Status::InvalidArgument("early: " + std::to_string(self.year_) +
                                             " is over; freeze it without early and reason",
                                         "early");
        }
        return Status::Ok();
      }
      if (!e.early) {
        return Status::FailedPrecondition(
            std::to_string(self.year_) + " is not over until " + FormatDate(last_day) + " (today is " +
                FormatDate(year_month_day(today)) +
                ", China time); freeze it then, or say early: true with a reason to freeze it now",
            std::string(RuleId(TaskRule::kYearNotOver)));
      }
      if (e.reason.find_first_not_of(" \t\r\n") == std::string::npos) {
        return Status::InvalidArgument("reason: an early freeze needs a reason", "reason");
      }
      if (Utf8Length(e.reason) > kMaxTextChars) {
        return Status::InvalidArgument("reason: must be at most 4000 characters", "reason");
      }
      return Status::Ok();
    }
    // Refused above, before validation.
    Status operator()(const ProgressReported&) const { return TaskEvent(); }
    Status operator()(const DeadlineSet&) const { return TaskEvent(); }
    Status operator()(const MilestoneMet&) const { return TaskEvent(); }
    Status operator()(const MilestoneCancelled&) const { return TaskEvent(); }
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

    Status RequireStreamYear(int year) const {
      if (year == self.year_) return Status::Ok();
      return Status::InvalidArgument("year: the event is for " + std::to_string(year) + " but " +
                                         AssessmentStream(self.year_).value + " holds the assessment of " +
                                         std::to_string(self.year_),
                                     "year");
    }
    Status RequireNotFrozen(const char* what) const {
      if (!self.frozen_at_.has_value()) return Status::Ok();
      return Status::FailedPrecondition(AssessmentStream(self.year_).value + " was frozen (年终定格) at version " +
                                            std::to_string(self.frozen_at_->value) + "; " + what,
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
    return Status::NotFound("\"" + stream.value + "\" is not an assessment stream (assessment-YYYY, years " +
                            std::to_string(kMinAssessmentYear) + ".." + std::to_string(kMaxAssessmentYear) + ")");
  }
  // The task force may adjust any unit of the plan, lead or cooperating.
  std::vector<std::string> units;
  for (const Unit& unit : catalog.units) units.push_back(unit.name);
  return AssessmentAggregate(*year, std::move(units), clock);
}

}  // namespace kuimen
