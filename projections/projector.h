#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <filesystem>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "domain/clock.h"
#include "eventstore/event_store.h"
#include "projections/event_feed.h"
#include "projections/view.h"
#include "projections/view_health.h"

namespace rocksdb {
class DB;
class Env;
}  // namespace rocksdb

namespace kuimen {

struct ProjectorOptions {
  // The projector's own RocksDB directory (one per view); created if missing.
  std::filesystem::path dir;
  // File system; nullptr = rocksdb::Env::Default(). Not owned.
  rocksdb::Env* env = nullptr;
};

// Feeds a View and keeps it durable: the rows an event batch changed, each
// stream's applied version (the checkpoint) and the applied watermark are
// written in one synced RocksDB WriteBatch. A batch is folded into the view in
// memory under the readers' lock (in chunks, so a large catch-up lets readers
// in between), then synced with that lock released: readers see the view as of
// the last folded batch and never wait on an fsync. Batches are persisted one
// at a time, in order (during a long catch-up without a sync each, made
// durable together at its end: BeginUnloggedCatchUp). An event whose stream version is
// already applied is skipped, so redelivery changes nothing; a version beyond
// the next one (a gap: a lost message, partitions moved from another consumer)
// is filled from the event log. The same code serves a Kafka feed, a rebuild
// from the log, and (in projections/replay.h) as-of replays. Thread-safe.
class Projector {
 public:
  // `log` is the event store used to fill gaps and catch up; it may be a
  // follower instance; nullptr when none is reachable. Not owned.
  static Result<std::unique_ptr<Projector>> Open(std::unique_ptr<View> view, const ProjectorOptions& options,
                                                 EventStore* log);
  ~Projector();

  // Applies a batch in the given order and persists it; returns how many
  // events were new. After a failed write the projector refuses further work
  // (kUnavailable): its memory is ahead of its rows, and a restart reloads them.
  Result<std::size_t> Apply(const std::vector<RecordedEvent>& events);
  // The same for events already decoded (the payload is not read again).
  Result<std::size_t> ApplyDecoded(const std::vector<DecodedEvent>& events);

  // Applies events as a feed such as Kafka delivered them (decoded once by
  // the feed), trusting only the log: each message is applied only if it is
  // the event the log holds at its position, read from the log (after a
  // Refresh), field for field and byte for byte (payload and hashes), and
  // then as the feed decoded it. A message that is not that event (any field
  // differs, or a position the log does not hold: a message anyone could
  // have produced to the topic) is counted (untrusted_messages), logged once
  // with its position and ignored; the log's event at that position, if any,
  // is decoded and applied in its place. Without a log (nullptr at Open) the
  // messages are applied as they are.
  Result<std::size_t> ApplyFromFeed(std::vector<DecodedEvent> messages);

  // Applies everything in the log past the applied watermark, in batches
  // (CatchUpFromLog below, for this projector alone).
  Status CatchUpFromLog();

  // The view's name (View::Name()).
  std::string_view ViewName() const { return view_->Name(); }

  // SHA-256 over the view's rows and checkpoints, in key order.
  std::string Digest() const;

  // Every event up to here has been applied (contiguous): folded into the
  // view readers see. Its rows may still be being synced (durable_through).
  GlobalPosition applied_through() const;
  // Every event up to here is in the view's synced rows.
  GlobalPosition durable_through() const;

  // Blocks until every event up to `position` has been applied or `timeout`
  // passes; returns whether it was. Lets a reader see its own write.
  bool WaitForApplied(GlobalPosition position, std::chrono::milliseconds timeout) const;

  // How the view stands against a log whose head is `head`: kFailed when its
  // last batch with anything new in it could not be applied or persisted, kLagging when it trails by
  // more than `max_lag` events, else kNone. (Whether a feed runs is known to
  // its runner, which reports kStopped.)
  // With `now` and a log, also how long the first event not applied has
  // waited (lag_seconds: now minus its recorded time).
  ViewHealth Health(GlobalPosition head, std::uint64_t max_lag = kDefaultMaxViewLag,
                    std::optional<Timestamp> now = std::nullopt) const;

  // Messages ApplyFromFeed ignored since Open, and those its feed could not
  // read at all (CountUntrusted).
  std::uint64_t untrusted_messages() const { return untrusted_messages_.load(); }
  void CountUntrusted(std::uint64_t messages) { untrusted_messages_ += messages; }

  // Runs `read` on the view under the projector's lock.
  template <typename F>
  auto WithView(F&& read) const {
    std::lock_guard lock(mu_);
    return read(static_cast<const View&>(*view_));
  }
  // The same, also passing the position the view has applied through, read
  // under the same lock so the two agree.
  template <typename F>
  auto WithViewThrough(F&& read) const {
    std::lock_guard lock(mu_);
    return read(static_cast<const View&>(*view_), GlobalPosition(through_));
  }

 private:
  Projector(std::unique_ptr<View> view, std::unique_ptr<rocksdb::DB> db, EventStore* log);

  // Drops rows written in another RowFormat() than the view's (the catch-up
  // from the log then rebuilds them) and records the format of a new store.
  Status MatchRowFormat(const std::filesystem::path& dir);
  Status Load();
  // Applies one event not yet applied (the next version of its stream).
  void ApplyOne(const DecodedEvent& event);
  Status FillGap(const StreamId& stream, StreamVersion before);
  void MarkApplied(GlobalPosition position);
  // A long catch-up (CatchUpFromLog) writes its batches without RocksDB's
  // write-ahead log and without a sync: Begin first records, synced, that the
  // rows are being rebuilt; End flushes the memtables to synced table files
  // and only then removes that mark (synced); End of a catch-up that did not
  // complete only goes back to logged, synced writes. A crash in between leaves the
  // mark, and Open then drops the rows and rebuilds them from the log (as for
  // another row format), so rows written without a log are never trusted
  // unless they all reached disk. durable_through stays put until End.
  Status BeginUnloggedCatchUp();
  Status EndUnloggedCatchUp(bool completed);
  friend Status CatchUpFromLog(const std::vector<Projector*>& projectors, EventStore& log, std::size_t batch_events);
  ViewHealth HealthLocked(GlobalPosition head, std::uint64_t max_lag) const;

  // Serialises batches (fold and sync), so they are persisted in order; never
  // taken by readers. Taken before mu_.
  std::mutex write_mu_;
  // The view's memory, the checkpoints and the watermark: held while a chunk
  // of a batch is folded and while a reader renders, not during the sync.
  mutable std::mutex mu_;
  mutable std::condition_variable applied_;  // signalled when the watermark moves
  std::unique_ptr<View> view_;
  std::unique_ptr<rocksdb::DB> db_;
  EventStore* log_;
  std::map<StreamId, StreamVersion> checkpoints_;
  std::set<StreamId> changed_checkpoints_;  // since the last write
  std::uint64_t through_ = 0;             // applied watermark
  std::uint64_t durable_through_ = 0;     // the watermark in the synced rows
  // through_ as of the last folded chunk, for readers that want only the
  // number (applied_through) without taking mu_ while a chunk is folded.
  std::atomic<std::uint64_t> published_through_ = 0;
  std::set<std::uint64_t> applied_above_; // applied positions above the watermark
  bool failed_ = false;
  bool unlogged_ = false;   // between BeginUnloggedCatchUp and EndUnloggedCatchUp; under write_mu_
  std::string last_error_;  // of the last Apply; empty when it went through
  std::atomic<std::uint64_t> untrusted_messages_ = 0;
};

// Brings each projector up to the head of the log, reading and decoding the
// log once for all of them: while each projector applies one batch on a thread
// of its own, the calling thread reads and decodes the next. Reading starts
// after the lowest applied watermark; a projector skips what it already holds
// (ApplyDecoded). Returns the first failure, after every projector has
// stopped. What `kuimen serve` does at start, before the feeds take over.
// Each batch is persisted with one synced write per projector; a projector
// more than one batch behind writes its batches unlogged and makes them
// durable once at the end (Projector::BeginUnloggedCatchUp).
inline constexpr std::size_t kCatchUpBatch = 20000;  // events
Status CatchUpFromLog(const std::vector<Projector*>& projectors, EventStore& log,
                      std::size_t batch_events = kCatchUpBatch);

}  // namespace kuimen
