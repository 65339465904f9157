#include "domain/calendar.h"

#include <cstdio>

namespace kuimen {

std::string FormatMonth(std::chrono::year_month month) {
  char buffer[16];
  std::snprintf(buffer, sizeof buffer, "%04d-%02u", static_cast<int>(month.year()),
                static_cast<unsigned>(month.month()));
  return buffer;
}

std::string FormatDate(std::chrono::year_month_day date) {
  char buffer[16];
  std::snprintf(buffer, sizeof buffer, "%04d-%02u-%02u", static_cast<int>(date.year()),
                static_cast<unsigned>(date.month()), static_cast<unsigned>(date.day()));
  return buffer;
}

namespace {

bool Digits(std::string_view text, size_t from, size_t count, int& out) {
  out = 0;
  for (size_t i = from; i < from + count; ++i) {
    if (text[i] < '0' || text[i] > '9') return false;
    out = out * 10 + (text[i] - '0');
  }
  return true;
}

}  // namespace

std::optional<std::chrono::year_month> ParseMonth(std::string_view text) {
  int year = 0, month = 0;
  if (text.size() != 7 || text[4] != '-' || !Digits(text, 0, 4, year) || !Digits(text, 5, 2, month)) {
    return std::nullopt;
  }
  std::chrono::year_month result{std::chrono::year(year), std::chrono::month(static_cast<unsigned>(month))};
  return result.ok() ? std::optional(result) : std::nullopt;
}

std::optional<std::chrono::year_month_day> ParseDate(std::string_view text) {
  int day = 0;
  if (text.size() != 10 || text[7] != '-' || !Digits(text, 8, 2, day)) return std::nullopt;
  std::optional<std::chrono::year_month> month = ParseMonth(text.substr(0, 7));
  if (!month.has_value()) return std::nullopt;
  std::chrono::year_month_day result = *month / std::chrono::day(static_cast<unsigned>(day));
  return result.ok() ? std::optional(result) : std::nullopt;
}

std::chrono::sys_days LocalDay(Timestamp time, int utc_offset_minutes) {
  return std::chrono::floor<std::chrono::days>(time + std::chrono::minutes(utc_offset_minutes));
}

std::chrono::year_month LocalMonth(Timestamp time, int utc_offset_minutes) {
  const std::chrono::year_month_day day(LocalDay(time, utc_offset_minutes));
  return day.year() / day.month();
}

std::chrono::sys_days AddWorkingDays(std::chrono::sys_days day, int working_days) {
  for (int left = working_days; left > 0;) {
    day += std::chrono::days(1);
    const std::chrono::weekday weekday(day);
    if (weekday != std::chrono::Saturday && weekday != std::chrono::Sunday) --left;
  }
  return day;
}

}  // namespace kuimen
