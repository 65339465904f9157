// A full disk, injected through FaultFs (ENOSPC on append, GetFreeSpace low):
// appends are refused with disk_full and leave no trace, reads go on, the
// store reports itself degraded, and writing resumes by itself once space
// returns, with nothing acknowledged lost.
#include <atomic>
#include <cstdio>
#include <functional>
#include <optional>
#include <set>
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

  Result<std::vector<RecordedEvent>> AppendOne(EventStore& store, const std::string& data,
                                              std::optional<EventId> id = std::nullopt) {
    return store.Append(StreamId{"task-07"}, std::nullopt, {Event(data, id)});
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
  std::optional<Result<std::vector<RecordedEvent>>> resumed;
  WaitFor([&] {
    resumed = AppendOne(*store, "{\"after\":true}");
    return resumed->ok();
  }, "an append succeeds after the flush's disk was freed");
  ASSERT_TRUE(resumed && resumed->ok()) << (resumed ? resumed->status().ToString() : "");
  EXPECT_EQ((*resumed)->front().position, GlobalPosition(4));
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

TEST_F(DiskFullTest, WritersOnADiskThatFillsAndEmptiesLoseNothingAcknowledged) {
  const std::uint64_t seed = 20241101;
  std::mt19937_64 random(seed);
  auto store = OpenFault();
  std::mutex mu;
  std::set<std::string> acknowledged;
  std::atomic<int> refused{0};
  std::atomic<int> unavailable{0};
  std::atomic<int> acked_count{0};
  std::atomic<bool> stop{false};
  std::optional<std::string> unexpected;  // the first refusal that was not disk_full
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
          ++unavailable;  // only while a stuck resume awaits a restart (below)
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
  auto stop_writers = [&] {
    stop = true;
    for (std::thread& writer : writers) writer.join();
    EXPECT_FALSE(unexpected.has_value()) << "an append was refused other than as disk_full: " << *unexpected;
  };
  bool resume_stuck = false;
  // Five rounds: let some appends through, fill the disk mid-record, free it.
  for (int round = 0; round < 5; ++round) {
    const std::uint64_t errors = fs_->no_space_errors();
    fs_->SetSpaceLeft(std::uniform_int_distribution<std::uint64_t>(0, 20000)(random));
    const bool filled = WaitFor([&] { return fs_->no_space_errors() != errors; },
                                "a write hits the full disk (round " + std::to_string(round) + ")");
    fs_->SetSpaceLeft(std::nullopt);
    const int acked = acked_count;
    auto stuck = [&] { return store->Health().reason.rfind("resume_stuck", 0) == 0; };
    const bool resumed =
        filled && WaitFor([&] { return acked_count != acked || stuck(); },
                          "an append is acknowledged after space returned (round " + std::to_string(round) +
                              "); health: " + store->Health().reason) &&
        !stuck();
    if (!resumed) {
      // Known limit (eventstore/README.md): RocksDB 7.8's Resume() can wait
      // for ever on a flush queued while a compaction hit the full disk. The
      // store then says resume_stuck and refuses appends as unavailable; a
      // restart (the reopen below) brings writing back. Anything else is a
      // failure.
      const std::string reason = store->Health().reason;
      stop_writers();
      ASSERT_EQ(reason.rfind("resume_stuck", 0), 0u)
          << "writing did not resume after the disk was freed; health now: " << reason;
      resume_stuck = true;
      std::printf("[known limit] round %d: resume stuck (%s); the store is reopened, as an operator restarts\n",
                  round, reason.c_str());
      break;
    }
  }
  if (!resume_stuck) {
    stop_writers();
    EXPECT_EQ(unavailable.load(), 0) << "appends refused as unavailable while writing resumed by itself";
  }
  store.reset();

  std::unique_ptr<EventStore> reopened = OpenFault();
  ASSERT_NE(reopened, nullptr);
  std::set<std::string> stored;
  std::uint64_t position = 0;
  for (const RecordedEvent& event : Drain(reopened->ReadAll(GlobalPosition(1)))) {
    EXPECT_EQ(event.position.value, ++position);
    EXPECT_TRUE(stored.insert(event.id.ToString()).second) << "event stored twice: " << event.id.ToString();
  }
  for (const std::string& id : acknowledged) EXPECT_TRUE(stored.count(id)) << "acknowledged event lost: " << id;
  EXPECT_TRUE(reopened->Verify().ok);
  // After the reopen the store takes writes again.
  EXPECT_TRUE(reopened->Append(StreamId{"task-09"}, std::nullopt, {Event("{\"w\":1}", std::nullopt)}).ok());
  std::printf("[figure] disk full (seed %llu): 5 fills%s, %zu appends acknowledged, %d refused with disk_full, "
              "%zu stored after reopen, 0 acknowledged lost\n",
              static_cast<unsigned long long>(seed), resume_stuck ? " (resume stuck, reopened)" : "",
              acknowledged.size(), refused.load(), stored.size());
}

}  // namespace
}  // namespace kuimen
