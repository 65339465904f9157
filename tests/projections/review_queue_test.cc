// The review queue (审核督办) as the supervision view keeps it: which reports
// wait, which were replaced (已被替代), the filters, the orders and paging.
#include "projections/review_queue.h"

#include <gtest/gtest.h>

#include "eventstore/catalog_codec.h"
#include "projections/supervision_view.h"
#include "tests/projections/board_json.h"
#include "tests/projections/envelope_log.h"

namespace kuimen {
namespace {

using std::chrono::year;

const Catalog& Fengjie() {
  static const Catalog catalog = LoadDefaultCatalog().value();
  return catalog;
}

std::chrono::year_month Month(int y, unsigned m) { return {year(y), std::chrono::month(m)}; }

Timestamp China(int y, unsigned m, unsigned d, int hour = 10) {
  return Timestamp(std::chrono::sys_days(std::chrono::year_month_day{year(y), std::chrono::month(m), std::chrono::day(d)}) +
                   std::chrono::hours(hour - 8));
}

const Actor kTaskForce{"p-tf", Role::kTaskForce, ""};
const Actor kAgriculture{"p-nyw", Role::kDepartment, "县农业农村委"};
const Actor kCoop{"p-gxs", Role::kDepartment, "县供销合作社"};
const Actor kYongan{"p-yazd", Role::kDepartment, "永安街道", "各乡镇人民政府、街道办事处"};

ProgressReported Progress(std::chrono::year_month period, double percent) {
  return ProgressReported{period, "本月进展 " + std::to_string(static_cast<int>(percent)), percent, {}, {}};
}
ReportReviewed Approve(std::uint64_t version) { return {StreamVersion(version), ReviewDecision::kApproved, "同意"}; }
ReportReviewed Return(std::uint64_t version) { return {StreamVersion(version), ReviewDecision::kReturned, "数据不实"}; }

using Log = testing::EnvelopeLog;

std::unique_ptr<SupervisionView> ViewOf(const Log& log) {
  std::unique_ptr<SupervisionView> view = std::move(SupervisionView::Create(Fengjie())).value();
  for (const auto& [envelope, data] : log.events()) view->Apply(envelope, data);
  return view;
}

// (stream, version) of each item on a page, in order.
std::vector<std::pair<std::string, std::uint64_t>> Keys(const ReviewQueuePage& page) {
  std::vector<std::pair<std::string, std::uint64_t>> keys;
  for (const ReviewQueueItem& item : page.items) keys.emplace_back(item.stream, item.entry.version.value);
  return keys;
}

ReviewQueueQuery Query(std::optional<ReviewState> state = ReviewState::kPending) {
  ReviewQueueQuery query;
  query.state = state;
  return query;
}

// A season on tasks 7 and 3: the lead revises its November report twice, a
// township reports November on task 7, the cooperating unit is returned once.
Log Season() {
  Log log;
  log.Add("task-07", China(2024, 12, 2), kAgriculture, Progress(Month(2024, 11), 30));  // v1, replaced by v2
  log.Add("task-07", China(2024, 12, 3), kAgriculture, Progress(Month(2024, 11), 35));  // v2, replaced by v4
  log.Add("task-07", China(2024, 12, 4), kYongan, Progress(Month(2024, 11), 2));        // v3, the township's own
  log.Add("task-07", China(2024, 12, 5), kAgriculture, Progress(Month(2024, 11), 40));  // v4
  log.Add("task-07", China(2024, 12, 6), kAgriculture, Progress(Month(2024, 10), 20));  // v5, 补报 for October
  log.Add("task-03", China(2024, 12, 1), kCoop, Progress(Month(2024, 11), 10));         // v1, returned
  log.Add("task-03", China(2024, 12, 7), kTaskForce, Return(1));                        // v2
  log.Add("task-03", China(2024, 12, 8), kCoop, Progress(Month(2024, 11), 15));         // v3, approved
  log.Add("task-03", China(2024, 12, 9), kTaskForce, Approve(3));                       // v4
  return log;
}

TEST(ReviewQueue, ReplacedRevisionsLeaveThePendingQueueNewestFirst) {
  std::unique_ptr<SupervisionView> view = ViewOf(Season());
  const ReviewQueuePage page = view->ReviewQueue(Query());
  EXPECT_EQ(page.total, 3u);
  EXPECT_EQ(Keys(page), (std::vector<std::pair<std::string, std::uint64_t>>{
                            {"task-07", 5}, {"task-07", 4}, {"task-07", 3}}));
}

TEST(ReviewQueue, ReplacedRevisionsShowAsSupersededWithTheirSuccessor) {
  std::unique_ptr<SupervisionView> view = ViewOf(Season());
  const ReviewQueuePage page = view->ReviewQueue(Query(ReviewState::kSuperseded));
  ASSERT_EQ(Keys(page), (std::vector<std::pair<std::string, std::uint64_t>>{{"task-07", 2}, {"task-07", 1}}));
  EXPECT_EQ(page.items[0].entry.superseded_by, StreamVersion(4));
  EXPECT_EQ(page.items[1].entry.superseded_by, StreamVersion(2));
  EXPECT_EQ(ReviewStateLabel(page.items[0].entry.state()), "已被替代");
}

TEST(ReviewQueue, ReviewedReportsKeepTheirDecisionAndComment) {
  std::unique_ptr<SupervisionView> view = ViewOf(Season());
  const ReviewQueuePage returned = view->ReviewQueue(Query(ReviewState::kReturned));
  ASSERT_EQ(Keys(returned), (std::vector<std::pair<std::string, std::uint64_t>>{{"task-03", 1}}));
  EXPECT_EQ(returned.items[0].entry.comment, "数据不实");
  EXPECT_EQ(returned.items[0].entry.reviewed_at, China(2024, 12, 7));
  const ReviewQueuePage approved = view->ReviewQueue(Query(ReviewState::kApproved));
  EXPECT_EQ(Keys(approved), (std::vector<std::pair<std::string, std::uint64_t>>{{"task-03", 3}}));
  EXPECT_EQ(view->ReviewQueue(Query(std::nullopt)).total, 7u);
}

TEST(ReviewQueue, FiltersByUnitTaskPeriodAndState) {
  std::unique_ptr<SupervisionView> view = ViewOf(Season());
  ReviewQueueQuery by_unit = Query(std::nullopt);
  by_unit.unit = "永安街道";
  EXPECT_EQ(Keys(view->ReviewQueue(by_unit)), (std::vector<std::pair<std::string, std::uint64_t>>{{"task-07", 3}}));

  ReviewQueueQuery by_task = Query(std::nullopt);
  by_task.stream = "task-03";
  EXPECT_EQ(view->ReviewQueue(by_task).total, 2u);

  ReviewQueueQuery by_period = Query();
  by_period.period = Month(2024, 10);
  EXPECT_EQ(Keys(view->ReviewQueue(by_period)), (std::vector<std::pair<std::string, std::uint64_t>>{{"task-07", 5}}));

  ReviewQueueQuery all = Query();
  all.unit = "县农业农村委";
  all.stream = "task-07";
  all.period = Month(2024, 11);
  EXPECT_EQ(Keys(view->ReviewQueue(all)), (std::vector<std::pair<std::string, std::uint64_t>>{{"task-07", 4}}));
}

TEST(ReviewQueue, OrdersByDueDateWithTheLateReportFirst) {
  std::unique_ptr<SupervisionView> view = ViewOf(Season());
  ReviewQueueQuery query = Query();
  query.order = ReviewOrder::kDue;
  const ReviewQueuePage page = view->ReviewQueue(query);
  ASSERT_EQ(Keys(page), (std::vector<std::pair<std::string, std::uint64_t>>{
                            {"task-07", 5}, {"task-07", 3}, {"task-07", 4}}));
  // October's report was due on 10 November and came in December: 补报.
  EXPECT_EQ(page.items[0].due, (year(2024) / std::chrono::November / 10));
  EXPECT_TRUE(page.items[0].late);
  EXPECT_FALSE(page.items[1].late);
}

TEST(ReviewQueue, PagesCoverEveryItemOnceWithTheTotal) {
  std::unique_ptr<SupervisionView> view = ViewOf(Season());
  std::vector<std::pair<std::string, std::uint64_t>> seen;
  for (std::size_t offset = 0; offset < 10; offset += 3) {
    ReviewQueueQuery query = Query(std::nullopt);
    query.offset = offset;
    query.limit = 3;
    const ReviewQueuePage page = view->ReviewQueue(query);
    EXPECT_EQ(page.total, 7u);
    for (const auto& key : Keys(page)) seen.push_back(key);
  }
  EXPECT_EQ(seen, Keys(view->ReviewQueue(Query(std::nullopt))));
  EXPECT_EQ(seen.size(), 7u);
}

TEST(ReviewQueue, ReplacedReportNoLongerMakesTheItemPendingOnceItsSuccessorIsApproved) {
  Log log;
  log.Add("task-07", China(2024, 12, 2), kAgriculture, Progress(Month(2024, 11), 30));
  log.Add("task-07", China(2024, 12, 3), kAgriculture, Progress(Month(2024, 11), 35));
  log.Add("task-07", China(2024, 12, 4), kTaskForce, Approve(2));
  std::unique_ptr<SupervisionView> view = ViewOf(log);
  const nlohmann::json item = ItemJson(*view, StreamId{"task-07"}, China(2024, 12, 5)).value();
  EXPECT_EQ(item["status"], "in_progress") << item.dump();
  EXPECT_EQ(view->ReviewQueue(Query()).total, 0u);
}

TEST(ReviewQueue, SurvivesItsRowsAndAReplayByteForByte) {
  std::unique_ptr<SupervisionView> live = ViewOf(Season());
  std::unique_ptr<SupervisionView> restored = std::move(SupervisionView::Create(Fengjie())).value();
  for (const auto& [key, value] : live->TakeChangedRows()) ASSERT_TRUE(restored->LoadRow(key, value).ok()) << key;
  EXPECT_EQ(Keys(restored->ReviewQueue(Query(std::nullopt))), Keys(live->ReviewQueue(Query(std::nullopt))));
  const ReviewQueuePage page = restored->ReviewQueue(Query(ReviewState::kSuperseded));
  ASSERT_FALSE(page.items.empty());
  EXPECT_EQ(page.items[0].entry.superseded_by, StreamVersion(4));
  EXPECT_EQ(page.items[0].entry.unit, "县农业农村委");
}

TEST(ReviewQueue, AcceptsStatesByNameOrLabel) {
  EXPECT_EQ(ParseReviewState("superseded"), ReviewState::kSuperseded);
  EXPECT_EQ(ParseReviewState("已被替代"), ReviewState::kSuperseded);
  EXPECT_EQ(ParseReviewState("待审核"), ReviewState::kPending);
  EXPECT_EQ(ParseReviewState("done"), std::nullopt);
}

}  // namespace
}  // namespace kuimen
