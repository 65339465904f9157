#pragma once

#include <gtest/gtest.h>

#include "eventstore/event_store.h"
#include "tests/support/temp_dir.h"

namespace kuimen::testing {

inline Timestamp At(std::int64_t seconds) {
  return Timestamp(std::chrono::seconds(seconds));
}

// A real RocksDB store in a fresh temporary directory, with a manual clock.
class StoreTest : public ::testing::Test {
 protected:
  StoreTest() : clock_(At(1730419200)) {}  // 2024-11-01T00:00:00Z

  EventStoreOptions Options() const {
    EventStoreOptions options;
    options.dir = dir_.path() / "store";
    options.clock = &clock_;
    options.id_seed = 42;
    return options;
  }

  std::unique_ptr<EventStore> Open() {
    Result<std::unique_ptr<EventStore>> store = OpenEventStore(Options());
    EXPECT_TRUE(store.ok()) << store.status().ToString();
    return store.ok() ? std::move(store).value() : nullptr;
  }

  static ProposedEvent Event(std::string data, std::optional<EventId> id = std::nullopt) {
    return ProposedEvent{id, "DeadlineSet", 1, Actor{"p-tf", Role::kTaskForce, ""}, std::move(data)};
  }

  static std::vector<RecordedEvent> Drain(std::unique_ptr<EventIterator> it) {
    std::vector<RecordedEvent> events;
    for (; it->Valid(); it->Next()) events.push_back(it->event());
    EXPECT_TRUE(it->status().ok()) << it->status().ToString();
    return events;
  }

  TempDir dir_;
  ManualClock clock_;
};

}  // namespace kuimen::testing
