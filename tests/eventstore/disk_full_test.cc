// A full disk, injected through FaultFs (ENOSPC on append, GetFreeSpace low):
// appends are refused with disk_full and leave no trace, reads go on, the
// store reports itself degraded, and writing resumes by itself once space
// returns, with nothing acknowledged lost.
#include <atomic>
#include <cstdio>
#include <functional>
#include <optional>
#include <random>
#include <set>
#include <string>
#include <thread>

#include <rocksdb/env.h>

#include "tests/eventstore/fault_fs.h"
#include "tests/eventstore/store_fixture.h"

namespace kuimen {
namespace {

// Every wait in these tests is bounded: a store that never resumes fails the
// test with this message instead of hanging it.
constexpr std::chrono::seconds kWaitLimit(30);

bool WaitFor(const std::function<bool()>& done, const std::string& what) {
  const auto deadline = std::chrono::steady_clock::now() + kWaitLimit;
  while (!done()) {
    if (std::chrono::steady_clock::now() > deadline) {
      ADD_FAILURE() << "gave up after " << kWaitLimit.count() << " s waiting until " << what;
      return false;
    }
    std::this_thread::sleep_for(std::chrono::microseconds(200));
  }
  return true;
}

class DiskFullTest : public testing::StoreTest {
 protected:
  DiskFullTest() : fs_(std::make_shared<testing::FaultFs>()), env_(rocksdb::NewCompositeEnv(fs_)) {}

  EventStoreOptions FaultOptions(std::chrono::milliseconds resume_every = std::chrono::milliseconds(0)) const {
    EventStoreOptions options = Options();
    options.env = env_.get();
    options.resume_retry_interval = resume_every;
    return options;
  }

  std::unique_ptr<EventStore> OpenFault(std::chrono::milliseconds resume_every = std::chrono::milliseconds(0)) {
    Result<std::unique_ptr<EventStore>> store = OpenEventStore(FaultOptions(resume_every));
    EXPECT_TRUE(store.ok()) << store.status().ToString();
    return store.ok() ? std::move(store).value() : nullptr;
  }

  // A store that gives up on a Resume() after `stuck_after`.
  std::unique_ptr<EventStore> OpenStuckAfter(std::chrono::milliseconds stuck_after) {
    EventStoreOptions options = FaultOptions();
    options.resume_stuck_after = stuck_after;
    Result<std::unique_ptr<EventStore>> store = OpenEventStore(options);
    EXPECT_TRUE(store.ok()) << store.status().ToString();
    return store.ok() ? std::move(store).value() : nullptr;
  }

  Result<std::vector<RecordedEvent>> AppendOne(EventStore& store, const std::string& data,
                                              std::optional<EventId> id = std::nullopt) {
    return store.Append(StreamId{"task-07"}, std::nullopt, {Event(data, id)});
  }

  // Appends `data` until an append is acknowledged (writing has resumed), at
  // most kWaitLimit; the last outcome.
  Result<std::vector<RecordedEvent>> AppendOnceWritingResumes(EventStore& store, const std::string& data,
                                                               const std::string& after_what) {
    std::optional<Result<std::vector<RecordedEvent>>> outcome;
    WaitFor([&] {
      outcome = AppendOne(store, data);
      return outcome->ok();
    }, "an append succeeds after " + after_what);
    return std::move(*outcome);
  }

  // Reopens the directory as the next start would, and checks the log.
  void ExpectIntactAfterReopen(std::uint64_t expected_events) {
    std::unique_ptr<EventStore> reopened = OpenFault();
    ASSERT_NE(reopened, nullptr);
    VerifyReport report = reopened->Verify();
    EXPECT_TRUE(report.ok) << report.problem;
    EXPECT_EQ(report.events, expected_events);
    std::uint64_t position = 0;
    for (const RecordedEvent& event : Drain(reopened->ReadAll(GlobalPosition(1)))) {
      EXPECT_EQ(event.position.value, ++position) << "positions must be gapless";
    }
  }

  std::shared_ptr<testing::FaultFs> fs_;
  std::unique_ptr<rocksdb::Env> env_;
};

TEST_F(DiskFullTest, AnAppendOnAFullDiskIsRefusedAsDiskFullAndLeavesNoTrace) {
  auto store = OpenFault();
  for (int i = 0; i < 5; ++i) ASSERT_TRUE(AppendOne(*store, "{\"n\":" + std::to_string(i) + "}").ok());
  const LogHead before = store->Head();

  fs_->SetSpaceLeft(100);  // less than one record: the WAL write is cut short
  Result<std::vector<RecordedEvent>> refused = AppendOne(*store, std::string(300, 'x'));
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.status().code(), StatusCode::kResourceExhausted) << refused.status().ToString();
  EXPECT_EQ(refused.status().subject(), kDiskFullCause);
  Result<std::vector<RecordedEvent>> again = AppendOne(*store, "{}");
  EXPECT_EQ(again.status().code(), StatusCode::kResourceExhausted) << again.status().ToString();

  EXPECT_EQ(store->Head().position, before.position);
  EXPECT_EQ(store->Head().hash, before.hash);
  EXPECT_EQ(store->StreamHead(StreamId{"task-07"}), StreamVersion(5));
}

TEST_F(DiskFullTest, ReadsAreServedAndHealthSaysDegradedWhileTheDiskIsFull) {
  auto store = OpenFault();
  for (int i = 0; i < 3; ++i) ASSERT_TRUE(AppendOne(*store, "{}").ok());
  EXPECT_EQ(store->Health().state, StoreHealth::State::kOk);

  fs_->SetSpaceLeft(0);
  clock_.Advance(std::chrono::seconds(5));
  ASSERT_EQ(AppendOne(*store, "{}").status().code(), StatusCode::kResourceExhausted);

  StoreHealth health = store->Health();
  EXPECT_EQ(health.state, StoreHealth::State::kDegraded);
  EXPECT_EQ(health.reason.rfind("disk_full", 0), 0u) << health.reason;
  ASSERT_TRUE(health.since.has_value());
  EXPECT_EQ(*health.since, clock_.Now());
  EXPECT_EQ(Drain(store->ReadAll(GlobalPosition(1))).size(), 3u);
  EXPECT_EQ(Drain(store->ReadStream(StreamId{"task-07"}, StreamVersion(1))).size(), 3u);
  EXPECT_TRUE(store->Verify().ok);
}

TEST_F(DiskFullTest, WritingResumesOnceSpaceReturnsAndNothingAcknowledgedIsLost) {
  auto store = OpenFault();
  for (int i = 0; i < 4; ++i) ASSERT_TRUE(AppendOne(*store, "{}").ok());
  fs_->SetSpaceLeft(50);
  ASSERT_EQ(AppendOne(*store, std::string(200, 'y')).status().code(), StatusCode::kResourceExhausted);
  ASSERT_EQ(AppendOne(*store, "{}").status().code(), StatusCode::kResourceExhausted);

  fs_->SetSpaceLeft(std::nullopt);
  // The writer tries to resume before each group (retry interval 0 here).
  Result<std::vector<RecordedEvent>> resumed = AppendOne(*store, "{\"after\":true}");
  ASSERT_TRUE(resumed.ok()) << resumed.status().ToString();
  EXPECT_EQ(resumed->front().position, GlobalPosition(5));
  EXPECT_EQ(store->Health().state, StoreHealth::State::kOk);
  ASSERT_TRUE(AppendOne(*store, "{}").ok());
  store.reset();
  ExpectIntactAfterReopen(6);
}

TEST_F(DiskFullTest, AFullDiskRightAfterOpenResumesWithoutRocksDbAsserting) {
  // Right after open every memtable is flushed and the WAL is new: RocksDB
  // 7.8's Resume() would then write on the WAL that failed (and assert), were
  // it not for the store's WAL anchor.
  { auto store = OpenFault(); ASSERT_TRUE(AppendOne(*store, "{}").ok()); }
  auto store = OpenFault();
  fs_->SetSpaceLeft(10);
  ASSERT_EQ(AppendOne(*store, std::string(100, 'z')).status().code(), StatusCode::kResourceExhausted);
  fs_->SetSpaceLeft(std::nullopt);
  ASSERT_TRUE(AppendOne(*store, "{}").ok());
  ASSERT_TRUE(AppendOne(*store, "{}").ok());
  store.reset();
  ExpectIntactAfterReopen(3);
}

TEST_F(DiskFullTest, WritingResumesAfterAFlushHitTheFullDisk) {
  // Resume() flushes every memtable: with the table files refused, that
  // flush (not the WAL) hits ENOSPC, and writing must still come back once
  // table files can be written again.
  auto store = OpenFault();
  for (int i = 0; i < 3; ++i) ASSERT_TRUE(AppendOne(*store, "{}").ok());
  fs_->SetSpaceLeft(0);
  ASSERT_EQ(AppendOne(*store, "{}").status().code(), StatusCode::kResourceExhausted);
  const std::uint64_t errors = fs_->no_space_errors();
  fs_->SetNoSpaceFor(".sst");
  fs_->SetSpaceLeft(std::nullopt);
  ASSERT_FALSE(AppendOne(*store, "{}").ok()) << "the flush of Resume() must have failed";
  EXPECT_GT(fs_->no_space_errors(), errors) << "a table file write hit the full disk";
  EXPECT_EQ(store->Health().state, StoreHealth::State::kDegraded);
  fs_->SetNoSpaceFor("");
  Result<std::vector<RecordedEvent>> resumed = AppendOnceWritingResumes(*store, "{\"after\":true}", "the flush's disk was freed");
  ASSERT_TRUE(resumed.ok()) << resumed.status().ToString();
  EXPECT_EQ(resumed->front().position, GlobalPosition(4));
  EXPECT_EQ(store->Health().state, StoreHealth::State::kOk);
  store.reset();
  ExpectIntactAfterReopen(4);
}

TEST_F(DiskFullTest, HealthTurnsOkByItselfOnceSpaceReturnsWithoutAnyAppend) {
  auto store = OpenFault(std::chrono::milliseconds(10));
  ASSERT_TRUE(AppendOne(*store, "{}").ok());
  fs_->SetSpaceLeft(0);
  ASSERT_EQ(AppendOne(*store, "{}").status().code(), StatusCode::kResourceExhausted);
  ASSERT_EQ(store->Health().state, StoreHealth::State::kDegraded);
  fs_->SetSpaceLeft(std::nullopt);
  // The writer wakes every retry interval while degraded; nothing else can
  // tell this test when it has, so it polls (a bound, not a timing).
  WaitFor([&] { return store->Health().state == StoreHealth::State::kOk; }, "health turns ok");
  EXPECT_EQ(store->Health().state, StoreHealth::State::kOk) << store->Health().reason;
}

TEST_F(DiskFullTest, SavingACursorOnAFullDiskFailsAsAValueNotACrash) {
  auto store = OpenFault();
  ASSERT_TRUE(AppendOne(*store, "{}").ok());
  fs_->SetSpaceLeft(0);
  ASSERT_EQ(AppendOne(*store, "{}").status().code(), StatusCode::kResourceExhausted);
  Status saved = store->SaveCursor("relay", GlobalPosition(1));
  EXPECT_FALSE(saved.ok());
  fs_->SetSpaceLeft(std::nullopt);
  ASSERT_TRUE(AppendOne(*store, "{}").ok());
  EXPECT_TRUE(store->SaveCursor("relay", GlobalPosition(2)).ok());
}

TEST_F(DiskFullTest, AResumeThatDoesNotReturnIsAbandonedAndTheStoreReopensItselfInPlace) {
  std::unique_ptr<EventStore> store = OpenStuckAfter(std::chrono::milliseconds(200));
  ASSERT_NE(store, nullptr);
  for (int i = 0; i < 3; ++i) ASSERT_TRUE(AppendOne(*store, "{}").ok());
  // A read in flight across the reopen keeps the database it started on.
  std::unique_ptr<EventIterator> reading = store->ReadAll(GlobalPosition(1));
  ASSERT_TRUE(reading->Valid());

  fs_->SetSpaceLeft(0);
  ASSERT_EQ(AppendOne(*store, "{}").status().code(), StatusCode::kResourceExhausted);
  // Space returns, but the flush of RocksDB's Resume() never finishes (as
  // when RocksDB 7.8 waits on a flush queued with no job to run it).
  fs_->HoldAppendsTo(".sst");
  fs_->SetSpaceLeft(std::nullopt);
  std::set<StatusCode> refusals;
  WaitFor([&] {
    Result<std::vector<RecordedEvent>> refused = AppendOne(*store, "{\"while\":\"stuck\"}");
    EXPECT_FALSE(refused.ok()) << "an append went through while Resume() hung";
    if (!refused.ok()) refusals.insert(refused.status().code());
    return store->Health().reason.rfind("resume_stuck", 0) == 0;
  }, "the store reports the Resume() stuck");
  EXPECT_GT(fs_->held_appends(), 0u) << "Resume()'s flush must be the write that hangs";
  for (StatusCode code : refusals) {
    EXPECT_TRUE(code == StatusCode::kResourceExhausted || code == StatusCode::kUnavailable) << static_cast<int>(code);
  }
  // The read that started before goes on to the end, on the old database
  // (which stays open while it is held: the reopen waits for it).
  std::size_t read_while_stuck = 0;
  for (; reading->Valid(); reading->Next()) ++read_while_stuck;
  EXPECT_TRUE(reading->status().ok()) << reading->status().ToString();
  EXPECT_EQ(read_while_stuck, 3u);

  fs_->HoldAppendsTo("");  // the hung flush ends
  reading.reset();         // the last reader lets go: the old database closes, the store reopens it
  Result<std::vector<RecordedEvent>> resumed = AppendOnceWritingResumes(*store, "{\"after\":true}", "the reopen");
  ASSERT_TRUE(resumed.ok()) << resumed.status().ToString();
  EXPECT_EQ(resumed->front().position, GlobalPosition(4)) << "refused appends leave no trace";
  const StoreHealth health = store->Health();
  EXPECT_EQ(health.state, StoreHealth::State::kOk) << health.reason;
  EXPECT_EQ(health.reopens, 1u);
  EXPECT_EQ(health.last_reopen_reason.rfind("reopened after a stuck resume", 0), 0u) << health.last_reopen_reason;
  EXPECT_EQ(health.last_reopen, clock_.Now());
  EXPECT_EQ(Drain(store->ReadStream(StreamId{"task-07"}, StreamVersion(1))).size(), 4u);
  EXPECT_TRUE(store->Verify().ok);
  store.reset();
  ExpectIntactAfterReopen(4);
}

TEST_F(DiskFullTest, AFailedWalSyncReopensTheStoreAndTheRefusedAppendIsNotInIt) {
  std::unique_ptr<EventStore> store = OpenStuckAfter(std::chrono::milliseconds(200));
  ASSERT_NE(store, nullptr);
  for (int i = 0; i < 3; ++i) ASSERT_TRUE(AppendOne(*store, "{}").ok());

  // The WAL record is written whole but its sync fails: the caller is refused.
  std::mt19937_64 random(7);
  const EventId refused_id = EventId::Random(random);
  fs_->FailSyncsTo(".log");
  Result<std::vector<RecordedEvent>> refused = AppendOne(*store, "{\"refused\":true}", refused_id);
  ASSERT_FALSE(refused.ok());
  fs_->FailSyncsTo("");
  // RocksDB does not resume from a failed WAL sync, so the store reopens the
  // database, whose recovery replays that WAL record.
  Result<std::vector<RecordedEvent>> after = AppendOnceWritingResumes(*store, "{\"after\":true}", "the reopen");
  ASSERT_TRUE(after.ok()) << after.status().ToString();
  const StoreHealth health = store->Health();
  EXPECT_EQ(health.reopens, 1u);
  EXPECT_EQ(health.last_reopen_reason.rfind("reopened after a write error RocksDB does not resume from", 0), 0u)
      << health.last_reopen_reason;

  // A refusal appends nothing: a client that was told "not stored" and sends
  // again without an event id would otherwise find its report twice.
  EXPECT_EQ(after->front().position, GlobalPosition(4));
  EXPECT_EQ(after->front().version, StreamVersion(4));
  Result<std::optional<RecordedEvent>> found = store->FindById(refused_id);
  ASSERT_TRUE(found.ok());
  EXPECT_FALSE(found->has_value()) << "the refused event is in the log";
  EXPECT_EQ(Drain(store->ReadStream(StreamId{"task-07"}, StreamVersion(1))).size(), 4u);
  EXPECT_TRUE(store->Verify().ok);
  store.reset();
  ExpectIntactAfterReopen(4);
}

// Four writers append while the disk fills (mid-record, at a seeded size)
// and empties again, round after round, over several seeds: every round
// writing resumes by itself, through Resume() or, when that does not return,
// by the store reopening its database in place; nothing acknowledged is lost.
TEST_F(DiskFullTest, WritersOnADiskThatFillsAndEmptiesLoseNothingAcknowledged) {
  constexpr std::uint64_t kFirstSeed = 20241101;
  constexpr int kSeeds = 24;
  constexpr int kRoundsPerSeed = 5;
  int rounds = 0;
  int by_resume = 0;
  int by_reopen = 0;
  int never_stopped = 0;  // rounds whose full disk stopped nothing (no write error reached the store)
  std::size_t acknowledged_total = 0;
  int refused_total = 0;
  int unavailable_total = 0;
  for (std::uint64_t seed = kFirstSeed; seed < kFirstSeed + kSeeds; ++seed) {
    SCOPED_TRACE("seed " + std::to_string(seed));
    const std::filesystem::path dir = dir_.path() / ("seed-" + std::to_string(seed));
    std::mt19937_64 random(seed);
    EventStoreOptions options = FaultOptions();
    options.dir = dir;
    options.resume_stuck_after = std::chrono::milliseconds(1000);
    Result<std::unique_ptr<EventStore>> opened = OpenEventStore(options);
    ASSERT_TRUE(opened.ok()) << opened.status().ToString();
    std::unique_ptr<EventStore> store = std::move(opened).value();
    std::mutex mu;
    std::set<std::string> acknowledged;
    std::atomic<int> refused{0};
    std::atomic<int> unavailable{0};
    std::atomic<int> acked_count{0};
    std::atomic<bool> stop{false};
    std::optional<std::string> unexpected;  // the first refusal that was neither disk_full nor unavailable
    std::optional<std::string> first_unavailable;
    std::vector<std::thread> writers;
    for (int w = 0; w < 4; ++w) {
      writers.emplace_back([&, w] {
        std::mt19937_64 ids(seed * 31 + w);
        while (!stop) {
          const EventId id = EventId::Random(ids);
          Result<std::vector<RecordedEvent>> stored =
              store->Append(StreamId{"task-0" + std::to_string(w + 1)}, std::nullopt, {Event("{\"w\":1}", id)});
          if (stored.ok()) {
            std::lock_guard lock(mu);
            acknowledged.insert(id.ToString());
            ++acked_count;
          } else if (stored.status().code() == StatusCode::kUnavailable) {
            ++unavailable;  // only while a stuck Resume() is abandoned and the database reopened
            std::lock_guard lock(mu);
            if (!first_unavailable) first_unavailable = stored.status().ToString();
          } else {
            ++refused;
            if (stored.status().code() != StatusCode::kResourceExhausted) {
              std::lock_guard lock(mu);  // reported once, after the writers stop
              if (!unexpected) unexpected = stored.status().ToString();
            }
          }
        }
      });
    }
    for (int round = 0; round < kRoundsPerSeed; ++round, ++rounds) {
      const std::uint64_t errors = fs_->no_space_errors();
      fs_->SetSpaceLeft(std::uniform_int_distribution<std::uint64_t>(0, 20000)(random));
      // Either a write meets the full disk, or the store has already stopped:
      // a flush or compaction that met the previous round's full disk can
      // report it only now. A stopped store writes nothing, and with less
      // than a megabyte free it rightly does not try to resume, so no write
      // may reach the disk in this round at all.
      const bool filled =
          WaitFor([&] { return fs_->no_space_errors() != errors || store->Health().state != StoreHealth::State::kOk; },
                  "a write hits the full disk or the store stops (round " + std::to_string(round) + ")");
      if (!filled) {
        ADD_FAILURE() << "while waiting: health " << store->Health().reason << ", " << acked_count
                      << " acknowledged, " << refused << " refused, " << unavailable << " unavailable so far";
      }
      fs_->SetSpaceLeft(std::nullopt);
      const int acked = acked_count;
      const StoreHealth before = store->Health();
      // No restart: writing must come back by itself, every round.
      const bool resumed = filled && WaitFor([&] { return acked_count != acked; },
                                             "an append is acknowledged after space returned (round " +
                                                 std::to_string(round) + "); health: " + store->Health().reason);
      if (!resumed) break;
      // A full disk met by a background flush or compaction alone may leave
      // appends going but the store degraded until its Resume() returns.
      WaitFor([&] { return store->Health().state == StoreHealth::State::kOk; },
              "health turns ok (round " + std::to_string(round) + "); health: " + store->Health().reason);
      const StoreHealth after = store->Health();
      if (after.reopens > before.reopens) {
        ++by_reopen;
      } else if (after.resumes > before.resumes) {
        ++by_resume;
      } else {
        ++never_stopped;
      }
    }
    stop = true;
    for (std::thread& writer : writers) writer.join();
    EXPECT_FALSE(unexpected.has_value()) << "an append was refused other than as disk_full: " << *unexpected;
    // A compaction that met the full disk may report it only after the
    // store had resumed: the store resumes again by itself.
    WaitFor([&] { return store->Health().state == StoreHealth::State::kOk; },
            "health turns ok after the last round; health: " + store->Health().reason);
    const StoreHealth health = store->Health();
    EXPECT_EQ(health.state, StoreHealth::State::kOk) << health.reason;
    if (health.reopens == 0) {
      EXPECT_EQ(unavailable.load(), 0) << "appends refused as unavailable while no reopen happened, first: "
                                       << first_unavailable.value_or("");
    }
    // The store as it runs, then as the next start finds it: every
    // acknowledged event once, positions gapless, the chain intact.
    for (int pass = 0; pass < 2; ++pass) {
      if (pass == 1) {
        store.reset();
        Result<std::unique_ptr<EventStore>> again = OpenEventStore(options);
        ASSERT_TRUE(again.ok()) << again.status().ToString();
        store = std::move(again).value();
      }
      std::set<std::string> stored;
      std::uint64_t position = 0;
      for (const RecordedEvent& event : Drain(store->ReadAll(GlobalPosition(1)))) {
        EXPECT_EQ(event.position.value, ++position);
        EXPECT_TRUE(stored.insert(event.id.ToString()).second) << "event stored twice: " << event.id.ToString();
      }
      for (const std::string& id : acknowledged) EXPECT_TRUE(stored.count(id)) << "acknowledged event lost: " << id;
      EXPECT_TRUE(store->Verify().ok);
    }
    acknowledged_total += acknowledged.size();
    refused_total += refused;
    unavailable_total += unavailable;
  }
  std::printf("[figure] disk full (seeds %llu..%llu, 4 writers): %d fills, every one resumed without a restart: "
              "%d by RocksDB's Resume(), %d by reopening the database in place after a stuck Resume(), %d where "
              "nothing had stopped; %zu appends acknowledged, %d refused with disk_full, %d refused as unavailable "
              "during reopens, 0 acknowledged lost\n",
              static_cast<unsigned long long>(kFirstSeed), static_cast<unsigned long long>(kFirstSeed + kSeeds - 1),
              rounds, by_resume, by_reopen, never_stopped, acknowledged_total, refused_total, unavailable_total);
}

}  // namespace
}  // namespace kuimen
