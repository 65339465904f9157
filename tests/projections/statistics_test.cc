// Statistics (统计) read from the two views over a seeded log and clock, with
// figures checked by hand: 报送及时 as the assessment counts it, open and
// overdue notices, the score trend, and a task's monthly figures.
#include "projections/statistics.h"

#include <map>

#include <gtest/gtest.h>

#include "eventstore/event_codec.h"
#include "tests/projections/envelope_log.h"

namespace kuimen {
namespace {

using nlohmann::json;

// 县供销合作社 leads tasks 1 and 2, 县农业农村委 task 7 (target 78万亩次), 县商务委
// task 27; 县财政局 only cooperates. Supervised from 2024-10.
Catalog SmallPlan() {
  Catalog c;
  c.document = {"奉节府办发〔2024〕62号", "奉节县人民政府办公室", "2024-10-15", "实施方案", ""};
  c.supervision_start = std::chrono::year(2024) / std::chrono::October;
  c.units = {{"县供销合作社", "department"}, {"县农业农村委", "department"}, {"县财政局", "department"},
             {"县商务委", "department"}};
  c.tasks = {
      TaskSpec{TaskNo(1), "构建为农服务平台", "组建农合联", "组建农合联11个", "县供销合作社", {"县财政局"},
               {Target{"农合联", 11.0, "个", std::nullopt, "", "组建农合联11个"}}},
      TaskSpec{TaskNo(2), "构建为农服务平台", "发挥服务功能", "建设为农服务中心", "县供销合作社", {}, {}},
      TaskSpec{TaskNo(7), "全面推进农业生产合作", "创新农业生产服务方式", "托管服务", "县农业农村委",
               {"县供销合作社"},
               {Target{"农业生产社会化服务规模", 78.0, "万亩次", std::nullopt, "", "达到78万亩次"}}},
      TaskSpec{TaskNo(27), "共用流通渠道", "流通网点", "建设流通网点", "县商务委", {}, {}},
  };
  return c;
}

std::chrono::year_month Month(int y, unsigned m) { return {std::chrono::year(y), std::chrono::month(m)}; }
Timestamp China(int y, unsigned m, unsigned d, int hour = 10) {
  return Timestamp(std::chrono::sys_days(std::chrono::year_month_day{std::chrono::year(y), std::chrono::month(m),
                                                                      std::chrono::day(d)}) +
                   std::chrono::hours(hour - 8));
}

const Actor kTaskForce{"p-tf", Role::kTaskForce, ""};
const Actor kCoop{"p-gxs", Role::kDepartment, "县供销合作社"};
const Actor kAgriculture{"p-nyw", Role::kDepartment, "县农业农村委"};

ProgressReported Progress(std::chrono::year_month period, double percent, std::vector<IndicatorValue> indicators = {}) {
  return ProgressReported{period, "本月进展", percent, std::move(indicators), {}};
}
IndicatorValue Scale(double value) { return {"农业生产社会化服务规模", value, "万亩次"}; }

// Each rule reads led tasks only, so the tallies are the led tasks' months.
AssessmentRules LeadOnlyRules() {
  AssessmentRules rules = DefaultAssessmentRules();
  rules.version = "test-lead-only";
  for (AssessmentRule& rule : rules.rules) rule.cooperating_weight = 0;
  return rules;
}

// The evaluation moment: 2025-01-20, so 2024-10, -11 and -12 are due (by the
// 10th of the month after) and 2025-01 is not yet.
const Timestamp kNow = China(2025, 1, 20);

class Statistics : public ::testing::Test {
 protected:
  void SetUp() override {
    // Task 1: October on time (11-05), November late (12-15), December missing.
    log_.Add("task-01", China(2024, 11, 5), kCoop, Progress(Month(2024, 10), 10));
    log_.Add("task-01", China(2024, 12, 15), kCoop, Progress(Month(2024, 11), 20));
    // Task 2: October on its due day (11-10), November missing, December on time (01-08).
    log_.Add("task-02", China(2024, 11, 10, 23), kCoop, Progress(Month(2024, 10), 10));
    log_.Add("task-02", China(2025, 1, 8), kCoop, Progress(Month(2024, 12), 30));
    // Task 7: every month on time; October and November approved, December awaiting review.
    log_.Add("task-07", China(2024, 11, 3), kAgriculture, Progress(Month(2024, 10), 10, {Scale(20)}));
    log_.Add("task-07", China(2024, 11, 4), kTaskForce, ReportReviewed{StreamVersion(1), ReviewDecision::kApproved, ""});
    log_.Add("task-07", China(2024, 12, 2), kAgriculture, Progress(Month(2024, 11), 30, {Scale(35)}));
    log_.Add("task-07", China(2024, 12, 3), kTaskForce, ReportReviewed{StreamVersion(3), ReviewDecision::kApproved, ""});
    log_.Add("task-07", China(2025, 1, 5), kAgriculture, Progress(Month(2024, 12), 45, {Scale(50)}));
    // Notices: on task 1 due 01-15 (overdue on 01-20), on task 2 due 01-31
    // (open), on task 7 answered and closed (not counted).
    log_.Add("task-01", China(2025, 1, 2), kTaskForce, NoticeIssued{"n-1", "进度滞后", std::chrono::year(2025) / 1 / 15, ""});
    log_.Add("task-02", China(2025, 1, 2), kTaskForce, NoticeIssued{"n-2", "未按时报送", std::chrono::year(2025) / 1 / 31, ""});
    log_.Add("task-07", China(2025, 1, 2), kTaskForce, NoticeIssued{"n-3", "数据待核", std::chrono::year(2025) / 1 / 31, ""});
    log_.Add("task-07", China(2025, 1, 6), kAgriculture, NoticeAnswered{"n-3", "已核实"});
    log_.Add("task-07", China(2025, 1, 7), kTaskForce, NoticeClosed{"n-3", "同意销号", ""});

    supervision_ = SupervisionView::Create(SmallPlan()).value();
    assessment_ = AssessmentView::Create(SmallPlan(), LeadOnlyRules()).value();
    for (const auto& [envelope, data] : log_.events()) {
      supervision_->Apply(envelope, data);
      assessment_->Apply(envelope, data);
    }
  }

  std::vector<UnitStatistics> Units() {
    std::vector<UnitStatistics> units = UnitSupervisionStatistics(SmallPlan(), *supervision_, kNow);
    AddUnitAssessmentStatistics(units, SmallPlan(), *assessment_, 2024, kNow);
    return units;
  }
  static const UnitStatistics& Of(const std::vector<UnitStatistics>& units, const std::string& name) {
    for (const UnitStatistics& unit : units) {
      if (unit.unit == name) return unit;
    }
    ADD_FAILURE() << "no unit " << name;
    static const UnitStatistics kNone;
    return kNone;
  }

  testing::EnvelopeLog log_;
  std::unique_ptr<SupervisionView> supervision_;
  std::unique_ptr<AssessmentView> assessment_;
};

TEST_F(Statistics, ListsEveryUnitWithTheTasksItLeadsAndCooperatesOn) {
  const auto units = Units();
  ASSERT_EQ(units.size(), 4u);
  EXPECT_EQ(units[0].unit, "县供销合作社");  // catalog order
  EXPECT_EQ(Of(units, "县供销合作社").led, (std::vector<std::int64_t>{1, 2}));
  EXPECT_EQ(Of(units, "县供销合作社").cooperating, (std::vector<std::int64_t>{7}));
  EXPECT_EQ(Of(units, "县财政局").led, (std::vector<std::int64_t>{}));
  EXPECT_EQ(Of(units, "县财政局").cooperating, (std::vector<std::int64_t>{1}));
}

TEST_F(Statistics, CountsReportsOnTimeLateAndMissingAsTheAssessmentDoes) {
  const auto units = Units();
  // 县供销合作社: task 1 Oct on time, Nov late, Dec missing; task 2 Oct on time, Nov missing, Dec on time.
  const UnitStatistics& coop = Of(units, "县供销合作社");
  EXPECT_EQ(coop.reports.on_time, 3);
  EXPECT_EQ(coop.reports.late, 1);
  EXPECT_EQ(coop.reports.missing, 2);
  EXPECT_EQ(coop.reports.pending, 0);
  EXPECT_EQ(coop.on_time_rate, 50.0);
  const UnitStatistics& agriculture = Of(units, "县农业农村委");
  EXPECT_EQ(agriculture.reports.on_time, 3);
  EXPECT_EQ(agriculture.on_time_rate, 100.0);
  const UnitStatistics& commerce = Of(units, "县商务委");
  EXPECT_EQ(commerce.reports.missing, 3);
  EXPECT_EQ(commerce.on_time_rate, 0.0);
  // Leads nothing: nothing was due, no rate.
  EXPECT_EQ(Of(units, "县财政局").reports.missing, 0);
  EXPECT_FALSE(Of(units, "县财政局").on_time_rate.has_value());

  // The same tally the score line prints.
  const AssessmentResult render = assessment_->Render(2024, kNow);
  bool printed = false;
  for (const AssessmentUnitResult& unit : render.units) {
    if (unit.unit != "县供销合作社") continue;
    for (const AssessmentLine& line : unit.lines) {
      if (line.rule == "timeliness") {
        EXPECT_EQ(line.detail, "应报6期，按时报送3期，逾期报送1期，未报送2期");
        printed = true;
      }
    }
  }
  EXPECT_TRUE(printed);
}

TEST_F(Statistics, CountsOpenNoticesOnLedTasksAndThoseOverdue) {
  const auto units = Units();
  EXPECT_EQ(Of(units, "县供销合作社").open_notices, 2);
  EXPECT_EQ(Of(units, "县供销合作社").overdue_notices, 1);
  EXPECT_EQ(Of(units, "县农业农村委").open_notices, 0);  // closed
  EXPECT_EQ(Of(units, "县财政局").open_notices, 0);     // cooperating only
}

TEST_F(Statistics, ScoreTrendIsTheAssessmentScoreOfEachYearThatHasOne) {
  const auto units = Units();
  // The years from the plan's (2024) to now's (2025), each as the assessment renders it.
  std::map<std::string, std::vector<std::pair<int, double>>> expected;
  for (int year : {2024, 2025}) {
    const AssessmentResult render = assessment_->Render(year, kNow);
    for (const AssessmentUnitResult& unit : render.units) {
      if (unit.score.has_value()) expected[unit.unit].push_back({year, *unit.score});
    }
  }
  for (const UnitStatistics& stats : units) {
    std::vector<std::pair<int, double>> trend;
    for (const UnitScoreYear& year : stats.score_trend) trend.push_back({year.year, year.score});
    EXPECT_EQ(trend, expected[stats.unit]) << stats.unit;
  }
  EXPECT_EQ(Of(units, "县农业农村委").score_trend.size(), 2u);
  EXPECT_TRUE(Of(units, "县财政局").score_trend.empty());  // nothing applies to a cooperating-only unit here
}

TEST_F(Statistics, TaskProgressByMonthCarriesTheLatestFigureToEachMonthsEnd) {
  const TaskMonthlyProgress progress = TaskProgressByMonth(SmallPlan(), *supervision_, TaskNo(7), kNow).value();
  EXPECT_EQ(progress.months, (std::vector<std::chrono::year_month>{Month(2024, 10), Month(2024, 11), Month(2024, 12),
                                                                    Month(2025, 1)}));
  // December's report awaits review: it does not count, as on the item page (clerk review A5:
  // only the approved estimate); December and January carry November's.
  EXPECT_EQ(progress.progress, (std::vector<std::optional<double>>{10, 30, 30, 30}));
  ASSERT_EQ(progress.indicators.size(), 1u);
  EXPECT_EQ(progress.indicators[0].indicator, "农业生产社会化服务规模");
  EXPECT_EQ(progress.indicators[0].target, 78.0);
  // The county figure counts approved figures only (session 7, item 3): December's 50
  // awaits review, so December and January carry November's approved 35.
  EXPECT_EQ(progress.indicators[0].values, (std::vector<std::optional<double>>{20, 35, 35, 35}));
}

TEST_F(Statistics, TaskNeverReportedHasEmptyMonthsFromTheSupervisionStart) {
  const TaskMonthlyProgress progress = TaskProgressByMonth(SmallPlan(), *supervision_, TaskNo(27), kNow).value();
  ASSERT_EQ(progress.months.size(), 4u);
  EXPECT_EQ(progress.progress, (std::vector<std::optional<double>>(4, std::nullopt)));
  EXPECT_FALSE(TaskProgressByMonth(SmallPlan(), *supervision_, TaskNo(99), kNow).ok());
}

}  // namespace
}  // namespace kuimen
