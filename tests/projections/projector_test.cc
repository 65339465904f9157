// The projector on a real RocksDB: exactly-once effect under redelivery,
// gaps filled from the log, state surviving a restart, identical digests.
#include "projections/projector.h"

#include <future>
#include <thread>

#include <gtest/gtest.h>
#include <rocksdb/env.h>

#include "eventstore/event_codec.h"
#include "projections/replay.h"
#include "tests/eventstore/fault_fs.h"
#include "tests/eventstore/store_fixture.h"
#include "tests/projections/recording_view.h"
#include "tests/projections/wait.h"

namespace kuimen {
namespace {

using testing::RecordingView;

// Events as a feed hands them on: decoded once.
std::vector<DecodedEvent> Decoded(const std::vector<RecordedEvent>& events) {
  std::vector<DecodedEvent> decoded;
  for (const RecordedEvent& event : events) decoded.push_back(Decode(event));
  return decoded;
}

// A view that keeps, per position, who acted and what the payload said, as
// the projector handed them on: shows which copy of an event was applied.
class WhoSaidWhatView final : public View {
 public:
  std::string_view Name() const override { return "who-said-what"; }
  std::uint32_t RowFormat() const override { return 1; }
  void Apply(const RecordedEvent& envelope, const EventData& event) override {
    const auto* completed = std::get_if<TaskCompleted>(&event);
    seen_[envelope.position.value] = envelope.actor.principal + ":" + (completed ? completed->summary : "?");
  }
  std::vector<std::pair<std::string, std::string>> TakeChangedRows() override { return {}; }
  Status LoadRow(std::string_view, std::string_view) override { return Status::Ok(); }
  const std::map<std::uint64_t, std::string>& seen() const { return seen_; }

 private:
  std::map<std::uint64_t, std::string> seen_;
};

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

  std::unique_ptr<Projector> OpenProjector(const std::string& name, EventStore* log, std::uint32_t row_format = 1) {
    auto projector = Projector::Open(std::make_unique<RecordingView>(row_format),
                                     ProjectorOptions{dir_.path() / name, nullptr}, log);
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

TEST_F(ProjectorTest, ProjectorsCaughtUpTogetherEndAsEachAloneWouldWhereverTheyStood) {
  std::vector<RecordedEvent> events = AppendEvents(11);
  auto alone = OpenProjector("alone", store_.get());
  ASSERT_TRUE(alone->CatchUpFromLog().ok());
  auto fresh = OpenProjector("fresh", store_.get());
  auto halfway = OpenProjector("halfway", store_.get());
  ASSERT_TRUE(halfway->Apply({events.begin(), events.begin() + 5}).ok());
  // Batches of 3: several batches, the last one short, read once for both.
  ASSERT_TRUE(CatchUpFromLog({fresh.get(), halfway.get()}, *store_, 3).ok());
  EXPECT_EQ(fresh->applied_through(), GlobalPosition(11));
  EXPECT_EQ(halfway->applied_through(), GlobalPosition(11));
  EXPECT_EQ(Rows(*fresh), Rows(*alone));
  EXPECT_EQ(Rows(*halfway), Rows(*alone));
  EXPECT_EQ(fresh->Digest(), alone->Digest());
  EXPECT_EQ(halfway->Digest(), alone->Digest());
  EXPECT_EQ(Rows(*fresh).at("task-02"), "2,5,8,11");
}

TEST_F(ProjectorTest, CatchingUpAViewThatIsCurrentAppliesNothing) {
  AppendEvents(4);
  auto projector = OpenProjector("view", store_.get());
  ASSERT_TRUE(CatchUpFromLog({projector.get()}, *store_).ok());
  const std::string digest = projector->Digest();
  ASSERT_TRUE(CatchUpFromLog({projector.get()}, *store_).ok());
  EXPECT_EQ(projector->Digest(), digest);
  EXPECT_EQ(projector->applied_through(), GlobalPosition(4));
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

// A build whose view reads rows differently (a raised RowFormat) never
// trusts rows an earlier build wrote: it drops them and rebuilds from the log.
TEST_F(ProjectorTest, RowsOfAnEarlierFormatAreRebuiltFromTheLog) {
  std::vector<RecordedEvent> events = AppendEvents(6);
  {
    auto projector = OpenProjector("view", store_.get(), /*row_format=*/1);
    ASSERT_TRUE(projector->Apply({events.begin(), events.begin() + 4}).ok());
  }
  auto projector = OpenProjector("view", store_.get(), /*row_format=*/2);
  ASSERT_NE(projector, nullptr);
  EXPECT_TRUE(Rows(*projector).empty());
  EXPECT_EQ(projector->applied_through(), GlobalPosition(0));
  ASSERT_TRUE(projector->CatchUpFromLog().ok());
  EXPECT_EQ(projector->WithView([](const View& view) { return static_cast<const RecordingView&>(view).applied(); }), 6);
  EXPECT_EQ(Rows(*projector).at("task-01"), "1,4");

  auto rebuilt = OpenProjector("rebuilt", store_.get(), /*row_format=*/2);
  ASSERT_TRUE(rebuilt->CatchUpFromLog().ok());
  EXPECT_EQ(projector->Digest(), rebuilt->Digest());
  projector.reset();
  auto reopened = OpenProjector("view", store_.get(), /*row_format=*/2);  // the same format: rows kept
  EXPECT_EQ(Rows(*reopened).at("task-01"), "1,4");
}

TEST_F(ProjectorTest, RowsOfAnEarlierFormatWithoutALogAreRefused) {
  std::vector<RecordedEvent> events = AppendEvents(2);
  {
    auto projector = OpenProjector("view", store_.get(), /*row_format=*/1);
    ASSERT_TRUE(projector->Apply(events).ok());
  }
  auto refused = Projector::Open(std::make_unique<RecordingView>(2), ProjectorOptions{dir_.path() / "view", nullptr},
                                 nullptr);
  EXPECT_EQ(refused.status().code(), StatusCode::kFailedPrecondition) << refused.status().ToString();
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

// Issue 9, item 8: a message on the topic is applied only as the event the
// log holds at its position.
TEST_F(ProjectorTest, AFeedIsTrustedOnlyWhereTheLogHoldsTheSameEvent) {
  std::vector<RecordedEvent> events = AppendEvents(6);
  auto projector = OpenProjector("view", store_.get());
  ASSERT_EQ(*projector->ApplyFromFeed(Decoded({events[0], events[1], events[2]})), 3u);

  // Forged: task-01's next version at position 4, where the log holds
  // another event of task-01; another id; and a position beyond the head.
  RecordedEvent impostor = events[3];
  impostor.id = events[0].id;
  impostor.data = R"({"summary":"伪造"})";
  RecordedEvent rehashed = events[4];
  rehashed.hash[0] ^= 1;
  RecordedEvent beyond = events[5];
  beyond.position = GlobalPosition(7);
  beyond.version = StreamVersion(3);
  ASSERT_TRUE(projector->ApplyFromFeed(Decoded({impostor, rehashed, beyond})).ok());
  EXPECT_EQ(projector->untrusted_messages(), 3u);
  // The log's events at 4 and 5 were applied in their place; 7 does not exist.
  EXPECT_EQ(projector->applied_through(), GlobalPosition(5));
  EXPECT_EQ(Rows(*projector).at("task-01"), "1,4");

  // The real messages still come and change nothing twice.
  ASSERT_TRUE(projector->ApplyFromFeed(Decoded(events)).ok());
  EXPECT_EQ(projector->untrusted_messages(), 3u);
  auto rebuilt = OpenProjector("rebuilt", store_.get());
  ASSERT_TRUE(rebuilt->CatchUpFromLog().ok());
  EXPECT_EQ(projector->Digest(), rebuilt->Digest());
  EXPECT_EQ(projector->Health(store_->Head().position).problem, ViewProblem::kNone);
}

// Checking each message against the log costs a read per event; the figure
// printed is the feed's rate with the check, beside the rate without it.
TEST_F(ProjectorTest, CheckingAFeedAgainstTheLogKeepsItsRate) {
  std::vector<RecordedEvent> events;  // appended 100 to a call, so the set-up takes no 20,000 syncs
  for (int call = 0; call < 200; ++call) {
    std::vector<ProposedEvent> batch;
    for (int i = 0; i < 100; ++i) {
      EncodedEvent encoded = EncodeEvent(TaskCompleted{"完成第" + std::to_string(i) + "项"});
      batch.push_back(ProposedEvent{std::nullopt, encoded.type, encoded.schema_version,
                                    Actor{"p-tf", Role::kTaskForce, ""}, encoded.data});
    }
    auto stored = store_->Append(StreamId{"task-0" + std::to_string(call % 3 + 1)}, std::nullopt, std::move(batch));
    ASSERT_TRUE(stored.ok());
    events.insert(events.end(), stored->begin(), stored->end());
  }
  auto rate = [&](const std::string& name, bool checked) {
    auto projector = OpenProjector(name, store_.get());
    const auto began = std::chrono::steady_clock::now();
    for (std::size_t at = 0; at < events.size(); at += 5000) {
      std::vector<RecordedEvent> batch(events.begin() + at, events.begin() + std::min(at + 5000, events.size()));
      EXPECT_TRUE((checked ? projector->ApplyFromFeed(Decoded(batch)) : projector->Apply(batch)).ok());
    }
    EXPECT_EQ(projector->applied_through(), GlobalPosition(20000));
    return events.size() / std::chrono::duration<double>(std::chrono::steady_clock::now() - began).count();
  };
  const double unchecked = rate("unchecked", false);
  const double checked = rate("checked", true);
  std::printf("projector feed: %.0f events/s checked against the log, %.0f events/s unchecked\n", checked, unchecked);
}

// Issue 9, item 10: what /healthz reports of a view.
TEST_F(ProjectorTest, HealthSaysFailedWhileAGapCannotBeFilledAndLaggingBeyondTheThreshold) {
  std::vector<RecordedEvent> events = AppendEvents(4);
  auto projector = OpenProjector("view", nullptr);
  ASSERT_TRUE(projector->Apply({events[3]}).ok());  // task-01 version 2 without version 1: no log to fill it
  ViewHealth health = projector->Health(store_->Head().position);
  EXPECT_EQ(health.problem, ViewProblem::kFailed);
  EXPECT_NE(health.error.find("task-01"), std::string::npos) << health.error;
  EXPECT_EQ(health.lag, 4u);

  ASSERT_TRUE(projector->Apply({events[0], events[1], events[2]}).ok());
  health = projector->Health(store_->Head().position, /*max_lag=*/0);
  EXPECT_EQ(health.problem, ViewProblem::kLagging) << health.error;  // event 4 was never applied
  EXPECT_EQ(health.lag, 1u);
  ASSERT_TRUE(projector->Apply({events[3]}).ok());
  health = projector->Health(store_->Head().position, 0);
  EXPECT_TRUE(health.ok()) << ViewProblemName(health.problem);
  EXPECT_EQ(health.applied_through, GlobalPosition(4));
}

// Issue 12, item 4: a batch is folded into the view under the readers' lock,
// then synced with it released. While the sync hangs (the view store's WAL
// appends held), a reader renders at once and sees the folded batch, and a
// reader waiting for its own write (min_position) is let through; the rows on
// disk catch up when the sync returns.
TEST_F(ProjectorTest, AReaderIsNotHeldOutWhileABatchIsSynced) {
  auto fs = std::make_shared<testing::FaultFs>();
  std::unique_ptr<rocksdb::Env> env = rocksdb::NewCompositeEnv(fs);
  std::vector<RecordedEvent> events = AppendEvents(6);
  auto opened = Projector::Open(std::make_unique<RecordingView>(), ProjectorOptions{dir_.path() / "view", env.get()},
                                store_.get());
  ASSERT_TRUE(opened.ok()) << opened.status().ToString();
  std::unique_ptr<Projector> projector = std::move(opened).value();
  ASSERT_EQ(*projector->Apply({events.begin(), events.begin() + 3}), 3u);
  ASSERT_EQ(projector->durable_through(), GlobalPosition(3));

  fs->HoldAppendsTo(".log");  // the next batch's synced write hangs in the WAL
  std::thread writer([&] { EXPECT_EQ(*projector->Apply({events.begin() + 3, events.end()}), 3u); });
  testing::WaitUntil([&] { return fs->held_appends() > 0; });

  auto read = std::async(std::launch::async, [&] {
    return projector->WithViewThrough([](const View& view, GlobalPosition through) {
      return std::make_pair(static_cast<const RecordingView&>(view).rows(), through);
    });
  });
  const bool answered = read.wait_for(std::chrono::seconds(30)) == std::future_status::ready;
  const bool own_write_seen = projector->WaitForApplied(GlobalPosition(6), std::chrono::seconds(30));
  const GlobalPosition durable_during_sync = projector->durable_through();
  fs->HoldAppendsTo("");  // the sync returns
  writer.join();
  EXPECT_TRUE(answered) << "the reader waited for the sync";
  EXPECT_TRUE(own_write_seen);
  auto [rows, through] = read.get();
  EXPECT_EQ(through, GlobalPosition(6));  // the view as of the folded batch
  EXPECT_EQ(rows.at("task-01"), "1,4");
  EXPECT_EQ(durable_during_sync, GlobalPosition(3));
  EXPECT_EQ(projector->durable_through(), GlobalPosition(6));

  // What was synced is what a restart reads.
  const std::string digest = projector->Digest();
  projector.reset();
  auto reopened = OpenProjector("view", store_.get());
  EXPECT_EQ(reopened->applied_through(), GlobalPosition(6));
  EXPECT_EQ(reopened->Digest(), digest);
}

// A catch-up more than a batch behind writes its rows without the write-ahead
// log and makes them durable once at the end: a power loss right after it
// keeps every row, and one before its rows reached disk leaves a view that
// the next start drops and rebuilds from the log, never a partial one.
TEST_F(ProjectorTest, ARebuildWrittenWithoutTheLogIsKeptWholeOrRebuilt) {
  auto fs = std::make_shared<testing::FaultFs>();
  std::unique_ptr<rocksdb::Env> env = rocksdb::NewCompositeEnv(fs);
  AppendEvents(10);
  auto open = [&](const std::string& name) {
    auto opened = Projector::Open(std::make_unique<RecordingView>(), ProjectorOptions{dir_.path() / name, env.get()},
                                  store_.get());
    EXPECT_TRUE(opened.ok()) << opened.status().ToString();
    return opened.ok() ? std::move(opened).value() : nullptr;
  };
  auto reference = OpenProjector("reference", store_.get());
  ASSERT_TRUE(reference->CatchUpFromLog().ok());

  auto whole = open("whole");
  ASSERT_TRUE(CatchUpFromLog({whole.get()}, *store_, 3).ok());  // batches of 3: unlogged
  EXPECT_EQ(whole->durable_through(), GlobalPosition(10));
  whole.reset();
  fs->SimulatePowerLoss();
  whole = open("whole");
  EXPECT_EQ(whole->applied_through(), GlobalPosition(10));
  EXPECT_EQ(whole->Digest(), reference->Digest());

  auto cut = open("cut");
  fs->FailSyncsTo(".sst");  // the rows never reach a synced table file
  const Status failed = CatchUpFromLog({cut.get()}, *store_, 3);
  EXPECT_EQ(failed.code(), StatusCode::kUnavailable) << failed.ToString();
  EXPECT_EQ(cut->durable_through(), GlobalPosition(0));
  cut.reset();
  fs->FailSyncsTo("");
  fs->SimulatePowerLoss();
  cut = open("cut");
  EXPECT_EQ(cut->applied_through(), GlobalPosition(0));
  EXPECT_TRUE(Rows(*cut).empty());
  ASSERT_TRUE(cut->CatchUpFromLog().ok());
  EXPECT_EQ(cut->Digest(), reference->Digest());
}

// Lag in events and in seconds: how long the first event not applied has
// waited, by its recorded time and the caller's `now`.
TEST_F(ProjectorTest, HealthReportsTheLagInEventsAndSeconds) {
  std::vector<RecordedEvent> events = AppendEvents(2);
  clock_.Advance(std::chrono::seconds(3));
  AppendEvents(2);
  auto projector = OpenProjector("view", store_.get());
  ASSERT_TRUE(projector->Apply({events[0]}).ok());
  clock_.Advance(std::chrono::seconds(5));
  ViewHealth health = projector->Health(store_->Head().position, kDefaultMaxViewLag, clock_.Now());
  EXPECT_EQ(health.lag, 3u);
  EXPECT_DOUBLE_EQ(health.lag_seconds, 8.0);  // position 2 was recorded 8 s before now
  EXPECT_TRUE(health.ok());

  ASSERT_TRUE(projector->CatchUpFromLog().ok());
  health = projector->Health(store_->Head().position, kDefaultMaxViewLag, clock_.Now());
  EXPECT_EQ(health.lag, 0u);
  EXPECT_EQ(health.lag_seconds, 0.0);
}

// A feed's batch is checked against the log in one pass when its positions
// are close together, and one by one when they are scattered; both apply the
// same events.
TEST_F(ProjectorTest, AFeedBatchOfScatteredPositionsIsCheckedLikeAContiguousOne) {
  std::vector<RecordedEvent> events;  // 100 to an append, so the set-up takes no 3,000 syncs
  for (int call = 0; call < 30; ++call) {
    std::vector<ProposedEvent> batch;
    for (int i = 0; i < 100; ++i) {
      EncodedEvent encoded = EncodeEvent(TaskCompleted{"完成第" + std::to_string(i) + "项"});
      batch.push_back(ProposedEvent{std::nullopt, encoded.type, encoded.schema_version,
                                    Actor{"p-tf", Role::kTaskForce, ""}, encoded.data});
    }
    auto stored = store_->Append(StreamId{"task-0" + std::to_string(call % 3 + 1)}, std::nullopt, std::move(batch));
    ASSERT_TRUE(stored.ok());
    events.insert(events.end(), stored->begin(), stored->end());
  }
  auto contiguous = OpenProjector("contiguous", store_.get());
  ASSERT_TRUE(contiguous->ApplyFromFeed(Decoded(events)).ok());
  auto scattered = OpenProjector("scattered", store_.get());
  // Positions 1 and 3000 alone span far more than twice their count.
  ASSERT_TRUE(scattered->ApplyFromFeed(Decoded({events.front(), events.back()})).ok());
  ASSERT_TRUE(scattered->ApplyFromFeed(Decoded(events)).ok());
  EXPECT_EQ(contiguous->applied_through(), GlobalPosition(3000));
  EXPECT_EQ(scattered->Digest(), contiguous->Digest());
  EXPECT_EQ(scattered->untrusted_messages(), 0u);
}

// Issue 12, item 2: the feed decodes each event once and the projector
// applies that decoded copy, but only when the message is the log's event in
// every field (payload bytes, actor, hashes...). A message with the right id
// and hash but another actor or payload is ignored and the log's event, read
// and decoded from the log, applied in its place.
TEST_F(ProjectorTest, AFeedMessageIsAppliedOnlyWhenItIsTheLogsEventInEveryField) {
  std::vector<RecordedEvent> events = AppendEvents(3);
  auto opened = Projector::Open(std::make_unique<WhoSaidWhatView>(), ProjectorOptions{dir_.path() / "view", nullptr},
                                store_.get());
  ASSERT_TRUE(opened.ok()) << opened.status().ToString();
  Projector& projector = **opened;
  std::vector<DecodedEvent> feed = Decoded(events);
  feed[1].event.actor = Actor{"p-forged", Role::kTaskForce, ""};
  feed[2] = Decode([&] {
    RecordedEvent forged = events[2];
    forged.data = EncodeEvent(TaskCompleted{"伪造：全部完成"}).data;
    return forged;
  }());
  Result<std::size_t> applied = projector.ApplyFromFeed(std::move(feed));
  ASSERT_TRUE(applied.ok()) << applied.status().ToString();
  EXPECT_EQ(*applied, 3u);
  EXPECT_EQ(projector.untrusted_messages(), 2u);
  EXPECT_EQ(projector.applied_through(), GlobalPosition(3));
  const std::map<std::uint64_t, std::string> seen =
      projector.WithView([](const View& view) { return static_cast<const WhoSaidWhatView&>(view).seen(); });
  EXPECT_EQ(seen, (std::map<std::uint64_t, std::string>{
                      {1, "p-tf:完成第0项"}, {2, "p-tf:完成第1项"}, {3, "p-tf:完成第2项"}}));
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
