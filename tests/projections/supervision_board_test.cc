// The supervision view's typed results (projections/supervision_board.h):
// what the board holds beside its JSON form — pending reports with their
// figures, states as enums — and that the board and an item page agree.
#include "projections/supervision_board.h"

#include <gtest/gtest.h>

#include "tests/projections/supervision_fixture.h"

namespace kuimen {
namespace {

using namespace kuimen::testing::fengjie;
using std::chrono::year;
using namespace std::chrono_literals;

IndicatorValue Services(double value) { return {"农业生产社会化服务规模", value, "万亩次"}; }

// Task 7: an approved report, a milestone, then a report awaiting review that
// says it meets the milestone, and a notice.
Log TaskSevenLog() {
  Log log;
  log.Add("task-07", China(2024, 11, 2), kAgriculture, Progress(Month(2024, 10), 15, {Services(12)}));  // v1
  log.Add("task-07", China(2024, 11, 3), kTaskForce, Approve(1));                                       // v2
  log.Add("task-07", China(2024, 11, 4), kTaskForce, DeadlineSet{"完成托管服务台账", year(2024) / 12 / 15d});  // v3
  ProgressReported november = Progress(Month(2024, 11), 30, {Services(20)});
  november.milestones_met = {"完成托管服务台账"};
  log.Add("task-07", China(2024, 12, 2), kAgriculture, november);  // v4, pending
  log.Add("task-07", China(2024, 12, 3), kTaskForce,
          NoticeIssued{"DB-7", "进度滞后", year(2024) / 12 / 10d, "奉三位一体督〔2024〕1号"});  // v5
  return log;
}

TEST(SupervisionBoard, KeepsTheReportsAwaitingReviewWithTheirFigures) {
  const ItemBoard item = ViewOf(TaskSevenLog())->Item(StreamId{"task-07"}, China(2024, 12, 5)).value();
  ASSERT_EQ(item.pending_reports.size(), 1u);
  const PendingReportRow& pending = item.pending_reports[0];
  EXPECT_EQ(pending.version, StreamVersion(4));
  EXPECT_EQ(pending.reporter, "县农业农村委");
  EXPECT_EQ(pending.period, Month(2024, 11));
  EXPECT_EQ(pending.percent, 30);
  ASSERT_EQ(pending.indicators.size(), 1u);
  EXPECT_EQ(pending.indicators[0].value, 20);
  EXPECT_EQ(pending.milestones_met, std::vector<std::string>{"完成托管服务台账"});
  // Once reviewed it is no longer pending.
  Log log = TaskSevenLog();
  log.Add("task-07", China(2024, 12, 4), kTaskForce, Approve(4));
  EXPECT_TRUE(ViewOf(log)->Item(StreamId{"task-07"}, China(2024, 12, 5))->pending_reports.empty());
}

TEST(SupervisionBoard, GivesStatesAsEnumsAndDatesAsCalendarTypes) {
  const ItemBoard item = ViewOf(TaskSevenLog())->Item(StreamId{"task-07"}, China(2024, 12, 5)).value();
  ASSERT_NE(item.task(), nullptr);
  EXPECT_EQ(item.task()->no, TaskNo(7));
  EXPECT_EQ(item.status, TaskStatus::kPendingReview);
  ASSERT_EQ(item.deadlines.size(), 1u);
  const MilestoneRow& milestone = item.deadlines[0];
  EXPECT_EQ(milestone.due, year(2024) / 12 / 15d);
  EXPECT_EQ(milestone.days_left, 10);
  EXPECT_EQ(milestone.status, MilestoneStatus::kApproaching);
  EXPECT_EQ(MilestoneStatusLabel(milestone.status), "临近");
  EXPECT_EQ(milestone.pending_claims, std::vector<StreamVersion>{StreamVersion(4)});
  ASSERT_EQ(item.open_notices.size(), 1u);
  EXPECT_EQ(item.open_notices[0].number, "奉三位一体督〔2024〕1号");
  EXPECT_FALSE(item.open_notices[0].overdue);
  ASSERT_TRUE(item.progress.has_value());
  EXPECT_EQ(item.progress->percent, 15);
  EXPECT_EQ(item.progress->period, Month(2024, 10));
  ASSERT_TRUE(item.progress_pending.has_value());
  EXPECT_EQ(item.progress_pending->percent, 30);
  ASSERT_TRUE(item.lead_report.has_value());
  EXPECT_FALSE(item.lead_report->decision.has_value()) << "awaiting review";
  // Past the notice's due date, unanswered: red.
  const ItemBoard later = ViewOf(TaskSevenLog())->Item(StreamId{"task-07"}, China(2024, 12, 11)).value();
  EXPECT_TRUE(later.open_notices[0].overdue);
  EXPECT_EQ(later.warning, WarningLevel::kRed);
}

TEST(SupervisionBoard, AnItemPageShowsTheItemAsTheBoardDoesPlusItsBreakdown) {
  const auto view = ViewOf(TaskSevenLog());
  const SupervisionBoard board = view->Board(China(2024, 12, 5));
  const ItemBoard item = view->Item(StreamId{"task-07"}, China(2024, 12, 5)).value();
  const ItemBoard& row = board.tasks.at(6);
  EXPECT_EQ(row.stream, item.stream);
  EXPECT_FALSE(row.unit_breakdown.has_value());
  ASSERT_TRUE(item.unit_breakdown.has_value());
  EXPECT_EQ(row.status, item.status);
  EXPECT_EQ(row.warning, item.warning);
  EXPECT_EQ(row.warning_reasons, item.warning_reasons);
  ASSERT_EQ(row.indicators.size(), item.indicators.size());
  EXPECT_EQ(row.indicators[0].latest.value().value, item.unit_breakdown->at(0).reading.latest.value().value);
  EXPECT_EQ(board.counts.items, static_cast<std::int64_t>(board.tasks.size() + board.major_items.size()));
  EXPECT_EQ(board.counts.by_status.at(TaskStatus::kPendingReview), 1);
  EXPECT_EQ(board.today, year(2024) / 12 / 5d);
}

// 报送次数 on the overview chart: every report of every item by the month it
// reports on — approved, pending, returned or replaced alike — the same after
// the view's rows are reloaded into a fresh view.
TEST(SupervisionBoard, CountsEveryReportOfEveryItemByTheMonthItReportsOn) {
  Log log = TaskSevenLog();  // task 7: October (approved), November (pending)
  log.Add("task-07", China(2024, 12, 6), kAgriculture, Progress(Month(2024, 11), 35));  // v6 replaces v4
  log.Add("task-02", China(2024, 12, 6), kCoop, Progress(Month(2024, 11), 10));         // v1
  log.Add("task-02", China(2024, 12, 7), kTaskForce, Return(1));                        // v2
  log.Add("task-02", China(2024, 12, 8), kCoop, Progress(Month(2024, 12), 20));         // v3
  std::unique_ptr<SupervisionView> view = ViewOf(log);
  const std::map<std::chrono::year_month, std::int64_t> expected = {
      {Month(2024, 10), 1}, {Month(2024, 11), 3}, {Month(2024, 12), 1}};
  EXPECT_EQ(view->Board(China(2024, 12, 9)).reports_by_period, expected);

  std::unique_ptr<SupervisionView> reloaded = ViewOf(Log());
  for (const auto& [key, value] : view->TakeChangedRows()) ASSERT_TRUE(reloaded->LoadRow(key, value).ok()) << key;
  EXPECT_EQ(reloaded->Board(China(2024, 12, 9)).reports_by_period, expected);
}

}  // namespace
}  // namespace kuimen
