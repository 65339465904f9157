#include "eventstore/event_store.h"

#include <random>
#include <set>
#include <thread>

#include "eventstore/sha256.h"
#include "eventstore/storage_format.h"
#include "tests/eventstore/store_fixture.h"

namespace kuimen {
namespace {

using testing::At;

class EventStoreTest : public testing::StoreTest {};

const StreamId kTask7{"task-07"};
const StreamId kTask9{"task-09"};

TEST_F(EventStoreTest, AppendAssignsVersionsPositionsTimeAndChainedHashes) {
  auto store = Open();
  auto first = store->Append(kTask7, StreamVersion(0), {Event("{\"a\":1}"), Event("{\"a\":2}")});
  ASSERT_TRUE(first.ok()) << first.status().ToString();
  clock_.Set(At(1730419260));
  auto second = store->Append(kTask9, std::nullopt, {Event("{\"b\":1}")});
  ASSERT_TRUE(second.ok()) << second.status().ToString();

  ASSERT_EQ(first->size(), 2u);
  EXPECT_EQ((*first)[0].version, StreamVersion(1));
  EXPECT_EQ((*first)[1].version, StreamVersion(2));
  EXPECT_EQ((*first)[0].position, GlobalPosition(1));
  EXPECT_EQ((*first)[1].position, GlobalPosition(2));
  EXPECT_EQ((*second)[0].version, StreamVersion(1));
  EXPECT_EQ((*second)[0].position, GlobalPosition(3));
  EXPECT_EQ((*first)[0].recorded_at, At(1730419200));
  EXPECT_EQ((*second)[0].recorded_at, At(1730419260));

  EXPECT_EQ((*first)[0].prev_hash, Sha256Digest{});
  EXPECT_EQ((*first)[1].prev_hash, (*first)[0].hash);
  EXPECT_EQ((*second)[0].prev_hash, (*first)[1].hash);
  EXPECT_EQ((*first)[0].hash, Sha256(storage::EncodeCanonical((*first)[0])));

  EXPECT_EQ(store->Head().position, GlobalPosition(3));
  EXPECT_EQ(store->Head().hash, (*second)[0].hash);
  EXPECT_EQ(store->StreamHead(kTask7), StreamVersion(2));
  EXPECT_EQ(store->StreamHead(StreamId{"task-01"}), StreamVersion(0));
}

TEST_F(EventStoreTest, StaleExpectedVersionIsAConflictAndWritesNothing) {
  auto store = Open();
  ASSERT_TRUE(store->Append(kTask7, StreamVersion(0), {Event("{}")}).ok());
  auto stale = store->Append(kTask7, StreamVersion(0), {Event("{\"late\":true}")});
  EXPECT_EQ(stale.status().code(), StatusCode::kAborted);
  EXPECT_EQ(stale.status().subject(), "expected_version");
  EXPECT_EQ(store->Head().position, GlobalPosition(1));
  EXPECT_EQ(Drain(store->ReadAll(GlobalPosition(1))).size(), 1u);
}

TEST_F(EventStoreTest, ResentEventIdReturnsTheStoredEventNotACopy) {
  auto store = Open();
  const EventId id = *EventId::Parse("0b6c4a1e-8f3d-4c1a-9e2b-7d5f3a2c1b00");
  auto first = store->Append(kTask7, StreamVersion(0), {Event("{\"x\":1}", id)});
  ASSERT_TRUE(first.ok());
  // The retry arrives after another event, with a now-stale expected version.
  ASSERT_TRUE(store->Append(kTask7, std::nullopt, {Event("{\"y\":2}")}).ok());
  auto retry = store->Append(kTask7, StreamVersion(0), {Event("{\"x\":1}", id)});
  ASSERT_TRUE(retry.ok()) << retry.status().ToString();
  EXPECT_EQ((*retry)[0].position, (*first)[0].position);
  EXPECT_EQ((*retry)[0].hash, (*first)[0].hash);
  EXPECT_EQ(store->Head().position, GlobalPosition(2));

  auto found = store->FindById(id);
  ASSERT_TRUE(found.ok());
  ASSERT_TRUE(found->has_value());
  EXPECT_EQ((*found)->position, GlobalPosition(1));
}

TEST_F(EventStoreTest, EventIdUsedInAnotherStreamIsRefused) {
  auto store = Open();
  const EventId id = *EventId::Parse("0b6c4a1e-8f3d-4c1a-9e2b-7d5f3a2c1b01");
  ASSERT_TRUE(store->Append(kTask7, std::nullopt, {Event("{}", id)}).ok());
  auto other = store->Append(kTask9, std::nullopt, {Event("{}", id)});
  EXPECT_EQ(other.status().code(), StatusCode::kEventIdReused);
  EXPECT_EQ(other.status().subject(), "event_id");
  EXPECT_EQ(store->Head().position, GlobalPosition(1));
}

TEST_F(EventStoreTest, EventIdResentWithOtherDataIsRefused) {
  auto store = Open();
  const EventId id = *EventId::Parse("0b6c4a1e-8f3d-4c1a-9e2b-7d5f3a2c1b02");
  ASSERT_TRUE(store->Append(kTask7, std::nullopt, {Event("{\"x\":1}", id)}).ok());
  auto other = store->Append(kTask7, std::nullopt, {Event("{\"x\":2}", id)});
  EXPECT_EQ(other.status().code(), StatusCode::kEventIdReused);
  EXPECT_EQ(other.status().subject(), "event_id");
  EXPECT_EQ(store->Head().position, GlobalPosition(1));
}

TEST_F(EventStoreTest, ReadsAStreamFromAVersionAndTheLogFromAPosition) {
  auto store = Open();
  for (int i = 0; i < 5; ++i) {
    ASSERT_TRUE(store->Append(i % 2 == 0 ? kTask7 : kTask9, std::nullopt, {Event("{\"i\":" + std::to_string(i) + "}")}).ok());
  }
  std::vector<RecordedEvent> task7 = Drain(store->ReadStream(kTask7, StreamVersion(2)));
  ASSERT_EQ(task7.size(), 2u);
  EXPECT_EQ(task7[0].version, StreamVersion(2));
  EXPECT_EQ(task7[0].data, "{\"i\":2}");
  EXPECT_EQ(task7[1].data, "{\"i\":4}");

  std::vector<RecordedEvent> tail = Drain(store->ReadAll(GlobalPosition(4)));
  ASSERT_EQ(tail.size(), 2u);
  EXPECT_EQ(tail[0].position, GlobalPosition(4));
  EXPECT_EQ(tail[1].position, GlobalPosition(5));
  EXPECT_TRUE(Drain(store->ReadStream(StreamId{"task-1"}, StreamVersion(1))).empty());
}

TEST_F(EventStoreTest, EverythingSurvivesCloseAndReopen) {
  EventId id;
  {
    auto store = Open();
    auto stored = store->Append(kTask7, std::nullopt, {Event("{\"n\":1}"), Event("{\"n\":2}")});
    ASSERT_TRUE(stored.ok());
    id = (*stored)[1].id;
  }
  auto store = Open();
  EXPECT_EQ(store->Head().position, GlobalPosition(2));
  EXPECT_EQ(store->StreamHead(kTask7), StreamVersion(2));
  auto found = store->FindById(id);
  ASSERT_TRUE(found.ok() && found->has_value());
  EXPECT_EQ((*found)->data, "{\"n\":2}");
  auto next = store->Append(kTask7, StreamVersion(2), {Event("{\"n\":3}")});
  ASSERT_TRUE(next.ok()) << next.status().ToString();
  EXPECT_EQ((*next)[0].position, GlobalPosition(3));
  EXPECT_TRUE(store->Verify().ok);
}

// Stream versions and the head are updated in place in their memtables, and
// ids sit in hash buckets (open_event_store.cc): what a flush writes out of
// them must be the latest of each, found again after a reopen.
// The store makes time-ordered ids (version 7, RFC 9562); a client's id is
// kept as given, and random version 4 ids (what earlier releases made) are
// found and recognised as retries beside them, before and after a reopen.
TEST_F(EventStoreTest, StoreMadeIdsAreTimeOrderedBesideRandomIdsOfEarlierReleases) {
  std::mt19937_64 random(3);
  const EventId earlier_release = EventId::Random(random);
  std::vector<EventId> made;
  {
    auto store = Open();
    auto old = store->Append(kTask7, std::nullopt, {Event("{\"old\":1}", earlier_release)});
    ASSERT_TRUE(old.ok()) << old.status().ToString();
    EXPECT_EQ((*old)[0].id, earlier_release);
    for (int i = 0; i < 3; ++i) {
      auto stored = store->Append(kTask9, std::nullopt, {Event("{\"i\":" + std::to_string(i) + "}")});
      ASSERT_TRUE(stored.ok()) << stored.status().ToString();
      made.push_back((*stored)[0].id);
      EXPECT_EQ(made.back().ToString()[14], '7');
      EXPECT_EQ(made.back().ToString().substr(0, 13), "0192e505-9000");  // 2024-11-01T00:00:00Z in ms
    }
    EXPECT_LT(made[0], made[1]);
    EXPECT_LT(made[1], made[2]);
  }
  auto store = Open();
  auto found = store->FindById(earlier_release);
  ASSERT_TRUE(found.ok() && found->has_value());
  EXPECT_EQ((*found)->position, GlobalPosition(1));
  for (std::size_t i = 0; i < made.size(); ++i) {
    auto by_id = store->FindById(made[i]);
    ASSERT_TRUE(by_id.ok() && by_id->has_value()) << i;
    EXPECT_EQ((*by_id)->position, GlobalPosition(i + 2));
  }
  auto retried = store->Append(kTask7, std::nullopt, {Event("{\"old\":1}", earlier_release)});
  ASSERT_TRUE(retried.ok()) << retried.status().ToString();
  EXPECT_EQ((*retried)[0].position, GlobalPosition(1));
  auto next = store->Append(kTask9, std::nullopt, {Event("{}")});
  ASSERT_TRUE(next.ok()) << next.status().ToString();
  EXPECT_LT(made.back(), (*next)[0].id);
  EXPECT_EQ(store->Head().position, GlobalPosition(5));
}

TEST_F(EventStoreTest, VersionsHeadAndIdsReadBackFromAFlushedCopyAfterManyOverwrites) {
  std::vector<EventId> ids;
  {
    auto store = Open();
    for (int i = 0; i < 30; ++i) {
      auto stored = store->Append(i % 3 == 0 ? kTask9 : kTask7, std::nullopt, {Event("{\"i\":" + std::to_string(i) + "}")});
      ASSERT_TRUE(stored.ok()) << stored.status().ToString();
      ids.push_back((*stored)[0].id);
    }
    // A checkpoint flushes every family first, so the copy holds no WAL to replay.
    ASSERT_TRUE(store->Checkpoint(dir_.path() / "flushed").ok());
  }
  EventStoreOptions options = Options();
  options.dir = dir_.path() / "flushed";
  Result<std::unique_ptr<EventStore>> copy = OpenEventStore(options);
  ASSERT_TRUE(copy.ok()) << copy.status().ToString();
  EXPECT_EQ((*copy)->Head().position, GlobalPosition(30));
  EXPECT_EQ((*copy)->StreamHead(kTask7), StreamVersion(20));
  EXPECT_EQ((*copy)->StreamHead(kTask9), StreamVersion(10));
  for (std::size_t i = 0; i < ids.size(); ++i) {
    auto found = (*copy)->FindById(ids[i]);
    ASSERT_TRUE(found.ok() && found->has_value()) << i;
    EXPECT_EQ((*found)->position, GlobalPosition(i + 1));
  }
  auto next = (*copy)->Append(kTask9, StreamVersion(10), {Event("{}")});
  ASSERT_TRUE(next.ok()) << next.status().ToString();
  EXPECT_EQ((*next)[0].position, GlobalPosition(31));
  EXPECT_TRUE((*copy)->Verify().ok);
}

TEST_F(EventStoreTest, ConcurrentWritersLeaveNoGapAndNoDuplicate) {
  auto store = Open();
  constexpr int kWriters = 4;
  constexpr int kAppendsEach = 150;
  std::vector<std::thread> writers;
  for (int w = 0; w < kWriters; ++w) {
    writers.emplace_back([&store, w] {
      const StreamId stream{"task-0" + std::to_string(w + 1)};
      for (int i = 0; i < kAppendsEach; ++i) {
        auto stored = store->Append(stream, StreamVersion(i), {Event("{\"w\":" + std::to_string(w) + "}")});
        ASSERT_TRUE(stored.ok()) << stored.status().ToString();
      }
    });
  }
  for (std::thread& writer : writers) writer.join();

  std::vector<RecordedEvent> all = Drain(store->ReadAll(GlobalPosition(1)));
  ASSERT_EQ(all.size(), static_cast<size_t>(kWriters * kAppendsEach));
  std::set<EventId> ids;
  for (size_t i = 0; i < all.size(); ++i) {
    EXPECT_EQ(all[i].position, GlobalPosition(i + 1));  // gapless, in order
    ids.insert(all[i].id);
  }
  EXPECT_EQ(ids.size(), all.size());  // no duplicate
  for (int w = 0; w < kWriters; ++w) {
    std::vector<RecordedEvent> stream = Drain(store->ReadStream(StreamId{"task-0" + std::to_string(w + 1)}, StreamVersion(1)));
    ASSERT_EQ(stream.size(), static_cast<size_t>(kAppendsEach));
    for (size_t i = 0; i < stream.size(); ++i) EXPECT_EQ(stream[i].version, StreamVersion(i + 1));
  }
  VerifyReport report = store->Verify();
  EXPECT_TRUE(report.ok) << report.problem;
  EXPECT_EQ(report.events, static_cast<std::uint64_t>(kWriters * kAppendsEach));
}

TEST_F(EventStoreTest, ConcurrentWritersOnOneStreamConflictRatherThanInterleave) {
  auto store = Open();
  std::atomic<int> accepted = 0, conflicts = 0;
  std::vector<std::thread> writers;
  for (int w = 0; w < 4; ++w) {
    writers.emplace_back([&] {
      auto stored = store->Append(kTask7, StreamVersion(0), {Event("{}")});
      (stored.ok() ? accepted : conflicts)++;
      if (!stored.ok()) {
        EXPECT_EQ(stored.status().code(), StatusCode::kAborted);
      }
    });
  }
  for (std::thread& writer : writers) writer.join();
  EXPECT_EQ(accepted.load(), 1);
  EXPECT_EQ(conflicts.load(), 3);
}

TEST_F(EventStoreTest, EmptyAppendIsInvalid) {
  auto store = Open();
  EXPECT_EQ(store->Append(kTask7, std::nullopt, {}).status().code(), StatusCode::kInvalidArgument);
}

TEST_F(EventStoreTest, ReadOnlyStoreRefusesAppendsButReads) {
  { ASSERT_TRUE(Open()->Append(kTask7, std::nullopt, {Event("{}")}).ok()); }
  EventStoreOptions options = Options();
  options.read_only = true;
  auto store = OpenEventStore(options);
  ASSERT_TRUE(store.ok()) << store.status().ToString();
  EXPECT_EQ((*store)->Append(kTask7, std::nullopt, {Event("{}")}).status().code(), StatusCode::kFailedPrecondition);
  EXPECT_EQ(Drain((*store)->ReadAll(GlobalPosition(1))).size(), 1u);
}

}  // namespace
}  // namespace kuimen
