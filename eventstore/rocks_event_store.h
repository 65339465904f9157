#pragma once

#include <condition_variable>
#include <deque>
#include <future>
#include <map>
#include <memory>
#include <mutex>
#include <random>
#include <shared_mutex>
#include <thread>
#include <unordered_map>

#include <rocksdb/db.h>

#include "eventstore/event_store.h"

namespace kuimen {

// EventStore on RocksDB (layout: eventstore/storage_format.h).
//
// Appends go through one writer thread: it takes every append waiting in the
// queue, checks versions and ids, assigns positions, chains hashes, and writes
// them all in one WriteBatch with one WAL sync (group commit). Callers block
// until their group is durable. Reads go to RocksDB directly, concurrently.
class RocksEventStore final : public EventStore {
 public:
  // Use OpenEventStore(); this is public for it alone.
  RocksEventStore(const EventStoreOptions& options, std::unique_ptr<rocksdb::DB> db,
                  std::vector<rocksdb::ColumnFamilyHandle*> families);
  ~RocksEventStore() override;

  // Reads the head and stream versions; checks them against the log's last record.
  // Called at open, and by a follower's Refresh().
  Status LoadState();

  Result<std::vector<RecordedEvent>> Append(const StreamId& stream,
                                            std::optional<StreamVersion> expected,
                                            std::vector<ProposedEvent> events) override;
  std::unique_ptr<EventIterator> ReadStream(const StreamId& stream, StreamVersion from) override;
  std::unique_ptr<EventIterator> ReadAll(GlobalPosition from) override;
  Result<std::optional<RecordedEvent>> FindById(const EventId& id) override;
  StreamVersion StreamHead(const StreamId& stream) const override;
  LogHead Head() const override;
  VerifyReport Verify() override;
  LogHead WaitForHead(GlobalPosition position, std::chrono::milliseconds timeout) override;
  Result<GlobalPosition> LoadCursor(std::string_view name) override;
  Status SaveCursor(std::string_view name, GlobalPosition position) override;
  Status Refresh() override;
  Status Checkpoint(const std::filesystem::path& dest) override;

 private:
  struct PendingAppend {
    StreamId stream;
    std::optional<StreamVersion> expected;
    std::vector<ProposedEvent> events;
    std::promise<Result<std::vector<RecordedEvent>>> done;
  };
  // State a group works on before it is durable; published only after the sync.
  struct GroupState {
    LogHead head;
    std::unordered_map<StreamId, StreamVersion> stream_heads;
    std::map<EventId, RecordedEvent> new_ids;
  };

  void WriterLoop();
  void CommitGroup(std::vector<PendingAppend*>& group);
  Result<std::vector<RecordedEvent>> Stage(PendingAppend& append, GroupState& group,
                                           rocksdb::WriteBatch& batch);
  // The stored or staged events for a retried append; nullopt if its ids are all new.
  Result<std::optional<std::vector<RecordedEvent>>> FindRetried(const PendingAppend& append,
                                                                const GroupState& group);
  Result<std::optional<RecordedEvent>> GetAt(const rocksdb::ReadOptions& read, GlobalPosition p);

  rocksdb::ColumnFamilyHandle* log() const { return families_[1]; }
  rocksdb::ColumnFamilyHandle* streams() const { return families_[2]; }
  rocksdb::ColumnFamilyHandle* heads() const { return families_[3]; }
  rocksdb::ColumnFamilyHandle* ids() const { return families_[4]; }
  rocksdb::ColumnFamilyHandle* meta() const { return families_[5]; }

  const EventStoreOptions options_;
  std::unique_ptr<rocksdb::DB> db_;
  std::vector<rocksdb::ColumnFamilyHandle*> families_;  // order: see FamilyNames()

  // Published state: what is durable. Written by the writer thread only.
  mutable std::shared_mutex state_mu_;
  std::condition_variable_any head_cv_;  // signalled when head_ moves
  LogHead head_;
  std::unordered_map<StreamId, StreamVersion> stream_heads_;

  // The queue of appends waiting for the writer.
  std::mutex queue_mu_;
  std::condition_variable queue_cv_;
  std::deque<PendingAppend*> queue_;
  bool stopping_ = false;

  std::mt19937_64 random_;  // writer thread only
  std::thread writer_;
};

// Column family names in the order RocksEventStore expects its handles.
std::vector<std::string> FamilyNames();

}  // namespace kuimen
