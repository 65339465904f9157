#include "projections/statistics.h"

#include <algorithm>
#include <cmath>
#include <cstdio>

#include "domain/calendar.h"
#include "domain/stream_kind.h"
#include "domain/supervised_item.h"

namespace kuimen {

namespace {

using std::chrono::year_month;

bool Names(const std::vector<std::string>& units, const std::string& unit) {
  return std::find(units.begin(), units.end(), unit) != units.end();
}

void CountNotices(const SupervisionView::StreamState& state, std::chrono::sys_days today, UnitStatistics& out) {
  for (const auto& [id, notice] : state.open_notices) {
    ++out.open_notices;
    if (std::chrono::sys_days(notice.due) < today) ++out.overdue_notices;
  }
}

std::optional<int> PlanYear(const Catalog& catalog) {
  int year = 0;
  if (std::sscanf(catalog.document.date.c_str(), "%4d", &year) != 1) return std::nullopt;
  return year;
}

}  // namespace

std::optional<double> OnTimeRate(const ReportTimeliness& reports) {
  const int due = reports.on_time + reports.late + reports.missing;
  if (due == 0) return std::nullopt;
  return std::round(1000.0 * reports.on_time / due) / 10;
}

std::vector<UnitStatistics> UnitSupervisionStatistics(const Catalog& catalog, const SupervisionView& view,
                                                      Timestamp now) {
  const int offset = view.Options().utc_offset_minutes;
  const std::chrono::sys_days today = LocalDay(now, offset);
  std::vector<UnitStatistics> out;
  for (const Unit& unit : catalog.units) {
    UnitStatistics stats;
    stats.unit = unit.name;
    stats.kind = unit.kind;
    for (const TaskSpec& task : catalog.tasks) {
      if (task.lead_unit == unit.name) {
        stats.led.push_back(task.no.value);
        CountNotices(view.StateOf(TaskStream(task.no)), today, stats);
      } else if (Names(task.cooperating_units, unit.name)) {
        stats.cooperating.push_back(task.no.value);
      }
    }
    for (const MajorItem& item : catalog.major_items) {
      if (Names(item.units, unit.name)) CountNotices(view.StateOf(MajorStream(item.no)), today, stats);
    }
    out.push_back(std::move(stats));
  }
  return out;
}

void AddUnitAssessmentStatistics(std::vector<UnitStatistics>& units, const Catalog& catalog,
                                 const AssessmentView& view, int year, Timestamp now) {
  for (UnitStatistics& unit : units) {
    unit.year = year;
    unit.reports = view.ReportTimelinessOf(year, now, unit.unit);
    unit.on_time_rate = OnTimeRate(unit.reports);
    unit.score_trend.clear();
  }
  const int this_year =
      static_cast<int>(LocalMonth(now, view.rules().utc_offset_minutes).year());
  const int first = std::min(PlanYear(catalog).value_or(this_year), this_year);
  for (int y = first; y <= this_year; ++y) {
    const AssessmentResult result = view.Render(y, now);
    if (!result.in_scope.value_or(true)) {
      for (UnitStatistics& unit : units) unit.score_trend.push_back({y, 0, std::nullopt, false, false});
      continue;
    }
    for (const AssessmentUnitResult& row : result.units) {
      if (!row.score.has_value()) continue;
      for (UnitStatistics& unit : units) {
        if (unit.unit == row.unit) unit.score_trend.push_back({y, *row.score, row.rank, result.frozen});
      }
    }
  }
}

Result<TaskMonthlyProgress> TaskProgressByMonth(const Catalog& catalog, const SupervisionView& view, TaskNo no,
                                                Timestamp now) {
  const TaskSpec* task = catalog.FindTask(no);
  if (task == nullptr) return Status::NotFound("方案中没有这项重点任务", "item_not_found");
  const StreamId stream = TaskStream(no);
  const SupervisionView::StreamState& state = view.StateOf(stream);

  TaskMonthlyProgress out;
  out.task = no.value;
  for (const Target& target : task->targets) out.indicators.push_back({target.indicator, target.unit, target.value, {}});

  const year_month last = LocalMonth(now, view.Options().utc_offset_minutes);
  std::optional<year_month> first = view.SupervisionStart();
  const auto consider = [&first](year_month period) {
    if (!first.has_value() || period < *first) first = period;
  };
  for (const auto& [key, figure] : state.approved_figures) consider(key.period);
  for (const auto& [key, figure] : state.approved_percents) consider(key.first);
  for (const auto& [version, report] : state.pending_reports) consider(report.period);
  if (!first.has_value() || *first > last) return out;
  if (last - *first >= std::chrono::months(kMaxStatisticsMonths)) first = last - std::chrono::months(kMaxStatisticsMonths - 1);

  for (year_month month = *first; month <= last; month += std::chrono::months(1)) {
    ASSIGN_OR_RETURN(ItemBoard item, view.Item(stream, now, month));
    out.months.push_back(month);
    out.progress.push_back(item.progress ? std::optional(item.progress->percent) : std::nullopt);
    for (std::size_t i = 0; i < out.indicators.size(); ++i) {
      std::optional<double> value;
      if (i < item.indicators.size() && item.indicators[i].latest.has_value()) value = item.indicators[i].latest->value;
      out.indicators[i].values.push_back(value);
    }
  }
  return out;
}

}  // namespace kuimen
