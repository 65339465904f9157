// The supervision view's rows per report and per milestone (issue 12, "cost
// grows with history"): a pending report, a review-queue entry and a milestone
// each have a row of their own, so what folding one event writes does not grow
// with the stream's history; the rows survive a restart and match a rebuild
// from the log.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdio>

#include "eventstore/event_codec.h"
#include "projections/projector.h"
#include "projections/supervision_view.h"
#include "tests/eventstore/store_fixture.h"
#include "tests/projections/board_json.h"
#include "tests/projections/recording_view.h"
#include "tests/projections/supervision_fixture.h"
#include "tests/support/behaviour_name.h"

namespace kuimen {
namespace {

using namespace testing::fengjie;

IndicatorValue Services(double value) { return {"农业生产社会化服务规模", value, "万亩次"}; }

// A report of `index` on task 7: its own period (one month each), so none
// supersedes another and every one stays pending until reviewed.
ProgressReported NthReport(int index) {
  ProgressReported report = Progress(Month(2000 + index / 12, 1 + index % 12), index % 100, {Services(index % 50)});
  report.summary = "第" + std::to_string(index) + "期：完成托管服务，推进农合联组建。";
  return report;
}

std::set<std::string> KeysOf(const std::map<std::string, std::string>& rows) {
  std::set<std::string> keys;
  for (const auto& [key, value] : rows) keys.insert(key);
  return keys;
}

std::size_t Bytes(const std::vector<std::pair<std::string, std::string>>& rows) {
  std::size_t total = 0;
  for (const auto& [key, value] : rows) total += key.size() + value.size();
  return total;
}

// Folds `history` reports on task 7 and takes the rows; returns the rows that
// one more report and its review change. Every other report is approved (for
// one of two months: approved figures are kept per month, bounded by the months
// reported); the others stay pending, each of its own month.
std::vector<std::pair<std::string, std::string>> RowsOfOneMoreReportAndReview(int history) {
  Log log;
  for (int i = 0; i < history; ++i) {
    if (i % 2 == 0) {
      ProgressReported report = NthReport(i);
      report.period = Month(2024, 1 + i % 4 / 2);
      log.Add("task-07", China(2024, 11, 2), kAgriculture, report);
      log.Add("task-07", China(2024, 11, 2), kTaskForce, Approve(log.events().back().first.version.value));
    } else {
      log.Add("task-07", China(2024, 11, 2), kAgriculture, NthReport(i));
    }
  }
  std::unique_ptr<SupervisionView> view = ViewOf(log);
  view->TakeChangedRows();
  // The same report (same period and figures) and review whatever came before.
  ProgressReported next = NthReport(100000);
  const std::size_t from = log.events().size();
  log.Add("task-07", China(2024, 11, 3), kAgriculture, next);
  log.Add("task-07", China(2024, 11, 3), kTaskForce, Approve(log.events().back().first.version.value));
  for (std::size_t i = from; i < log.events().size(); ++i) view->Apply(log.events()[i].first, log.events()[i].second);
  return view->TakeChangedRows();
}

TEST(SupervisionReportRows, OneMoreReportAndReviewWriteTheSameBytesAfter10Or2000Reports) {
  const auto after_10 = RowsOfOneMoreReportAndReview(10);
  const auto after_2000 = RowsOfOneMoreReportAndReview(2000);
  ASSERT_EQ(after_10.size(), after_2000.size());
  // The stream row and the new report's review-queue row (its pending row
  // came and went between two takes).
  EXPECT_EQ(after_10.size(), 2u);
  // Only the digits of versions and positions differ; a row holding the
  // history (1,000 pending reports of ~200 bytes) would add hundreds of KB.
  const std::size_t small = Bytes(after_10), large = Bytes(after_2000);
  EXPECT_LE(large, small + 24) << small << " vs " << large;
  EXPECT_GE(large + 24, small) << small << " vs " << large;
}

// --- a row per milestone ---------------------------------------------------------

std::unique_ptr<SupervisionView> NewLiveView() { return SupervisionView::Create(Fengjie()).value(); }

std::chrono::year_month_day Date(int y, unsigned m, unsigned d) {
  return {std::chrono::year(y), std::chrono::month(m), std::chrono::day(d)};
}

// The name of task 7's milestone `index`: equal lengths, so only digits differ.
std::string NthMilestone(int index) {
  char digits[16];
  std::snprintf(digits, sizeof digits, "%05d", index);
  return std::string("第") + digits + "批托管服务节点";
}

// `count` milestones set on task 7, one event each.
Log LogOfMilestones(int count) {
  Log log;
  for (int i = 0; i < count; ++i) {
    log.Add("task-07", China(2024, 11, 2), kTaskForce, DeadlineSet{NthMilestone(i), Date(2025, 1 + i % 12, 1 + i % 28)});
  }
  return log;
}

// A new milestone (its name holding '/', as a clerk may write one) and the
// move of the first one: the same events whatever came before.
constexpr const char* kAddedMilestone = "追加节点/两级农合联组建";
void AddOneMilestoneAndAMove(Log& log) {
  log.Add("task-07", China(2024, 11, 3), kTaskForce, DeadlineSet{kAddedMilestone, Date(2025, 6, 30)});
  log.Add("task-07", China(2024, 11, 3), kTaskForce, DeadlineSet{NthMilestone(0), Date(2025, 3, 31), "受寒潮影响顺延"});
}

// Folds `history` milestones, takes the rows, then returns the rows that one
// more milestone and a move change.
std::vector<std::pair<std::string, std::string>> RowsOfOneMoreMilestoneAndAMove(int history) {
  Log log = LogOfMilestones(history);
  std::unique_ptr<SupervisionView> view = ViewOf(log);
  view->TakeChangedRows();
  const std::size_t from = log.events().size();
  AddOneMilestoneAndAMove(log);
  for (std::size_t i = from; i < log.events().size(); ++i) view->Apply(log.events()[i].first, log.events()[i].second);
  return view->TakeChangedRows();
}

TEST(SupervisionMilestoneRows, OneMoreMilestoneAndAMoveWriteTheSameBytesAfter10Or2000Milestones) {
  const auto after_10 = RowsOfOneMoreMilestoneAndAMove(10);
  const auto after_2000 = RowsOfOneMoreMilestoneAndAMove(2000);
  // The stream's row and the rows of the two milestones touched, nothing else.
  std::map<std::string, std::string> rows(after_2000.begin(), after_2000.end());
  EXPECT_EQ(KeysOf(rows), (std::set<std::string>{"task-07", "~milestones/task-07/" + NthMilestone(0),
                                                 std::string("~milestones/task-07/") + kAddedMilestone}));
  ASSERT_EQ(after_10.size(), after_2000.size());
  EXPECT_EQ(json::parse(rows["task-07"]).contains("milestones"), false);
  // Only the digits of versions differ; a stream row holding every milestone
  // (2,000 of ~300 bytes with their history) would add hundreds of KB.
  const std::size_t small = Bytes(after_10), large = Bytes(after_2000);
  EXPECT_LE(large, small + 16) << small << " vs " << large;
  EXPECT_GE(large + 16, small) << small << " vs " << large;
}

TEST(SupervisionMilestoneRows, RowsOfEveryTakeLoadedIntoAFreshViewRenderTheSame) {
  Log log = LogOfMilestones(2000);
  AddOneMilestoneAndAMove(log);
  log.Add("task-07", China(2024, 11, 4), kTaskForce, MilestoneMet{NthMilestone(1), "经专班现场核查，已完成"});
  log.Add("task-07", China(2024, 11, 4), kTaskForce, MilestoneCancelled{NthMilestone(2), "并入年度目标，不再单列"});
  ProgressReported report = Progress(Month(2024, 10), 40);
  report.milestones_met = {NthMilestone(3), kAddedMilestone};
  log.Add("task-07", China(2024, 11, 5), kAgriculture, report);
  log.Add("task-07", China(2024, 11, 6), kTaskForce, Approve(log.events().back().first.version.value));
  log.Add("major-1", China(2024, 11, 6), kTaskForce, DeadlineSet{"两级农合联组建", Date(2024, 12, 31)});

  std::unique_ptr<SupervisionView> live = NewLiveView();
  std::map<std::string, std::string> rows;  // the view store: later takes overwrite earlier ones
  for (std::size_t i = 0; i < log.events().size(); ++i) {
    live->Apply(log.events()[i].first, log.events()[i].second);
    if (i % 97 == 0 || i + 1 == log.events().size()) {
      for (auto& [key, value] : live->TakeChangedRows()) rows[key] = value;
    }
  }
  // Every milestone has its row, the two streams theirs.
  EXPECT_EQ(std::count_if(rows.begin(), rows.end(), [](const auto& row) { return row.first.starts_with("~milestones/"); }),
            2002);
  // Loaded in reverse key order too: milestone rows before their stream's row.
  for (bool reverse : {false, true}) {
    std::unique_ptr<SupervisionView> restored = NewLiveView();
    if (reverse) {
      for (auto it = rows.rbegin(); it != rows.rend(); ++it) ASSERT_TRUE(restored->LoadRow(it->first, it->second).ok()) << it->first;
    } else {
      for (const auto& [key, value] : rows) ASSERT_TRUE(restored->LoadRow(key, value).ok()) << key;
    }
    EXPECT_TRUE(restored->TakeChangedRows().empty());  // loading is not a change
    for (Timestamp now : {China(2024, 11, 10), China(2025, 4, 2)}) {
      EXPECT_EQ(BoardJson(*restored, now).dump(), BoardJson(*live, now).dump());
      EXPECT_EQ(Item(*restored, "task-07", now).dump(), Item(*live, "task-07", now).dump());
    }
  }
  const json item = Item(*live, "task-07", China(2024, 11, 10));
  ASSERT_EQ(item["deadlines"].size(), 2001u);
}

TEST(SupervisionMilestoneRows, AnApprovedReportRewritesTheRowsOfTheMilestonesItMeetsOnly) {
  Log log;
  log.Add("task-07", China(2024, 11, 2), kTaskForce, DeadlineSet{"首期托管", Date(2024, 11, 30)});
  log.Add("task-07", China(2024, 11, 2), kTaskForce, DeadlineSet{"年度目标", Date(2024, 12, 31)});
  ProgressReported report = Progress(Month(2024, 10), 40);
  report.milestones_met = {"首期托管"};
  log.Add("task-07", China(2024, 11, 3), kAgriculture, report);
  std::unique_ptr<SupervisionView> view = ViewOf(log);
  view->TakeChangedRows();
  log.Add("task-07", China(2024, 11, 4), kTaskForce, Approve(3));
  view->Apply(log.events().back().first, log.events().back().second);
  std::map<std::string, std::string> rows;
  for (auto& [key, value] : view->TakeChangedRows()) rows[key] = value;
  EXPECT_EQ(KeysOf(rows), (std::set<std::string>{"task-07", "~milestones/task-07/首期托管",
                                                 "~pending/task-07/00000000000000000003",
                                                 "~reviews/task-07/00000000000000000003"}));
  const json milestone = json::parse(rows["~milestones/task-07/首期托管"]);
  EXPECT_EQ(milestone["met_by_report"], 3);
  EXPECT_EQ(milestone["history"].back()["kind"], "met");
}

TEST(SupervisionReportRows, AReviewDeletesThePendingRowItsReportWroteEarlier) {
  Log log;
  log.Add("task-07", China(2024, 11, 2), kAgriculture, NthReport(1));
  log.Add("task-07", China(2024, 11, 2), kAgriculture, NthReport(2));
  std::unique_ptr<SupervisionView> view = ViewOf(log);
  std::map<std::string, std::string> rows;
  for (auto& [key, value] : view->TakeChangedRows()) rows[key] = value;
  ASSERT_TRUE(rows.contains("~pending/task-07/00000000000000000001"));
  ASSERT_TRUE(rows.contains("~pending/task-07/00000000000000000002"));
  EXPECT_EQ(rows["task-07"].find("pending_reports"), std::string::npos);  // not in the stream's row

  log.Add("task-07", China(2024, 11, 3), kTaskForce, Return(2));
  view->Apply(log.events().back().first, log.events().back().second);
  const std::vector<std::pair<std::string, std::string>> changed = view->TakeChangedRows();
  const std::vector<std::pair<std::string, std::string>> expected_keys = {
      {"task-07", ""}, {"~pending/task-07/00000000000000000002", ""}, {"~reviews/task-07/00000000000000000002", ""}};
  ASSERT_EQ(changed.size(), 3u);
  for (std::size_t i = 0; i < changed.size(); ++i) EXPECT_EQ(changed[i].first, expected_keys[i].first);
  EXPECT_EQ(changed[1].second, "");  // deleted
}

TEST(SupervisionReportRows, ASupersedingReportRewritesOnlyTheRowsOfTheReportsItReplaces) {
  Log log;
  log.Add("task-07", China(2024, 11, 2), kAgriculture, Progress(Month(2024, 10), 10));  // v1: replaced by v4
  log.Add("task-07", China(2024, 11, 2), kAgriculture, Progress(Month(2024, 9), 5));    // v2: another period
  log.Add("task-07", China(2024, 11, 2), kCoop, Progress(Month(2024, 10), 3));          // v3: another unit
  std::unique_ptr<SupervisionView> view = ViewOf(log);
  view->TakeChangedRows();
  log.Add("task-07", China(2024, 11, 3), kAgriculture, Progress(Month(2024, 10), 12));  // v4
  view->Apply(log.events().back().first, log.events().back().second);
  std::map<std::string, std::string> rows;
  for (auto& [key, value] : view->TakeChangedRows()) rows[key] = value;
  EXPECT_EQ(KeysOf(rows), (std::set<std::string>{"task-07", "~pending/task-07/00000000000000000001",
                                                 "~pending/task-07/00000000000000000004",
                                                 "~reviews/task-07/00000000000000000001",
                                                 "~reviews/task-07/00000000000000000004"}));
  EXPECT_EQ(rows["~pending/task-07/00000000000000000001"], "");  // 已被替代: no longer pending
  Result<ReviewEntry> replaced = ReviewLedger::EntryFromRow(rows["~reviews/task-07/00000000000000000001"]);
  ASSERT_TRUE(replaced.ok()) << replaced.status().ToString();
  EXPECT_EQ(replaced->superseded_by, StreamVersion(4));
}

// --- restart and rebuild, on a real store and real view stores ------------------

class SupervisionReportRowsOnDisk : public testing::StoreTest {
 protected:
  void SetUp() override { store_ = Open(); }

  void Append(const std::string& stream, const Actor& actor, const EventData& data) {
    EncodedEvent encoded = EncodeEvent(data);
    Result<std::vector<RecordedEvent>> stored = store_->Append(
        StreamId{stream}, std::nullopt, {ProposedEvent{std::nullopt, encoded.type, encoded.schema_version, actor, encoded.data}});
    ASSERT_TRUE(stored.ok()) << stored.status().ToString();
    clock_.Advance(std::chrono::hours(1));
  }

  // Reports on tasks 7 and 3, some reviewed, some superseded, some pending.
  void AppendSeason(int reports) {
    for (int i = 0; i < reports; ++i) {
      ProgressReported report = NthReport(i % 7);  // periods repeat: later reports supersede earlier ones
      Append("task-07", i % 3 == 0 ? kCoop : kAgriculture, report);
      if (i % 4 == 1) Append("task-07", kTaskForce, i % 8 == 1 ? EventData(Approve(store_->StreamHead(StreamId{"task-07"}).value))
                                                           : EventData(Return(store_->StreamHead(StreamId{"task-07"}).value)));
      if (i % 5 == 0) Append("task-03", kCoop, Progress(Month(2024, 10 + i % 3), i));
    }
  }

  std::unique_ptr<Projector> OpenSupervision(const std::string& name) {
    Result<std::unique_ptr<Projector>> projector = Projector::Open(
        SupervisionView::Create(Fengjie()).value(), ProjectorOptions{dir_.path() / name, nullptr}, store_.get());
    EXPECT_TRUE(projector.ok()) << projector.status().ToString();
    return projector.ok() ? std::move(projector).value() : nullptr;
  }

  // Feeds the log to `projector` in batches of `batch` events.
  void Feed(Projector& projector, std::size_t batch) {
    std::vector<RecordedEvent> events = Drain(store_->ReadAll(GlobalPosition(1)));
    for (std::size_t at = 0; at < events.size(); at += batch) {
      std::vector<RecordedEvent> part(events.begin() + at, events.begin() + std::min(events.size(), at + batch));
      ASSERT_TRUE(projector.Apply(part).ok());
    }
  }

  static std::string Board(const Projector& projector, Timestamp now) {
    return projector.WithView([&](const View& view) { return BoardJson(static_cast<const SupervisionView&>(view), now).dump(); });
  }

  static std::string Item(const Projector& projector, const std::string& stream, Timestamp now) {
    return projector.WithView([&](const View& view) {
      Result<json> item = ItemJson(static_cast<const SupervisionView&>(view), StreamId{stream}, now);
      return item.ok() ? item->dump() : item.status().ToString();
    });
  }

  static std::vector<std::string> Queue(const Projector& projector) {
    return projector.WithView([](const View& view) {
      ReviewQueueQuery query;
      query.state.reset();
      query.limit = 1000;
      std::vector<std::string> out;
      for (const ReviewQueueItem& item : static_cast<const SupervisionView&>(view).ReviewQueue(query).items) {
        out.push_back(item.stream + "/" + std::to_string(item.entry.version.value) + " " +
                      std::string(ReviewStateName(item.entry.state())) + " " + item.entry.summary);
      }
      return out;
    });
  }

  std::unique_ptr<EventStore> store_;
};

TEST_F(SupervisionReportRowsOnDisk, ARestartedViewRendersAndQueuesAsBeforeAndDigestsAsARebuild) {
  AppendSeason(60);
  const Timestamp now = China(2025, 1, 20);
  std::string board;
  std::vector<std::string> queue;
  {
    auto live = OpenSupervision("live");
    Feed(*live, 7);  // batches end between a report and its review
    board = Board(*live, now);
    queue = Queue(*live);
  }
  ASSERT_GT(queue.size(), 40u);
  auto restarted = OpenSupervision("live");
  EXPECT_EQ(Board(*restarted, now), board);
  EXPECT_EQ(Queue(*restarted), queue);

  auto rebuilt = OpenSupervision("rebuilt");
  ASSERT_TRUE(rebuilt->CatchUpFromLog().ok());
  EXPECT_EQ(restarted->Digest(), rebuilt->Digest());
  EXPECT_EQ(Board(*rebuilt, now), board);

  // Both carry on alike: more reports and reviews, fed to the restarted view.
  AppendSeason(9);
  ASSERT_TRUE(restarted->CatchUpFromLog().ok());
  ASSERT_TRUE(rebuilt->CatchUpFromLog().ok());
  EXPECT_EQ(restarted->Digest(), rebuilt->Digest());
  EXPECT_EQ(Queue(*restarted), Queue(*rebuilt));
}

TEST_F(SupervisionReportRowsOnDisk, RestartedMilestoneRowsRenderAsBeforeAndDigestAsARebuild) {
  for (int i = 0; i < 150; ++i) {
    Append(i % 2 == 0 ? "task-07" : "task-03", kTaskForce, DeadlineSet{NthMilestone(i), Date(2025, 1 + i % 12, 1 + i % 28)});
  }
  Append("task-07", kTaskForce, DeadlineSet{kAddedMilestone, Date(2025, 6, 30)});
  Append("task-07", kTaskForce, DeadlineSet{NthMilestone(0), Date(2025, 3, 31), "受寒潮影响顺延"});
  Append("task-03", kTaskForce, MilestoneMet{NthMilestone(1), "已完成"});
  Append("task-07", kTaskForce, MilestoneCancelled{NthMilestone(2), "并入年度目标"});
  ProgressReported report = Progress(Month(2024, 10), 40);
  report.milestones_met = {NthMilestone(4), kAddedMilestone};
  Append("task-07", kAgriculture, report);
  Append("task-07", kTaskForce, Approve(store_->StreamHead(StreamId{"task-07"}).value));
  AppendSeason(10);
  const Timestamp now = China(2025, 4, 2);
  std::string board, item;
  {
    auto live = OpenSupervision("live");
    Feed(*live, 7);
    board = Board(*live, now);
    item = Item(*live, "task-07", now);
  }
  auto restarted = OpenSupervision("live");
  EXPECT_EQ(Board(*restarted, now), board);
  EXPECT_EQ(Item(*restarted, "task-07", now), item);
  EXPECT_NE(item.find("两级农合联组建"), std::string::npos);

  auto rebuilt = OpenSupervision("rebuilt");
  ASSERT_TRUE(rebuilt->CatchUpFromLog().ok());
  EXPECT_EQ(restarted->Digest(), rebuilt->Digest());
  EXPECT_EQ(Board(*rebuilt, now), board);
  EXPECT_EQ(Item(*rebuilt, "task-07", now), item);
}

TEST_F(SupervisionReportRowsOnDisk, RowsOfTheEarlierFormatAreDroppedAndRebuiltFromTheLog) {
  AppendSeason(12);
  {
    // A view store in format 2, as the build before rows per report left it.
    auto earlier = Projector::Open(std::make_unique<testing::RecordingView>(2),
                                   ProjectorOptions{dir_.path() / "view", nullptr}, store_.get());
    ASSERT_TRUE(earlier.ok()) << earlier.status().ToString();
    ASSERT_TRUE((*earlier)->CatchUpFromLog().ok());
  }
  auto upgraded = OpenSupervision("view");
  ASSERT_NE(upgraded, nullptr);
  EXPECT_EQ(upgraded->applied_through(), GlobalPosition(0));
  ASSERT_TRUE(upgraded->CatchUpFromLog().ok());
  auto rebuilt = OpenSupervision("rebuilt");
  ASSERT_TRUE(rebuilt->CatchUpFromLog().ok());
  EXPECT_EQ(upgraded->Digest(), rebuilt->Digest());
}

// --- rows it cannot read -------------------------------------------------------

struct BadReportRow {
  std::string behaviour;
  std::string key;
  std::string value;
};
void PrintTo(const BadReportRow& c, std::ostream* os) { *os << c.behaviour; }

class SupervisionReportRowRefused : public ::testing::TestWithParam<BadReportRow> {};

TEST_P(SupervisionReportRowRefused, AsDataLossNamingTheRow) {
  std::unique_ptr<SupervisionView> view = SupervisionView::Create(Fengjie()).value();
  Status status = view->LoadRow(GetParam().key, GetParam().value);
  EXPECT_EQ(status.code(), StatusCode::kDataLoss) << status.ToString();
  EXPECT_NE(status.message().find(GetParam().key), std::string::npos) << status.message();
}

// A review-queue entry with every field set, so a round trip checks each one.
ReviewEntry FullEntry() {
  ReviewEntry e;
  e.version = StreamVersion(1);
  e.period = Month(2024, 10);
  e.unit = "县农业农村委";
  e.principal = "p-nyw";
  e.recorded_at = China(2024, 11, 2);
  e.position = GlobalPosition(17);
  e.percent = 12.5;
  e.summary = "完成托管服务1.2万亩次";
  e.indicators = {{"农业生产社会化服务规模", 1.2, "万亩次"}, {"全县托管面积", 78, "万亩次", IndicatorScope::kCounty}};
  e.decision = ReviewDecision::kReturned;
  e.reviewed_at = China(2024, 11, 5);
  e.comment = "请补充台账";
  e.superseded_by = StreamVersion(9);
  return e;
}

TEST(SupervisionReviewRows, AnEntryRowReadsBackFieldForField) {
  const ReviewEntry e = FullEntry();
  Result<ReviewEntry> back = ReviewLedger::EntryFromRow(ReviewLedger::EntryToRow(e));
  ASSERT_TRUE(back.ok()) << back.status().ToString();
  EXPECT_EQ(back->version, e.version);
  EXPECT_EQ(back->period, e.period);
  EXPECT_EQ(back->unit, e.unit);
  EXPECT_EQ(back->principal, e.principal);
  EXPECT_EQ(back->recorded_at, e.recorded_at);
  EXPECT_EQ(back->position, e.position);
  EXPECT_EQ(back->percent, e.percent);
  EXPECT_EQ(back->summary, e.summary);
  ASSERT_EQ(back->indicators.size(), 2u);
  EXPECT_EQ(back->indicators[1].indicator, "全县托管面积");
  EXPECT_EQ(back->indicators[1].value, 78);
  EXPECT_EQ(back->indicators[1].unit, "万亩次");
  EXPECT_EQ(back->indicators[1].scope, IndicatorScope::kCounty);
  EXPECT_EQ(back->indicators[0].scope, IndicatorScope::kOwn);
  EXPECT_EQ(back->decision, e.decision);
  EXPECT_EQ(back->reviewed_at, e.reviewed_at);
  EXPECT_EQ(back->comment, e.comment);
  EXPECT_EQ(back->superseded_by, e.superseded_by);
  EXPECT_EQ(ReviewLedger::EntryToRow(*back), ReviewLedger::EntryToRow(e));  // deterministic bytes
}

TEST(SupervisionReviewRows, AnUnreviewedEntryRowReadsBackWithoutDecision) {
  ReviewEntry e = FullEntry();
  e.decision.reset();
  e.reviewed_at.reset();
  e.comment.clear();
  e.superseded_by.reset();
  Result<ReviewEntry> back = ReviewLedger::EntryFromRow(ReviewLedger::EntryToRow(e));
  ASSERT_TRUE(back.ok()) << back.status().ToString();
  EXPECT_FALSE(back->decision.has_value());
  EXPECT_FALSE(back->reviewed_at.has_value());
  EXPECT_FALSE(back->superseded_by.has_value());
  EXPECT_EQ(back->state(), ReviewState::kPending);
}

const std::string kEntry = ReviewLedger::EntryToRow(FullEntry());

constexpr const char* kMilestone =
    R"({"cancelled_at_us":null,"due":"2024-11-30","history":[],"met_at_us":null,"met_by_report":null})";

TEST(SupervisionMilestoneRows, AWellFormedMilestoneRowLoads) {
  // The rows the table below breaks, whole: so each case fails for its own reason.
  std::unique_ptr<SupervisionView> view = SupervisionView::Create(Fengjie()).value();
  ASSERT_TRUE(view->LoadRow("~milestones/task-07/首期托管", kMilestone).ok());
  ASSERT_TRUE(view->LoadRow("task-07", R"({"approved_figures":[],"completed_at_us":null,"format":4,"last_report":null,"open_notices":[],"started":false,"version":1})").ok());
  EXPECT_EQ(view->StateOf(StreamId{"task-07"}).milestones.count("首期托管"), 1u);
}

INSTANTIATE_TEST_SUITE_P(
    Table, SupervisionReportRowRefused,
    ::testing::Values(
        BadReportRow{"a review row of the earlier format, one per stream", "~reviews/task-07",
                     R"({"format":1,"reports":[]})"},
        BadReportRow{"a review row whose key's version is not its own", "~reviews/task-07/00000000000000000002", kEntry},
        BadReportRow{"a review row whose key's version is not 20 digits", "~reviews/task-07/1", kEntry},
        BadReportRow{"a review row cut short", "~reviews/task-07/00000000000000000001", kEntry.substr(0, kEntry.size() - 1)},
        BadReportRow{"a review row with bytes after its last field", "~reviews/task-07/00000000000000000001",
                     kEntry + "x"},
        BadReportRow{"a review row of an unknown layout", "~reviews/task-07/00000000000000000001",
                     "\x07" + kEntry.substr(1)},
        BadReportRow{"a review row written as JSON by row format 4", "~reviews/task-07/00000000000000000001",
                     R"({"comment":"","decision":null,"indicators":[],"percent":5,"period":"2024-10","position":1,"principal":"p-nyw","recorded_at_us":0,"reviewed_at_us":null,"summary":"s","superseded_by":null,"unit":"县农业农村委","version":1})"},
        BadReportRow{"a pending row that is not JSON", "~pending/task-07/00000000000000000001", "{"},
        BadReportRow{"a pending row whose key's version is not its own", "~pending/task-07/00000000000000000003",
                     R"({"indicators":[],"period":"2024-10","recorded_at_us":0,"reporter":"县农业农村委","version":1})"},
        BadReportRow{"a stream row of this format holding pending reports", "task-07",
                     R"({"approved_figures":[],"completed_at_us":null,"format":4,"last_report":null,"open_notices":[],"pending_reports":[],"started":false,"version":1})"},
        BadReportRow{"a stream row of this format holding milestones", "task-07",
                     R"({"approved_figures":[],"completed_at_us":null,"format":4,"last_report":null,"milestones":[],"open_notices":[],"started":false,"version":1})"},
        BadReportRow{"a milestone row whose key names no milestone", "~milestones/task-07", kMilestone},
        BadReportRow{"a milestone row whose key's milestone name is empty", "~milestones/task-07/", kMilestone},
        BadReportRow{"a milestone row whose key names no stream", "~milestones//首期托管", kMilestone},
        BadReportRow{"a milestone row that is not JSON", "~milestones/task-07/首期托管", "{"},
        BadReportRow{"a milestone row without its due date", "~milestones/task-07/首期托管",
                     R"({"cancelled_at_us":null,"history":[],"met_at_us":null,"met_by_report":null})"},
        BadReportRow{"a milestone row with a change of an unknown kind", "~milestones/task-07/首期托管",
                     R"({"cancelled_at_us":null,"due":"2024-11-30","history":[{"at_us":0,"kind":"done","principal":"p-tf","version":1}],"met_at_us":null,"met_by_report":null})"},
        BadReportRow{"a milestone row with a field it does not have", "~milestones/task-07/首期托管",
                     R"({"cancelled_at_us":null,"due":"2024-11-30","history":[],"met_at_us":null,"met_by_report":null,"milestone":"首期托管"})"}),
    testing::ByBehaviour());

}  // namespace
}  // namespace kuimen
