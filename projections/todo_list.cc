#include "projections/todo_list.h"

#include <algorithm>
#include <set>
#include <tuple>

#include "domain/calendar.h"
#include "domain/stream_kind.h"
#include "domain/supervised_item.h"
#include "projections/report_period.h"

namespace kuimen {

namespace {

using std::chrono::days;
using std::chrono::months;
using std::chrono::sys_days;
using std::chrono::year_month;
using std::chrono::year_month_day;

// The first `n` characters of UTF-8 `text`, with "…" when cut.
std::string Prefix(const std::string& text, std::size_t n) {
  std::size_t chars = 0;
  for (std::size_t i = 0; i < text.size(); ++i) {
    if ((static_cast<unsigned char>(text[i]) & 0xC0) == 0x80) continue;
    if (chars++ == n) return text.substr(0, i) + "…";
  }
  return text;
}

// "第7项 推进农业生产社会化…" / "重大事项3 …": tasks told apart by 序号 and the start of 工作任务.
std::string ItemTitle(const Catalog& catalog, const StreamId& stream) {
  for (const TaskSpec& task : catalog.tasks) {
    if (TaskStream(task.no) == stream) return "第" + std::to_string(task.no.value) + "项 " + Prefix(task.text, 16);
  }
  for (const MajorItem& major : catalog.major_items) {
    if (MajorStream(major.no) == stream) return "重大事项" + std::to_string(major.no.value) + " " + Prefix(major.name, 16);
  }
  return StreamDisplayName(stream);
}

std::string MonthText(year_month month) {
  return std::to_string(static_cast<int>(month.year())) + "年" + std::to_string(static_cast<unsigned>(month.month())) +
         "月";
}

std::string OverdueText(sys_days due, sys_days today) {
  return "已逾期" + std::to_string((today - due).count()) + "天";
}

struct Context {
  const SupervisionView& view;
  const std::string& unit;
  sys_days today;
  Timestamp now;
};

const SupervisionView::StreamState* StateOf(const SupervisionView& view, const StreamId& stream) {
  auto it = view.Streams().find(stream.value);
  return it == view.Streams().end() ? nullptr : &it->second;
}

// Whether `unit` has a report for `period` on `stream` that is pending or approved.
bool HasStandingReport(const SupervisionView& view, const std::string& unit, const StreamId& stream, year_month period,
                       bool& returned) {
  ReviewQueueQuery query;
  query.unit = unit;
  query.stream = stream.value;
  query.period = period;
  query.state.reset();
  query.limit = 1000;
  for (const ReviewQueueItem& item : view.ReviewQueue(query).items) {
    const ReviewState state = item.entry.state();
    if (state == ReviewState::kPending || state == ReviewState::kApproved) return true;
    if (state == ReviewState::kReturned) returned = true;
  }
  return false;
}

// The unit's report of `period` on `item` as a 待办 row, due and overdue set; the caller words the reason.
TodoItem ReportOwed(const Context& c, const SupervisedItem& item, year_month period) {
  const year_month_day due = ReportDueDate(period, static_cast<unsigned>(c.view.Options().report_due_day));
  TodoItem row;
  row.kind = TodoKind::kReport;
  row.stream = item.stream.value;
  row.period = period;
  row.due = due;
  row.overdue = c.today > sys_days(due);
  return row;
}

void AddReport(const Context& c, const SupervisedItem& item, const SupervisionView::StreamState* state,
               std::vector<TodoItem>& out) {
  if (state != nullptr && state->completed_at.has_value()) return;
  const year_month period = year_month_day(c.today).year() / year_month_day(c.today).month() - months(1);
  const std::optional<year_month> start = c.view.SupervisionStart();
  if (!start.has_value() || period < *start) return;
  bool returned = false;
  if (HasStandingReport(c.view, c.unit, item.stream, period, returned)) return;
  TodoItem row = ReportOwed(c, item, period);
  const year_month_day due = *row.due;
  row.reason = MonthText(period) + "进展应于" + FormatDate(due) + "前报送，" +
               (returned ? std::string("报送已退回，须重新报送") : std::string("尚未报送")) +
               (row.overdue ? "，" + OverdueText(sys_days(due), c.today) : std::string());
  out.push_back(std::move(row));
}

// A returned report is owed again (clerk review A7): every period, from the
// start of supervision, for which the unit's report was returned and it has
// not reported again (no pending or approved report of that period), as 重新报送.
// The previous month's is AddReport's; this adds the other periods (the
// current month's, reported early, or an earlier one).
void AddReturned(const Context& c, const SupervisedItem& item, const SupervisionView::StreamState* state,
                 std::vector<TodoItem>& out) {
  if (state != nullptr && state->completed_at.has_value()) return;
  const year_month previous = year_month_day(c.today).year() / year_month_day(c.today).month() - months(1);
  const std::optional<year_month> start = c.view.SupervisionStart();
  ReviewQueueQuery query;
  query.unit = c.unit;
  query.stream = item.stream.value;
  query.state = ReviewState::kReturned;
  query.limit = 1000;
  std::set<year_month> periods;
  for (const ReviewQueueItem& returned : c.view.ReviewQueue(query).items) periods.insert(returned.entry.period);
  for (const year_month period : periods) {
    if (period == previous || (start.has_value() && period < *start)) continue;
    bool was_returned = false;
    if (HasStandingReport(c.view, c.unit, item.stream, period, was_returned)) continue;
    TodoItem row = ReportOwed(c, item, period);
    const year_month_day due = *row.due;
    row.reason = MonthText(period) + "进展报送已退回，须重新报送（应于" + FormatDate(due) + "前）" +
                 (row.overdue ? "，" + OverdueText(sys_days(due), c.today) : std::string());
    out.push_back(std::move(row));
  }
}

void AddNotices(const Context& c, const SupervisedItem& item, const SupervisionView::StreamState& state,
                std::vector<TodoItem>& out) {
  // A notice is addressed to the item's 责任单位: its 通知单 says so and its
  // notification goes there. A cooperating unit may sign or answer it, but
  // does not owe it, so 催办 never urges a unit for another's notice.
  if (std::find(item.lead_units.begin(), item.lead_units.end(), c.unit) == item.lead_units.end()) return;
  for (const auto& [id, notice] : state.open_notices) {
    const std::string name = notice.number.empty() ? "督办通知" : "督办通知" + notice.number;
    if (!notice.signed_at && !notice.answered_at && notice.issued_at) {
      const sys_days due = AddWorkingDays(LocalDay(*notice.issued_at, c.view.Options().utc_offset_minutes),
                                          c.view.PlanCatalog().notice_sign_working_days);
      TodoItem row;
      row.kind = TodoKind::kNoticeSign;
      row.stream = item.stream.value;
      row.notice_id = id;
      row.notice_number = notice.number;
      row.due = year_month_day(due);
      row.overdue = c.today > due;
      row.reason = name + "尚未签收，应于" + FormatDate(year_month_day(due)) + "前签收" +
                   (row.overdue ? "，" + OverdueText(due, c.today) : std::string());
      out.push_back(std::move(row));
    }
    if (!notice.answered_at) {
      TodoItem row;
      row.kind = TodoKind::kNoticeAnswer;
      row.stream = item.stream.value;
      row.notice_id = id;
      row.notice_number = notice.number;
      row.due = notice.due;
      row.overdue = c.today > sys_days(notice.due);
      row.reason = name + "尚未反馈整改情况，办理时限" + FormatDate(notice.due) +
                   (row.overdue ? "，" + OverdueText(sys_days(notice.due), c.today) : std::string());
      out.push_back(std::move(row));
    }
  }
}

void AddMilestones(const Context& c, const SupervisedItem& item, const SupervisionView::StreamState& state,
                   std::vector<TodoItem>& out) {
  if (state.completed_at.has_value()) return;
  if (std::find(item.lead_units.begin(), item.lead_units.end(), c.unit) == item.lead_units.end()) return;
  for (const auto& [name, milestone] : state.milestones) {
    if (milestone.met_at || milestone.cancelled_at) continue;
    const sys_days due(milestone.due);
    if (due > c.today + days(kMilestoneTodoDays)) continue;
    TodoItem row;
    row.kind = TodoKind::kMilestone;
    row.stream = item.stream.value;
    row.milestone = name;
    row.due = milestone.due;
    row.overdue = c.today > due;
    row.reason = row.overdue ? "时限“" + name + "”已于" + FormatDate(milestone.due) + "到期，尚未完成，" +
                                   OverdueText(due, c.today)
                             : "时限“" + name + "”将于" + FormatDate(milestone.due) + "到期（" +
                                   std::to_string((due - c.today).count()) + "天内）";
    out.push_back(std::move(row));
  }
}

// The recorded time of the unit's latest report on any item, if any.
std::optional<Timestamp> LatestReport(const SupervisionView& view, const std::string& unit) {
  ReviewQueueQuery query;
  query.unit = unit;
  query.state.reset();
  query.order = ReviewOrder::kNewest;
  query.limit = 1;
  ReviewQueuePage page = view.ReviewQueue(query);
  if (page.items.empty()) return std::nullopt;
  return page.items.front().entry.recorded_at;
}

}  // namespace

std::string_view TodoKindName(TodoKind kind) {
  switch (kind) {
    case TodoKind::kReport: return "report";
    case TodoKind::kNoticeSign: return "notice_sign";
    case TodoKind::kNoticeAnswer: return "notice_answer";
    case TodoKind::kMilestone: return "milestone";
    case TodoKind::kUrge: return "urge";
  }
  return "unknown";
}

std::string_view TodoKindLabel(TodoKind kind) {
  switch (kind) {
    case TodoKind::kReport: return "进展报送";
    case TodoKind::kNoticeSign: return "督办签收";
    case TodoKind::kNoticeAnswer: return "督办整改";
    case TodoKind::kMilestone: return "时限";
    case TodoKind::kUrge: return "催办";
  }
  return "";
}

bool UnitTodo::owes() const {
  return std::any_of(items.begin(), items.end(), [](const TodoItem& i) { return i.kind != TodoKind::kUrge; });
}

UnitTodo ComputeUnitTodo(const SupervisionView& view, const std::string& unit, const std::vector<UrgeRecord>& urges,
                         Timestamp now) {
  const Catalog& catalog = view.PlanCatalog();
  const Context c{view, unit, LocalDay(now, view.Options().utc_offset_minutes), now};
  UnitTodo todo;
  todo.unit = unit;
  std::vector<TodoItem> rows;
  for (const StreamId& stream : AllStreams(catalog)) {
    Result<SupervisedItem> item = ResolveStream(catalog, stream);
    if (!item.ok() || !item->Involves(unit)) continue;
    const SupervisionView::StreamState* state = StateOf(view, stream);
    const std::size_t first = rows.size();
    AddReport(c, *item, state, rows);
    AddReturned(c, *item, state, rows);
    if (state != nullptr) {
      AddNotices(c, *item, *state, rows);
      AddMilestones(c, *item, *state, rows);
    }
    const std::string title = ItemTitle(catalog, stream);
    for (std::size_t i = first; i < rows.size(); ++i) rows[i].item = title;
  }
  std::stable_sort(rows.begin(), rows.end(), [](const TodoItem& a, const TodoItem& b) {
    return std::tuple(!a.overdue, a.due.value_or(year_month_day{})) <
           std::tuple(!b.overdue, b.due.value_or(year_month_day{}));
  });

  std::vector<TodoItem> urged;
  if (!rows.empty()) {
    const std::optional<Timestamp> reported = LatestReport(view, unit);
    for (const UrgeRecord& record : urges) {
      if (record.recorded_at > now) continue;
      if (std::find(record.urge.units.begin(), record.urge.units.end(), unit) == record.urge.units.end()) continue;
      if (reported.has_value() && *reported > record.recorded_at) continue;
      TodoItem row;
      row.kind = TodoKind::kUrge;
      row.urged_at = record.recorded_at;
      row.urged_by = record.principal;
      row.urge_text = record.urge.text;
      row.urge_position = record.position;
      row.reason = record.urge.all ? "工作专班催办全部有待办的单位" : "工作专班催办本单位";
      urged.push_back(std::move(row));
    }
    std::sort(urged.begin(), urged.end(),
              [](const TodoItem& a, const TodoItem& b) { return a.urge_position.value > b.urge_position.value; });
  }

  todo.items = std::move(urged);
  todo.items.insert(todo.items.end(), std::make_move_iterator(rows.begin()), std::make_move_iterator(rows.end()));
  for (TodoKind kind : kAllTodoKinds) todo.counts[kind] = 0;
  for (const TodoItem& row : todo.items) {
    ++todo.counts[row.kind];
    if (row.overdue) ++todo.overdue;
  }
  return todo;
}

std::vector<UnitTodo> ComputeOwingUnits(const SupervisionView& view, const std::vector<UrgeRecord>& urges,
                                        Timestamp now) {
  std::vector<UnitTodo> owing;
  for (const Unit& unit : view.PlanCatalog().units) {
    UnitTodo todo = ComputeUnitTodo(view, unit.name, urges, now);
    if (todo.owes()) owing.push_back(std::move(todo));
  }
  return owing;
}

}  // namespace kuimen
