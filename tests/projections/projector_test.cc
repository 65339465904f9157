// The projector on a real RocksDB: exactly-once effect under redelivery,
// gaps filled from the log, state surviving a restart, identical digests.
#include "projections/projector.h"

#include <gtest/gtest.h>

#include "eventstore/event_codec.h"
#include "projections/replay.h"
#include "tests/eventstore/store_fixture.h"
#include "tests/projections/recording_view.h"

namespace kuimen {
namespace {

using testing::RecordingView;

class ProjectorTest : public testing::StoreTest {
 protected:
  void SetUp() override { store_ = Open(); }

  // Appends `count` TaskCompleted events round-robin over task-01..task-03.
  std::vector<RecordedEvent> AppendEvents(int count) {
    std::vector<RecordedEvent> all;
    for (int i = 0; i < count; ++i) {
      EncodedEvent encoded = EncodeEvent(TaskCompleted{"完成第" + std::to_string(i) + "项"});
      auto stored = store_->Append(StreamId{"task-0" + std::to_string(i % 3 + 1)}, std::nullopt,
                                   {ProposedEvent{std::nullopt, encoded.type, encoded.schema_version,
                                                  Actor{"p-tf", Role::kTaskForce, ""}, encoded.data}});
      EXPECT_TRUE(stored.ok());
      all.push_back(stored->front());
    }
    return all;
  }

  std::unique_ptr<Projector> OpenProjector(const std::string& name, EventStore* log) {
    auto projector = Projector::Open(std::make_unique<RecordingView>(), ProjectorOptions{dir_.path() / name, nullptr}, log);
    EXPECT_TRUE(projector.ok()) << projector.status().ToString();
    return projector.ok() ? std::move(projector).value() : nullptr;
  }

  static std::map<std::string, std::string> Rows(const Projector& projector) {
    return projector.WithView([](const View& view) { return static_cast<const RecordingView&>(view).rows(); });
  }

  std::unique_ptr<EventStore> store_;
};

TEST_F(ProjectorTest, RedeliveredEventsChangeNothing) {
  std::vector<RecordedEvent> events = AppendEvents(6);
  auto projector = OpenProjector("view", store_.get());
  ASSERT_EQ(*projector->Apply(events), 6u);
  const std::string digest = projector->Digest();
  ASSERT_EQ(*projector->Apply(events), 0u);
  ASSERT_EQ(*projector->Apply({events[2], events[0]}), 0u);
  EXPECT_EQ(projector->Digest(), digest);
  EXPECT_EQ(Rows(*projector).at("task-01"), "1,4");
  EXPECT_EQ(projector->applied_through(), GlobalPosition(6));
}

TEST_F(ProjectorTest, AGapIsFilledFromTheLogInStreamOrder) {
  std::vector<RecordedEvent> events = AppendEvents(9);
  auto projector = OpenProjector("view", store_.get());
  // task-01 holds positions 1, 4, 7: deliver only 7, as after a lost message.
  ASSERT_EQ(*projector->Apply({events[6]}), 1u);
  EXPECT_EQ(Rows(*projector).at("task-01"), "1,4,7");
  EXPECT_EQ(projector->applied_through(), GlobalPosition(1));  // 2 and 3 not yet seen
}

TEST_F(ProjectorTest, WithoutALogAGapIsLeftUnapplied) {
  std::vector<RecordedEvent> events = AppendEvents(4);
  auto projector = OpenProjector("view", nullptr);
  ASSERT_EQ(*projector->Apply({events[3]}), 0u);  // task-01 version 2 without version 1
  EXPECT_TRUE(Rows(*projector).empty());
}

TEST_F(ProjectorTest, StateAndCheckpointsSurviveARestart) {
  std::vector<RecordedEvent> events = AppendEvents(6);
  std::string digest;
  {
    auto projector = OpenProjector("view", store_.get());
    ASSERT_TRUE(projector->Apply({events.begin(), events.begin() + 4}).ok());
    digest = projector->Digest();
  }
  auto projector = OpenProjector("view", store_.get());
  EXPECT_EQ(projector->Digest(), digest);
  EXPECT_EQ(projector->applied_through(), GlobalPosition(4));
  ASSERT_EQ(*projector->Apply(events), 2u);  // only 5 and 6 are new
  EXPECT_EQ(Rows(*projector).at("task-02"), "2,5");
}

TEST_F(ProjectorTest, AnyInterleavingOfStreamsGivesTheSameDigestAsARebuild) {
  std::vector<RecordedEvent> events = AppendEvents(12);
  auto rebuilt = OpenProjector("rebuilt", store_.get());
  ASSERT_TRUE(rebuilt->CatchUpFromLog().ok());

  // Partition-like delivery: all of task-03, then task-01, then task-02.
  std::vector<RecordedEvent> shuffled;
  for (int stream : {2, 0, 1}) {
    for (size_t i = stream; i < events.size(); i += 3) shuffled.push_back(events[i]);
  }
  auto live = OpenProjector("live", store_.get());
  ASSERT_TRUE(live->Apply(shuffled).ok());
  EXPECT_EQ(live->Digest(), rebuilt->Digest());
  EXPECT_EQ(live->applied_through(), GlobalPosition(12));
}

TEST_F(ProjectorTest, ReplayStopsAtAPositionOrATime) {
  AppendEvents(3);
  clock_.Advance(std::chrono::hours(24));
  AppendEvents(3);
  RecordingView by_position;
  ASSERT_EQ(*ReplayLog(by_position, *store_, ReplayLimit{GlobalPosition(2), std::nullopt}), GlobalPosition(2));
  EXPECT_EQ(by_position.applied(), 2);
  RecordingView by_time;
  ASSERT_EQ(*ReplayLog(by_time, *store_, ReplayLimit{std::nullopt, testing::At(1730419200 + 3600)}), GlobalPosition(3));
  EXPECT_EQ(by_time.rows().at("task-01"), "1");
}

}  // namespace
}  // namespace kuimen
