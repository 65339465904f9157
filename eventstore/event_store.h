#pragma once

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "domain/clock.h"
#include "domain/ids.h"
#include "domain/status.h"
#include "eventstore/recorded_event.h"

namespace rocksdb {
class Env;
}

namespace kuimen {

// Walks events in order without loading them all. Not thread-safe; one reader each.
class EventIterator {
 public:
  virtual ~EventIterator() = default;
  virtual bool Valid() const = 0;
  // Precondition: Valid().
  virtual const RecordedEvent& event() const = 0;
  virtual void Next() = 0;
  // Non-OK when iteration stopped early on an error (then Valid() is false).
  virtual Status status() const = 0;
};

// The position and hash of the newest event (0 and all zeros when empty).
struct LogHead {
  GlobalPosition position;
  Sha256Digest hash{};
};

// Outcome of walking the hash chain.
struct VerifyReport {
  bool ok = true;
  std::uint64_t events = 0;       // events checked and found intact
  LogHead head;                   // the last intact event
  GlobalPosition bad_position;    // first position that does not match (when !ok)
  std::string problem;            // what did not match (when !ok)
};

// The store's condition, for /healthz and the operator.
struct StoreHealth {
  enum class State { kOk, kDegraded };
  // kDegraded while appends are refused (the disk is full, a write failed)
  // or after a checksum scrub found damage; reads go on either way.
  State state = State::kOk;
  // Why it is degraded: "disk_full: …", "write_error: …", "checksum: …".
  std::string reason;
  // When it became degraded (nullopt when ok).
  std::optional<Timestamp> since;

  // The last checksum scrub (Scrub()): when it finished, and what it found.
  std::optional<Timestamp> last_scrub;
  bool scrub_ok = true;
  std::string scrub_problem;

  // Since open: times writing came back after a failed write through
  // RocksDB's Resume(), and times the store reopened its database in place
  // instead (a Resume() that did not return), with the last one's time and
  // reason ("reopened after a stuck resume: …").
  std::uint64_t resumes = 0;
  std::uint64_t reopens = 0;
  std::optional<Timestamp> last_reopen;
  std::string last_reopen_reason;

  // Since open: groups the group commit wrote (one synced RocksDB write
  // each), the events in them, and the time their writes took (WAL write,
  // sync and memtable inserts). events / groups is the mean group size.
  std::uint64_t groups_written = 0;
  std::uint64_t events_written = 0;
  std::chrono::nanoseconds group_write_time{0};
};

// The source of truth: an append-only log of events in streams. Thread-safe.
class EventStore {
 public:
  virtual ~EventStore() = default;

  // Appends `events` to `stream` atomically and returns them as stored, once
  // they are durable (the WAL is synced; concurrent appends share one sync).
  // A failed append leaves no trace: positions stay gapless and the head does
  // not move. kResourceExhausted (cause kDiskFullCause) when the disk is full,
  // kUnavailable for other write failures; either way Health() turns degraded
  // and appends resume by themselves once the store can write again.
  // `expected`: the stream's current version must equal it (0 = empty stream),
  // else kAborted and nothing is written; nullopt appends at any version.
  // Idempotent: if every event carries an id that is already stored, returns
  // the stored events and writes nothing (whatever `expected` says), provided
  // each stored event is the same as proposed (stream, type, schema, actor,
  // data), else kEventIdReused; a batch mixing stored and new ids is
  // kInvalidArgument.
  virtual Result<std::vector<RecordedEvent>> Append(const StreamId& stream,
                                                    std::optional<StreamVersion> expected,
                                                    std::vector<ProposedEvent> events) = 0;

  // Events of `stream` with version >= from, in version order.
  virtual std::unique_ptr<EventIterator> ReadStream(const StreamId& stream, StreamVersion from) = 0;
  // Events of the whole log with position >= from, in position order, up to the
  // head at the time of the call.
  virtual std::unique_ptr<EventIterator> ReadAll(GlobalPosition from) = 0;

  // The stored event with this id, or nullopt.
  virtual Result<std::optional<RecordedEvent>> FindById(const EventId& id) = 0;

  virtual StreamVersion StreamHead(const StreamId& stream) const = 0;
  virtual LogHead Head() const = 0;

  // Recomputes every event's hash from position 1 and checks the chain and the
  // stored head. Reads everything; runs beside appends.
  virtual VerifyReport Verify() = 0;

  // Blocks until the head is past `position` or `timeout` passes, and returns
  // the head. For followers of the log (the Kafka relay).
  virtual LogHead WaitForHead(GlobalPosition position, std::chrono::milliseconds timeout) = 0;

  // Named positions kept beside the log, such as the Kafka relay's cursor.
  // Saved without a sync: losing the latest save repeats work, never skips it.
  virtual Result<GlobalPosition> LoadCursor(std::string_view name) = 0;
  virtual Status SaveCursor(std::string_view name, GlobalPosition position) = 0;

  // A follower (EventStoreOptions::follower_dir) reads what the writing
  // process has appended since it opened or last refreshed. OK and a no-op
  // for the writing process itself.
  virtual Status Refresh() = 0;

  // The store's condition now. Cheap; never blocks on I/O.
  virtual StoreHealth Health() const = 0;

  // Reads every stored file and checks its block checksums (RocksDB's
  // VerifyChecksum), records the outcome in Health(), and returns it:
  // kDataLoss naming the damaged file. Reads the whole store; runs beside
  // appends. The store also runs it in the background (scrub_interval).
  virtual Status Scrub() = 0;

  // Writes an openable copy of the store into `dest`, which must not exist (its
  // parent must), as of one moment during the call: it holds every event
  // acknowledged before the call and perhaps some appended during it, always a
  // prefix of the log with its head and cursors, never half a group commit.
  // Appends go on meanwhile. Files are hard-linked where `dest` is on the same
  // file system (no extra space until the store compacts them away), copied
  // otherwise. Errors: kFailedPrecondition for a read-only or follower store or
  // an existing `dest`; kUnavailable when the copy cannot be written (then
  // nothing is left at `dest`).
  virtual Status Checkpoint(const std::filesystem::path& dest) = 0;
};

struct EventStoreOptions {
  // Directory of the RocksDB database. Created when missing or empty; a
  // non-empty directory without a store is refused, never started afresh.
  std::filesystem::path dir;
  // Stamps recorded_at. Required; not owned; must outlive the store.
  const Clock* clock = nullptr;
  // File system and threads; nullptr = rocksdb::Env::Default(). Not owned.
  // Fault-injection tests pass a wrapper here.
  rocksdb::Env* env = nullptr;
  // Open for reading only (verify, backups, auditors); Append then fails.
  bool read_only = false;
  // Open as a follower of a store another process writes (RocksDB secondary
  // instance): read-only, sees new events after Refresh(). The directory holds
  // the follower's own small files; empty = not a follower.
  std::filesystem::path follower_dir;
  // Seed for the event ids the store draws; 0 = seed from std::random_device.
  std::uint64_t id_seed = 0;
  // Most events gathered into one group commit (one WriteBatch, one sync).
  std::size_t max_group_events = 8192;
  // After a failed write (a full disk), how often the writer tries to resume.
  std::chrono::milliseconds resume_retry_interval{2000};
  // A RocksDB Resume() that has not returned after this long is abandoned and
  // the database reopened in place (RocksDB 7.8 can wait for ever on a flush
  // queued while a compaction hit the full disk). Appends are refused meanwhile.
  std::chrono::milliseconds resume_stuck_after{10000};
  // A background checksum scrub (Scrub()) runs at this interval; zero = never
  // (the default: short-lived commands do not scrub; `serve` does). Only for
  // a store open for writing.
  std::chrono::milliseconds scrub_interval{0};
  // Scrub once in the background right after open too (default off).
  bool scrub_at_open = false;
  // For `kuimen salvage`, on a copy only: replay the WAL up to its first
  // damaged record and drop the rest (RocksDB's point-in-time recovery), where
  // a normal open refuses. Acknowledged events after the damage are lost.
  bool salvage = false;
  // For a read-only command that reads the log once, start to end (`kuimen
  // verify`): the replayed write-ahead log goes into unsorted memtables
  // (RocksDB's vector memtable), sorted once when first read, instead of a
  // skip-list insert per record. Each point read then sorts its family's
  // memtable again: for nothing that reads by key. Ignored unless read_only.
  bool single_scan = false;
};

// Opens or creates the store, with the directory's mode set to 0700 (files
// are created under the process's umask: the service sets 077).
//
// The write-ahead log is replayed with RocksDB's kTolerateCorruptedTailRecords
// and paranoid checks: a record cut short at the very end of the log (a crash
// mid-write, never acknowledged) is dropped, any other damage refuses the open.
// Errors: kFailedPrecondition for a directory of another format, kDataLoss for
// a corrupted store (the message names the file, and the offset where known,
// and the `kuimen restore` command that repairs it), kUnavailable when
// another process holds it, kInvalidArgument for bad options.
Result<std::unique_ptr<EventStore>> OpenEventStore(const EventStoreOptions& options);

}  // namespace kuimen
