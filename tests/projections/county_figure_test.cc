// One unit's figure never overwrites another's (issue 10 item 2): the county
// figure is a lead unit's county-wide figure (全县数) where its latest figure
// is one, else the sum of each unit's latest own contribution. The rule
// itself, then the board, the item page's 单位分解, the county targets and the
// assessment's 目标达成, which all show that one number.
#include "projections/county_figure.h"

#include <limits>

#include <gtest/gtest.h>

#include "eventstore/catalog_codec.h"
#include "projections/assessment_view.h"
#include "projections/supervision_view.h"
#include "tests/projections/board_json.h"
#include "tests/projections/envelope_log.h"

namespace kuimen {
namespace {

using nlohmann::json;
using Log = testing::EnvelopeLog;

std::chrono::year_month Month(int y, unsigned m) { return {std::chrono::year(y), std::chrono::month(m)}; }
// A moment given in China time (UTC+8).
Timestamp China(int y, unsigned m, unsigned d, int hour = 10) {
  return Timestamp(std::chrono::sys_days(std::chrono::year_month_day{std::chrono::year(y), std::chrono::month(m),
                                                                     std::chrono::day(d)}) +
                   std::chrono::hours(hour - 8));
}

const std::string kLeadUnit = "县农业农村委";  // leads task 7 (农业生产社会化服务规模, 78万亩次)
const Actor kLead{"p-nyw", Role::kDepartment, kLeadUnit};
const Actor kCoop{"p-gxs", Role::kDepartment, "县供销合作社"};
const Actor kTownship{"p-yazd", Role::kDepartment, "永安街道", "各乡镇人民政府、街道办事处"};
const Actor kTaskForce{"p-tf", Role::kTaskForce, ""};

// --- the rule -------------------------------------------------------------------

UnitFigure Figure(const std::string& unit, IndicatorScope scope, double value, std::chrono::year_month period,
                  std::uint64_t position) {
  return UnitFigure{unit, scope, value, period, position, China(2024, 12, 1), true};
}
constexpr IndicatorScope kOwn = IndicatorScope::kOwn;
constexpr IndicatorScope kCounty = IndicatorScope::kCounty;

TEST(CountyFigureRule, SumsTheLeadsAndATownshipsOwnContributions) {
  std::optional<CountyFigure> county = FormCountyFigure(
      {Figure(kLeadUnit, kOwn, 12, Month(2024, 11), 1), Figure("永安街道", kOwn, 1.2, Month(2024, 11), 2)},
      {kLeadUnit});
  ASSERT_TRUE(county.has_value());
  EXPECT_DOUBLE_EQ(county->value, 13.2);
  EXPECT_EQ(county->basis, CountyBasis::kSumOfUnits);
  EXPECT_EQ(CountyBasisLabel(county->basis), "各单位合计");
  ASSERT_EQ(county->units.size(), 2u);
  EXPECT_EQ(county->units[0].figure.unit, kLeadUnit);  // the lead first
  EXPECT_TRUE(county->units[0].lead && county->units[0].counted && county->units[1].counted);
  EXPECT_EQ(county->latest.position, 2u);
}

TEST(CountyFigureRule, TheLeadsCountyWideFigureWinsOverTheSum) {
  std::optional<CountyFigure> county = FormCountyFigure(
      {Figure("永安街道", kOwn, 1.2, Month(2024, 11), 1), Figure(kLeadUnit, kCounty, 30, Month(2024, 11), 2),
       Figure("县供销合作社", kOwn, 5, Month(2024, 11), 3)},
      {kLeadUnit});
  ASSERT_TRUE(county.has_value());
  EXPECT_DOUBLE_EQ(county->value, 30);
  EXPECT_EQ(county->basis, CountyBasis::kLeadCountyWide);
  EXPECT_EQ(CountyBasisLabel(county->basis), "牵头单位报全县数");
  for (const CountyFigure::Contribution& c : county->units) EXPECT_EQ(c.counted, c.lead) << c.figure.unit;
}

TEST(CountyFigureRule, EachPeriodIsFormedFromTheFiguresUpToIt) {
  const std::vector<UnitFigure> figures = {
      Figure(kLeadUnit, kOwn, 12, Month(2024, 11), 1), Figure("永安街道", kOwn, 1.2, Month(2024, 11), 2),
      Figure(kLeadUnit, kCounty, 30, Month(2024, 12), 3)};
  EXPECT_DOUBLE_EQ(FormCountyFigure(figures, {kLeadUnit}, Month(2024, 11))->value, 13.2);
  EXPECT_DOUBLE_EQ(FormCountyFigure(figures, {kLeadUnit}, Month(2024, 12))->value, 30);
  EXPECT_EQ(FormCountyFigure(figures, {kLeadUnit}, Month(2024, 12))->latest.period, Month(2024, 12));
  EXPECT_FALSE(FormCountyFigure(figures, {kLeadUnit}, Month(2024, 10)).has_value());
}

TEST(CountyFigureRule, AUnitSilentInTheLatestPeriodCountsItsLatestFigure) {
  std::optional<CountyFigure> county = FormCountyFigure(
      {Figure(kLeadUnit, kOwn, 12, Month(2024, 11), 1), Figure("永安街道", kOwn, 1.2, Month(2024, 11), 2),
       Figure(kLeadUnit, kOwn, 15, Month(2024, 12), 3)},
      {kLeadUnit});
  ASSERT_TRUE(county.has_value());
  EXPECT_DOUBLE_EQ(county->value, 16.2);
  EXPECT_EQ(county->latest.period, Month(2024, 12));
}

TEST(CountyFigureRule, AUnitsLatestFigureIsItsLatestPeriodsThenItsLatestPosition) {
  // A late report for October does not replace the township's November figure;
  // a revision of November (position 4) replaces the first (position 2).
  std::optional<CountyFigure> county = FormCountyFigure(
      {Figure("永安街道", kOwn, 1, Month(2024, 11), 2), Figure("永安街道", kOwn, 0.5, Month(2024, 10), 3),
       Figure("永安街道", kOwn, 1.5, Month(2024, 11), 4)},
      {kLeadUnit});
  ASSERT_TRUE(county.has_value());
  EXPECT_DOUBLE_EQ(county->value, 1.5);
}

TEST(CountyFigureRule, TheLeadsOwnFigureAfterACountyWideOneGoesBackToTheSum) {
  std::optional<CountyFigure> county = FormCountyFigure(
      {Figure(kLeadUnit, kCounty, 30, Month(2024, 11), 1), Figure("永安街道", kOwn, 2, Month(2024, 12), 2),
       Figure(kLeadUnit, kOwn, 20, Month(2024, 12), 3)},
      {kLeadUnit});
  EXPECT_DOUBLE_EQ(county->value, 22);
  EXPECT_EQ(county->basis, CountyBasis::kSumOfUnits);
}

// --- the supervision view ---------------------------------------------------------

ProgressReported Report(std::chrono::year_month period, double value, IndicatorScope scope = kOwn) {
  return ProgressReported{
      period, "本月进展", 15, {IndicatorValue{"农业生产社会化服务规模", value, "万亩次", scope}}, {}};
}
ReportReviewed Review(std::uint64_t version, ReviewDecision decision = ReviewDecision::kApproved) {
  return {StreamVersion(version), decision, ""};
}

std::unique_ptr<SupervisionView> Supervision(const Log& log) {
  Result<std::unique_ptr<SupervisionView>> view = SupervisionView::Create(LoadDefaultCatalog().value());
  EXPECT_TRUE(view.ok()) << view.status().ToString();
  for (const auto& [envelope, data] : log.events()) (*view)->Apply(envelope, data);
  return std::move(view).value();
}

// Task 7's first target (农业生产社会化服务规模) on the board.
TargetReading BoardIndicator(const SupervisionBoard& board) {
  for (const ItemBoard& task : board.tasks) {
    if (task.task()->no == TaskNo(7)) return task.indicators.at(0);
  }
  ADD_FAILURE() << "no task 7";
  return {};
}

TargetReading CountyTarget(const SupervisionBoard& board, int year) {
  for (const CountyTargetRow& target : board.targets) {
    if (target.year == year && target.reading.indicator == "农业生产社会化服务规模") return target.reading;
  }
  ADD_FAILURE() << "no county target of " << year;
  return {};
}

// The county figure of a reading; NaN when there is none, so a comparison fails.
double Latest(const TargetReading& reading) {
  return reading.latest ? reading.latest->value : std::numeric_limits<double>::quiet_NaN();
}
double Percent(const TargetReading& reading) {
  return reading.latest && reading.latest->progress_percent ? *reading.latest->progress_percent
                                                            : std::numeric_limits<double>::quiet_NaN();
}

// The case: 永安街道 reports 1.2万亩次 beside the lead's 12.
Log LeadAndTownship() {
  Log log;
  log.Add("task-07", China(2024, 12, 3), kLead, Report(Month(2024, 11), 12));      // v1
  log.Add("task-07", China(2024, 12, 4), kTaskForce, Review(1));                    // v2
  log.Add("task-07", China(2024, 12, 5), kTownship, Report(Month(2024, 11), 1.2));  // v3, pending
  return log;
}

// The same with the township's figure approved (v4): only approved figures
// count in the county figure (rule 4).
Log LeadAndTownshipApproved() {
  Log log = LeadAndTownship();
  log.Add("task-07", China(2024, 12, 6), kTaskForce, Review(3));  // v4
  return log;
}

TEST(CountyFigureOnTheBoard, ATownshipsFigureAddsToTheLeadsInsteadOfReplacingIt) {
  const SupervisionBoard board = Supervision(LeadAndTownshipApproved())->Board(China(2024, 12, 20));
  const TargetReading indicator = BoardIndicator(board);
  ASSERT_TRUE(indicator.latest.has_value());
  EXPECT_EQ(Latest(indicator), 13.2);
  EXPECT_EQ(Percent(indicator), 16.9);  // 13.2 / 78
  EXPECT_EQ(indicator.latest->basis, CountyBasis::kSumOfUnits);
  EXPECT_EQ(CountyBasisLabel(indicator.latest->basis), "各单位合计");
  EXPECT_EQ(indicator.latest->period, Month(2024, 11));
  // The county targets fed by task 7 read the same number.
  EXPECT_EQ(Latest(CountyTarget(board, 2024)), 13.2);
  EXPECT_EQ(Percent(CountyTarget(board, 2024)), 33.8);  // 13.2 / 39
  EXPECT_EQ(Latest(CountyTarget(board, 2027)), 13.2);
  EXPECT_FALSE(CountyTarget(board, 2024).pending.has_value());
}

// Session 7, item 3: a figure awaiting review (待审核) is not in the county
// figure nor in the county targets; it is shown beside them.
TEST(CountyFigureOnTheBoard, AFigureAwaitingReviewIsShownBesideTheCountyFigureNotInIt) {
  const SupervisionBoard board = Supervision(LeadAndTownship())->Board(China(2024, 12, 20));
  const TargetReading indicator = BoardIndicator(board);
  EXPECT_EQ(Latest(indicator), 12);
  EXPECT_EQ(Percent(indicator), 15.4);  // 12 / 78
  ASSERT_TRUE(indicator.pending.has_value());
  EXPECT_EQ(indicator.pending->value, 13.2);
  EXPECT_EQ(indicator.pending->amount, 1.2);  // only what awaits review
  const TargetReading target = CountyTarget(board, 2024);
  EXPECT_EQ(Latest(target), 12);
  EXPECT_EQ(Percent(target), 30.8);  // 12 / 39
  ASSERT_TRUE(target.pending.has_value());
  EXPECT_EQ(target.pending->value, 13.2);
  EXPECT_EQ(target.pending->progress_percent, 33.8);
  // As the page reads it: labelled 待审核.
  EXPECT_EQ(BoardJson(*Supervision(LeadAndTownship()), China(2024, 12, 20))["tasks"][6]["indicators"][0]["pending"]["label"],
            "待审核");
}

TEST(CountyFigureOnTheBoard, AFigureOnlyAwaitingReviewLeavesTheCountyFigureEmpty) {
  Log log;
  log.Add("task-07", China(2024, 12, 3), kLead, Report(Month(2024, 11), 12));  // v1, pending
  const SupervisionBoard board = Supervision(log)->Board(China(2024, 12, 20));
  EXPECT_FALSE(BoardIndicator(board).latest.has_value());
  ASSERT_TRUE(BoardIndicator(board).pending.has_value());
  EXPECT_EQ(BoardIndicator(board).pending->value, 12);
  EXPECT_FALSE(CountyTarget(board, 2024).latest.has_value());
}

TEST(CountyFigureRule, AnUnreviewedFigureDoesNotCountButIsPending) {
  UnitFigure lead = Figure(kLeadUnit, kOwn, 12, Month(2024, 11), 1);
  UnitFigure township = Figure("永安街道", kOwn, 1.2, Month(2024, 11), 2);
  township.approved = false;
  std::optional<CountyFigure> county = FormCountyFigure({lead, township}, {kLeadUnit});
  ASSERT_TRUE(county.has_value());
  EXPECT_DOUBLE_EQ(county->value, 12);
  ASSERT_EQ(county->units.size(), 1u);
  std::optional<CountyFigure> pending = PendingCountyFigure({lead, township}, {kLeadUnit});
  ASSERT_TRUE(pending.has_value());
  EXPECT_DOUBLE_EQ(pending->value, 13.2);
  EXPECT_FALSE(PendingCountyFigure({lead}, {kLeadUnit}).has_value());
  // An approved revision after the unreviewed one: nothing waits.
  UnitFigure revised = Figure("永安街道", kOwn, 1.5, Month(2024, 11), 3);
  EXPECT_FALSE(PendingCountyFigure({lead, township, revised}, {kLeadUnit}).has_value());
  EXPECT_DOUBLE_EQ(FormCountyFigure({lead, township, revised}, {kLeadUnit})->value, 13.5);
}

TEST(CountyFigureOnTheItemPage, ShowsTheBreakdownByUnitAndHowTheCountyFigureWasFormed) {
  Result<json> item = ItemJson(*Supervision(LeadAndTownshipApproved()), StreamId{"task-07"}, China(2024, 12, 20));
  ASSERT_TRUE(item.ok()) << item.status().ToString();
  const json breakdown = (*item)["unit_breakdown"].at(0);
  EXPECT_EQ(breakdown["indicator"], "农业生产社会化服务规模");
  EXPECT_EQ(breakdown["latest_value"], 13.2);
  EXPECT_EQ(breakdown["basis_label"], "各单位合计");
  EXPECT_EQ((*item)["indicators"].at(0)["latest_value"], breakdown["latest_value"]);
  const json& units = breakdown["units"];
  ASSERT_EQ(units.size(), 2u);
  EXPECT_EQ(units[0]["unit"], kLeadUnit);
  EXPECT_EQ(units[0]["lead"], true);
  EXPECT_EQ(units[0]["value"], 12);
  EXPECT_EQ(units[0]["scope_label"], "本单位");
  EXPECT_EQ(units[0]["review_label"], "审核通过");
  EXPECT_EQ(units[1]["unit"], "永安街道");
  EXPECT_EQ(units[1]["value"], 1.2);
  EXPECT_EQ(units[1]["review"], "approved");
  EXPECT_EQ(units[1]["counted"], true);
  // Before the township's report was approved, its figure shows as 待审核, not counted.
  Result<json> before = ItemJson(*Supervision(LeadAndTownship()), StreamId{"task-07"}, China(2024, 12, 20));
  const json& waiting = (*before)["unit_breakdown"].at(0);
  EXPECT_EQ(waiting["latest_value"], 12);
  EXPECT_EQ(waiting["pending"]["value"], 13.2);
  ASSERT_EQ(waiting["units"].size(), 2u);
  EXPECT_EQ(waiting["units"][1]["review_label"], "待审核");
  EXPECT_EQ(waiting["units"][1]["counted"], false);
}

TEST(CountyFigureOnTheItemPage, TheLeadsCountyWideFigureStandsAndEarlierPeriodsKeepTheirSum) {
  Log log = LeadAndTownshipApproved();
  log.Add("task-07", China(2025, 1, 3), kLead, Report(Month(2024, 12), 30, kCounty));  // v5
  log.Add("task-07", China(2025, 1, 4), kTaskForce, Review(5));                         // v6
  std::unique_ptr<SupervisionView> view = Supervision(log);
  Result<json> item = ItemJson(*view, StreamId{"task-07"}, China(2025, 1, 20));
  ASSERT_TRUE(item.ok());
  const json breakdown = (*item)["unit_breakdown"].at(0);
  EXPECT_EQ(breakdown["latest_value"], 30);
  EXPECT_EQ(breakdown["basis"], "lead_county_wide");
  EXPECT_EQ(breakdown["basis_label"], "牵头单位报全县数");
  EXPECT_EQ(breakdown["units"][0]["scope_label"], "全县数");
  EXPECT_EQ(breakdown["units"][0]["counted"], true);
  EXPECT_EQ(breakdown["units"][1]["counted"], false);  // the township's 1.2 is within the county's 30
  EXPECT_EQ(Latest(BoardIndicator(view->Board(China(2025, 1, 20)))), 30);
  // What was known about November: the sum.
  Result<json> november = ItemJson(*view, StreamId{"task-07"}, China(2025, 1, 20), Month(2024, 11));
  EXPECT_EQ((*november)["unit_breakdown"][0]["latest_value"], 13.2);
  // The 2024 target reads December's figure.
  EXPECT_EQ(Latest(CountyTarget(view->Board(China(2025, 1, 20)), 2024)), 30);
}

TEST(CountyFigureOnTheBoard, AUnitSilentInTheLatestPeriodStillCounts) {
  Log log = LeadAndTownshipApproved();
  log.Add("task-07", China(2025, 1, 3), kLead, Report(Month(2024, 12), 15));  // v5
  log.Add("task-07", China(2025, 1, 4), kTaskForce, Review(5));               // v6
  const TargetReading indicator = BoardIndicator(Supervision(log)->Board(China(2025, 1, 20)));
  ASSERT_TRUE(indicator.latest.has_value());
  EXPECT_EQ(indicator.latest->value, 16.2);
  EXPECT_EQ(indicator.latest->period, Month(2024, 12));
}

TEST(CountyFigureOnTheBoard, AReturnedReportsFigureDoesNotCount) {
  Log log = LeadAndTownship();
  log.Add("task-07", China(2024, 12, 6), kTaskForce, Review(3, ReviewDecision::kReturned));
  EXPECT_EQ(Latest(BoardIndicator(Supervision(log)->Board(China(2024, 12, 20)))), 12);
}

TEST(CountyFigureOnTheBoard, TheItemsOverallProgressIsTheLeadsEstimateNotATownships) {
  Log log;
  ProgressReported township = Report(Month(2024, 11), 1.2);
  township.percent = 2;
  log.Add("task-07", China(2024, 12, 5), kTownship, township);  // v1: only a township so far
  std::unique_ptr<SupervisionView> view = Supervision(log);
  // Awaiting review, the township's estimate is not counted (clerk review A5): shown beside as 待审核.
  const ItemBoard first = *Supervision(log)->Item(StreamId{"task-07"}, China(2024, 12, 20));
  EXPECT_FALSE(first.progress.has_value());
  ASSERT_TRUE(first.progress_pending.has_value());
  EXPECT_EQ(first.progress_pending->percent, 2);
  ProgressReported lead = Report(Month(2024, 11), 12);
  lead.percent = 15;
  log.Add("task-07", China(2024, 12, 6), kLead, lead);                 // v2
  log.Add("task-07", China(2024, 12, 7), kTaskForce, Review(2));       // v3
  log.Add("task-07", China(2024, 12, 8), kTownship, township);         // v4: the township again, later
  view = Supervision(log);
  EXPECT_EQ(view->Item(StreamId{"task-07"}, China(2024, 12, 20))->progress.value().percent, 15);
  std::unique_ptr<SupervisionView> reloaded = Supervision(Log());
  for (const auto& [key, value] : view->TakeChangedRows()) ASSERT_TRUE(reloaded->LoadRow(key, value).ok()) << key;
  EXPECT_EQ(reloaded->Item(StreamId{"task-07"}, China(2024, 12, 20))->progress.value().percent, 15);
}

TEST(CountyFigureInTheView, SurvivesTheRowRoundTrip) {
  Log log = LeadAndTownship();
  log.Add("task-07", China(2025, 1, 3), kLead, Report(Month(2024, 12), 30, kCounty));  // v4
  log.Add("task-07", China(2025, 1, 4), kTaskForce, Review(4));                          // v5: approved 全县数
  std::unique_ptr<SupervisionView> view = Supervision(log);
  std::unique_ptr<SupervisionView> reloaded = Supervision(Log());
  for (const auto& [key, value] : view->TakeChangedRows()) ASSERT_TRUE(reloaded->LoadRow(key, value).ok()) << key;
  EXPECT_EQ(ItemJson(*reloaded, StreamId{"task-07"}, China(2025, 1, 20))->dump(),
            ItemJson(*view, StreamId{"task-07"}, China(2025, 1, 20))->dump());
  EXPECT_EQ(BoardIndicator(reloaded->Board(China(2025, 1, 20))).latest.value().basis, CountyBasis::kLeadCountyWide);
}

// --- the assessment -------------------------------------------------------------

// Task 7 alone: 县农业农村委 leads it, 县供销合作社 cooperates.
Catalog TaskSevenPlan() {
  Catalog c;
  c.document = {"奉节府办发〔2024〕62号", "奉节县人民政府办公室", "2024-10-15", "实施方案", ""};
  c.supervision_start = std::chrono::year(2024) / std::chrono::October;
  c.units = {{"县农业农村委", "department"}, {"县供销合作社", "department"}};
  c.tasks = {TaskSpec{TaskNo(7), "全面推进农业生产合作", "创新农业生产服务方式", "托管服务", "县农业农村委",
                      {"县供销合作社"},
                      {Target{"农业生产社会化服务规模", 78.0, "万亩次", std::nullopt, "", "达到78万亩次"}}}};
  return c;
}

AssessmentLine TargetsLine(const Log& log, Timestamp now) {
  Result<std::unique_ptr<AssessmentView>> view = AssessmentView::Create(TaskSevenPlan(), DefaultAssessmentRules());
  EXPECT_TRUE(view.ok()) << view.status().ToString();
  for (const auto& [envelope, data] : log.events()) (*view)->Apply(envelope, data);
  const AssessmentResult render = (*view)->Render(2024, now);
  for (const AssessmentUnitResult& unit : render.units) {
    if (unit.unit != kLeadUnit) continue;
    for (const AssessmentLine& line : unit.lines) {
      if (line.rule == "targets") return line;
    }
  }
  ADD_FAILURE() << "no targets line for " << kLeadUnit;
  return {};
}

TEST(CountyFigureInTheAssessment, TheTargetComponentScoresTheCountyFigure) {
  Log log;
  log.Add("task-07", China(2024, 12, 3), kLead, Report(Month(2024, 11), 30));  // 1
  log.Add("task-07", China(2024, 12, 5), kCoop, Report(Month(2024, 11), 9));   // 2
  log.Add("task-07", China(2024, 12, 6), kTaskForce, Review(1));               // 3
  // Awaiting review at the evaluation, the cooperating unit's 9 does not count yet.
  EXPECT_EQ(TargetsLine(log, China(2025, 1, 20)).detail, "量化目标1项，平均完成38.46%");  // 30 / 78
  log.Add("task-07", China(2024, 12, 7), kTaskForce, Review(2));               // 4
  AssessmentLine line = TargetsLine(log, China(2025, 1, 20));
  EXPECT_EQ(line.detail, "量化目标1项，平均完成50%");  // (30 + 9) / 78, not 9 / 78
  EXPECT_EQ(line.positions, (std::vector<std::uint64_t>{1, 2}));
  // The lead's county-wide figure for December stands alone.
  log.Add("task-07", China(2025, 1, 3), kLead, Report(Month(2024, 12), 58.5, kCounty));  // 5
  log.Add("task-07", China(2025, 1, 4), kTaskForce, Review(5));                          // 6
  line = TargetsLine(log, China(2025, 1, 20));
  EXPECT_EQ(line.detail, "量化目标1项，平均完成75%");  // 58.5 / 78
  EXPECT_EQ(line.positions, (std::vector<std::uint64_t>{5}));
}

}  // namespace
}  // namespace kuimen
