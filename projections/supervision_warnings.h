#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "domain/item_status.h"
#include "projections/review_queue.h"
#include "projections/supervision_board.h"
#include "projections/supervision_view.h"

// The supervision view's judging at render time: what "today" and "this
// month" are where the plan is supervised, the state of milestones and
// notices as of today, and the warning levels with their reasons. Pure
// functions of the view's folded state and a Calendar; used by the board
// building (projections/supervision_board.cc). Internal to the view: the
// rest of the code reads the results from SupervisionBoard.
namespace kuimen::supervision {

// "Today" and "this month" where the plan is supervised, plus the thresholds.
struct Calendar {
  SupervisionOptions options;
  std::chrono::sys_days plan_date;
  std::chrono::sys_days today;
  std::chrono::year_month month;
  int sign_working_days = 2;  // the catalog's notice_sign_working_days (逾期未签收)
  std::optional<std::chrono::year_month> start;  // the supervision start; empty while unknown

  unsigned DueDay() const { return static_cast<unsigned>(options.report_due_day); }
  bool Late(std::chrono::year_month period, Timestamp recorded_at) const;
  std::chrono::sys_days Day(Timestamp time) const;
  std::int64_t DaysSince(std::chrono::sys_days day) const { return (today - day).count(); }
};

Calendar MakeCalendar(const SupervisionOptions& options, std::chrono::sys_days plan_date, int sign_working_days,
                      Timestamp now, std::optional<std::chrono::year_month> start);

// The item's reports as the status rule (domain/item_status.h, shared with the
// write model) reads them: the review queue's ledger of the stream, in recorded
// order. A view row written before the ledger was kept has only the pending
// reports and the last report; those stand in.
std::vector<ReportForStatus> StatusReports(const std::map<std::string, ReviewLedger>& reviews,
                                           const std::string& stream, const SupervisionView::StreamState& state);

// Past its due date and not answered by then (a late answer does not undo the lateness).
bool NoticeOverdue(const SupervisionView::Notice& notice, const Calendar& calendar);
// The last day a notice may stay unsigned (签收), or nullopt when its issue
// time is unknown (a row written before it was kept).
std::optional<std::chrono::sys_days> SignBy(const SupervisionView::Notice& notice, const Calendar& calendar);
// 逾期未签收: past its sign-by day, neither signed for nor answered.
bool NoticeSignOverdue(const SupervisionView::Notice& notice, const Calendar& calendar);

struct Evaluation {
  TaskStatus status = TaskStatus::kNotStarted;
  bool status_from_related_tasks = false;  // a major item's 据关联任务
  // Units other than the leads whose own latest report was returned (their own
  // 退回, which the item's status leaves out).
  std::vector<std::string> returned_units;
  // Units other than the leads with a report awaiting review: shown beside the
  // status (配合单位待审核：…), never as it.
  std::vector<std::string> pending_units;
  // The lead units' latest report (not superseded): what 最近报送 shows (A1).
  std::optional<ReviewEntry> lead_report;
  WarningLevel level = WarningLevel::kNone;
  std::vector<std::pair<WarningLevel, std::string>> reasons;  // Evaluate sorts them most severe first

  void Warn(WarningLevel reason_level, std::string reason) {
    level = std::max(level, reason_level);
    reasons.emplace_back(reason_level, std::move(reason));
  }
};

// Days from today to the milestone's due date (negative once passed).
std::int64_t DaysLeft(const SupervisionView::Milestone& milestone, const Calendar& calendar);
// `task_completed`: the item stands completed, which settles every open milestone.
MilestoneStatus JudgeMilestone(const SupervisionView::Milestone& milestone, const Calendar& calendar,
                               bool task_completed);
// The latest move (调整) of a milestone, or nullptr if it was never moved.
const SupervisionView::MilestoneChange* LastMove(const SupervisionView::Milestone& milestone);
// The first due date the milestone was set with (its own for a row without history).
std::chrono::year_month_day OriginalDue(const SupervisionView::Milestone& milestone);

// The item's warnings as of the calendar's today. `status` is the item's by
// the rule of domain/item_status.h (ItemStatus, and MajorItemStatus for a
// major item), which the caller forms. A completed item carries no warning.
Evaluation Evaluate(const SupervisionView::StreamState& state, const Calendar& calendar, MajorItemStatusResult status,
                    std::vector<std::string> returned_units, std::vector<std::string> pending_units);

}  // namespace kuimen::supervision
