// EventStore::Checkpoint: a copy taken while appends go on is a store of its own.
#include <atomic>
#include <thread>

#include "eventstore/event_store.h"
#include "tests/eventstore/store_fixture.h"

namespace kuimen {
namespace {

class CheckpointTest : public testing::StoreTest {
 protected:
  Result<std::unique_ptr<EventStore>> OpenCopy(const std::filesystem::path& dir) {
    EventStoreOptions options;
    options.dir = dir;
    options.clock = &clock_;
    options.read_only = true;
    return OpenEventStore(options);
  }
};

TEST_F(CheckpointTest, CopyTakenWhileAWriterAppendsOpensVerifiesAndHoldsAPrefixOfTheLog) {
  auto store = Open();
  ASSERT_TRUE(store->Append(StreamId{"task-01"}, std::nullopt, {Event("{\"n\":0}")}).ok());

  std::atomic<bool> stop = false;
  std::atomic<int> failures = 0;
  std::thread writer([&] {
    for (int n = 1; !stop.load(); ++n) {
      const StreamId stream{"task-" + std::string(n % 2 == 0 ? "02" : "03")};
      if (!store->Append(stream, std::nullopt, {Event("{\"n\":" + std::to_string(n) + "}")}).ok()) ++failures;
    }
  });
  // Take the copy mid-stream: once the writer has made some progress, not before.
  const LogHead before = store->WaitForHead(GlobalPosition(20), std::chrono::seconds(30));
  const std::filesystem::path copy_dir = dir_.path() / "copy";
  Status copied = store->Checkpoint(copy_dir);
  stop = true;
  writer.join();
  ASSERT_TRUE(copied.ok()) << copied.ToString();
  EXPECT_EQ(failures.load(), 0);

  auto copy = OpenCopy(copy_dir);
  ASSERT_TRUE(copy.ok()) << copy.status().ToString();
  const VerifyReport report = (*copy)->Verify();
  ASSERT_TRUE(report.ok) << report.problem;
  EXPECT_GE(report.head.position, before.position);  // everything acknowledged before the call
  EXPECT_EQ(report.head.position, (*copy)->Head().position);

  const std::vector<RecordedEvent> copied_log = Drain((*copy)->ReadAll(GlobalPosition(1)));
  const std::vector<RecordedEvent> live_log = Drain(store->ReadAll(GlobalPosition(1)));
  ASSERT_EQ(copied_log.size(), report.head.position.value);
  ASSERT_LE(copied_log.size(), live_log.size());
  for (std::size_t i = 0; i < copied_log.size(); ++i) {
    EXPECT_EQ(copied_log[i].hash, live_log[i].hash) << "position " << i + 1;
  }
  // Stream versions came along with the events.
  std::uint64_t task2_events = 0;
  for (const RecordedEvent& event : copied_log) task2_events += event.stream.value == "task-02" ? 1 : 0;
  EXPECT_EQ((*copy)->StreamHead(StreamId{"task-02"}), StreamVersion(task2_events));
}

TEST_F(CheckpointTest, CopyIsIndependentOfLaterAppends) {
  auto store = Open();
  ASSERT_TRUE(store->Append(StreamId{"task-01"}, std::nullopt, {Event("{}"), Event("{}")}).ok());
  ASSERT_TRUE(store->Checkpoint(dir_.path() / "copy").ok());
  ASSERT_TRUE(store->Append(StreamId{"task-01"}, std::nullopt, {Event("{}")}).ok());

  auto copy = OpenCopy(dir_.path() / "copy");
  ASSERT_TRUE(copy.ok()) << copy.status().ToString();
  EXPECT_EQ((*copy)->Head().position, GlobalPosition(2));
  EXPECT_EQ(store->Head().position, GlobalPosition(3));
}

TEST_F(CheckpointTest, RefusesAnExistingDestination) {
  auto store = Open();
  std::filesystem::create_directories(dir_.path() / "taken");
  EXPECT_EQ(store->Checkpoint(dir_.path() / "taken").code(), StatusCode::kFailedPrecondition);
}

TEST_F(CheckpointTest, RefusesAReadOnlyStore) {
  { auto store = Open(); }
  EventStoreOptions options = Options();
  options.read_only = true;
  auto store = OpenEventStore(options);
  ASSERT_TRUE(store.ok()) << store.status().ToString();
  EXPECT_EQ((*store)->Checkpoint(dir_.path() / "copy").code(), StatusCode::kFailedPrecondition);
  EXPECT_FALSE(std::filesystem::exists(dir_.path() / "copy"));
}

}  // namespace
}  // namespace kuimen
