#include "projections/report_period.h"

#include "domain/calendar.h"

namespace kuimen {

bool IsLaterFigure(std::chrono::year_month period, std::uint64_t position, std::chrono::year_month other_period,
                   std::uint64_t other_position) {
  if (period != other_period) return period > other_period;
  return position > other_position;
}

std::chrono::year_month_day ReportDueDate(std::chrono::year_month period, unsigned due_day) {
  return (period + std::chrono::months(1)) / std::chrono::day(due_day);
}

bool IsLateReport(std::chrono::year_month period, Timestamp recorded_at, unsigned due_day, int utc_offset_minutes) {
  return LocalDay(recorded_at, utc_offset_minutes) > std::chrono::sys_days(ReportDueDate(period, due_day));
}

std::optional<std::chrono::year_month> SupervisionStartMonth(std::optional<std::chrono::year_month> catalog_start,
                                                             std::optional<Timestamp> store_created_at,
                                                             int utc_offset_minutes) {
  if (catalog_start.has_value()) return catalog_start;
  if (store_created_at.has_value()) return LocalMonth(*store_created_at, utc_offset_minutes);
  return std::nullopt;
}

}  // namespace kuimen
