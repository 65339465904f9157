#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "domain/catalog.h"
#include "domain/clock.h"
#include "domain/ids.h"
#include "domain/status.h"
#include "projections/assessment_score.h"
#include "projections/assessment_view.h"
#include "projections/supervision_view.h"

// Statistics (统计, issue 11 item 5): typed figures read from the two views,
// never counted again another way. Reports on time / late / missing are the
// assessment's 报送及时 tally (CountReportTimeliness: its due months, due day
// and exemptions); the score trend is the assessment's score per year; open
// notices and the monthly progress come from the supervision view, the
// latter through RenderItem as of each month (projections/county_figure.h).
// The gateway turns these into JSON (gateway/api_stats.cc).
namespace kuimen {

struct UnitScoreYear {
  int year = 0;
  double score = 0;
  std::optional<std::int64_t> rank;
  bool frozen = false;  // 年终定格
  // False for a year before supervision began (未纳入督办): no score, no rank.
  bool in_scope = true;
};

struct UnitStatistics {
  std::string unit;
  std::string kind;
  std::vector<std::int64_t> led;          // task numbers the unit leads (牵头)
  std::vector<std::int64_t> cooperating;  // task numbers it cooperates on (配合)
  // The year's 报送及时 months for the unit, and on time / (on time + late +
  // missing) in percent, one decimal; empty when no month was due.
  int year = 0;
  ReportTimeliness reports;
  std::optional<double> on_time_rate;
  // Open 督办 notices on the tasks it leads and the major items naming it;
  // overdue: due before today (local time).
  int open_notices = 0;
  int overdue_notices = 0;
  // The assessment's score per year, oldest first: the years from the plan's
  // to `now`'s in which the unit has a score, and the years before supervision
  // began as not in scope (in_scope false, score 0 unused).
  std::vector<UnitScoreYear> score_trend;
};

// Every unit of the catalog, in catalog order, with its tasks and open
// notices as the supervision view holds them at `now`.
std::vector<UnitStatistics> UnitSupervisionStatistics(const Catalog& catalog, const SupervisionView& view,
                                                      Timestamp now);

// Adds the assessment's figures to `units`: 报送及时 of `year`, and the score
// trend over the years from the plan's (its document date) to `now`'s.
void AddUnitAssessmentStatistics(std::vector<UnitStatistics>& units, const Catalog& catalog,
                                 const AssessmentView& view, int year, Timestamp now);

// on_time / (on_time + late + missing) × 100, one decimal; empty when none was due.
std::optional<double> OnTimeRate(const ReportTimeliness& reports);

// One task's progress per month (本月末): the lead's 总体进度 and each
// indicator's county figure as of the month's end, each a value per month
// (empty where nothing was reported up to that month), beside its target.
struct IndicatorSeries {
  std::string indicator;
  std::string unit;
  std::optional<double> target;
  std::vector<std::optional<double>> values;  // one per month
};
struct TaskMonthlyProgress {
  std::int64_t task = 0;
  std::vector<std::chrono::year_month> months;  // oldest first
  std::vector<std::optional<double>> progress;  // 总体进度, percent, one per month
  std::vector<IndicatorSeries> indicators;      // the task's targets, in catalog order
};

// Months from the earlier of the supervision start and the first period
// reported, to `now`'s month (local time), at most kMaxStatisticsMonths (the
// latest). kNotFound when the catalog has no such task.
inline constexpr int kMaxStatisticsMonths = 120;
Result<TaskMonthlyProgress> TaskProgressByMonth(const Catalog& catalog, const SupervisionView& view, TaskNo task,
                                                Timestamp now);

}  // namespace kuimen
