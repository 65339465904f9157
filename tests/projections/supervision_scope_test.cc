// Years and months before supervision began (session 7, clerk review A2, A3):
// a year wholly before the supervision start is 未纳入督办 in 年终考核 and in
// 统计's 历年考核得分 (no points, no rank), and the window sentence is worded
// in one place for 考核, 统计 and 通报.
#include <gtest/gtest.h>

#include "eventstore/catalog_codec.h"
#include "projections/assessment_rules.h"
#include "projections/assessment_view.h"
#include "projections/report_period.h"
#include "projections/statistics.h"
#include "projections/supervision_view.h"
#include "tests/projections/envelope_log.h"

namespace kuimen {
namespace {

using nlohmann::json;
using Log = testing::EnvelopeLog;

const Catalog& Fengjie() {
  static const Catalog catalog = LoadDefaultCatalog().value();
  return catalog;
}

std::chrono::year_month Month(int y, unsigned m) { return {std::chrono::year(y), std::chrono::month(m)}; }

Timestamp China(int y, unsigned m, unsigned d, int hour = 10) {
  return Timestamp(std::chrono::sys_days(std::chrono::year_month_day{std::chrono::year(y), std::chrono::month(m),
                                                                     std::chrono::day(d)}) +
                   std::chrono::hours(hour - 8));
}

const Actor kAgriculture{"p-nyw", Role::kDepartment, "县农业农村委"};  // leads task 7

// The store's first event is in 2026-12: supervision starts then (the default catalog names no start).
Log StartedInDecember2026() {
  Log log;
  log.Add("task-07", China(2026, 12, 2), kAgriculture,
          ProgressReported{Month(2026, 11), "本月进展", 20, {}, {}});
  return log;
}

std::unique_ptr<AssessmentView> AssessmentOf(const Log& log) {
  std::unique_ptr<AssessmentView> view = AssessmentView::Create(Fengjie(), DefaultAssessmentRules()).value();
  for (const auto& [envelope, data] : log.events()) view->Apply(envelope, data);
  return view;
}

TEST(YearBeforeSupervision, AssessmentOfSuchAYearScoresAndRanksNobodyAndSaysWhy) {
  const std::unique_ptr<AssessmentView> view = AssessmentOf(StartedInDecember2026());
  for (int year : {2024, 2025}) {
    const AssessmentResult result = view->Render(year, China(2026, 12, 5));
    EXPECT_EQ(result.in_scope, false) << year;
    EXPECT_EQ(result.scope_note,
              std::to_string(year) + "年未纳入督办（督办自2026年12月起），不计分、不排名");
    ASSERT_FALSE(result.units.empty());
    for (const AssessmentUnitResult& unit : result.units) {
      EXPECT_FALSE(unit.score.has_value()) << unit.unit << " " << year;
      EXPECT_FALSE(unit.base.has_value()) << unit.unit;
      EXPECT_FALSE(unit.rank.has_value()) << unit.unit;
      for (const AssessmentLine& line : unit.lines) {
        EXPECT_EQ(line.applicable, false);
        EXPECT_EQ(line.detail, "未纳入督办");
      }
    }
  }
  const AssessmentResult started = view->Render(2026, China(2026, 12, 5));
  EXPECT_EQ(started.in_scope, true);
  EXPECT_FALSE(started.scope_note.has_value());
}

TEST(YearBeforeSupervision, StatisticsScoreTrendReadsSuchYearsAsNotInScope) {
  const Log log = StartedInDecember2026();
  std::unique_ptr<SupervisionView> supervision = SupervisionView::Create(Fengjie()).value();
  for (const auto& [envelope, data] : log.events()) supervision->Apply(envelope, data);
  const std::unique_ptr<AssessmentView> assessment = AssessmentOf(log);
  const Timestamp now = China(2026, 12, 5);
  std::vector<UnitStatistics> units = UnitSupervisionStatistics(Fengjie(), *supervision, now);
  AddUnitAssessmentStatistics(units, Fengjie(), *assessment, 2026, now);
  const UnitStatistics* agriculture = nullptr;
  for (const UnitStatistics& unit : units) {
    if (unit.unit == "县农业农村委") agriculture = &unit;
  }
  ASSERT_NE(agriculture, nullptr);
  ASSERT_FALSE(agriculture->score_trend.empty());
  for (const UnitScoreYear& year : agriculture->score_trend) {
    EXPECT_EQ(year.in_scope, year.year >= 2026) << year.year;
    if (!year.in_scope) {
      EXPECT_FALSE(year.rank.has_value()) << year.year;
    }
  }
  EXPECT_EQ(agriculture->score_trend.back().year, 2026);
}

TEST(TimelinessWindowLabel, IsOneSentenceForEveryPageThatCountsReports) {
  EXPECT_EQ(TimelinessWindowLabel(Month(2026, 12), Month(2026, 11), 10),
            "按时报送率统计自2026年12月起，尚无已到报送期限的月份");
  EXPECT_EQ(TimelinessWindowLabel(Month(2026, 12), Month(2027, 2), 10),
            "按时报送率统计自2026年12月起，至2027年2月止（每月进展于次月10日前报送为按时）");
  EXPECT_EQ(ChineseMonthText(Month(2027, 1)), "2027年1月");
}

}  // namespace
}  // namespace kuimen
