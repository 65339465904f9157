#pragma once

#include <atomic>
#include <condition_variable>
#include <deque>
#include <future>
#include <map>
#include <memory>
#include <mutex>
#include <shared_mutex>
#include <thread>
#include <unordered_map>

#include <rocksdb/db.h>
#include <rocksdb/listener.h>

#include "eventstore/answer_slot.h"
#include "eventstore/event_store.h"

namespace kuimen {

// The store's health, written by the writer thread, the scrubber and RocksDB's
// background threads (through StoreListener), read by Health(). Thread-safe.
class HealthBoard {
 public:
  // Appends fail: `reason` says why. Keeps the first `since`.
  void WriteFailed(std::string reason, Timestamp now);
  void WritesResumed();
  // Writing came back through RocksDB's Resume() / by reopening the database
  // in place (`reason` says why it was reopened). Counted for Health().
  void ResumedByResume();
  void Reopened(std::string reason, Timestamp now);
  bool writes_failing() const;
  // A group of `events` was written and synced in `took` (sync thread).
  void GroupWritten(std::size_t events, std::chrono::steady_clock::duration took);
  void Scrubbed(Timestamp at, Status outcome);
  StoreHealth Get() const;

  // Set when the "default" family was flushed: the WAL anchor must be written again.
  std::atomic<bool> anchor_needed{true};

 private:
  mutable std::mutex mu_;
  std::optional<std::string> write_problem_;
  std::optional<Timestamp> write_problem_since_;
  std::optional<Timestamp> last_scrub_;
  Status scrub_outcome_;
  std::optional<Timestamp> scrub_failed_since_;
  std::uint64_t resumes_ = 0;
  std::uint64_t reopens_ = 0;
  std::optional<Timestamp> last_reopen_;
  std::string last_reopen_reason_;
  std::atomic<std::uint64_t> groups_written_{0};
  std::atomic<std::uint64_t> events_written_{0};
  std::atomic<std::int64_t> group_write_nanos_{0};
};

// One open RocksDB database with its column family handles (order:
// FamilyNames()). Destroying it destroys the handles and closes the database;
// closed() is ready after that. The store hands out shared references to it:
// a read or an iterator keeps the database it started on open, so the store
// can reopen its database under them without a use-after-free.
class OpenRocksDb {
 public:
  OpenRocksDb(std::string dir, std::unique_ptr<rocksdb::DB> db, std::vector<rocksdb::ColumnFamilyHandle*> families,
              bool writable);
  ~OpenRocksDb();
  OpenRocksDb(const OpenRocksDb&) = delete;
  OpenRocksDb& operator=(const OpenRocksDb&) = delete;

  rocksdb::DB& db() const { return *db_; }
  // False for a database opened read-only (also after a failed reopen, so
  // that reads go on while writing waits for the next attempt).
  bool writable() const { return writable_; }
  rocksdb::ColumnFamilyHandle* family(std::size_t i) const { return families_[i]; }
  rocksdb::ColumnFamilyHandle* log() const { return families_[1]; }
  rocksdb::ColumnFamilyHandle* streams() const { return families_[2]; }
  rocksdb::ColumnFamilyHandle* heads() const { return families_[3]; }
  rocksdb::ColumnFamilyHandle* ids() const { return families_[4]; }
  rocksdb::ColumnFamilyHandle* meta() const { return families_[5]; }
  const std::vector<rocksdb::ColumnFamilyHandle*>& families() const { return families_; }
  // Ready once the database is closed (the last reference went).
  std::shared_future<void> closed() const { return closed_future_; }

 private:
  const std::string dir_;
  std::unique_ptr<rocksdb::DB> db_;
  std::vector<rocksdb::ColumnFamilyHandle*> families_;
  const bool writable_;
  std::promise<void> closed_;
  std::shared_future<void> closed_future_;
};

// Opens the RocksDB database of a store (creating it when the directory holds
// none and `options` allow): the WAL scan, the recovery mode, paranoid checks,
// the column families and the format marker (open_event_store.cc). The one
// open path, for OpenEventStore and for the store reopening itself. `board`
// hears the database's background errors and flushes.
Result<std::unique_ptr<OpenRocksDb>> OpenRocksDatabase(const EventStoreOptions& options,
                                                       const std::shared_ptr<HealthBoard>& board);

// Hears RocksDB's background errors and flushes for the store. Installed in
// the DBOptions at open. RocksDB's own error recovery is switched off: the
// store's writer resumes (it must write the WAL anchor first).
class StoreListener final : public rocksdb::EventListener {
 public:
  StoreListener(std::shared_ptr<HealthBoard> board, const Clock& clock) : board_(std::move(board)), clock_(clock) {}
  void OnBackgroundError(rocksdb::BackgroundErrorReason reason, rocksdb::Status* error) override;
  void OnErrorRecoveryBegin(rocksdb::BackgroundErrorReason reason, rocksdb::Status error,
                            bool* auto_recovery) override;
  void OnFlushCompleted(rocksdb::DB* db, const rocksdb::FlushJobInfo& info) override;

 private:
  std::shared_ptr<HealthBoard> board_;
  const Clock& clock_;
};

// EventStore on RocksDB (layout: eventstore/storage_format.h).
//
// Appends go through one writer thread: it takes every append waiting in the
// queue, checks versions and ids, assigns positions, chains hashes, and builds
// one WriteBatch for them all (staging); a sync thread writes it with one WAL
// sync (group commit). The commit is pipelined: while one group is written
// and synced, the writer stages the next one against the state that includes
// the group in flight, so the disk is never idle while appenders wait. Callers
// block until their group is durable; a group whose predecessor failed is
// refused too and appends nothing. Reads go to RocksDB directly, concurrently,
// each holding the OpenRocksDb it started on. After a failed write the writer
// resumes through RocksDB's Resume(), or, when that does not return within
// resume_stuck_after, reopens the database in place (StartReopen).
class RocksEventStore final : public EventStore {
 public:
  // Use OpenEventStore(); this is public for it alone.
  RocksEventStore(const EventStoreOptions& options, std::unique_ptr<OpenRocksDb> db,
                  std::shared_ptr<HealthBoard> board);
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
  StoreHealth Health() const override;
  Status Scrub() override;

 private:
  struct PendingAppend {
    StreamId stream;
    std::optional<StreamVersion> expected;
    std::vector<ProposedEvent> events;
    AnswerSlot<Result<std::vector<RecordedEvent>>> done;
  };
  // State a group works on before it is durable; published only after the sync.
  struct GroupState {
    LogHead head;
    std::unordered_map<StreamId, StreamVersion> stream_heads;
    std::map<EventId, RecordedEvent> new_ids;
  };
  // One group of appends on its way: staged by the writer thread, then
  // written and synced by the sync thread, then published and acknowledged
  // by the writer thread.
  struct Group {
    std::shared_ptr<OpenRocksDb> db;
    std::vector<PendingAppend*> appends;
    std::vector<Result<std::vector<RecordedEvent>>> outcomes;
    GroupState state;
    rocksdb::WriteBatch batch;
    std::size_t events = 0;      // proposed events taken (for max_group_events)
    // The index entries of the staged events, (key, position key): put into
    // the batch by Dispatch() in key order (see there).
    std::vector<std::pair<std::string, std::string>> stream_keys;
    std::vector<std::pair<std::string, std::string>> id_keys;
    rocksdb::Status written;     // set by the sync thread
    std::chrono::steady_clock::duration write_time{};  // set by the sync thread
  };

  // What the database holds: the head and every stream's version.
  struct StoredState {
    LogHead head;
    std::unordered_map<StreamId, StreamVersion> stream_heads;
    std::optional<RecordedEvent> last;  // the event at the head
  };

  // The database now, waiting (bounded) while the writer reopens it; nullptr
  // when none came in time. For readers.
  std::shared_ptr<OpenRocksDb> Db() const;
  // The database now, never waiting (nullptr while it is being reopened).
  std::shared_ptr<OpenRocksDb> CurrentDb() const;
  Result<StoredState> ReadState(const OpenRocksDb& db) const;
  // Deletes the events a reopened database holds past the acknowledged head
  // (refused appends whose WAL records had reached the file), and moves
  // `state` back to it. Synced.
  Status DropUnacknowledged(OpenRocksDb& db, const LogHead& acknowledged, StoredState& state);

  void WriterLoop();
  void ScrubLoop();
  // After a failed write: RocksDB's Resume(), at most once per retry interval.
  void TryResume();
  // Reopening the database in place, when a Resume() has not returned:
  // abandons the Resume() (cancelling background work wakes it), unpublishes
  // the database and lets the last reader close it; FinishReopen() then opens
  // it again through OpenRocksDatabase and checks it against what was
  // acknowledged. Writer thread only.
  void StartReopen(std::string reason);
  void FinishReopen();
  // Writes kWalAnchorKey if a flush took it away.
  void PutAnchor(OpenRocksDb& db);
  void SyncLoop();
  // Stages `taken` into staged_ (a new group if none), against the state
  // that includes the group in flight. Refuses them at once when the store
  // cannot write. Writer thread only.
  void StageAppends(std::vector<PendingAppend*>& taken);
  // Hands staged_ to the sync thread (nothing may be in flight); a group with
  // nothing to write (refusals, retries of stored events) is answered at once.
  void Dispatch();
  // The group in flight came back from the sync thread: publishes and
  // acknowledges it, or refuses it and the staged group built on it.
  void Finish(std::unique_ptr<Group> group);
  // Answers every append of `group` with its outcome (or with `refused`).
  static void Answer(Group& group, const Status* refused = nullptr);
  Result<std::vector<RecordedEvent>> Stage(OpenRocksDb& db, PendingAppend& append, Group& group);
  // The stored or staged events for a retried append; nullopt if its ids are all new.
  Result<std::optional<std::vector<RecordedEvent>>> FindRetried(OpenRocksDb& db, const PendingAppend& append,
                                                                const GroupState& group);
  // A stream's version as the staged group sees it: staged, in flight, or published.
  StreamVersion StagedVersion(const StreamId& stream, const GroupState& group) const;
  static Result<std::optional<RecordedEvent>> FindIn(OpenRocksDb& db, const EventId& id);
  static Result<std::optional<RecordedEvent>> GetAt(OpenRocksDb& db, const rocksdb::ReadOptions& read,
                                                    GlobalPosition p);

  const EventStoreOptions options_;
  // The open database; nullptr while the writer reopens it. Readers take a
  // reference (Db()); db_cv_ is signalled when a database is published.
  mutable std::mutex db_mu_;
  mutable std::condition_variable db_cv_;
  std::shared_ptr<OpenRocksDb> db_;

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
  // The pipeline (under queue_mu_): the group handed to the sync thread, and
  // whether its write has returned. sync_cv_ wakes the sync thread.
  std::condition_variable sync_cv_;
  Group* sync_job_ = nullptr;
  bool sync_done_ = false;
  bool sync_stopping_ = false;
  std::size_t gather_until_ = 0;
  // Writer thread only: the group being written and synced, and the next
  // group, staged on top of it.
  std::unique_ptr<Group> inflight_;
  std::unique_ptr<Group> staged_;

  TimeOrderedIds ids_;  // writer thread only
  std::chrono::steady_clock::time_point last_resume_attempt_;  // writer thread only
  // Failed Resume() calls: logged at most once per kResumeLogEvery.
  std::chrono::steady_clock::time_point last_resume_log_;      // writer thread only
  std::uint64_t failed_resumes_ = 0;                           // since the last log line
  // DB::Resume() runs on its own thread: in RocksDB 7.8 it can wait forever
  // for a flush that was queued but never scheduled (a flush job that started
  // while background work was stopped by the error leaves its request queued
  // with no job to run it). The writer waits for it only a bounded time, so
  // appends are refused (not hung) while it is stuck. Writer thread only.
  std::future<rocksdb::Status> resume_;
  std::chrono::steady_clock::time_point resume_started_;
  bool resume_stuck_reported_ = false;
  std::string resume_stuck_reason_;
  // A reopen in progress: the old database's close, which waits for the
  // readers still holding it. Writer thread only.
  std::shared_future<void> closing_;
  // Lets go of the old database on a thread of its own: closing waits for
  // RocksDB's background jobs, which a hung disk may hold up.
  std::future<void> closer_;
  std::chrono::steady_clock::time_point closing_since_;
  bool closing_reported_ = false;
  std::string reopen_reason_;
  // Set when a reopen could not open for writing: tried again every retry interval.
  bool reopen_pending_ = false;
  // Set when the reopened database did not hold what was acknowledged:
  // appends are refused for good (kDataLoss); an operator must look.
  std::string data_loss_;

  std::shared_ptr<HealthBoard> board_;
  // The background scrub; stopped before the database closes.
  std::mutex scrub_mu_;
  std::condition_variable scrub_cv_;
  bool scrub_stopping_ = false;
  std::thread scrubber_;

  std::thread writer_;
  std::thread syncer_;
};

// Column family names in the order RocksEventStore expects its handles.
std::vector<std::string> FamilyNames();

}  // namespace kuimen
