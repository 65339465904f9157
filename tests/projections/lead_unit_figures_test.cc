// The second clerk review of session 7 (A1, A4, A5, A6, A7, B2): the item's
// status, 最近报送, 总体进度 and 单位分解 follow the lead units' approved reports,
// with the others' shown beside them; a returned report is owed again in 待办.
#include <gtest/gtest.h>

#include "eventstore/catalog_codec.h"
#include "projections/supervision_view.h"
#include "tests/projections/board_json.h"
#include "projections/todo_list.h"
#include "tests/projections/envelope_log.h"
#include "tests/projections/supervision_fixture.h"

namespace kuimen {
namespace {

using namespace testing::fengjie;  // the plan, its principals, events and view (supervision_fixture.h)

// The first target of task 7 and its unit, as the catalog has them.
IndicatorValue Figure7(double value) {
  const TaskSpec* task = Fengjie().FindTask(TaskNo(7));
  EXPECT_TRUE(task != nullptr && !task->targets.empty());
  return IndicatorValue{task->targets.front().indicator, value, task->targets.front().unit};
}

// --- A1: status and 最近报送 follow the lead units' reports -----------------------------

TEST(LeadUnitStatus, OnlyACooperatingUnitPendingLeavesTheLeadsStatusAndNamesTheUnit) {
  Log log;
  log.Add("task-07", China(2026, 12, 2), kAgriculture, Progress(Month(2026, 12), 20));
  log.Add("task-07", China(2026, 12, 3), kTaskForce, Approve(1));
  log.Add("task-07", China(2026, 12, 4), kYongan, Progress(Month(2026, 12), 10));
  const std::unique_ptr<SupervisionView> view = ViewOf(log);
  const json item = Item(*view, "task-07", China(2026, 12, 5));
  EXPECT_EQ(item["status_label"], "推进中");
  EXPECT_EQ(item["pending_units"], (json{"永安街道"}));
  EXPECT_EQ(item["lead_report"]["unit"], "县农业农村委");
  EXPECT_EQ(item["lead_report"]["decision"], "approved");
  EXPECT_EQ(item["last_report"]["unit"], "永安街道");  // recorded last, by anyone
  EXPECT_EQ(BoardItem(BoardJson(*view, China(2026, 12, 5)), "tasks", 7)["status"], "in_progress");
}

TEST(LeadUnitStatus, TheLeadsReturnIsShownThoughACooperatingUnitReportedAfter) {
  Log log;
  log.Add("task-07", China(2026, 12, 2), kAgriculture, Progress(Month(2026, 12), 20));
  log.Add("task-07", China(2026, 12, 3), kTaskForce, Return(1));
  log.Add("task-07", China(2026, 12, 4), kCoop, Progress(Month(2026, 12), 10));
  const json item = Item(*ViewOf(log), "task-07", China(2026, 12, 5));
  EXPECT_EQ(item["status_label"], "已退回");
  EXPECT_EQ(item["pending_units"], (json{"县供销合作社"}));
  EXPECT_EQ(item["lead_report"]["decision"], "returned");
  EXPECT_EQ(item["lead_report"]["version"], 1);
}

// --- A4: only the pending amount, beside the total it would make -------------------------

TEST(PendingAmount, IsWhatAwaitsReviewNotTheTotal) {
  Log log;
  log.Add("task-07", China(2026, 12, 2), kAgriculture, Progress(Month(2026, 12), 20, {Figure7(20)}));
  log.Add("task-07", China(2026, 12, 3), kTaskForce, Approve(1));
  log.Add("task-07", China(2026, 12, 4), kYongan, Progress(Month(2026, 12), 10, {Figure7(2)}));
  const json item = Item(*ViewOf(log), "task-07", China(2026, 12, 5));
  const json& indicator = item["indicators"][0];
  EXPECT_EQ(indicator["latest_value"], 20);
  EXPECT_EQ(indicator["pending"]["amount"], 2);
  EXPECT_EQ(indicator["pending"]["value"], 22);
  EXPECT_EQ(item["unit_breakdown"][0]["pending"]["amount"], 2);
}

// --- A5: 总体进度 counts the lead's latest approved estimate -------------------------------

TEST(OverallProgress, CountsTheLeadsApprovedEstimateAndShowsAPendingOneBeside) {
  Log log;
  log.Add("task-07", China(2026, 12, 2), kAgriculture, Progress(Month(2026, 12), 40));
  json item = Item(*ViewOf(log), "task-07", China(2026, 12, 3));
  EXPECT_TRUE(item["progress"].is_null()) << "an estimate nobody reviewed does not count";
  EXPECT_EQ(item["progress_pending"]["percent"], 40);
  EXPECT_EQ(item["progress_pending"]["label"], "待审核");

  log.Add("task-07", China(2026, 12, 3), kTaskForce, Approve(1));
  log.Add("task-07", China(2026, 12, 4), kAgriculture, Progress(Month(2026, 12), 55));
  item = Item(*ViewOf(log), "task-07", China(2026, 12, 5));
  EXPECT_EQ(item["progress"]["percent"], 40);
  EXPECT_EQ(item["progress_pending"]["percent"], 55);

  log.Add("task-07", China(2026, 12, 5), kTaskForce, Return(3));
  item = Item(*ViewOf(log), "task-07", China(2026, 12, 6));
  EXPECT_EQ(item["progress"]["percent"], 40) << "a returned estimate is not counted";
  EXPECT_TRUE(item["progress_pending"].is_null());
}

// --- A6: a major item is 推进中（据关联任务） only once a linked task has an approved report ---

TEST(MajorItemByLinkedTasks, ALinkedTasksReportAwaitingReviewDoesNotStartIt) {
  Log log;  // 重大项目4 is linked to task 2
  log.Add("task-02", China(2026, 12, 2), kCoop, Progress(Month(2026, 12), 20));
  EXPECT_EQ(Item(*ViewOf(log), "major-4", China(2026, 12, 3))["status"], "not_started");
  log.Add("task-02", China(2026, 12, 3), kTaskForce, Return(1));
  EXPECT_EQ(Item(*ViewOf(log), "major-4", China(2026, 12, 4))["status"], "not_started");
  log.Add("task-02", China(2026, 12, 4), kCoop, Progress(Month(2026, 12), 25));
  log.Add("task-02", China(2026, 12, 5), kTaskForce, Approve(3));
  const json item = Item(*ViewOf(log), "major-4", China(2026, 12, 6));
  EXPECT_EQ(item["status_label"], "推进中");
  EXPECT_EQ(item["status_basis"], "related_tasks");
}

// --- B2: a returned unit keeps its row in 单位分解 -----------------------------------------

TEST(UnitBreakdown, AReturnedUnitsRowStaysMarkedNotCounted) {
  Log log;
  log.Add("task-07", China(2026, 12, 2), kAgriculture, Progress(Month(2026, 12), 20, {Figure7(20)}));
  log.Add("task-07", China(2026, 12, 3), kTaskForce, Approve(1));
  log.Add("task-07", China(2026, 12, 4), kYongan, Progress(Month(2026, 12), 10, {Figure7(2)}));
  log.Add("task-07", China(2026, 12, 5), kTaskForce, Return(3));
  const json breakdown = Item(*ViewOf(log), "task-07", China(2026, 12, 6))["unit_breakdown"][0];
  EXPECT_EQ(breakdown["latest_value"], 20);
  ASSERT_EQ(breakdown["units"].size(), 2u);
  const json& returned = breakdown["units"][1];
  EXPECT_EQ(returned["unit"], "永安街道");
  EXPECT_EQ(returned["review"], "returned");
  EXPECT_EQ(returned["review_label"], "已退回");
  EXPECT_EQ(returned["counted"], false);
  EXPECT_EQ(returned["counted_label"], "已退回，不计入");
  EXPECT_EQ(returned["value"], 2);
}

// --- A7: a returned report is owed again ---------------------------------------------------

std::vector<TodoItem> Reports(const UnitTodo& todo) {
  std::vector<TodoItem> out;
  for (const TodoItem& item : todo.items) {
    if (item.kind == TodoKind::kReport) out.push_back(item);
  }
  return out;
}

TEST(ReturnedReportTodo, IsOwedAgainUntilTheUnitReportsForThatPeriod) {
  Log log;  // the store starts 2026-12: December's report is due 2027-01-10
  log.Add("task-07", China(2026, 12, 2), kCoop, Progress(Month(2026, 12), 10));
  log.Add("task-07", China(2026, 12, 3), kTaskForce, Return(1));
  std::vector<TodoItem> owed = Reports(ComputeUnitTodo(*ViewOf(log), "县供销合作社", {}, China(2026, 12, 4)));
  ASSERT_EQ(owed.size(), 1u);
  EXPECT_EQ(owed[0].stream, "task-07");
  EXPECT_EQ(owed[0].period, Month(2026, 12));
  EXPECT_EQ(owed[0].reason, "2026年12月进展报送已退回，须重新报送（应于2027-01-10前）");
  EXPECT_TRUE(Reports(ComputeUnitTodo(*ViewOf(log), "县农业农村委", {}, China(2026, 12, 4))).empty())
      << "the lead owes nothing for the cooperating unit's return";

  log.Add("task-07", China(2026, 12, 5), kCoop, Progress(Month(2026, 12), 12));
  EXPECT_TRUE(Reports(ComputeUnitTodo(*ViewOf(log), "县供销合作社", {}, China(2026, 12, 6))).empty());
}

}  // namespace
}  // namespace kuimen
