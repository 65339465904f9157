// The clerk review of session 7 (issue 11): figures a clerk defends at the
// year-end meeting, as the supervision view renders them.
#include <gtest/gtest.h>

#include "eventstore/catalog_codec.h"
#include "projections/assessment_rules.h"
#include "projections/assessment_view.h"
#include "projections/supervision_view.h"
#include "tests/projections/board_json.h"
#include "tests/projections/envelope_log.h"
#include "tests/projections/supervision_fixture.h"

namespace kuimen {
namespace {

using namespace testing::fengjie;  // the plan, its principals, events and view (supervision_fixture.h)

// --- item 1: the task's status follows its lead unit's reports ---------------------------

TEST(TaskStatusByUnit, ACooperatingUnitsReturnedReportIsItsOwnNotTheTasks) {
  Log log;
  log.Add("task-07", China(2026, 11, 2), kAgriculture, Progress(Month(2026, 10), 20));
  log.Add("task-07", China(2026, 11, 3), kTaskForce, Approve(1));
  log.Add("task-07", China(2026, 11, 4), kCoop, Progress(Month(2026, 10), 10));
  log.Add("task-07", China(2026, 11, 5), kTaskForce, Return(3));
  const std::unique_ptr<SupervisionView> view = ViewOf(log);
  const json item = Item(*view, "task-07", China(2026, 11, 6));
  EXPECT_EQ(item["status_label"], "推进中");
  EXPECT_EQ(item["returned_units"], (json{"县供销合作社"}));
  const json board = BoardJson(*view, China(2026, 11, 6));
  EXPECT_EQ(BoardItem(board, "tasks", 7)["status"], "in_progress");
  EXPECT_EQ(board["counts"]["by_status"]["returned"], 0);
}

TEST(TaskStatusByUnit, TheWarningForAReturnNotResentNamesTheCooperatingUnit) {
  Log log;
  log.Add("task-07", China(2026, 11, 2), kAgriculture, Progress(Month(2026, 10), 20));
  log.Add("task-07", China(2026, 11, 3), kTaskForce, Approve(1));
  log.Add("task-07", China(2026, 11, 4), kCoop, Progress(Month(2026, 10), 10));
  log.Add("task-07", China(2026, 11, 5), kTaskForce, Return(3));
  const json item = Item(*ViewOf(log), "task-07", China(2026, 11, 25));
  ASSERT_FALSE(item["warning_reasons"].empty());
  EXPECT_EQ(item["warning_reasons"][0], "县供销合作社2026-10的报送于2026-11-05被退回，已20天未重新报送");
}

TEST(TaskStatusByUnit, ATownshipsReturnedReportIsItsOwn) {
  Log log;
  log.Add("task-07", China(2026, 11, 2), kAgriculture, Progress(Month(2026, 10), 20));
  log.Add("task-07", China(2026, 11, 3), kTaskForce, Approve(1));
  log.Add("task-07", China(2026, 11, 4), kYongan, Progress(Month(2026, 10), 10));
  log.Add("task-07", China(2026, 11, 5), kTaskForce, Return(3));
  const json item = Item(*ViewOf(log), "task-07", China(2026, 11, 6));
  EXPECT_EQ(item["status"], "in_progress");
  EXPECT_EQ(item["returned_units"], (json{"永安街道"}));
}

TEST(TaskStatusByUnit, TheLeadUnitsReturnedReportReturnsTheTask) {
  Log log;
  log.Add("task-07", China(2026, 11, 2), kCoop, Progress(Month(2026, 10), 10));
  log.Add("task-07", China(2026, 11, 3), kTaskForce, Approve(1));
  log.Add("task-07", China(2026, 11, 4), kAgriculture, Progress(Month(2026, 10), 20));
  log.Add("task-07", China(2026, 11, 5), kTaskForce, Return(3));
  const json item = Item(*ViewOf(log), "task-07", China(2026, 11, 6));
  EXPECT_EQ(item["status_label"], "已退回");
  EXPECT_EQ(item["returned_units"], json::array());
}

// --- item 2: a major item's status from its linked tasks -------------------------------

TEST(MajorItemStatusView, WithoutReportsOfItsOwnItIsInProgressOnceALinkedTaskReports) {
  Log log;  // 重大项目4 (建设为农服务中心10个) is linked to task 2
  log.Add("task-02", China(2026, 11, 2), kCoop, Progress(Month(2026, 10), 20));
  log.Add("task-02", China(2026, 11, 3), kTaskForce, Approve(1));
  const std::unique_ptr<SupervisionView> view = ViewOf(log);
  const json item = Item(*view, "major-4", China(2026, 11, 6));
  EXPECT_EQ(item["status_label"], "推进中");
  EXPECT_EQ(item["status_basis"], "related_tasks");
  const json board = BoardJson(*view, China(2026, 11, 6));
  EXPECT_EQ(BoardItem(board, "major_items", 4)["status"], "in_progress");
  EXPECT_EQ(BoardItem(board, "major_items", 3)["status"], "not_started");  // linked to task 22, silent
  EXPECT_EQ(BoardItem(board, "major_items", 3)["status_basis"], "own_reports");
}

TEST(MajorItemStatusView, ItsOwnReportsDecideOnceThereAreAny) {
  Log log;
  log.Add("task-02", China(2026, 11, 2), kCoop, Progress(Month(2026, 10), 20));
  log.Add("major-4", China(2026, 11, 2), kCoop, Progress(Month(2026, 10), 40, {{"为农服务中心", 4, "个"}}));
  const json item = Item(*ViewOf(log), "major-4", China(2026, 11, 6));
  EXPECT_EQ(item["status"], "pending_review");
  EXPECT_EQ(item["status_basis"], "own_reports");
}

// --- item 4: the window 报送及时 counts, stated once -----------------------------------

AssessmentResult AssessmentOf(const Log& log, int year, Timestamp now) {
  Result<std::unique_ptr<AssessmentView>> view = AssessmentView::Create(Fengjie(), DefaultAssessmentRules());
  EXPECT_TRUE(view.ok()) << view.status().ToString();
  for (const auto& [envelope, data] : log.events()) (*view)->Apply(envelope, data);
  return (*view)->Render(year, now);
}

TEST(TimelinessWindow, StartsAtTheSupervisionStartAndSaysSo) {
  Log log;  // the store's first event: supervision starts in 2026-12
  log.Add("task-07", China(2026, 12, 2), kAgriculture, Progress(Month(2026, 11), 20));
  const AssessmentTimelinessWindow early = AssessmentOf(log, 2026, China(2026, 12, 5)).timeliness_window.value();
  EXPECT_FALSE(early.from.has_value());
  EXPECT_EQ(early.label, "按时报送率统计自2026年12月起，尚无已到报送期限的月份");
  const AssessmentTimelinessWindow window = AssessmentOf(log, 2026, China(2027, 1, 20)).timeliness_window.value();
  EXPECT_EQ(window.from, Month(2026, 12));
  EXPECT_EQ(window.to, Month(2026, 12));
  EXPECT_EQ(window.label, "按时报送率统计自2026年12月起，至2026年12月止（每月进展于次月10日前报送为按时）");
}

}  // namespace
}  // namespace kuimen
