#include "projections/monthly_bulletin.h"

#include <algorithm>
#include <map>

#include "domain/calendar.h"
#include "domain/supervised_item.h"
#include "projections/replay.h"
#include "projections/report_period.h"

namespace kuimen {

namespace {

// At most `limit` characters (code points) of UTF-8 `text`, with "…" when cut.
std::string Start(const std::string& text, std::size_t limit) {
  std::size_t count = 0;
  for (std::size_t i = 0; i < text.size(); ++i) {
    if ((static_cast<unsigned char>(text[i]) & 0xC0) == 0x80) continue;
    if (count++ == limit) return text.substr(0, i) + "…";
  }
  return text;
}

constexpr std::size_t kTitleTextLength = 18;

// A supervision view replayed from the log up to `until`.
Result<std::unique_ptr<SupervisionView>> ReplayTo(EventStore& log, const Catalog& catalog,
                                                  const SupervisionOptions& options, Timestamp until) {
  ASSIGN_OR_RETURN(std::unique_ptr<SupervisionView> view, SupervisionView::Create(catalog, options));
  ReplayLimit limit;
  limit.until = until;
  ASSIGN_OR_RETURN(GlobalPosition through, ReplayLog(*view, log, limit));
  (void)through;
  return view;
}

}  // namespace

std::string ItemTitle(const Catalog& catalog, const StreamId& stream) {
  for (const TaskSpec& task : catalog.tasks) {
    if (TaskStream(task.no) == stream) {
      return "第" + std::to_string(task.no.value) + "项 " + task.item + "：" + Start(task.text, kTitleTextLength);
    }
  }
  for (const MajorItem& item : catalog.major_items) {
    if (MajorStream(item.no) == stream) return "重大事项" + std::to_string(item.no.value) + " " + item.name;
  }
  return stream.value;
}

std::vector<std::string> ResponsibleUnits(const Catalog& catalog, const StreamId& stream) {
  for (const TaskSpec& task : catalog.tasks) {
    if (TaskStream(task.no) == stream) return {task.lead_unit};
  }
  for (const MajorItem& item : catalog.major_items) {
    if (MajorStream(item.no) == stream) return item.units;
  }
  return {};
}

std::string_view ReportLapseName(ReportLapse lapse) { return lapse == ReportLapse::kLate ? "late" : "missing"; }
std::string_view ReportLapseLabel(ReportLapse lapse) { return lapse == ReportLapse::kLate ? "逾期报送" : "未报送"; }

Timestamp MonthEnd(std::chrono::year_month month, int utc_offset_minutes) {
  const std::chrono::sys_days next_first{(month + std::chrono::months(1)) / std::chrono::day(1)};
  return Timestamp(next_first) - std::chrono::minutes(utc_offset_minutes) - std::chrono::microseconds(1);
}

Result<MonthlyBulletin> BuildMonthlyBulletin(EventStore& log, const Catalog& catalog,
                                             const SupervisionOptions& options, std::chrono::year_month month,
                                             Timestamp now) {
  const int offset = options.utc_offset_minutes;
  if (month > LocalMonth(now, offset)) {
    return Status::InvalidArgument("通报月份不能晚于本月", "month", "bulletin_month_future");
  }
  MonthlyBulletin out;
  out.month = month;
  out.as_of = std::min(MonthEnd(month, offset), now);
  out.month_complete = MonthEnd(month, offset) <= now;
  out.previous_as_of = MonthEnd(month - std::chrono::months(1), offset);
  out.report_period = month - std::chrono::months(1);

  ASSIGN_OR_RETURN(std::unique_ptr<SupervisionView> at_end, ReplayTo(log, catalog, options, out.as_of));
  ASSIGN_OR_RETURN(std::unique_ptr<SupervisionView> at_previous, ReplayTo(log, catalog, options, out.previous_as_of));
  const std::vector<SupervisionView::Standing> standings = at_end->Standings(out.as_of);
  const std::vector<SupervisionView::Standing> previous = at_previous->Standings(out.previous_as_of);

  std::map<std::string, BulletinUnit> units;
  auto unit = [&units](const std::string& name) -> BulletinUnit& {
    BulletinUnit& entry = units[name];
    entry.unit = name;
    return entry;
  };

  // Red and yellow items, red first.
  for (WarningLevel level : {WarningLevel::kRed, WarningLevel::kYellow}) {
    for (const SupervisionView::Standing& standing : standings) {
      if (standing.level != level) continue;
      const std::vector<std::string> responsible = ResponsibleUnits(catalog, standing.stream);
      out.items.push_back({standing.stream, ItemTitle(catalog, standing.stream), responsible, level, standing.reasons});
      for (const std::string& name : responsible) ++(level == WarningLevel::kRed ? unit(name).red : unit(name).yellow);
    }
  }

  // Reports for the previous month, due by the due day of this one: late or missing.
  const std::optional<std::chrono::year_month> start = at_end->SupervisionStart();
  const std::chrono::year_month_day due = ReportDueDate(out.report_period, static_cast<unsigned>(options.report_due_day));
  const bool due_passed = LocalDay(out.as_of, offset) > std::chrono::sys_days(due);
  out.supervision_start = start;
  out.reports_in_scope = start.has_value() && out.report_period >= *start;
  if (start.has_value()) {
    out.window_label =
        TimelinessWindowLabel(*start, out.report_period, static_cast<unsigned>(options.report_due_day));
  }
  if (out.reports_in_scope) {
    for (const SupervisionView::Standing& standing : standings) {
      if (standing.status == TaskStatus::kCompleted) continue;
      ReviewQueueQuery query;
      query.stream = standing.stream.value;
      query.period = out.report_period;
      query.state = std::nullopt;
      query.order = ReviewOrder::kDue;  // earliest recorded first
      query.limit = 1;
      const ReviewQueuePage page = at_end->ReviewQueue(query);
      const std::vector<std::string> responsible = ResponsibleUnits(catalog, standing.stream);
      const std::string lead = responsible.empty() ? std::string() : responsible.front();
      BulletinReport report{standing.stream, ItemTitle(catalog, standing.stream), lead, out.report_period, due,
                            ReportLapse::kMissing, std::nullopt};
      if (page.items.empty()) {
        if (!due_passed) continue;
        ++unit(lead).missing_reports;
      } else {
        if (!page.items.front().late) continue;
        report.lapse = ReportLapse::kLate;
        report.recorded_at = page.items.front().entry.recorded_at;
        ++unit(lead).late_reports;
      }
      out.reports.push_back(std::move(report));
    }
  }

  // Open notices, and which were issued this month.
  for (const SupervisionView::Standing& standing : standings) {
    const std::vector<std::string> responsible = ResponsibleUnits(catalog, standing.stream);
    for (const SupervisionView::OpenNotice& open : standing.open_notices) {
      const SupervisionView::Notice& notice = open.notice;
      BulletinNotice entry{standing.stream, ItemTitle(catalog, standing.stream), responsible, notice.id,
                           notice.number, notice.reason, notice.due, notice.issued_at,
                           notice.signed_at.has_value(), notice.answered_at.has_value(), open.overdue,
                           open.sign_overdue, false};
      entry.issued_this_month = notice.issued_at.has_value() && *notice.issued_at > out.previous_as_of;
      if (entry.issued_this_month) ++out.new_notices;
      for (const std::string& name : responsible) ++unit(name).open_notices;
      out.notices.push_back(std::move(entry));
    }
  }

  // Colours that changed since the previous month's end (both lists are in catalog order).
  for (std::size_t i = 0; i < standings.size() && i < previous.size(); ++i) {
    if (standings[i].level == previous[i].level) continue;
    out.changes.push_back(
        {standings[i].stream, ItemTitle(catalog, standings[i].stream), previous[i].level, standings[i].level});
  }

  for (const Unit& catalog_unit : catalog.units) {
    auto it = units.find(catalog_unit.name);
    if (it != units.end()) out.units.push_back(it->second);
  }
  for (const auto& [name, entry] : units) {  // units outside the catalog's list (none expected)
    bool listed = false;
    for (const Unit& catalog_unit : catalog.units) listed = listed || catalog_unit.name == name;
    if (!listed) out.units.push_back(entry);
  }
  return out;
}

}  // namespace kuimen
