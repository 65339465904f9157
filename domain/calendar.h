#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <string_view>

#include "domain/clock.h"

// The plan's calendar forms, in one place: months "2024-11" and dates
// "2024-12-31" as events, rows and views write them.
namespace kuimen {

std::string FormatMonth(std::chrono::year_month month);      // "2024-11"
std::string FormatDate(std::chrono::year_month_day date);    // "2024-12-31"

// Exactly those forms, and real months and days; nullopt otherwise.
std::optional<std::chrono::year_month> ParseMonth(std::string_view text);
std::optional<std::chrono::year_month_day> ParseDate(std::string_view text);

// China Standard Time (UTC+8), in which the plan's days, months and years are
// reckoned: the default of every view's zone, and the year-end of a freeze.
inline constexpr int kPlanUtcOffsetMinutes = 480;

// The calendar day of `time` in the zone `utc_offset_minutes` east of UTC
// (480 for China Standard Time, where the plan's days and months are reckoned).
std::chrono::sys_days LocalDay(Timestamp time, int utc_offset_minutes);
// The calendar month of that day.
std::chrono::year_month LocalMonth(Timestamp time, int utc_offset_minutes);

// The day `working_days` working days after `day`, working days being Monday
// to Friday (public holidays and 调休 weekends are not modelled). 0 = `day`.
std::chrono::sys_days AddWorkingDays(std::chrono::sys_days day, int working_days);

}  // namespace kuimen
