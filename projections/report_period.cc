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

std::string ChineseMonthText(std::chrono::year_month month) {
  return std::to_string(static_cast<int>(month.year())) + "年" + std::to_string(static_cast<unsigned>(month.month())) +
         "月";
}

std::string TimelinessWindowLabel(std::chrono::year_month first, std::chrono::year_month last, unsigned due_day) {
  if (first > last) return "按时报送率统计自" + ChineseMonthText(first) + "起，尚无已到报送期限的月份";
  return "按时报送率统计自" + ChineseMonthText(first) + "起，至" + ChineseMonthText(last) + "止（每月进展于次月" +
         std::to_string(due_day) + "日前报送为按时）";
}

}  // namespace kuimen
