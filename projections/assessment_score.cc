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
#include "domain/calendar.h"
#include "domain/supervised_item.h"
#include "eventstore/envelope_json.h"
#include "eventstore/json_reader.h"
#include "projections/county_figure.h"
#include "projections/report_period.h"

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

// A task the unit is assessed on by one rule, and how much it counts: 1 for a
// task it leads, the rule's cooperating_weight for one it cooperates on.
struct Involved {
  const TaskSpec* task = nullptr;
  double weight = 1;
  bool leads = true;
};

// Weighted tallies of what was due and what earned its points.
struct Tally {
  double due = 0;     // Σ weight of the items counted
  double earned = 0;  // Σ weight × share earned (0..1) of those items
  bool cooperating = false;  // some counted item is on a task the unit only cooperates on
  void Count(const Involved& on, double share) {
    due += on.weight;
    earned += on.weight * share;
    cooperating = cooperating || !on.leads;
  }
};

// One score line before rounding. Not applicable (不适用) when nothing was due.
struct Line {
  const AssessmentRule* rule = nullptr;
  bool applicable = true;
  double points = 0;
  std::set<GlobalPosition> positions;  // sorted, each once
  std::string detail;
  ReportTimeliness timeliness = {};  // 报送及时 only: the months as counted
  // What the points rest on: how many items were counted (months, notices,
  // targets, tasks; unweighted) and what they are. Empty noun for 加减分.
  int basis = 0;
  std::string basis_noun;
};

// Everything one evaluation reads, and the questions the rules ask of it.
class Scorer {
 public:
  Scorer(const Catalog& catalog, const AssessmentRules& rules, const AssessmentFacts& facts,
         const AssessmentEvaluation& at)
      : catalog_(catalog), rules_(rules), facts_(facts), at_(at), offset_(rules.utc_offset_minutes),
        today_(LocalDate(at.now)), plan_month_(PlanMonth(catalog)),
        start_month_(SupervisionStartMonth(catalog.supervision_start, facts.store_created_at,
                                           rules.utc_offset_minutes)) {}

  // The months 报送及时 counts (session 7, item 4): from the later of
  // January, the plan's month and the supervision start, to the month before
  // the evaluation's (December for a past or frozen year). The one place the
  // page, the exports and the statistics read the window from.
  std::pair<year_month, year_month> TimelinessWindow() const { return DueMonths(); }

  Line Score(const AssessmentRule& rule, const std::string& unit) const {
    const std::vector<Involved> tasks = InvolvedIn(rule, unit);
    Line line;
    line.rule = &rule;
    if (tasks.empty() && rule.kind != AssessmentRuleKind::kAdjustments) {
      line.applicable = false;
      line.detail = "不适用：未牵头任务，配合任务不计此项";
      line.basis_noun = BasisNoun(rule.kind);
      return line;
    }
    switch (rule.kind) {
      case AssessmentRuleKind::kTimeliness: Timeliness(rule, unit, tasks, line); break;
      case AssessmentRuleKind::kApproval: Approval(rule, unit, tasks, line); break;
      case AssessmentRuleKind::kTargets: Targets(rule, tasks, line); break;
      case AssessmentRuleKind::kNotices: Notices(rule, tasks, line); break;
      case AssessmentRuleKind::kCompletion: Completion(rule, tasks, line); break;
      case AssessmentRuleKind::kAdjustments: Adjustments(unit, line); break;
    }
    return line;
  }

  // "lead", "cooperating" or "lead_and_cooperating": how the unit takes part in the plan.
  std::string Involvement(const std::string& unit) const {
    bool leads = false, cooperates = false;
    for (const TaskSpec& task : catalog_.tasks) {
      leads = leads || task.lead_unit == unit;
      cooperates = cooperates || std::find(task.cooperating_units.begin(), task.cooperating_units.end(), unit) !=
                                     task.cooperating_units.end();
    }
    if (leads && cooperates) return "lead_and_cooperating";
    return leads ? "lead" : "cooperating";
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

  // The tasks the rule reads for the unit: those it leads, and those it
  // cooperates on when the rule gives them a weight.
  std::vector<Involved> InvolvedIn(const AssessmentRule& rule, const std::string& unit) const {
    std::vector<Involved> tasks;
    for (const TaskSpec& task : catalog_.tasks) {
      if (task.lead_unit == unit) {
        tasks.push_back({&task, 1, true});
      } else if (rule.cooperating_weight > 0 &&
                 std::find(task.cooperating_units.begin(), task.cooperating_units.end(), unit) !=
                     task.cooperating_units.end()) {
        tasks.push_back({&task, rule.cooperating_weight, false});
      }
    }
    return tasks;
  }

  // Sets the line's points from the tally, or marks it 不适用 when nothing was due.
  static void Earn(const AssessmentRule& rule, const Tally& tally, Line& line) {
    line.applicable = tally.due > 0;
    line.points = line.applicable ? rule.max_points * tally.earned / tally.due : 0;
  }
  static std::string CooperatingNote(const AssessmentRule& rule, const Tally& tally) {
    if (!tally.cooperating) return "";
    return "（配合任务按" + Points(rule.cooperating_weight) + "折算）";
  }

  // The months whose reports are due: from January (or the plan's month, in
  // its year) to the month before the evaluation's, or to December for a year
  // past or frozen. Empty when first > last.
  std::pair<year_month, year_month> DueMonths() const {
    const std::chrono::year year(Year());
    year_month first = year / std::chrono::January;
    if (plan_month_.has_value() && plan_month_->year() >= year) first = std::max(first, *plan_month_);
    // Nothing is due before supervision starts (the catalog's supervision_start,
    // else the month the store was created): projections/report_period.h.
    if (start_month_.has_value()) first = std::max(first, *start_month_);
    year_month last = year / std::chrono::December;
    if (!at_.frozen && today_.year() <= year) {
      last = today_.year() < year ? first - std::chrono::months(1)
                                  : year_month(today_.year(), today_.month()) - std::chrono::months(1);
    }
    return {first, last};
  }

  // The day of the month after `month` by which its report is on time.
  year_month_day DueDate(year_month month) const {
    const AssessmentRule* timeliness = rules_.Find(AssessmentRuleKind::kTimeliness);
    const double day = timeliness != nullptr ? timeliness->Parameter("due_day") : 10;
    return (month + std::chrono::months(1)) / std::chrono::day(static_cast<unsigned>(day));
  }

  // Whether the task stood completed at the end of `date` (local time).
  bool CompletedBy(const AssessmentFacts::TaskStream& facts, year_month_day date) const {
    bool completed = false;
    for (const AssessmentFacts::Completion& completion : facts.completions) {
      if (Counts(completion.position) && LocalDate(completion.recorded_at) <= date) completed = completion.completed;
    }
    return completed;
  }

  // The unit's reports for each due month of the task, in position order.
  std::map<year_month, std::vector<const AssessmentFacts::Report*>> ReportsByMonth(
      const AssessmentFacts::TaskStream* facts, const std::string& unit) const {
    std::map<year_month, std::vector<const AssessmentFacts::Report*>> by_month;
    const auto [first, last] = DueMonths();
    if (facts == nullptr || first > last) return by_month;
    const AssessmentFacts::NameId id = facts_.FindName(unit);
    if (id == AssessmentFacts::kNoName) return by_month;  // no report names it
    for (const AssessmentFacts::Report& report : facts->reports) {
      // A township's report is its group unit's too (各乡镇人民政府、街道办事处).
      const bool units = report.unit == id || report.group == id;
      if (!units || report.period < first || report.period > last || !Counts(report.position)) continue;
      by_month[report.period].push_back(&report);  // reports are in version, so position, order
    }
    return by_month;
  }

  // 报送及时: per task and due month, the unit's first report for that month,
  // on time if recorded by the due day of the following month. A month not
  // reported counts 0 once its due day has passed; before, it is not counted
  // yet, nor at all if the task stood completed on that day (a completed task
  // takes no reports).
  // The basis noun of each kind, as the lines below set it.
  static std::string BasisNoun(AssessmentRuleKind kind) {
    switch (kind) {
      case AssessmentRuleKind::kTimeliness: return "期报送";
      case AssessmentRuleKind::kApproval: return "期审核";
      case AssessmentRuleKind::kTargets: return "项量化目标";
      case AssessmentRuleKind::kNotices: return "件督办";
      case AssessmentRuleKind::kCompletion: return "项任务";
      case AssessmentRuleKind::kAdjustments: return "";
    }
    return "";
  }

  void Timeliness(const AssessmentRule& rule, const std::string& unit, const std::vector<Involved>& tasks,
                  Line& line) const {
    const auto [first, last] = DueMonths();
    Tally tally;
    int on_time = 0, late = 0, missing = 0, pending = 0, exempt = 0;
    for (const Involved& on : tasks) {
      const AssessmentFacts::TaskStream* facts = Facts(*on.task);
      const auto reports = ReportsByMonth(facts, unit);
      for (year_month month = first; month <= last; month += std::chrono::months(1)) {
        const year_month_day due = DueDate(month);
        const auto found = reports.find(month);
        // A month is owed unless the task stood completed on its due day.
        const bool owed = facts == nullptr || !CompletedBy(*facts, due);
        const AssessmentFacts::Report* earliest = found == reports.end() ? nullptr : found->second.front();
        const bool in_time = earliest != nullptr && LocalDate(earliest->recorded_at) <= due;
        if (earliest != nullptr && (in_time || owed)) {
          ++(in_time ? on_time : late);
          tally.Count(on, in_time ? 1 : 0);
          line.positions.insert(earliest->position);
        } else if (!owed) {
          ++exempt;  // a late report of a month not owed costs nothing either
        } else if (today_ > due) {
          ++missing;
          tally.Count(on, 0);
        } else {
          ++pending;
        }
      }
    }
    Earn(rule, tally, line);
    if (!line.applicable) {
      line.detail = first > last || pending == 0 ? "不适用：本年度尚无应报送的月份" : "不适用：尚无已到报送期限的月份";
    } else {
      line.detail = "应报" + std::to_string(on_time + late + missing) + "期，按时报送" + std::to_string(on_time) +
                    "期，逾期报送" + std::to_string(late) + "期，未报送" + std::to_string(missing) + "期" +
                    CooperatingNote(rule, tally);
    }
    if (pending > 0) line.detail += "；另有" + std::to_string(pending) + "期未到报送期限";
    if (exempt > 0) line.detail += "；" + std::to_string(exempt) + "期因任务已完成免报";
    line.timeliness = {on_time, late, missing, pending, exempt};
    line.basis = on_time + late + missing;
    line.basis_noun = "期报送";
  }

  // 审核通过: per task and due month, whether the unit's report for it was
  // approved. A month with an approved report earns; one whose reports were
  // all returned, or one not reported once its due day has passed, counts 0;
  // one whose report awaits review is not counted yet.
  void Approval(const AssessmentRule& rule, const std::string& unit, const std::vector<Involved>& tasks,
                Line& line) const {
    const auto [first, last] = DueMonths();
    Tally tally;
    int approved = 0, returned = 0, missing = 0, waiting = 0;
    for (const Involved& on : tasks) {
      const AssessmentFacts::TaskStream* facts = Facts(*on.task);
      const auto reports = ReportsByMonth(facts, unit);
      for (year_month month = first; month <= last; month += std::chrono::months(1)) {
        const year_month_day due = DueDate(month);
        const auto found = reports.find(month);
        const bool owed = facts == nullptr || !CompletedBy(*facts, due);
        if (found == reports.end()) {
          if (owed && today_ > due) {
            ++missing;
            tally.Count(on, 0);
          }
          continue;
        }
        std::optional<GlobalPosition> approval;  // of the first approving review
        bool unreviewed = false;
        std::vector<GlobalPosition> returns;
        const auto& month_reports = found->second;
        for (std::size_t i = 0; i < month_reports.size(); ++i) {
          const AssessmentFacts::Report* report = month_reports[i];
          const bool reviewed = report->reviewed() && Counts(report->review_position);
          // 已被替代: an unreviewed report followed by one of the same unit
          // for the month waits for nothing (domain/task_rules.h, report_superseded).
          const bool superseded = std::any_of(month_reports.begin() + static_cast<std::ptrdiff_t>(i) + 1,
                                              month_reports.end(),
                                              [&](const auto* later) { return later->unit == report->unit; });
          if (!reviewed) {
            if (!superseded) unreviewed = true;
          } else if (report->review_decision == ReviewDecision::kApproved) {
            if (!approval.has_value()) approval = report->review_position;
          } else {
            returns.push_back(report->review_position);
          }
        }
        if (approval.has_value()) {
          ++approved;
          tally.Count(on, 1);
          line.positions.insert(*approval);
        } else if (unreviewed) {
          ++waiting;
        } else if (owed) {  // a returned report of a month not owed costs nothing
          ++returned;
          tally.Count(on, 0);
          line.positions.insert(returns.begin(), returns.end());
        }
      }
    }
    Earn(rule, tally, line);
    line.detail = !line.applicable ? "不适用：尚无应审核的月份"
                                   : "应审核" + std::to_string(approved + returned + missing) + "期，审核通过" +
                                         std::to_string(approved) + "期，退回未通过" + std::to_string(returned) +
                                         "期，未报送" + std::to_string(missing) + "期" + CooperatingNote(rule, tally);
    if (waiting > 0) line.detail += "；另有" + std::to_string(waiting) + "期待审核";
    line.basis = approved + returned + missing;
    line.basis_noun = "期审核";
  }

  // The county figure of a task's target as of the year's December
  // (projections/county_figure.h, the board's rule): from the reports counted
  // at this position that were not returned, each unit's latest figure; a
  // lead's county-wide figure, else the sum of the units' own.
  std::optional<CountyFigure> TargetFigure(const AssessmentFacts::TaskStream* facts, const TaskSpec& task,
                                           const Target& target) const {
    if (facts == nullptr) return std::nullopt;
    // Rules before fengjie-2024.3 counted figures awaiting review too: they
    // pass as approved, so a year frozen under those rules scores as it did.
    const AssessmentRule* rule = rules_.Find(AssessmentRuleKind::kTargets);
    const bool approved_only = rule != nullptr && rule->Parameter("approved_only") != 0;
    std::vector<UnitFigure> figures;
    const AssessmentFacts::NameId indicator = facts_.FindName(target.indicator);
    for (const AssessmentFacts::Report& report : facts->reports) {
      const bool reviewed = report.reviewed() && Counts(report.review_position);
      if (!Counts(report.position) || (reviewed && report.review_decision == ReviewDecision::kReturned)) continue;
      const AssessmentFacts::ReportValue* value = facts->ValueOf(report, indicator);
      if (value == nullptr) continue;
      figures.push_back(UnitFigure{std::string(facts_.Name(report.unit)),
                                   value->county_wide ? IndicatorScope::kCounty : IndicatorScope::kOwn, value->value,
                                   report.period, report.position.value, report.recorded_at,
                                   reviewed || !approved_only});
    }
    return FormCountyFigure(figures, {task.lead_unit}, std::chrono::year(Year()) / std::chrono::December);
  }

  // 目标达成: once any month of the year is due, per quantitative target of a
  // task, its county figure of the year (TargetFigure: the same number the
  // board and the county targets show) against the target, within 0..1; a
  // target nobody reported counts 0.
  void Targets(const AssessmentRule& rule, const std::vector<Involved>& tasks, Line& line) const {
    const auto [first, last] = DueMonths();
    Tally tally;
    int targets = 0, unreported = 0;
    line.basis_noun = "项量化目标";
    for (const Involved& on : tasks) {
      if (first > last) break;  // nothing due yet this year
      const AssessmentFacts::TaskStream* facts = Facts(*on.task);
      for (const Target& target : on.task->targets) {
        if (!target.value.has_value()) continue;
        ++targets;
        const std::optional<CountyFigure> county = TargetFigure(facts, *on.task, target);
        if (!county.has_value()) {
          ++unreported;
          tally.Count(on, 0);
          continue;
        }
        const double value = county->value;
        tally.Count(on, *target.value <= 0 ? 1.0 : std::clamp(value / *target.value, 0.0, 1.0));
        for (const CountyFigure::Contribution& c : county->units) {
          if (c.counted) line.positions.insert(GlobalPosition(c.figure.position));
        }
      }
    }
    Earn(rule, tally, line);
    line.basis = targets;
    if (!line.applicable) {
      line.detail = first > last ? "不适用：本年度尚无应报送的月份" : "不适用：所涉任务无量化目标";
      return;
    }
    line.detail = "量化目标" + std::to_string(targets) + "项，平均完成" + Points(100 * tally.earned / tally.due) + "%";
    if (unreported > 0) line.detail += "，其中" + std::to_string(unreported) + "项未报送数值按0计";
    line.detail += CooperatingNote(rule, tally);
  }

  // 督办整改: notices issued in the year on the tasks; answered on or before
  // the due date (local time). One neither answered nor past due is not
  // counted yet, unless the task force closed it unanswered (未整改销号):
  // that counts as not rectified at once.
  void Notices(const AssessmentRule& rule, const std::vector<Involved>& tasks, Line& line) const {
    Tally tally;
    int on_time = 0, late = 0, missing = 0, closed_unanswered = 0, pending = 0;
    for (const Involved& on : tasks) {
      const AssessmentFacts::TaskStream* facts = Facts(*on.task);
      if (facts == nullptr) continue;
      for (const AssessmentFacts::Notice& notice : facts->notices) {
        if (!Counts(notice.position) || static_cast<int>(LocalDate(notice.issued_at).year()) != Year()) continue;
        if (notice.answer.has_value() && Counts(notice.answer->position)) {
          const bool in_time = LocalDate(notice.answer->recorded_at) <= notice.due;
          ++(in_time ? on_time : late);
          tally.Count(on, in_time ? 1 : 0);
          line.positions.insert(notice.answer->position);
        } else if (notice.closed_unanswered.has_value() && Counts(*notice.closed_unanswered)) {
          ++closed_unanswered;
          tally.Count(on, 0);
          line.positions.insert(notice.position);
          line.positions.insert(*notice.closed_unanswered);
        } else if (today_ > notice.due) {
          ++missing;
          tally.Count(on, 0);
          line.positions.insert(notice.position);
        } else {
          ++pending;
        }
      }
    }
    Earn(rule, tally, line);
    line.detail = !line.applicable ? "不适用：本年度无到期的督办事项"
                                   : "督办事项" + std::to_string(on_time + late + missing + closed_unanswered) +
                                         "件，按期整改" + std::to_string(on_time) + "件，逾期整改" +
                                         std::to_string(late) + "件，逾期未整改" + std::to_string(missing) + "件";
    if (closed_unanswered > 0) line.detail += "，未整改销号" + std::to_string(closed_unanswered) + "件";
    if (line.applicable) line.detail += CooperatingNote(rule, tally);
    if (pending > 0) line.detail += "；另有" + std::to_string(pending) + "件未到整改期限";
    line.basis = on_time + late + missing + closed_unanswered;
    line.basis_noun = "件督办";
  }

  // 任务完成: tasks whose last TaskCompleted / TaskReopened is a completion.
  void Completion(const AssessmentRule& rule, const std::vector<Involved>& tasks, Line& line) const {
    Tally tally;
    int completed = 0;
    for (const Involved& on : tasks) {
      const AssessmentFacts::TaskStream* facts = Facts(*on.task);
      const AssessmentFacts::Completion* last = nullptr;
      if (facts != nullptr) {
        for (const AssessmentFacts::Completion& completion : facts->completions) {
          if (Counts(completion.position)) last = &completion;
        }
      }
      const bool done = last != nullptr && last->completed;
      if (done) ++completed;
      tally.Count(on, done ? 1 : 0);
      if (last != nullptr) line.positions.insert(last->position);  // the completion earned, or the reopening cost
    }
    Earn(rule, tally, line);
    line.detail = !line.applicable ? "不适用：无所涉任务"
                                   : "所涉任务" + std::to_string(tasks.size()) + "项，已完成" +
                                         std::to_string(completed) + "项" + CooperatingNote(rule, tally);
    line.basis = static_cast<int>(tasks.size());
    line.basis_noun = "项任务";
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
  const AssessmentRules& rules_;
  const AssessmentFacts& facts_;
  const AssessmentEvaluation& at_;
  std::chrono::minutes offset_;
  year_month_day today_;
  std::optional<year_month> plan_month_;
  std::optional<year_month> start_month_;  // the supervision start; empty while unknown
};

// 领导批示 on the tasks `unit` leads or cooperates on, given in the year
// (China time, the rules' offset) and, for a frozen year, before the freeze:
// evidence beside the score, which they never change. By task, oldest first.
std::vector<AssessmentInstruction> InstructionsOf(const Catalog& catalog, const AssessmentRules& rules,
                                                  const AssessmentFacts& facts,
                                                  const AssessmentEvaluation& evaluation, const std::string& unit) {
  std::vector<AssessmentInstruction> out;
  for (const TaskSpec& task : catalog.tasks) {
    const bool involved = task.lead_unit == unit || std::find(task.cooperating_units.begin(),
                                                              task.cooperating_units.end(),
                                                              unit) != task.cooperating_units.end();
    if (!involved) continue;
    const std::string stream = TaskStream(task.no).value;
    auto it = facts.instructions.find(stream);
    if (it == facts.instructions.end()) continue;
    for (const AssessmentFacts::Instruction& i : it->second) {
      if (evaluation.before.value != 0 && i.position >= evaluation.before) continue;
      const year_month_day day(std::chrono::floor<std::chrono::days>(i.given_at + std::chrono::minutes(rules.utc_offset_minutes)));
      if (static_cast<int>(day.year()) != evaluation.year) continue;
      out.push_back({stream, i.version.value, i.position.value, i.given_at, i.principal,
                     i.leader_name.empty() ? i.principal : i.leader_name,
                     i.notice_id.empty() ? std::nullopt : std::optional<std::string>(i.notice_id), i.text});
    }
  }
  return out;
}

// A line's basis (session 7, score basis); none for 加减分 (given as it is,
// resting on no count). Thin (依据不足) when an applicable line rests on
// fewer than the rules' min_basis items; display only, the points are the
// rules'. The text is what the page and the exports print beside the points,
// e.g. "据1件督办（依据不足）".
std::optional<AssessmentLineBasis> LineBasis(const AssessmentRules& rules, const Line& line) {
  if (line.rule->kind == AssessmentRuleKind::kAdjustments) return std::nullopt;
  const bool thin = line.applicable && line.basis < rules.min_basis;
  std::string text = line.applicable ? "据" + std::to_string(line.basis) + line.basis_noun : "无应计事项";
  if (thin) text += "（依据不足）";
  return AssessmentLineBasis{line.basis, thin, std::move(text)};
}

// A unit's basis: how many scored components applied ("适用3/5项") and which
// rest on too little (rule ids).
AssessmentUnitBasis UnitBasis(int applicable, int components, std::vector<std::string> thin) {
  std::string text = "适用" + std::to_string(applicable) + "/" + std::to_string(components) + "项";
  if (!thin.empty()) text += "，" + std::to_string(thin.size()) + "项依据不足";
  return {applicable, components, std::move(text), std::move(thin)};
}

// from/to empty while no month is due yet.
AssessmentTimelinessWindow TimelinessWindowOf(year_month first, year_month last, const AssessmentRules& rules) {
  const AssessmentRule* timeliness = rules.Find(AssessmentRuleKind::kTimeliness);
  const unsigned day = timeliness != nullptr ? static_cast<unsigned>(timeliness->Parameter("due_day")) : 10;
  std::string label = TimelinessWindowLabel(first, last, day);  // projections/report_period.h
  if (first > last) return {std::nullopt, std::nullopt, std::move(label)};
  return {first, last, std::move(label)};
}

AssessmentInvolvement InvolvementOf(const std::string& text) {
  if (text == "lead_and_cooperating") return AssessmentInvolvement::kLeadAndCooperating;
  return text == "lead" ? AssessmentInvolvement::kLead : AssessmentInvolvement::kCooperating;
}

}  // namespace

AssessmentResult ScoreAssessment(const Catalog& catalog, const AssessmentRules& rules, const AssessmentFacts& facts,
                                 const AssessmentEvaluation& evaluation) {
  const Scorer scorer(catalog, rules, facts, evaluation);
  // A year wholly before supervision began is 未纳入督办 (session 7, A2): no
  // points and no rank, whatever the rules would make of its empty months.
  const std::optional<year_month> start =
      SupervisionStartMonth(catalog.supervision_start, facts.store_created_at, rules.utc_offset_minutes);
  const bool in_scope = !start.has_value() || evaluation.year >= static_cast<int>(start->year());
  AssessmentResult result;
  result.year = evaluation.year;
  result.in_scope = in_scope;
  result.scope_note = in_scope ? std::nullopt
                               : std::optional<std::string>(std::to_string(evaluation.year) + "年未纳入督办（督办自" +
                                                            ChineseMonthText(*start) + "起），不计分、不排名");
  for (const std::string& unit : AssessedUnits(catalog)) {
    AssessmentUnitResult out;
    out.unit = unit;
    out.involvement = InvolvementOf(scorer.Involvement(unit));
    std::vector<std::string> thin;
    int components = 0, applicable = 0;
    double earned = 0, applicable_max = 0, adjustments = 0;
    for (const AssessmentRule& rule : rules.rules) {
      Line line = scorer.Score(rule, unit);
      if (!in_scope) {  // a year before supervision: nothing applies
        line = Line{};
        line.rule = &rule;
        line.applicable = false;
        line.detail = "未纳入督办";
      }
      const double points = Round2(line.points);
      const bool adjusting = rule.kind == AssessmentRuleKind::kAdjustments;
      if (adjusting) {
        adjustments += points;
      } else if (line.applicable) {
        earned += points;
        applicable_max += rule.max_points;
      } else {
        out.not_applicable.push_back(std::string(AssessmentRuleId(rule.kind)));
      }
      std::optional<AssessmentLineBasis> basis = LineBasis(rules, line);
      if (!adjusting) {
        ++components;
        if (line.applicable) ++applicable;
        if (basis.has_value() && basis->thin) thin.push_back(std::string(AssessmentRuleId(rule.kind)));
      }
      AssessmentLine& scored = out.lines.emplace_back();
      scored.rule = std::string(AssessmentRuleId(rule.kind));
      scored.label = rule.label;
      scored.applicable = line.applicable;
      if (line.applicable) scored.points = points;
      if (!adjusting) scored.max = Round2(rule.max_points);
      for (GlobalPosition position : line.positions) scored.positions.push_back(position.value);
      scored.basis = std::move(basis);
      scored.detail = std::move(line.detail);
    }
    // Scaled over the components that applied, then 加减分 added as given.
    if (in_scope && applicable_max > 0) {
      const double scaled = Round2(earned / applicable_max * rules.total);
      out.base = scaled;
      out.score = Round2(std::clamp(scaled + adjustments, 0.0, rules.total));
    }
    out.earned = Round2(earned);
    out.applicable_max = Round2(applicable_max);
    out.adjustments = Round2(adjustments);
    out.basis = UnitBasis(applicable, components, std::move(thin));
    out.instructions = InstructionsOf(catalog, rules, facts, evaluation, unit);
    result.units.push_back(std::move(out));
  }
  const auto [first, last] = scorer.TimelinessWindow();
  result.timeliness_window = TimelinessWindowOf(first, last, rules);
  result.rules_version = rules.version;
  result.rules_json = AssessmentRulesToJson(rules);
  result.rules_total = rules.total;
  if (rules.min_basis != AssessmentRules::kDefaultMinBasis) result.rules_min_basis = rules.min_basis;
  result.frozen = evaluation.frozen;
  if (evaluation.frozen) result.frozen_at_position = evaluation.before.value;
  result.frozen_early = evaluation.frozen && evaluation.early;
  if (evaluation.frozen && evaluation.early) result.frozen_reason = evaluation.reason;
  result.evaluated_at = evaluation.now;
  return result;
}

ReportTimeliness CountReportTimeliness(const Catalog& catalog, const AssessmentRules& rules,
                                       const AssessmentFacts& facts, const AssessmentEvaluation& evaluation,
                                       const std::string& unit) {
  const AssessmentRule* rule = rules.Find(AssessmentRuleKind::kTimeliness);
  if (rule == nullptr) return {};
  return Scorer(catalog, rules, facts, evaluation).Score(*rule, unit).timeliness;
}

void RankUnits(AssessmentResult& result) {
  std::vector<AssessmentUnitResult>& units = result.units;
  std::stable_sort(units.begin(), units.end(), [](const AssessmentUnitResult& a, const AssessmentUnitResult& b) {
    return a.score.has_value() && (!b.score.has_value() || *a.score > *b.score);
  });
  std::optional<double> previous;
  std::int64_t rank = 0;
  for (std::size_t i = 0; i < units.size(); ++i) {
    AssessmentUnitResult& unit = units[i];
    if (!unit.score.has_value()) {
      unit.rank = std::nullopt;
      continue;
    }
    if (previous != unit.score) rank = static_cast<std::int64_t>(i) + 1;
    previous = unit.score;
    unit.rank = rank;
  }
}

}  // namespace kuimen
