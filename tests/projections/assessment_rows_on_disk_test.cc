// The assessment view's rows on a real store and real view stores (issue 12,
// "rebuild 1M"): its task chunks are binary rows (AssessmentFacts::
// kChunkRowFormat); a restarted view reads them back and scores as before, its
// rows digest as a rebuild from the log's do, and a view store of the earlier
// format (JSON chunks, RowFormat 1) is dropped and rebuilt from the log.
#include <gtest/gtest.h>

#include <algorithm>

#include "eventstore/event_codec.h"
#include "projections/assessment_view.h"
#include "projections/projector.h"
#include "tests/eventstore/store_fixture.h"
#include "tests/projections/recording_view.h"
#include "tests/projections/supervision_fixture.h"

namespace kuimen {
namespace {

using namespace testing::fengjie;

IndicatorValue Services(double value, IndicatorScope scope = IndicatorScope::kOwn) {
  return {"农业生产社会化服务规模", value, "万亩次", scope};
}

class AssessmentRowsOnDisk : public testing::StoreTest {
 protected:
  void SetUp() override { store_ = Open(); }

  void Append(const std::string& stream, const Actor& actor, const EventData& data) {
    EncodedEvent encoded = EncodeEvent(data);
    Result<std::vector<RecordedEvent>> stored = store_->Append(
        StreamId{stream}, std::nullopt, {ProposedEvent{std::nullopt, encoded.type, encoded.schema_version, actor, encoded.data}});
    ASSERT_TRUE(stored.ok()) << stored.status().ToString();
    clock_.Advance(std::chrono::hours(1));
  }

  std::uint64_t Head(const std::string& stream) { return store_->StreamHead(StreamId{stream}).value; }

  // Reports on tasks 7 and 3 (some by a township, some with a county-wide
  // figure), reviews approving or returning them, notices answered, closed
  // unanswered or left open, and a completion: task 7 runs past one chunk.
  void AppendSeason(int reports) {
    for (int i = 0; i < reports; ++i) {
      const std::chrono::year_month month = Month(2024, 1 + i % 12);
      if (i % 6 == 5) {
        Append("task-07", kYongan, Progress(month, i, {Services(i % 9)}));
      } else {
        Append("task-07", kAgriculture,
               Progress(month, i, {Services(i % 50 + 0.5, i % 4 == 0 ? IndicatorScope::kCounty : IndicatorScope::kOwn)}));
      }
      if (i % 3 != 2) {
        Append("task-07", kTaskForce, i % 5 == 1 ? EventData(Return(Head("task-07"))) : EventData(Approve(Head("task-07"))));
      }
      if (i % 5 == 0) Append("task-03", kCoop, Progress(month, i));
      if (i % 20 == 3) {
        const std::string id = "DB-" + std::to_string(i);
        Append("task-07", kTaskForce, NoticeIssued{id, "进度滞后", std::chrono::year(2024) / 12 / 20, ""});
        if (i % 40 == 3) Append("task-07", kAgriculture, NoticeAnswered{id, "已整改"});
        if (i % 60 == 23) Append("task-07", kTaskForce, NoticeClosed{id, "", "逾期未整改"});
      }
    }
    Append("task-03", kTaskForce, TaskCompleted{"完成"});
  }

  std::unique_ptr<Projector> OpenAssessment(const std::string& name) {
    Result<std::unique_ptr<Projector>> projector =
        Projector::Open(AssessmentView::Create(Fengjie(), DefaultAssessmentRules()).value(),
                        ProjectorOptions{dir_.path() / name, nullptr}, store_.get());
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

  static AssessmentResult Render(const Projector& projector, int year, Timestamp now) {
    return projector.WithView([&](const View& view) { return static_cast<const AssessmentView&>(view).Render(year, now); });
  }

  std::unique_ptr<EventStore> store_;
};

TEST_F(AssessmentRowsOnDisk, ARestartedViewScoresAsBeforeAndDigestsAsARebuild) {
  AppendSeason(160);
  ASSERT_GT(Head("task-07"), 2 * AssessmentFacts::kChunkVersions);  // three chunks
  const Timestamp now = China(2025, 1, 20);
  AssessmentResult scored;
  {
    auto live = OpenAssessment("live");
    Feed(*live, 7);  // batches end between a report and its review
    scored = Render(*live, 2024, now);
  }
  ASSERT_FALSE(scored.units.empty());
  auto restarted = OpenAssessment("live");
  ASSERT_NE(restarted, nullptr);
  EXPECT_EQ(Render(*restarted, 2024, now), scored);

  auto rebuilt = OpenAssessment("rebuilt");
  ASSERT_TRUE(rebuilt->CatchUpFromLog().ok());
  EXPECT_EQ(restarted->Digest(), rebuilt->Digest());
  EXPECT_EQ(Render(*rebuilt, 2024, now), scored);

  // Both carry on alike.
  AppendSeason(9);
  ASSERT_TRUE(restarted->CatchUpFromLog().ok());
  ASSERT_TRUE(rebuilt->CatchUpFromLog().ok());
  EXPECT_EQ(restarted->Digest(), rebuilt->Digest());
  EXPECT_EQ(Render(*restarted, 2024, now), Render(*rebuilt, 2024, now));
}

TEST_F(AssessmentRowsOnDisk, RowsOfTheEarlierFormatAreDroppedAndRebuiltFromTheLog) {
  AppendSeason(30);
  {
    // A view store in format 1, as the build before binary chunks left it.
    auto earlier = Projector::Open(std::make_unique<testing::RecordingView>(1),
                                   ProjectorOptions{dir_.path() / "view", nullptr}, store_.get());
    ASSERT_TRUE(earlier.ok()) << earlier.status().ToString();
    ASSERT_TRUE((*earlier)->CatchUpFromLog().ok());
  }
  auto upgraded = OpenAssessment("view");
  ASSERT_NE(upgraded, nullptr);
  EXPECT_EQ(upgraded->applied_through(), GlobalPosition(0));
  ASSERT_TRUE(upgraded->CatchUpFromLog().ok());
  auto rebuilt = OpenAssessment("rebuilt");
  ASSERT_TRUE(rebuilt->CatchUpFromLog().ok());
  EXPECT_EQ(upgraded->Digest(), rebuilt->Digest());
  EXPECT_EQ(Render(*upgraded, 2024, China(2025, 1, 20)), Render(*rebuilt, 2024, China(2025, 1, 20)));
}

}  // namespace
}  // namespace kuimen
