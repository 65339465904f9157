#include "projections/assessment_score.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "domain/assessment_aggregate.h"
#include "domain/supervised_item.h"
#include "eventstore/envelope_json.h"
#include "eventstore/json_reader.h"

namespace kuimen {

namespace {

using nlohmann::json;
using std::chrono::year_month;
using std::chrono::year_month_day;

double Round2(double value) { return std::round(value * 100) / 100; }

// "15.38", "30", "-2.5": as the score lines print them.
std::string Points(double value) { return NumberJson<json>(Round2(value)).dump(); }

std::optional<year_month> PlanMonth(const Catalog& catalog) {
  int year = 0;
  unsigned month = 0, day = 0;
  if (std::sscanf(catalog.document.date.c_str(), "%4d-%2u-%2u", &year, &month, &day) != 3 || month < 1 ||
      month > 12) {
    return std::nullopt;  // no date: every month of the year counts
  }
  return std::chrono::year(year) / std::chrono::month(month);
}

// One score line before rounding.
struct Line {
  const AssessmentRule* rule = nullptr;
  double points = 0;
  std::set<GlobalPosition> positions;  // sorted, each once
  std::string detail;
};

// Everything one evaluation reads, and the questions the rules ask of it.
class Scorer {
 public:
  Scorer(const Catalog& catalog, const AssessmentRules& rules, const AssessmentFacts& facts,
         const AssessmentEvaluation& at)
      : catalog_(catalog), facts_(facts), at_(at), offset_(rules.utc_offset_minutes),
        today_(LocalDate(at.now)), plan_month_(PlanMonth(catalog)) {}

  Line Score(const AssessmentRule& rule, const std::string& unit) const {
    std::vector<const TaskSpec*> led;
    for (const TaskSpec& task : catalog_.tasks) {
      if (task.lead_unit == unit) led.push_back(&task);
    }
    Line line;
    line.rule = &rule;
    switch (rule.kind) {
      case AssessmentRuleKind::kTimeliness: Timeliness(rule, unit, led, line); break;
      case AssessmentRuleKind::kApproval: Approval(rule, unit, led, line); break;
      case AssessmentRuleKind::kTargets: Targets(rule, led, line); break;
      case AssessmentRuleKind::kNotices: Notices(rule, led, line); break;
      case AssessmentRuleKind::kCompletion: Completion(rule, led, line); break;
      case AssessmentRuleKind::kAdjustments: Adjustments(unit, line); break;
    }
    return line;
  }

 private:
  year_month_day LocalDate(Timestamp time) const {
    return year_month_day(std::chrono::floor<std::chrono::days>(time + offset_));
  }
  bool Counts(GlobalPosition position) const { return at_.before.value == 0 || position < at_.before; }
  int Year() const { return at_.year; }
  const AssessmentFacts::TaskStream* Facts(const TaskSpec& task) const {
    return facts_.FindTask(TaskStream(task.no).value);
  }
  // max × earned / counted, or max when nothing counted.
  static double Share(double max, int earned, int counted) { return counted == 0 ? max : max * earned / counted; }

  // The months whose reports are due: from January (or the plan's month, in
  // its year) to the month before the evaluation's, or to December for a year
  // past or frozen. Empty when first > last.
  std::pair<year_month, year_month> DueMonths() const {
    const std::chrono::year year(Year());
    year_month first = year / std::chrono::January;
    if (plan_month_.has_value() && plan_month_->year() >= year) first = std::max(first, *plan_month_);
    year_month last = year / std::chrono::December;
    if (!at_.frozen && today_.year() <= year) {
      last = today_.year() < year ? first - std::chrono::months(1)
                                  : year_month(today_.year(), today_.month()) - std::chrono::months(1);
    }
    return {first, last};
  }

  // Whether the task stood completed at the end of `date` (local time).
  bool CompletedBy(const AssessmentFacts::TaskStream& facts, year_month_day date) const {
    bool completed = false;
    for (const AssessmentFacts::Completion& completion : facts.completions) {
      if (Counts(completion.position) && LocalDate(completion.recorded_at) <= date) completed = completion.completed;
    }
    return completed;
  }

  // 报送及时: per led task and due month, the unit's first report for that
  // month, on time if recorded by the due day of the following month. A month
  // not reported is not counted yet while its due day has not passed, and not
  // at all if the task stood completed on that day (a completed task takes no
  // reports).
  void Timeliness(const AssessmentRule& rule, const std::string& unit, const std::vector<const TaskSpec*>& led,
                  Line& line) const {
    const auto [first, last] = DueMonths();
    const std::chrono::day due_day(static_cast<unsigned>(rule.Parameter("due_day")));
    int on_time = 0, late = 0, missing = 0, pending = 0, exempt = 0;
    for (const TaskSpec* task : led) {
      const AssessmentFacts::TaskStream* facts = Facts(*task);
      // One pass over the reports: the unit's earliest for each due month.
      std::map<year_month, const AssessmentFacts::Report*> earliest_of;
      if (facts != nullptr && first <= last) {
        for (const AssessmentFacts::Report& report : facts->reports) {
          if (report.unit != unit || report.period < first || report.period > last || !Counts(report.position)) {
            continue;
          }
          const AssessmentFacts::Report*& earliest = earliest_of[report.period];
          if (earliest == nullptr || report.position < earliest->position) earliest = &report;
        }
      }
      for (year_month month = first; month <= last; month += std::chrono::months(1)) {
        const year_month_day due = (month + std::chrono::months(1)) / due_day;
        const auto found = earliest_of.find(month);
        const AssessmentFacts::Report* earliest = found == earliest_of.end() ? nullptr : found->second;
        if (earliest != nullptr) {
          ++(LocalDate(earliest->recorded_at) <= due ? on_time : late);
          line.positions.insert(earliest->position);
        } else if (facts != nullptr && CompletedBy(*facts, due)) {
          ++exempt;
        } else {
          ++(today_ > due ? missing : pending);
        }
      }
    }
    const int expected = on_time + late + missing;
    line.points = Share(rule.max_points, on_time, expected);
    if (first > last) {
      line.detail = "本年度尚无应报送的月份";
      return;
    }
    line.detail = "应报" + std::to_string(expected) + "期，按时报送" + std::to_string(on_time) + "期，逾期报送" +
                  std::to_string(late) + "期，未报送" + std::to_string(missing) + "期";
    if (pending > 0) line.detail += "；另有" + std::to_string(pending) + "期未到报送期限";
    if (exempt > 0) line.detail += "；" + std::to_string(exempt) + "期因任务已完成免报";
  }

  // 审核通过: the unit's reports for months of the year on its led tasks that
  // have been reviewed; the share approved.
  void Approval(const AssessmentRule& rule, const std::string& unit, const std::vector<const TaskSpec*>& led,
                Line& line) const {
    int approved = 0, returned = 0;
    for (const TaskSpec* task : led) {
      const AssessmentFacts::TaskStream* facts = Facts(*task);
      if (facts == nullptr) continue;
      for (const AssessmentFacts::Report& report : facts->reports) {
        if (report.unit != unit || static_cast<int>(report.period.year()) != Year() || !Counts(report.position) ||
            !report.review.has_value() || !Counts(report.review->position)) {
          continue;
        }
        ++(report.review->decision == ReviewDecision::kApproved ? approved : returned);
        line.positions.insert(report.review->position);
      }
    }
    line.points = Share(rule.max_points, approved, approved + returned);
    line.detail = approved + returned == 0 ? "本年度尚无已审核的进度报告"
                                           : "已审核进度报告" + std::to_string(approved + returned) + "份，通过" +
                                                 std::to_string(approved) + "份，退回" + std::to_string(returned) +
                                                 "份";
  }

  // 目标达成: per quantitative target of a led task, the value in the latest
  // report (latest month, then latest position) of the year or before that
  // names it and was not returned, against the target, at most 1.
  void Targets(const AssessmentRule& rule, const std::vector<const TaskSpec*>& led, Line& line) const {
    int targets = 0;
    double achieved = 0;
    for (const TaskSpec* task : led) {
      const AssessmentFacts::TaskStream* facts = Facts(*task);
      for (const Target& target : task->targets) {
        if (!target.value.has_value()) continue;
        ++targets;
        const AssessmentFacts::Report* latest = nullptr;
        if (facts != nullptr) {
          for (const AssessmentFacts::Report& report : facts->reports) {
            const bool returned = report.review.has_value() && Counts(report.review->position) &&
                                  report.review->decision == ReviewDecision::kReturned;
            if (!Counts(report.position) || returned || static_cast<int>(report.period.year()) > Year() ||
                !report.values.contains(target.indicator)) {
              continue;
            }
            if (latest == nullptr || std::pair(report.period, report.position) > std::pair(latest->period, latest->position)) {
              latest = &report;
            }
          }
        }
        if (latest == nullptr) continue;
        const double value = latest->values.at(target.indicator);
        achieved += *target.value <= 0 ? 1.0 : std::min(1.0, value / *target.value);
        line.positions.insert(latest->position);
      }
    }
    line.points = targets == 0 ? rule.max_points : rule.max_points * achieved / targets;
    line.detail = targets == 0 ? "牵头任务无量化目标"
                               : "量化目标" + std::to_string(targets) + "项，平均完成" +
                                     Points(100 * achieved / targets) + "%";
  }

  // 督办整改: notices issued in the year on led tasks; answered on or before
  // the due date (local time). One neither answered nor past due is not
  // counted yet, unless the task force closed it unanswered (未整改销号):
  // that counts as not rectified at once.
  void Notices(const AssessmentRule& rule, const std::vector<const TaskSpec*>& led, Line& line) const {
    int on_time = 0, late = 0, missing = 0, closed_unanswered = 0, pending = 0;
    for (const TaskSpec* task : led) {
      const AssessmentFacts::TaskStream* facts = Facts(*task);
      if (facts == nullptr) continue;
      for (const AssessmentFacts::Notice& notice : facts->notices) {
        if (!Counts(notice.position) || static_cast<int>(LocalDate(notice.issued_at).year()) != Year()) continue;
        if (notice.answer.has_value() && Counts(notice.answer->position)) {
          ++(LocalDate(notice.answer->recorded_at) <= notice.due ? on_time : late);
          line.positions.insert(notice.answer->position);
        } else if (notice.closed_unanswered.has_value() && Counts(*notice.closed_unanswered)) {
          ++closed_unanswered;
          line.positions.insert(notice.position);
          line.positions.insert(*notice.closed_unanswered);
        } else if (today_ > notice.due) {
          ++missing;
          line.positions.insert(notice.position);
        } else {
          ++pending;
        }
      }
    }
    const int counted = on_time + late + missing + closed_unanswered;
    line.points = Share(rule.max_points, on_time, counted);
    line.detail = counted == 0 ? "本年度无到期的督办事项"
                               : "督办事项" + std::to_string(counted) + "件，按期整改" + std::to_string(on_time) +
                                     "件，逾期整改" + std::to_string(late) + "件，逾期未整改" +
                                     std::to_string(missing) + "件";
    if (closed_unanswered > 0) line.detail += "，未整改销号" + std::to_string(closed_unanswered) + "件";
    if (pending > 0) line.detail += "；另有" + std::to_string(pending) + "件未到整改期限";
  }

  // 任务完成: led tasks whose last TaskCompleted / TaskReopened is a completion.
  void Completion(const AssessmentRule& rule, const std::vector<const TaskSpec*>& led, Line& line) const {
    int completed = 0;
    for (const TaskSpec* task : led) {
      const AssessmentFacts::TaskStream* facts = Facts(*task);
      if (facts == nullptr) continue;
      const AssessmentFacts::Completion* last = nullptr;
      for (const AssessmentFacts::Completion& completion : facts->completions) {
        if (Counts(completion.position)) last = &completion;
      }
      if (last == nullptr) continue;
      if (last->completed) ++completed;
      line.positions.insert(last->position);  // the completion earned, or the reopening cost
    }
    line.points = Share(rule.max_points, completed, static_cast<int>(led.size()));
    line.detail = "牵头任务" + std::to_string(led.size()) + "项，已完成" + std::to_string(completed) + "项";
  }

  // 加减分: the task force's adjustments of the unit for the year, as given.
  void Adjustments(const std::string& unit, Line& line) const {
    double bonus = 0, penalty = 0;
    int bonuses = 0, penalties = 0;
    if (const AssessmentFacts::YearStream* year = facts_.FindYear(Year())) {
      for (const AssessmentFacts::Adjustment& adjustment : year->adjustments) {
        if (adjustment.unit != unit || !Counts(adjustment.position)) continue;
        if (adjustment.points > 0) {
          bonus += adjustment.points;
          ++bonuses;
        } else {
          penalty -= adjustment.points;
          ++penalties;
        }
        line.positions.insert(adjustment.position);
      }
    }
    line.points = bonus - penalty;
    if (bonuses > 0) line.detail = "加分" + std::to_string(bonuses) + "项共" + Points(bonus) + "分";
    if (penalties > 0) {
      line.detail += (line.detail.empty() ? "" : "，") + ("减分" + std::to_string(penalties) + "项共" + Points(penalty) + "分");
    }
    if (line.detail.empty()) line.detail = "无加减分";
  }

  const Catalog& catalog_;
  const AssessmentFacts& facts_;
  const AssessmentEvaluation& at_;
  std::chrono::minutes offset_;
  year_month_day today_;
  std::optional<year_month> plan_month_;
};

}  // namespace

json ScoreAssessment(const Catalog& catalog, const AssessmentRules& rules, const AssessmentFacts& facts,
                     const AssessmentEvaluation& evaluation) {
  const Scorer scorer(catalog, rules, facts, evaluation);
  json units = json::array();
  for (const std::string& unit : AssessedUnits(catalog)) {
    json lines = json::array();
    double score = 0;
    for (const AssessmentRule& rule : rules.rules) {
      const Line line = scorer.Score(rule, unit);
      const double points = Round2(line.points);
      score += points;
      json positions = json::array();
      for (GlobalPosition position : line.positions) positions.push_back(position.value);
      const bool adjustments = rule.kind == AssessmentRuleKind::kAdjustments;
      lines.push_back({{"rule", std::string(AssessmentRuleId(rule.kind))},
                       {"label", rule.label},
                       {"points", NumberJson<json>(points)},
                       {"max", adjustments ? json(nullptr) : NumberJson<json>(Round2(rule.max_points))},
                       {"positions", positions},
                       {"detail", line.detail}});
    }
    units.push_back({{"unit", unit},
                     {"score", NumberJson<json>(Round2(std::clamp(score, 0.0, rules.total)))},
                     {"lines", lines}});
  }
  return {{"year", evaluation.year},
          {"rules_version", rules.version},
          {"frozen", evaluation.frozen},
          {"frozen_at_position", evaluation.frozen ? json(evaluation.before.value) : json(nullptr)},
          {"evaluated_at", FormatTimestamp(evaluation.now)},
          {"units", units}};
}

}  // namespace kuimen
