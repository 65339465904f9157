#include "projections/supervision_board.h"

#include <algorithm>
#include <cmath>

#include "domain/calendar.h"
#include "domain/supervised_item.h"
#include "projections/county_figure.h"
#include "projections/report_period.h"
#include "projections/supervision_view.h"
#include "projections/supervision_warnings.h"

namespace kuimen {

std::string_view WarningLevelName(WarningLevel level) {
  switch (level) {
    case WarningLevel::kNone: return "none";
    case WarningLevel::kBlue: return "blue";
    case WarningLevel::kYellow: return "yellow";
    case WarningLevel::kRed: return "red";
  }
  return "unknown";
}

std::string_view WarningLevelLabel(WarningLevel level) {
  switch (level) {
    case WarningLevel::kNone: return "无";
    case WarningLevel::kBlue: return "蓝";
    case WarningLevel::kYellow: return "黄";
    case WarningLevel::kRed: return "红";
  }
  return "未知";
}

std::string_view MilestoneStatusName(MilestoneStatus status) {
  switch (status) {
    case MilestoneStatus::kNotDue: return "not_due";
    case MilestoneStatus::kApproaching: return "approaching";
    case MilestoneStatus::kOverdue: return "overdue";
    case MilestoneStatus::kMet: return "met";
    case MilestoneStatus::kCancelled: return "cancelled";
    case MilestoneStatus::kTaskCompleted: return "task_completed";
  }
  return "unknown";
}

std::string_view MilestoneStatusLabel(MilestoneStatus status) {
  switch (status) {
    case MilestoneStatus::kNotDue: return "未到期";
    case MilestoneStatus::kApproaching: return "临近";
    case MilestoneStatus::kOverdue: return "逾期未完成";
    case MilestoneStatus::kMet: return "已完成";
    case MilestoneStatus::kCancelled: return "已取消";
    case MilestoneStatus::kTaskCompleted: return "随任务完成";
  }
  return "未知";
}

// Also the stored form: the view's milestone rows (supervision_view.cc) write
// and read a change's kind by these names, so they never change.
std::string_view MilestoneChangeKindName(MilestoneChangeKind kind) {
  switch (kind) {
    case MilestoneChangeKind::kSet: return "set";
    case MilestoneChangeKind::kMoved: return "moved";
    case MilestoneChangeKind::kMet: return "met";
    case MilestoneChangeKind::kCancelled: return "cancelled";
  }
  return "unknown";
}

std::string_view MilestoneChangeKindLabel(MilestoneChangeKind kind) {
  switch (kind) {
    case MilestoneChangeKind::kSet: return "设定";
    case MilestoneChangeKind::kMoved: return "调整";
    case MilestoneChangeKind::kMet: return "完成";
    case MilestoneChangeKind::kCancelled: return "取消";
  }
  return "未知";
}

std::string_view FigureReviewName(FigureReview review) {
  switch (review) {
    case FigureReview::kApproved: return "approved";
    case FigureReview::kPending: return "pending";
    case FigureReview::kReturned: return "returned";
  }
  return "unknown";
}

std::string_view FigureReviewLabel(FigureReview review) {
  switch (review) {
    case FigureReview::kApproved: return "审核通过";
    case FigureReview::kPending: return "待审核";
    case FigureReview::kReturned: return "已退回";
  }
  return "未知";
}

using namespace supervision;
using PendingReport = SupervisionView::PendingReport;
using FigureKey = SupervisionView::FigureKey;
using Figure = SupervisionView::Figure;
using Notice = SupervisionView::Notice;
using StreamState = SupervisionView::StreamState;
using Milestone = SupervisionView::Milestone;
using MilestoneChange = SupervisionView::MilestoneChange;
using Instruction = SupervisionView::Instruction;

namespace {

// --- building the board ------------------------------------------------------
// (Moved from supervision_view.cc's "rendering", which built JSON; the same
// rules now fill the structs of supervision_board.h.)

struct Reading {
  StreamVersion version;  // of the report it comes from
  double value = 0;
  std::chrono::year_month period;
  Timestamp recorded_at;
};

// Keeps the later of the readings by period, then stream version (the one
// rule of projections/report_period.h, which the assessment follows too).
void ConsiderReading(std::optional<Reading>& best, const Reading& candidate) {
  if (!best.has_value() ||
      IsLaterFigure(candidate.period, candidate.version.value, best->period, best->version.value)) {
    best = candidate;
  }
}

// Every figure of `indicator` in `unit` that counts, one per reporting unit,
// period and report: the approved figures, and those of reports not reviewed
// yet (a returned report's figures do not count: the fold dropped them).
std::vector<UnitFigure> FiguresOf(const StreamState& state, const std::string& indicator, const std::string& unit) {
  std::vector<UnitFigure> out;
  const std::chrono::year_month first = std::chrono::year::min() / std::chrono::January;
  for (auto it = state.approved_figures.lower_bound(FigureKey{indicator, unit, "", first});
       it != state.approved_figures.end() && it->first.indicator == indicator && it->first.unit == unit; ++it) {
    const Figure& f = it->second;
    out.push_back(UnitFigure{it->first.reporter, f.scope, f.value, f.period, f.version.value, f.recorded_at, true});
  }
  for (const auto& [version, report] : state.pending_reports) {
    for (const IndicatorValue& v : report.indicators) {
      if (v.indicator != indicator || v.unit != unit) continue;
      out.push_back(UnitFigure{report.reporter, v.scope, v.value, report.period, version.value, report.recorded_at,
                               false});
      break;  // within one report the first value counts
    }
  }
  return out;
}

// The approved county figure and, beside it, the figure awaiting review
// (projections/county_figure.h, rule 4).
struct CountyReading {
  std::optional<CountyFigure> county;   // approved figures only
  std::optional<CountyFigure> pending;  // with the unreviewed ones, when any is a unit's latest
};

CountyReading CountyReadingIn(const StreamState& state, const std::string& indicator, const std::string& unit,
                              const std::vector<std::string>& lead_units,
                              std::optional<std::chrono::year_month> up_to = std::nullopt) {
  // A late report for an earlier period never replaces a later period's
  // figure, and one unit's figure never replaces another's.
  const std::vector<UnitFigure> figures = FiguresOf(state, indicator, unit);
  return {FormCountyFigure(figures, lead_units, up_to), PendingCountyFigure(figures, lead_units, up_to)};
}

// The overall percent (总体进度) by the same rule: the latest period's, up to
// `up_to` when given, of the approved reports (only approved figures count,
// as for indicators: clerk review A5), or with `with_pending` of the approved
// and the pending ones together (what it would be once those are approved).
// It is the lead units' estimate: a cooperating unit's or a township's percent
// is of its own share, and stands in only while no lead unit has given one.
std::optional<Reading> LatestProgress(const StreamState& state, const std::vector<std::string>& lead_units,
                                      std::optional<std::chrono::year_month> up_to, bool with_pending = false) {
  const auto leads = [&](const std::string& unit) {
    return std::find(lead_units.begin(), lead_units.end(), unit) != lead_units.end();
  };
  std::optional<Reading> best, best_of_lead;
  for (const auto& [key, figure] : state.approved_percents) {
    if (up_to.has_value() && key.first > *up_to) break;
    const Reading reading{figure.version, figure.value, figure.period, figure.recorded_at};
    ConsiderReading(leads(key.second) ? best_of_lead : best, reading);
  }
  for (const auto& [version, report] : state.pending_reports) {
    if (!with_pending) break;
    if (!report.percent.has_value() || (up_to.has_value() && report.period > *up_to)) continue;
    const Reading reading{version, *report.percent, report.period, report.recorded_at};
    ConsiderReading(leads(report.reporter) ? best_of_lead : best, reading);
  }
  return best_of_lead.has_value() ? best_of_lead : best;
}

// value / target * 100, to one decimal place; empty without both.
std::optional<double> ProgressPercent(const std::optional<double>& target, double value) {
  if (!target.has_value() || *target == 0) return std::nullopt;
  return std::round(value / *target * 1000) / 10;
}

// A target against its county figure (approved) and what it would be once
// the reports awaiting review are approved (待审核).
TargetReading ReadingOf(const Target& target, const CountyReading& reading, const Calendar& calendar) {
  TargetReading out{target.indicator, target.value, target.unit, std::nullopt, std::nullopt};
  if (const std::optional<CountyFigure>& county = reading.county) {
    out.latest = FigureReading{county->value,
                               county->latest.period,
                               county->latest.recorded_at,
                               calendar.Late(county->latest.period, county->latest.recorded_at),
                               county->basis,
                               ProgressPercent(target.value, county->value)};
  }
  if (reading.pending.has_value()) {
    const CountyFigure& p = *reading.pending;
    // "amount": only what awaits review (另有待审核 2 万亩次), beside the total
    // it would make (审核通过后全县 22 万亩次; clerk review A4).
    const double approved = reading.county.has_value() ? reading.county->value : 0;
    out.pending = PendingFigure{p.value, std::round((p.value - approved) * 1e6) / 1e6,
                                ProgressPercent(target.value, p.value), p.latest.period};
  }
  return out;
}

// 单位分解: per target of the item, each unit's latest figure and whether it
// forms the county figure, beside the county figure and how it was formed.
//
// A unit whose latest report of the indicator was returned keeps a row (clerk
// review B2): review "returned", 已退回, not counted, after its other rows; its
// earlier approved figure, if any, still counts. The returned reports come from
// the stream's review ledger (`ledger`; none in a view row written before it).
std::vector<UnitBreakdown> UnitBreakdownOf(const StreamState& state, const std::vector<Target>& targets,
                                           const std::vector<std::string>& lead_units, const Calendar& calendar,
                                           std::optional<std::chrono::year_month> up_to, const ReviewLedger* ledger) {
  std::vector<UnitBreakdown> out;
  for (const Target& target : targets) {
    const CountyReading reading = CountyReadingIn(state, target.indicator, target.unit, lead_units, up_to);
    const std::optional<CountyFigure>& county = reading.county;
    // Each unit's counted (approved) figure, then the figures awaiting review
    // that are a unit's latest: shown, not counted (rule 4).
    std::vector<CountyFigure::Contribution> rows;
    if (county.has_value()) rows = county->units;
    if (reading.pending.has_value()) {
      for (CountyFigure::Contribution c : reading.pending->units) {
        if (c.figure.approved) continue;
        c.counted = false;
        rows.push_back(std::move(c));
      }
    }
    // Each unit's latest report carrying this indicator, by version; a returned one gets a row.
    // Names are compared by the ledger's ids; a ledger without the target's
    // indicator and unit has no report carrying it.
    using Head = ReviewLedger::Head;
    std::map<ReviewLedger::NameId, std::pair<const Head*, IndicatorValue>> latest_report;
    const std::optional<ReviewLedger::NameId> indicator_id =
        ledger != nullptr ? ledger->IdOf(target.indicator) : std::nullopt;
    const std::optional<ReviewLedger::NameId> unit_id = ledger != nullptr ? ledger->IdOf(target.unit) : std::nullopt;
    if (indicator_id && unit_id) {
      for (const Head& head : ledger->heads()) {
        if (head.superseded() && !head.decision.has_value()) continue;
        if (up_to.has_value() && head.period > *up_to) continue;
        if (std::optional<IndicatorValue> v = ledger->IndicatorOf(head, *indicator_id, *unit_id)) {
          latest_report[head.unit] = {&head, std::move(*v)};
        }
      }
    }
    std::vector<std::pair<const Head*, IndicatorValue>> returned;
    for (const auto& [unit, report] : latest_report) {
      if (report.first->decision == ReviewDecision::kReturned) returned.push_back(report);
    }
    std::sort(returned.begin(), returned.end(), [](const auto& a, const auto& b) {
      return a.first->version.value < b.first->version.value;
    });
    UnitBreakdown entry{ReadingOf(target, reading, calendar), {}};
    for (const CountyFigure::Contribution& c : rows) {
      const UnitFigure& f = c.figure;
      entry.units.push_back(UnitFigureRow{f.unit, c.lead, f.value, f.period, f.scope,
                                          f.approved ? FigureReview::kApproved : FigureReview::kPending, c.counted,
                                          f.position, f.recorded_at, calendar.Late(f.period, f.recorded_at)});
    }
    for (const auto& [report, v] : returned) {
      const std::string& unit = ledger->Name(report->unit);
      const bool lead = std::find(lead_units.begin(), lead_units.end(), unit) != lead_units.end();
      entry.units.push_back(UnitFigureRow{unit, lead, v.value, report->period, v.scope,
                                          FigureReview::kReturned, false, report->version.value,
                                          report->recorded_at, calendar.Late(report->period, report->recorded_at)});
    }
    out.push_back(std::move(entry));
  }
  return out;
}

// The report recorded last (whatever its period): what "上次报送" and the
// silence warnings read. Its "late" says whether it was 补报.
std::optional<LastReportRow> LastReportOf(const StreamState& state, const Calendar& calendar) {
  if (!state.last_report.has_value()) return std::nullopt;
  const SupervisionView::LastReport& last = *state.last_report;
  return LastReportRow{last.version,  last.recorded_at, last.principal,
                       last.unit,     last.period,      last.percent,
                       calendar.Late(last.period, last.recorded_at), last.decision, last.reviewed_at};
}

// The overall percent as of its period: the latest period's (not the latest
// recorded report's), from a report not returned; empty when there is none.
std::optional<ProgressRow> ProgressOf(const StreamState& state, const std::vector<std::string>& lead_units,
                                      const Calendar& calendar, std::optional<std::chrono::year_month> up_to) {
  const std::optional<Reading> progress = LatestProgress(state, lead_units, up_to);
  if (!progress.has_value()) return std::nullopt;
  return ProgressRow{progress->value, progress->period, progress->version, progress->recorded_at,
                     calendar.Late(progress->period, progress->recorded_at)};
}

// The 总体进度 awaiting review (待审核), shown beside the approved one: the
// percent once the pending reports are approved, when that is a pending
// report's; empty otherwise.
std::optional<PendingProgress> PendingProgressOf(const StreamState& state, const std::vector<std::string>& lead_units,
                                                 std::optional<std::chrono::year_month> up_to) {
  const std::optional<Reading> progress = LatestProgress(state, lead_units, up_to, true);
  if (!progress.has_value() || !state.pending_reports.contains(progress->version)) return std::nullopt;
  return PendingProgress{progress->value, progress->period, progress->version};
}

// Every target of the item, reported or not, in the catalog's order.
std::vector<TargetReading> IndicatorsOf(const StreamState& state, const std::vector<Target>& targets,
                                        const std::vector<std::string>& lead_units, const Calendar& calendar,
                                        std::optional<std::chrono::year_month> up_to) {
  std::vector<TargetReading> out;
  for (const Target& target : targets) {
    out.push_back(
        ReadingOf(target, CountyReadingIn(state, target.indicator, target.unit, lead_units, up_to), calendar));
  }
  return out;
}

// How a met milestone was met: when, by which report or by the task force,
// and whether by its due date.
std::optional<MilestoneMetRow> MetOf(const Milestone& milestone, const Calendar& calendar) {
  if (!milestone.met_at.has_value()) return std::nullopt;
  const std::chrono::sys_days day = calendar.Day(*milestone.met_at);
  return MilestoneMetRow{*milestone.met_at, std::chrono::year_month_day(day), milestone.met_by_report,
                         day <= std::chrono::sys_days(milestone.due)};
}

std::optional<MilestoneCancelledRow> CancelledOf(const Milestone& milestone) {
  if (!milestone.cancelled_at.has_value()) return std::nullopt;
  std::string reason;
  for (const MilestoneChange& change : milestone.history) {
    if (change.kind == MilestoneChangeKind::kCancelled) reason = change.text;
  }
  return MilestoneCancelledRow{*milestone.cancelled_at, reason};
}

// 已调整: the latest move, from -> to, with its reason; empty if never moved.
std::optional<MilestoneAdjustedRow> AdjustedOf(const Milestone& milestone) {
  const MilestoneChange* move = LastMove(milestone);
  if (move == nullptr) return std::nullopt;
  std::int64_t moves = 0;
  for (const MilestoneChange& change : milestone.history) moves += change.kind == MilestoneChangeKind::kMoved;
  return MilestoneAdjustedRow{move->from, move->due, move->text, move->at, moves};
}

// Reports awaiting review that say they meet `name`: they meet it once approved.
std::vector<StreamVersion> PendingClaimsOf(const StreamState& state, const std::string& name) {
  std::vector<StreamVersion> out;
  for (const auto& [version, report] : state.pending_reports) {
    if (std::find(report.milestones_met.begin(), report.milestones_met.end(), name) != report.milestones_met.end()) {
      out.push_back(version);
    }
  }
  return out;
}

// The item's milestones (时限), by due date: each one's state as of today,
// how it was met, moved or cancelled, and its history.
std::vector<MilestoneRow> DeadlinesOf(const StreamState& state, const Calendar& calendar, bool completed) {
  std::vector<std::pair<std::chrono::sys_days, const std::string*>> by_due;
  for (const auto& [name, milestone] : state.milestones) by_due.emplace_back(std::chrono::sys_days(milestone.due), &name);
  std::sort(by_due.begin(), by_due.end(),
            [](const auto& a, const auto& b) { return a.first != b.first ? a.first < b.first : *a.second < *b.second; });
  std::vector<MilestoneRow> out;
  for (const auto& [due, name] : by_due) {
    const Milestone& milestone = state.milestones.at(*name);
    MilestoneRow row{*name,
                     milestone.due,
                     OriginalDue(milestone),
                     DaysLeft(milestone, calendar),
                     JudgeMilestone(milestone, calendar, completed),
                     MetOf(milestone, calendar),
                     AdjustedOf(milestone),
                     CancelledOf(milestone),
                     PendingClaimsOf(state, *name),
                     {}};
    for (const MilestoneChange& change : milestone.history) {
      row.history.push_back(MilestoneChangeRow{change.kind, change.version, change.at, change.principal, change.unit,
                                               change.due, change.from, change.text, change.report_version});
    }
    out.push_back(std::move(row));
  }
  return out;
}

std::vector<OpenNoticeRow> OpenNoticesOf(const StreamState& state, const Calendar& calendar) {
  std::vector<OpenNoticeRow> out;
  for (const auto& [id, notice] : state.open_notices) {
    const std::optional<std::chrono::sys_days> sign_by = SignBy(notice, calendar);
    out.push_back(OpenNoticeRow{id, notice.number, notice.reason, notice.due, notice.answered_at, notice.answer,
                                notice.issued_at, notice.signed_at, notice.signed_by,
                                sign_by ? std::optional(std::chrono::year_month_day(*sign_by)) : std::nullopt,
                                NoticeSignOverdue(notice, calendar), NoticeOverdue(notice, calendar)});
  }
  return out;
}

// 批示 on the item, oldest first; one on a notice names it and, while the
// notice is open, its 文号. The leader's name as stamped, else the principal.
std::vector<InstructionRow> InstructionsOf(const StreamState& state, const StreamId& stream) {
  std::vector<InstructionRow> out;
  for (const Instruction& i : state.instructions) {
    auto notice = i.notice_id.empty() ? state.open_notices.end() : state.open_notices.find(i.notice_id);
    out.push_back(InstructionRow{i.version, i.given_at, i.principal, i.leader_name.empty() ? i.principal : i.leader_name,
                                 i.notice_id,
                                 notice != state.open_notices.end() ? std::optional(notice->second.number) : std::nullopt,
                                 i.text, i.attachments, stream});
  }
  return out;
}

std::vector<PendingReportRow> PendingReportsOf(const StreamState& state) {
  std::vector<PendingReportRow> out;
  for (const auto& [version, report] : state.pending_reports) {
    out.push_back(PendingReportRow{version, report.reporter, report.period, report.recorded_at, report.indicators,
                                   report.percent, report.milestones_met});
  }
  return out;
}

// The fields tasks and major items share.
void FillSupervision(ItemBoard& out, const StreamState& state, const std::vector<Target>& targets,
                     const std::vector<std::string>& lead_units, const Evaluation& evaluation,
                     const Calendar& calendar, std::optional<std::chrono::year_month> up_to) {
  out.status = evaluation.status;
  out.status_from_related_tasks = evaluation.status_from_related_tasks;
  out.returned_units = evaluation.returned_units;
  out.pending_units = evaluation.pending_units;
  if (const std::optional<ReviewEntry>& lead = evaluation.lead_report) {
    out.lead_report = LeadReport{lead->version, lead->recorded_at, lead->unit, lead->period,
                                 calendar.Late(lead->period, lead->recorded_at), lead->decision};
  }
  out.version = state.version;
  out.completed_at = state.completed_at;
  out.last_report = LastReportOf(state, calendar);
  out.progress = ProgressOf(state, lead_units, calendar, up_to);
  out.progress_pending = PendingProgressOf(state, lead_units, up_to);
  out.indicators = IndicatorsOf(state, targets, lead_units, calendar, up_to);
  out.period = up_to;
  out.deadlines = DeadlinesOf(state, calendar, evaluation.status == TaskStatus::kCompleted);
  out.open_notices = OpenNoticesOf(state, calendar);
  out.instructions = InstructionsOf(state, out.stream);
  out.warning = evaluation.level;
  for (const auto& [level, reason] : evaluation.reasons) out.warning_reasons.push_back(reason);
  out.pending_reports = PendingReportsOf(state);
}

ItemBoard TaskBoard(const TaskSpec& task, const StreamState& state, const Evaluation& evaluation,
                    const Calendar& calendar, std::optional<std::chrono::year_month> up_to = std::nullopt) {
  ItemBoard out;
  out.stream = TaskStream(task.no);
  out.header = TaskHeader{task.no, task.category, task.item, task.lead_unit, task.cooperating_units};
  FillSupervision(out, state, task.targets, {task.lead_unit}, evaluation, calendar, up_to);
  return out;
}

ItemBoard MajorBoard(const MajorItem& item, const StreamState& state, const Evaluation& evaluation,
                     const Calendar& calendar, std::optional<std::chrono::year_month> up_to = std::nullopt) {
  ItemBoard out;
  out.stream = MajorStream(item.no);
  out.header = MajorHeader{item.no, item.kind, item.name, item.units, item.related_tasks};
  FillSupervision(out, state, item.targets, item.units, evaluation, calendar, up_to);
  return out;
}

const StreamState& Find(const std::map<std::string, StreamState>& streams, const StreamId& stream) {
  static const StreamState kNoEvents;
  auto it = streams.find(stream.value);
  return it == streams.end() ? kNoEvents : it->second;
}

std::map<WarningLevel, std::int64_t> NoWarnings() {
  return {{WarningLevel::kNone, 0}, {WarningLevel::kBlue, 0}, {WarningLevel::kYellow, 0}, {WarningLevel::kRed, 0}};
}

// One unit's items by warning level, counted over exactly the rows its
// 单位视图 lists (led tasks, cooperating tasks, major items naming it), so the
// summary cards and the table read the same numbers (session 7, item 6).
void Tally(UnitBoard& unit, WarningLevel level) {
  ++unit.items;
  ++unit.by_warning[level];
  if (level == WarningLevel::kNone) {
    ++unit.on_track;
  } else if (level == WarningLevel::kRed) {
    ++unit.overdue;
  } else {
    ++unit.warned;
  }
}

// Per unit: its items, how they fare, and the 批示 on the items it leads or
// cooperates on (its 待办 reads them), by item, oldest first within one.
std::vector<UnitBoard> UnitsOf(const Catalog& catalog, const std::map<std::string, Evaluation>& evaluations,
                               const std::map<std::string, StreamState>& streams) {
  std::vector<UnitBoard> out;
  for (const Unit& unit : catalog.units) {
    UnitBoard board;
    board.unit = unit.name;
    board.kind = unit.kind;
    board.by_warning = NoWarnings();
    for (const TaskSpec& task : catalog.tasks) {
      const bool leads = task.lead_unit == unit.name;
      const bool cooperates = std::find(task.cooperating_units.begin(), task.cooperating_units.end(),
                                        unit.name) != task.cooperating_units.end();
      if (leads) board.led.push_back(task.no);
      if (cooperates) board.cooperating.push_back(task.no);
      if (leads || cooperates) Tally(board, evaluations.at(TaskStream(task.no).value).level);
    }
    for (const MajorItem& item : catalog.major_items) {
      if (std::find(item.units.begin(), item.units.end(), unit.name) == item.units.end()) continue;
      board.major_items.push_back(item.no);
      Tally(board, evaluations.at(MajorStream(item.no).value).level);
    }
    auto add_instructions = [&](const StreamId& stream) {
      for (InstructionRow& i : InstructionsOf(Find(streams, stream), stream)) board.instructions.push_back(std::move(i));
    };
    for (TaskNo no : board.led) add_instructions(TaskStream(no));
    for (TaskNo no : board.cooperating) add_instructions(TaskStream(no));
    for (MajorNo no : board.major_items) add_instructions(MajorStream(no));
    out.push_back(std::move(board));
  }
  return out;
}

// A county target reads the latest value its source task reported for a period
// within the target's year: the 2024 target keeps its 2024 figure after 2025's reports arrive.
std::vector<CountyTargetRow> TargetsOf(const Catalog& catalog, const std::map<std::string, StreamState>& streams,
                                       const Calendar& calendar) {
  std::vector<CountyTargetRow> out;
  for (const Target& target : catalog.targets) {
    CountyReading reading;
    if (target.source.has_value()) {
      const StreamId stream = TaskStream(target.source->task);
      std::optional<std::chrono::year_month> up_to;
      if (target.year.has_value()) up_to = std::chrono::year(*target.year) / std::chrono::December;
      const TaskSpec* task = catalog.FindTask(target.source->task);
      const std::vector<std::string> leads = task != nullptr ? std::vector<std::string>{task->lead_unit}
                                                             : std::vector<std::string>{};
      reading = CountyReadingIn(Find(streams, stream), target.source->indicator, target.unit, leads, up_to);
    }
    out.push_back(CountyTargetRow{ReadingOf(target, reading, calendar), target.year, target.framework,
                                  target.as_printed, target.source});
  }
  return out;
}

// Every status and level is listed, with 0 where no item has it.
BoardCounts CountsOf(const std::map<std::string, Evaluation>& evaluations) {
  BoardCounts out;
  for (TaskStatus status : {TaskStatus::kNotStarted, TaskStatus::kInProgress, TaskStatus::kPendingReview,
                            TaskStatus::kReturned, TaskStatus::kCompleted}) {
    out.by_status[status] = 0;
  }
  out.by_warning = NoWarnings();
  for (const auto& [stream, evaluation] : evaluations) {
    ++out.by_status[evaluation.status];
    ++out.by_warning[evaluation.level];
  }
  out.items = static_cast<std::int64_t>(evaluations.size());
  return out;
}

const TaskSpec* FindTaskOfStream(const Catalog& catalog, const StreamId& stream) {
  for (const TaskSpec& task : catalog.tasks) {
    if (TaskStream(task.no) == stream) return &task;
  }
  return nullptr;
}

const MajorItem* FindMajorOfStream(const Catalog& catalog, const StreamId& stream) {
  for (const MajorItem& item : catalog.major_items) {
    if (MajorStream(item.no) == stream) return &item;
  }
  return nullptr;
}

// The inputs of the status rule for any stream, read from the view's state.
struct StatusContext {
  const Catalog& catalog;
  const std::map<std::string, SupervisionView::StreamState>& streams;
  const std::map<std::string, ReviewLedger>& reviews;
};

const ReviewLedger* LedgerOf(const StatusContext& c, const StreamId& stream) {
  auto it = c.reviews.find(stream.value);
  return it == c.reviews.end() ? nullptr : &it->second;
}

// The item's evaluation with its status by the one rule (domain/item_status.h).
Evaluation EvaluateStream(const StatusContext& c, const StreamId& stream, const Calendar& calendar) {
  const StreamState& state = Find(c.streams, stream);
  std::vector<std::string> leads;
  std::vector<bool> related;  // a major item's linked tasks: has each an approved report
  bool major = false;
  if (const TaskSpec* task = FindTaskOfStream(c.catalog, stream)) {
    leads = {task->lead_unit};
  } else if (const MajorItem* item = FindMajorOfStream(c.catalog, stream)) {
    major = true;
    leads = item->units;
    for (TaskNo no : item->related_tasks) {
      const TaskSpec* task = c.catalog.FindTask(no);
      if (task != nullptr) {
        const StreamId linked = TaskStream(no);
        related.push_back(AnyApproved(StatusReports(c.reviews, linked.value, Find(c.streams, linked))));
      }
    }
  }
  // The stream's reports are walked once per render (they grow with its
  // history): the status and the units beside it read the same list.
  const std::vector<ReportForStatus> reports = StatusReports(c.reviews, stream.value, state);
  const TaskStatus own = ItemStatus(state.completed_at.has_value(), state.started, reports, leads);
  const MajorItemStatusResult status = major ? MajorItemStatus(own, related) : MajorItemStatusResult{own, false};
  Evaluation out = Evaluate(state, calendar, status, UnitsWithReturnedReport(reports, leads),
                            UnitsWithPendingReport(reports, leads));
  // The lead units' latest report not superseded: the last such entry, found
  // from the end and copied once.
  if (auto ledger = c.reviews.find(stream.value); ledger != c.reviews.end()) {
    const auto& heads = ledger->second.heads();
    for (auto it = heads.rbegin(); it != heads.rend(); ++it) {
      const std::string& unit = ledger->second.Name(it->unit);
      const bool lead = unit.empty() || std::find(leads.begin(), leads.end(), unit) != leads.end();
      if (lead && !(it->superseded() && !it->decision.has_value())) {
        out.lead_report = ledger->second.Entry(*it);
        break;
      }
    }
  }
  return out;
}

}  // namespace

SupervisionBoard SupervisionView::Board(Timestamp now) const {
  const StatusContext context{catalog_, streams_, reviews_};  // the status rule's inputs
  const std::optional<std::chrono::year_month> start = SupervisionStart();
  const Calendar calendar = MakeCalendar(options_, plan_date_, catalog_.notice_sign_working_days, now, start);
  std::map<std::string, Evaluation> evaluations;  // by stream, for the units and counts
  SupervisionBoard out;
  out.as_of = now;
  out.today = std::chrono::year_month_day(calendar.today);
  for (const TaskSpec& task : catalog_.tasks) {
    const StreamId stream = TaskStream(task.no);
    const Evaluation& evaluation = evaluations[stream.value] = EvaluateStream(context, stream, calendar);
    out.tasks.push_back(TaskBoard(task, Find(streams_, stream), evaluation, calendar));
  }
  for (const MajorItem& item : catalog_.major_items) {
    const StreamId stream = MajorStream(item.no);
    const Evaluation& evaluation = evaluations[stream.value] = EvaluateStream(context, stream, calendar);
    out.major_items.push_back(MajorBoard(item, Find(streams_, stream), evaluation, calendar));
  }
  out.units = UnitsOf(catalog_, evaluations, streams_);
  out.targets = TargetsOf(catalog_, streams_, calendar);
  out.counts = CountsOf(evaluations);
  out.supervision_start = start;
  out.report_due_day = options_.report_due_day;
  for (const auto& [stream, ledger] : reviews_) {
    for (const auto& [period, reports] : ledger.ReportsByPeriod()) {
      if (reports > 0) out.reports_by_period[period] += reports;
    }
  }
  return out;
}

Result<ItemBoard> SupervisionView::Item(const StreamId& stream, Timestamp now,
                                        std::optional<std::chrono::year_month> period) const {
  const StatusContext context{catalog_, streams_, reviews_};  // the status rule's inputs
  const Calendar calendar =
      MakeCalendar(options_, plan_date_, catalog_.notice_sign_working_days, now, SupervisionStart());
  const StreamState& state = Find(streams_, stream);
  for (const TaskSpec& task : catalog_.tasks) {
    if (TaskStream(task.no) != stream) continue;
    ItemBoard out = TaskBoard(task, state, EvaluateStream(context, stream, calendar), calendar, period);
    out.unit_breakdown =
        UnitBreakdownOf(state, task.targets, {task.lead_unit}, calendar, period, LedgerOf(context, stream));
    return out;
  }
  for (const MajorItem& item : catalog_.major_items) {
    if (MajorStream(item.no) != stream) continue;
    ItemBoard out = MajorBoard(item, state, EvaluateStream(context, stream, calendar), calendar, period);
    out.unit_breakdown = UnitBreakdownOf(state, item.targets, item.units, calendar, period, LedgerOf(context, stream));
    return out;
  }
  return Status::NotFound("the plan has no task or major item with stream \"" + stream.value + "\"");
}

std::vector<SupervisionView::Standing> SupervisionView::Standings(Timestamp now) const {
  const StatusContext context{catalog_, streams_, reviews_};  // the status rule's inputs
  const Calendar calendar =
      MakeCalendar(options_, plan_date_, catalog_.notice_sign_working_days, now, SupervisionStart());
  std::vector<Standing> out;
  auto add = [&](const StreamId& stream) {
    const StreamState& state = Find(streams_, stream);
    Evaluation evaluation = EvaluateStream(context, stream, calendar);
    Standing standing{stream, evaluation.status, evaluation.level, {}, {}};
    for (auto& [level, reason] : evaluation.reasons) standing.reasons.push_back(std::move(reason));
    for (const auto& [id, notice] : state.open_notices) {
      standing.open_notices.push_back({notice, NoticeOverdue(notice, calendar), NoticeSignOverdue(notice, calendar)});
    }
    out.push_back(std::move(standing));
  };
  for (const TaskSpec& task : catalog_.tasks) add(TaskStream(task.no));
  for (const MajorItem& item : catalog_.major_items) add(MajorStream(item.no));
  return out;
}

const SupervisionView::StreamState& SupervisionView::StateOf(const StreamId& stream) const {
  return Find(streams_, stream);
}

}  // namespace kuimen
