#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>

#include "domain/clock.h"

// A report's figure is "as of" its period (valid time), not of the moment it
// was recorded. These are the few rules about periods that the supervision
// view and the assessment share, in one place, so the board and the score
// cannot disagree on which figure is the latest or which report is late.
namespace kuimen {

// Whether a figure reported for `period` at log position `position` is later
// than one for `other_period` at `other_position`: the later period wins, and
// for the same period the later position. Positions are the stream version or
// the global position; within one stream the two order alike.
bool IsLaterFigure(std::chrono::year_month period, std::uint64_t position, std::chrono::year_month other_period,
                   std::uint64_t other_position);

// The day by which the report for `period` is due: `due_day` (1..28, the
// rules file's 报送及时 due_day) of the following month.
std::chrono::year_month_day ReportDueDate(std::chrono::year_month period, unsigned due_day);

// 补报: the report for `period` was recorded, in the zone `utc_offset_minutes`
// east of UTC, after its due date.
bool IsLateReport(std::chrono::year_month period, Timestamp recorded_at, unsigned due_day, int utc_offset_minutes);

// The first month whose report is due: the catalog's `supervision_start` when
// it has one, else the month (in that zone) in which the store was created —
// the recorded time of its first event, at global position 1. Empty when
// neither is known (an empty store and no start in the catalog).
std::optional<std::chrono::year_month> SupervisionStartMonth(std::optional<std::chrono::year_month> catalog_start,
                                                             std::optional<Timestamp> store_created_at,
                                                             int utc_offset_minutes);

// "2026年12月": a month as a clerk reads it.
std::string ChineseMonthText(std::chrono::year_month month);

// The sentence stating the months whose reports are counted (报送及时,
// 逾期报送/未报送): from `first` to `last`, each due by `due_day` of the next
// month; when first > last, that no month is due yet. The one place the
// assessment (考核), the statistics (统计) and the monthly bulletin (通报)
// word it (session 7, A3).
std::string TimelinessWindowLabel(std::chrono::year_month first, std::chrono::year_month last, unsigned due_day);

}  // namespace kuimen
