#include "projections/supervision_warnings.h"

#include <algorithm>

#include "domain/calendar.h"
#include "projections/report_period.h"

// Moved whole from supervision_view.cc ("judging at render time"); the rules
// are unchanged.
namespace kuimen::supervision {

using LastReport = SupervisionView::LastReport;
using Notice = SupervisionView::Notice;
using StreamState = SupervisionView::StreamState;
using Milestone = SupervisionView::Milestone;
using MilestoneChange = SupervisionView::MilestoneChange;

namespace {
std::chrono::year_month MonthOf(std::chrono::sys_days day) {
  const std::chrono::year_month_day date(day);
  return date.year() / date.month();
}
}  // namespace


bool Calendar::Late(std::chrono::year_month period, Timestamp recorded_at) const {
  return IsLateReport(period, recorded_at, DueDay(), options.utc_offset_minutes);
}

std::chrono::sys_days Calendar::Day(Timestamp time) const { return LocalDay(time, options.utc_offset_minutes); }

Calendar MakeCalendar(const SupervisionOptions& options, std::chrono::sys_days plan_date, int sign_working_days,
                      Timestamp now, std::optional<std::chrono::year_month> start) {
  const std::chrono::sys_days today = LocalDay(now, options.utc_offset_minutes);
  return Calendar{options, plan_date, today, MonthOf(today), sign_working_days, start};
}

// The item's reports as the status rule (domain/item_status.h, shared with the
// write model) reads them: the review queue's ledger of the stream, in recorded
// order. A view row written before the ledger was kept has only the pending
// reports and the last report; those stand in.
std::vector<ReportForStatus> StatusReports(const std::map<std::string, ReviewLedger>& reviews,
                                           const std::string& stream, const StreamState& state) {
  std::vector<ReportForStatus> out;
  auto ledger = reviews.find(stream);
  if (ledger != reviews.end() && !ledger->second.empty()) {
    out.reserve(ledger->second.heads().size());
    for (const ReviewLedger::Head& head : ledger->second.heads()) {
      out.push_back({ledger->second.Name(head.unit), head.decision, !head.decision.has_value() && head.superseded()});
    }
    return out;
  }
  for (const auto& [version, report] : state.pending_reports) out.push_back({report.reporter, std::nullopt});
  if (state.last_report.has_value() && state.last_report->decision.has_value()) {
    out.push_back({state.last_report->unit, state.last_report->decision});
  }
  return out;
}

// Past its due date and not answered by then (a late answer does not undo the lateness).
bool NoticeOverdue(const Notice& notice, const Calendar& calendar) {
  const std::chrono::sys_days due(notice.due);
  if (calendar.today <= due) return false;
  return !notice.answered_at.has_value() || calendar.Day(*notice.answered_at) > due;
}

// The last day a notice may stay unsigned (签收), or nullopt when its issue
// time is unknown (a row written before it was kept).
std::optional<std::chrono::sys_days> SignBy(const Notice& notice, const Calendar& calendar) {
  if (!notice.issued_at.has_value()) return std::nullopt;
  return AddWorkingDays(calendar.Day(*notice.issued_at), calendar.sign_working_days);
}

// 逾期未签收: past its sign-by day, neither signed for nor answered (an answer
// shows the unit has it).
bool NoticeSignOverdue(const Notice& notice, const Calendar& calendar) {
  if (notice.signed_at.has_value() || notice.answered_at.has_value()) return false;
  std::optional<std::chrono::sys_days> sign_by = SignBy(notice, calendar);
  return sign_by.has_value() && calendar.today > *sign_by;
}

namespace {
std::string Quoted(const std::string& text) { return "“" + text + "”"; }
}  // namespace

// --- milestones at render time ----------------------------------------------------

std::int64_t DaysLeft(const Milestone& milestone, const Calendar& calendar) {
  return -calendar.DaysSince(std::chrono::sys_days(milestone.due));
}

// `task_completed`: the item stands completed, which settles every open milestone.
MilestoneStatus JudgeMilestone(const Milestone& milestone, const Calendar& calendar, bool task_completed) {
  if (milestone.cancelled_at.has_value()) return MilestoneStatus::kCancelled;
  if (milestone.met_at.has_value()) return MilestoneStatus::kMet;
  if (task_completed) return MilestoneStatus::kTaskCompleted;
  const std::int64_t days_left = DaysLeft(milestone, calendar);
  if (days_left < 0) return MilestoneStatus::kOverdue;
  if (days_left <= calendar.options.blue_deadline_days) return MilestoneStatus::kApproaching;
  return MilestoneStatus::kNotDue;
}

// The latest move (调整) of a milestone, if it was ever moved.
const MilestoneChange* LastMove(const Milestone& milestone) {
  for (auto it = milestone.history.rbegin(); it != milestone.history.rend(); ++it) {
    if (it->kind == MilestoneChangeKind::kMoved) return &*it;
  }
  return nullptr;
}

// The first due date the milestone was set with (its own for a row without history).
std::chrono::year_month_day OriginalDue(const Milestone& milestone) {
  for (const MilestoneChange& change : milestone.history) {
    if (change.due.has_value()) return *change.due;
  }
  return milestone.due;
}

namespace {

void JudgeDeadlines(const StreamState& state, const Calendar& calendar, Evaluation& out) {
  const bool reported_this_month =
      state.last_report.has_value() && MonthOf(calendar.Day(state.last_report->recorded_at)) == calendar.month;
  for (const auto& [name, milestone] : state.milestones) {
    const MilestoneStatus status = JudgeMilestone(milestone, calendar, /*task_completed=*/false);
    const std::string due = FormatDate(milestone.due);
    if (status == MilestoneStatus::kOverdue) {
      const MilestoneChange* move = LastMove(milestone);
      out.Warn(WarningLevel::kRed, "时限" + Quoted(name) + "已于" + due + "到期，尚未完成" +
                                       (move != nullptr ? "（原定" + FormatDate(OriginalDue(milestone)) + "，已调整）"
                                                        : std::string()));
    } else if (status == MilestoneStatus::kApproaching && !reported_this_month) {
      out.Warn(WarningLevel::kBlue, "时限" + Quoted(name) + "将于" + due + "到期（还剩" +
                                        std::to_string(DaysLeft(milestone, calendar)) + "天），本月尚未报送进度");
    }
  }
}

void JudgeNotices(const StreamState& state, const Calendar& calendar, Evaluation& out) {
  for (const auto& [id, notice] : state.open_notices) {
    if (NoticeSignOverdue(notice, calendar)) {
      out.Warn(WarningLevel::kYellow, "督办" + Quoted(id) + "下发后超过" +
                                          std::to_string(calendar.sign_working_days) +
                                          "个工作日未签收（应于" + FormatDate(*SignBy(notice, calendar)) + "前签收）");
    }
    if (!NoticeOverdue(notice, calendar)) continue;
    out.Warn(WarningLevel::kRed, "督办" + Quoted(id) + "已于" + FormatDate(notice.due) + "到期，未按期整改反馈且未销号");
  }
}

void JudgeSilence(const StreamState& state, const Calendar& calendar, Evaluation& out) {
  if (!state.last_report.has_value()) {
    // Nothing is due before supervision starts: the first report, for the
    // start's month, is due by the due day of the month after. Until that day
    // passes a task never reported is not behind (day one is not all yellow).
    if (!calendar.start.has_value()) return;
    const std::chrono::sys_days first_due(ReportDueDate(*calendar.start, calendar.DueDay()));
    const std::int64_t overdue = calendar.DaysSince(first_due);
    if (overdue > 0) {
      out.Warn(WarningLevel::kYellow, "自督办起始月份（" + FormatMonth(*calendar.start) + "）起未报送进度，" +
                                          FormatMonth(*calendar.start) + "的进度应于" +
                                          FormatDate(std::chrono::year_month_day(first_due)) + "前报送，已逾期" +
                                          std::to_string(overdue) + "天");
    }
    return;
  }
  const LastReport& last = *state.last_report;
  const std::chrono::sys_days last_day = calendar.Day(last.recorded_at);
  const std::int64_t silent = calendar.DaysSince(last_day);
  if (silent > calendar.options.yellow_silence_days) {
    out.Warn(WarningLevel::kYellow,
             "已" + std::to_string(silent) + "天未报送进度（上次报送于" + FormatDate(last_day) + "）");
  }
  // Returned and not resent: the latest report is the returned one.
  if (last.decision == ReviewDecision::kReturned && last.reviewed_at.has_value()) {
    const std::chrono::sys_days returned_day = calendar.Day(*last.reviewed_at);
    const std::int64_t waiting = calendar.DaysSince(returned_day);
    if (waiting > calendar.options.yellow_return_days) {
      // A cooperating unit's own 退回 names that unit: the item's status is not 已退回.
      const bool own_return = std::find(out.returned_units.begin(), out.returned_units.end(), last.unit) !=
                              out.returned_units.end();
      out.Warn(WarningLevel::kYellow, (own_return ? last.unit : std::string()) + FormatMonth(last.period) +
                                          "的报送于" + FormatDate(returned_day) + "被退回，已" +
                                          std::to_string(waiting) + "天未重新报送");
    }
  }
}

}  // namespace

// `status` is the item's by the rule of domain/item_status.h (ItemStatus, and
// MajorItemStatus for a major item), which the caller forms.
Evaluation Evaluate(const StreamState& state, const Calendar& calendar, MajorItemStatusResult status,
                    std::vector<std::string> returned_units, std::vector<std::string> pending_units) {
  Evaluation out;
  out.pending_units = std::move(pending_units);
  out.status = status.status;
  out.status_from_related_tasks = status.from_related_tasks;
  out.returned_units = std::move(returned_units);
  if (out.status == TaskStatus::kCompleted) return out;  // a completed item carries no warning
  JudgeDeadlines(state, calendar, out);
  JudgeNotices(state, calendar, out);
  JudgeSilence(state, calendar, out);
  std::stable_sort(out.reasons.begin(), out.reasons.end(),
                   [](const auto& a, const auto& b) { return a.first > b.first; });
  return out;
}

}  // namespace kuimen::supervision
