#pragma once

#include <chrono>
#include <cstddef>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "domain/clock.h"
#include "domain/events.h"
#include "domain/ids.h"
#include "projections/supervision_view.h"

// 待办: what each unit owes, judged from the supervision view at a moment,
// and the 催办 it has received. Computed on request from the view's folded
// state (no rows of its own), so an as-of replay of the view gives the 待办
// of that moment too.
namespace kuimen {

enum class TodoKind {
  kReport,        // 进展报送: the report whose due date falls in this month is not in (or was returned)
  kNoticeSign,    // 督办签收: an open notice nobody has signed for or answered
  kNoticeAnswer,  // 督办整改: an open notice not yet answered
  kMilestone,     // 时限: an unmet milestone due within 3 days, or past
  kUrge,          // 催办: an UrgeSent naming the unit, until it reports or owes nothing
};
inline constexpr TodoKind kAllTodoKinds[] = {TodoKind::kReport, TodoKind::kNoticeSign, TodoKind::kNoticeAnswer,
                                             TodoKind::kMilestone, TodoKind::kUrge};

std::string_view TodoKindName(TodoKind kind);   // "report", "notice_sign", "notice_answer", "milestone", "urge"
std::string_view TodoKindLabel(TodoKind kind);  // "进展报送", "督办签收", "督办整改", "时限", "催办"

// One row of a unit's 待办.
struct TodoItem {
  TodoKind kind = TodoKind::kReport;
  std::string stream;         // "task-07", "major-3"; "" for an urge
  std::string item;           // the item as a clerk names it: "第7项 加强政策支持…"; "" for an urge
  std::optional<std::chrono::year_month> period;      // kReport: the month reported on
  std::string notice_id;      // kNoticeSign, kNoticeAnswer
  std::string notice_number;  // 文号, "" for a notice issued before numbering
  std::string milestone;      // kMilestone
  std::optional<std::chrono::year_month_day> due;     // empty for an urge
  bool overdue = false;       // `due` has passed (today is after it)
  std::string reason;         // why it is owed, a Chinese sentence
  // kUrge: when, by whom, and the text.
  std::optional<Timestamp> urged_at;
  std::string urged_by;
  std::string urge_text;
  GlobalPosition urge_position;
};

// One unit's 待办: urges first (latest first), then the rest, overdue
// first, by due date, then by item.
struct UnitTodo {
  std::string unit;
  std::vector<TodoItem> items;
  std::map<TodoKind, std::size_t> counts;  // every kind, 0 included
  std::size_t overdue = 0;
  // Whether the unit owes anything but urges (an urge alone is not a debt).
  bool owes() const;
};

// One 催办 as stored on the "urges" stream.
struct UrgeRecord {
  GlobalPosition position;
  Timestamp recorded_at;
  std::string principal;  // who sent it
  UrgeSent urge;
};

// How near a milestone is shown: due within this many days (default 3).
inline constexpr int kMilestoneTodoDays = 3;

// What `unit` owes at `now` (the view must include every event up to then):
// - kReport, per task or major item it leads or cooperates on and that is not
//   completed: the previous month's report (due on the view's report_due_day
//   of this month), when it has none pending or approved for that month and
//   that month is not before the start of supervision;
// - kNoticeSign, kNoticeAnswer, per open notice of such an item (any unit of
//   the item may sign or answer; the first one does it for all): unsigned and
//   unanswered (due: the catalog's sign working days after issue), unanswered
//   (due: the notice's due date);
// - kMilestone, per item it leads and not completed: each unmet, uncancelled
//   milestone due by today + 3 days;
// - kUrge: each urge naming the unit, recorded after the unit's latest report,
//   while it owes something else.
// Days are reckoned in the view's zone.
UnitTodo ComputeUnitTodo(const SupervisionView& view, const std::string& unit, const std::vector<UrgeRecord>& urges,
                         Timestamp now);

// The 催办 list: every unit of the plan that owes something at `now`, in the
// catalog's order.
std::vector<UnitTodo> ComputeOwingUnits(const SupervisionView& view, const std::vector<UrgeRecord>& urges,
                                        Timestamp now);

}  // namespace kuimen
