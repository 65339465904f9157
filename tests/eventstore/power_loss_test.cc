// Power loss, after RocksDB's own fault-injection tests: writers append with
// event ids until the machine stops at a seeded write; every write not yet
// synced is then dropped (FaultFs::SimulatePowerLoss), and the store is
// opened again on what is left. Every acknowledged event must be there
// exactly once, positions gapless, the chain intact, the open clean.
#include <algorithm>
#include <atomic>
#include <cstdlib>
#include <cstdio>
#include <map>
#include <mutex>
#include <random>
#include <thread>

#include <rocksdb/env.h>

#include "tests/eventstore/fault_fs.h"
#include "tests/eventstore/store_fixture.h"

namespace kuimen {
namespace {

constexpr int kSeeds = 100;
constexpr int kWriters = 4;
constexpr int kAppendsPerWriter = 25;

struct Outcome {
  std::size_t acknowledged = 0;
  std::size_t stored = 0;  // after the power loss; acknowledged ones and perhaps some in flight
};

class PowerLossTest : public testing::StoreTest {
 protected:
  Outcome RunSeed(std::uint64_t seed) {
    Outcome outcome;
    testing::TempDir dir;
    auto fs = std::make_shared<testing::FaultFs>();
    std::unique_ptr<rocksdb::Env> env = rocksdb::NewCompositeEnv(fs);
    EventStoreOptions options = Options();
    options.dir = dir.path() / "store";
    options.env = env.get();
    options.id_seed = seed;
    options.resume_retry_interval = std::chrono::hours(1);  // a stopped machine does not resume

    std::mt19937_64 random(seed);
    // Some seeds crash during a second session, after a reopen: recovery
    // itself (flushes, a new WAL, a new MANIFEST) is then under way too.
    const bool second_session = random() % 3 == 0;
    std::map<std::string, GlobalPosition> acknowledged;  // event id -> position
    if (second_session) {
      auto store = OpenEventStore(options);
      EXPECT_TRUE(store.ok()) << store.status().ToString();
      if (!store.ok()) return outcome;
      std::mt19937_64 ids(seed ^ 0x5eed);
      for (int i = 0; i < 10; ++i) {
        const EventId id = EventId::Random(ids);
        auto stored = (*store)->Append(StreamId{"task-09"}, std::nullopt, {Event("{}", id)});
        EXPECT_TRUE(stored.ok());
        if (stored.ok()) acknowledged[id.ToString()] = stored->front().position;
      }
    }
    fs->CrashAfterWrites(std::uniform_int_distribution<std::uint64_t>(0, 120)(random));
    {
      auto opened = OpenEventStore(options);
      if (opened.ok()) {
        std::unique_ptr<EventStore> store = std::move(opened).value();
        std::mutex mu;
        std::vector<std::thread> writers;
        for (int w = 0; w < kWriters; ++w) {
          writers.emplace_back([&, w] {
            std::mt19937_64 ids(seed * 977 + w);
            const StreamId stream{"task-0" + std::to_string(w + 1)};
            for (int i = 0; i < kAppendsPerWriter; ++i) {
              std::vector<ProposedEvent> events;
              const int count = 1 + static_cast<int>(ids() % 3);
              for (int e = 0; e < count; ++e) events.push_back(Event("{\"w\":" + std::to_string(w) + "}", EventId::Random(ids)));
              std::vector<ProposedEvent> sent = events;
              auto stored = store->Append(stream, std::nullopt, std::move(events));
              if (!stored.ok()) return;  // the machine has stopped
              std::lock_guard lock(mu);
              for (const RecordedEvent& event : *stored) acknowledged[event.id.ToString()] = event.position;
            }
          });
        }
        for (std::thread& writer : writers) writer.join();
        if (!fs->crashed()) fs->CrashAfterWrites(0);  // stop the machine before closing
      }
      // else: the machine stopped while the store was opening; nothing new was acknowledged.
    }
    fs->SimulatePowerLoss();

    auto reopened = OpenEventStore(options);
    EXPECT_TRUE(reopened.ok()) << "seed " << seed << ": " << reopened.status().ToString();
    if (!reopened.ok()) return outcome;
    EventStore& store = **reopened;
    VerifyReport report = store.Verify();
    EXPECT_TRUE(report.ok) << "seed " << seed << ": " << report.problem;
    std::map<std::string, GlobalPosition> stored;
    std::uint64_t position = 0;
    for (const RecordedEvent& event : Drain(store.ReadAll(GlobalPosition(1)))) {
      EXPECT_EQ(event.position.value, ++position) << "seed " << seed << ": positions must be gapless";
      EXPECT_TRUE(stored.emplace(event.id.ToString(), event.position).second)
          << "seed " << seed << ": event " << event.id.ToString() << " stored twice";
    }
    EXPECT_EQ(position, store.Head().position.value) << "seed " << seed;
    for (const auto& [id, at] : acknowledged) {
      auto found = stored.find(id);
      EXPECT_TRUE(found != stored.end()) << "seed " << seed << ": acknowledged event " << id << " at position "
                                         << at.value << " lost";
      if (found != stored.end()) {
        EXPECT_EQ(found->second, at) << "seed " << seed << ": event " << id << " moved";
      }
    }
    // The store takes appends again where it left off.
    auto next = store.Append(StreamId{"task-01"}, std::nullopt, {Event("{}")});
    EXPECT_TRUE(next.ok()) << "seed " << seed << ": " << next.status().ToString();
    if (next.ok()) {
      EXPECT_EQ(next->front().position.value, position + 1);
    }
    outcome.acknowledged = acknowledged.size();
    outcome.stored = stored.size();
    return outcome;
  }
};

TEST_F(PowerLossTest, EveryAcknowledgedEventSurvivesAPowerLossAtAnySeededMoment) {
  // KUIMEN_SEED=N replays one seed. Seeds run four at a time: each waits on
  // its own files, not on the processor.
  const std::uint64_t only = std::getenv("KUIMEN_SEED") ? std::stoull(std::getenv("KUIMEN_SEED")) : 0;
  std::atomic<std::uint64_t> next{only != 0 ? only : 1};
  const std::uint64_t last = only != 0 ? only : kSeeds;
  std::mutex mu;
  std::size_t acknowledged = 0, stored = 0;
  std::vector<std::uint64_t> failed;
  std::vector<std::thread> runners;
  for (int r = 0; r < 4; ++r) {
    runners.emplace_back([&] {
      for (std::uint64_t seed = next++; seed <= last; seed = next++) {
        SCOPED_TRACE("seed " + std::to_string(seed));
        const int failures_before = ::testing::UnitTest::GetInstance()->current_test_info()->result()->total_part_count();
        const Outcome outcome = RunSeed(seed);
        std::lock_guard lock(mu);
        acknowledged += outcome.acknowledged;
        stored += outcome.stored;
        if (::testing::UnitTest::GetInstance()->current_test_info()->result()->total_part_count() != failures_before) {
          failed.push_back(seed);
        }
      }
    });
  }
  for (std::thread& runner : runners) runner.join();
  if (!failed.empty()) {
    std::sort(failed.begin(), failed.end());
    std::printf("[figure] power loss: FAILED at seed %llu (replay with KUIMEN_SEED=%llu)\n",
                static_cast<unsigned long long>(failed.front()), static_cast<unsigned long long>(failed.front()));
    return;
  }
  std::printf("[figure] power loss: seeds %llu..%llu, %zu events acknowledged, %zu stored after the power losses, "
              "0 acknowledged lost, every reopen clean\n",
              static_cast<unsigned long long>(only != 0 ? only : 1), static_cast<unsigned long long>(last),
              acknowledged, stored);
}

}  // namespace
}  // namespace kuimen
