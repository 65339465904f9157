#include "eventstore/rocks_event_store.h"

#include <algorithm>

#include <spdlog/spdlog.h>

#include <rocksdb/convenience.h>
#include <rocksdb/utilities/checkpoint.h>
#include <rocksdb/write_batch.h>

#include "eventstore/sha256.h"
#include "eventstore/storage_format.h"
#include "eventstore/thread_name.h"

namespace kuimen {

namespace {

// A failed write, in the vocabulary callers branch on.
Status WriteFailure(const rocksdb::Status& s) {
  if (s.IsNoSpace()) {
    return Status::ResourceExhausted("the disk holding the event store is full; nothing of this append was stored, "
                                     "retry once space is freed: " + s.ToString(),
                                     std::string(kDiskFullCause));
  }
  return Status::Unavailable("the events could not be made durable: " + s.ToString());
}

std::string ProblemOf(const rocksdb::Status& s) {
  return std::string(s.IsNoSpace() ? kDiskFullCause : "write_error") + ": " + s.ToString();
}

// A full disk may last hours: one line about failed resumes per this period.
constexpr std::chrono::seconds kResumeLogEvery(30);
// How long the writer waits for one Resume() before refusing the appends it
// holds, and after how long a Resume() that has not returned is reported.
constexpr std::chrono::milliseconds kResumeWait(500);
// How long a cancelled Resume() may take to return before the reopen is
// put off to the next pass (it returns at once in RocksDB 7.8: cancelling
// background work wakes its wait for the flush).
constexpr std::chrono::seconds kAbandonWait(5);
// While nothing is appended, how often the writer looks whether a background
// job's failure needs a resume.
constexpr std::chrono::milliseconds kIdleCheck(100);
// How long a read waits for the database while it is being reopened.
constexpr std::chrono::seconds kReopenReadWait(5);
// After this long waiting for readers to let go of the old database, say so.
constexpr std::chrono::seconds kReportClosingAfter(10);
// After a group is answered, its callers are waited for (to join the next
// group) at most its write time divided by this, and never longer than
// kGatherWaitMax (a write slowed by a stalling disk says nothing about them).
constexpr int kGatherWaitDivisor = 4;
constexpr std::chrono::milliseconds kGatherWaitMax(2);
// Free space below which resuming is not even tried.
constexpr std::uint64_t kResumeFreeBytes = 1 << 20;

}  // namespace

void HealthBoard::WriteFailed(std::string reason, Timestamp now) {
  std::lock_guard lock(mu_);
  write_problem_ = std::move(reason);
  if (!write_problem_since_) write_problem_since_ = now;
}

void HealthBoard::WritesResumed() {
  std::lock_guard lock(mu_);
  write_problem_.reset();
  write_problem_since_.reset();
}

void HealthBoard::ResumedByResume() {
  std::lock_guard lock(mu_);
  ++resumes_;
}

void HealthBoard::Reopened(std::string reason, Timestamp now) {
  std::lock_guard lock(mu_);
  ++reopens_;
  last_reopen_ = now;
  last_reopen_reason_ = std::move(reason);
}

void HealthBoard::GroupWritten(std::size_t events, std::chrono::steady_clock::duration took) {
  groups_written_.fetch_add(1, std::memory_order_relaxed);
  events_written_.fetch_add(events, std::memory_order_relaxed);
  group_write_nanos_.fetch_add(std::chrono::duration_cast<std::chrono::nanoseconds>(took).count(),
                               std::memory_order_relaxed);
}

bool HealthBoard::writes_failing() const {
  std::lock_guard lock(mu_);
  return write_problem_.has_value();
}

void HealthBoard::Scrubbed(Timestamp at, Status outcome) {
  std::lock_guard lock(mu_);
  last_scrub_ = at;
  if (outcome.ok()) {
    scrub_failed_since_.reset();
  } else if (!scrub_failed_since_) {
    scrub_failed_since_ = at;
  }
  scrub_outcome_ = std::move(outcome);
}

StoreHealth HealthBoard::Get() const {
  std::lock_guard lock(mu_);
  StoreHealth health;
  health.last_scrub = last_scrub_;
  health.scrub_ok = scrub_outcome_.ok();
  health.scrub_problem = scrub_outcome_.message();
  health.resumes = resumes_;
  health.reopens = reopens_;
  health.last_reopen = last_reopen_;
  health.last_reopen_reason = last_reopen_reason_;
  health.groups_written = groups_written_.load(std::memory_order_relaxed);
  health.events_written = events_written_.load(std::memory_order_relaxed);
  health.group_write_time = std::chrono::nanoseconds(group_write_nanos_.load(std::memory_order_relaxed));
  if (write_problem_) {
    health.state = StoreHealth::State::kDegraded;
    health.reason = *write_problem_;
    health.since = write_problem_since_;
  } else if (!scrub_outcome_.ok()) {
    health.state = StoreHealth::State::kDegraded;
    health.reason = "checksum: " + scrub_outcome_.message();
    health.since = scrub_failed_since_;
  }
  return health;
}

void StoreListener::OnBackgroundError(rocksdb::BackgroundErrorReason, rocksdb::Status* error) {
  if (error == nullptr || error->ok()) return;
  spdlog::error("eventstore: RocksDB stopped writing: {}", error->ToString());
  board_->WriteFailed(ProblemOf(*error), clock_.Now());
}

void StoreListener::OnErrorRecoveryBegin(rocksdb::BackgroundErrorReason, rocksdb::Status, bool* auto_recovery) {
  // The writer thread resumes, after writing the WAL anchor (storage_format.h).
  *auto_recovery = false;
}

void StoreListener::OnFlushCompleted(rocksdb::DB*, const rocksdb::FlushJobInfo& info) {
  if (info.cf_name == rocksdb::kDefaultColumnFamilyName) board_->anchor_needed = true;
}

std::vector<std::string> FamilyNames() {
  return {rocksdb::kDefaultColumnFamilyName,  std::string(storage::kLogFamily),
          std::string(storage::kStreamFamily), std::string(storage::kHeadFamily),
          std::string(storage::kIdFamily),     std::string(storage::kMetaFamily)};
}

OpenRocksDb::OpenRocksDb(std::string dir, std::unique_ptr<rocksdb::DB> db,
                         std::vector<rocksdb::ColumnFamilyHandle*> families, bool writable)
    : dir_(std::move(dir)),
      db_(std::move(db)),
      families_(std::move(families)),
      writable_(writable),
      closed_future_(closed_.get_future().share()) {}

OpenRocksDb::~OpenRocksDb() {
  // RocksDB asserts when a database is deleted with handles still open.
  for (rocksdb::ColumnFamilyHandle* family : families_) db_->DestroyColumnFamilyHandle(family);
  rocksdb::Status closed = db_->Close();
  if (!closed.ok()) spdlog::warn("eventstore: closing {} failed: {}", dir_, closed.ToString());
  db_.reset();
  closed_.set_value();
}

RocksEventStore::RocksEventStore(const EventStoreOptions& options, std::unique_ptr<OpenRocksDb> db,
                                 std::shared_ptr<HealthBoard> board)
    : options_(options),
      db_(std::move(db)),
      ids_(options.id_seed != 0 ? options.id_seed : std::random_device()()),
      board_(std::move(board)) {
  if (!options_.read_only && options_.follower_dir.empty()) {
    syncer_ = std::thread([this] {
      NameThisThread("kuimen-sync");
      SyncLoop();
    });
    writer_ = std::thread([this] {
      NameThisThread("kuimen-stage");
      WriterLoop();
    });
    if (options_.scrub_at_open || options_.scrub_interval.count() > 0) scrubber_ = std::thread([this] {
        NameThisThread("kuimen-scrub");
        ScrubLoop();
      });
  }
}

RocksEventStore::~RocksEventStore() {
  {
    std::lock_guard lock(scrub_mu_);
    scrub_stopping_ = true;
  }
  scrub_cv_.notify_all();
  if (scrubber_.joinable()) scrubber_.join();
  {
    std::lock_guard lock(queue_mu_);
    stopping_ = true;
  }
  queue_cv_.notify_all();
  if (writer_.joinable()) writer_.join();  // the writer drains the queue and the pipeline first
  {
    std::lock_guard lock(queue_mu_);
    sync_stopping_ = true;
  }
  sync_cv_.notify_all();
  if (syncer_.joinable()) syncer_.join();
  std::shared_ptr<OpenRocksDb> db = CurrentDb();
  if (resume_.valid()) {
    // A Resume() still waiting wakes up on shutdown and returns (a reopen
    // takes the Resume() before it unpublishes the database, so db is set).
    if (db) rocksdb::CancelAllBackgroundWork(&db->db(), false);
    (void)resume_.get();
  }
  {
    std::lock_guard lock(db_mu_);
    db_.reset();
  }
  db.reset();  // closes the database, or the last iterator still open does
  if (closing_.valid()) closing_.wait();  // a reopen's old database: its readers are finishing
  if (closer_.valid()) closer_.wait();
}

std::shared_ptr<OpenRocksDb> RocksEventStore::CurrentDb() const {
  std::lock_guard lock(db_mu_);
  return db_;
}

std::shared_ptr<OpenRocksDb> RocksEventStore::Db() const {
  std::unique_lock lock(db_mu_);
  db_cv_.wait_for(lock, kReopenReadWait, [this] { return db_ != nullptr; });
  return db_;
}

Status RocksEventStore::LoadState() {
  std::shared_ptr<OpenRocksDb> db = Db();
  if (!db) return Status::Unavailable("the event store is being reopened; retry");
  ASSIGN_OR_RETURN(StoredState state, ReadState(*db));
  {
    std::unique_lock lock(state_mu_);
    head_ = state.head;
    stream_heads_ = std::move(state.stream_heads);
  }
  head_cv_.notify_all();
  // At open, before any append reaches the writer thread (a follower's
  // Refresh() comes here too, but a follower makes no ids).
  if (state.last.has_value()) ids_.ContinueAfter(state.last->id, state.last->recorded_at);
  return Status::Ok();
}

Result<RocksEventStore::StoredState> RocksEventStore::ReadState(const OpenRocksDb& db) const {
  rocksdb::ReadOptions read;
  std::string value;
  LogHead head;
  std::unordered_map<StreamId, StreamVersion> stream_heads;
  std::optional<RecordedEvent> last_event;
  rocksdb::Status s = db.db().Get(read, db.meta(), std::string(storage::kHeadKey), &value);
  if (s.ok()) {
    ASSIGN_OR_RETURN(auto stored, storage::DecodeHead(value));
    head = LogHead{stored.first, stored.second};
  } else if (!s.IsNotFound()) {
    return Status::DataLoss("cannot read the head of " + options_.dir.string() + ": " + s.ToString());
  }

  // The head and the last record are written in one batch, so they must agree.
  std::unique_ptr<rocksdb::Iterator> last(db.db().NewIterator(read, db.log()));
  last->SeekToLast();
  if (!last->status().ok()) return Status::DataLoss("cannot read the log: " + last->status().ToString());
  if (!last->Valid()) {
    if (head.position.value != 0) {
      return Status::DataLoss("the head says position " + std::to_string(head.position.value) +
                              " but the log is empty");
    }
  } else {
    ASSIGN_OR_RETURN(RecordedEvent event, storage::DecodeRecord(last->value().ToStringView()));
    if (event.position != head.position || event.hash != head.hash) {
      return Status::DataLoss("the head (position " + std::to_string(head.position.value) +
                              ") does not match the last stored event (position " +
                              std::to_string(event.position.value) + ")");
    }
    last_event = std::move(event);
  }

  std::unique_ptr<rocksdb::Iterator> it(db.db().NewIterator(read, db.heads()));
  for (it->SeekToFirst(); it->Valid(); it->Next()) {
    if (it->value().size() != 8) return Status::DataLoss("a stored stream version is malformed");
    stream_heads[StreamId{it->key().ToString()}] =
        StreamVersion(storage::DecodeU64Key(it->value().ToStringView()));
  }
  if (!it->status().ok()) return Status::DataLoss("cannot read stream versions: " + it->status().ToString());
  return StoredState{head, std::move(stream_heads), std::move(last_event)};
}

Result<std::vector<RecordedEvent>> RocksEventStore::Append(const StreamId& stream,
                                                           std::optional<StreamVersion> expected,
                                                           std::vector<ProposedEvent> events) {
  if (options_.read_only || !options_.follower_dir.empty()) {
    return Status::FailedPrecondition("the store is open read-only");
  }
  if (events.empty()) return Status::InvalidArgument("an append needs at least one event", "events");
  if (events.size() > options_.max_group_events) {
    return Status::InvalidArgument("an append may hold at most " +
                                       std::to_string(options_.max_group_events) + " events",
                                   "events");
  }
  PendingAppend append{stream, expected, std::move(events), {}};
  bool first = false;
  bool gathered = false;
  {
    std::lock_guard lock(queue_mu_);
    if (stopping_) return Status::Unavailable("the store is shutting down");
    first = queue_.empty();
    queue_.push_back(&append);
    gathered = queue_.size() == gather_until_;
  }
  // The writer waits only for an empty queue (or for a full staged group, to
  // be woken by the sync thread): later arrivals need not wake it again.
  if (first || gathered) queue_cv_.notify_one();
  return append.done.Take();
}

void RocksEventStore::WriterLoop() {
  std::vector<PendingAppend*> taken;
  while (true) {
    std::unique_ptr<Group> finished;
    // While writes fail, one group at a time: the pipeline drains, so that
    // TryResume() (which may reopen the database) runs with no group staged
    // on the database it replaces.
    const bool one_at_a_time = board_->writes_failing();
    {
      std::unique_lock lock(queue_mu_);
      // Appends are taken while the staged group has room: while one group
      // syncs, the next one gathers, and is staged as its appends come.
      auto room = [&] {
        return !queue_.empty() && !(one_at_a_time && inflight_) &&
               (!staged_ || staged_->events + queue_.front()->events.size() <= options_.max_group_events);
      };
      auto ready = [&] { return stopping_ || room() || sync_done_; };
      if (board_->writes_failing()) {
        // Wake up now and then to try resuming even when nobody appends, so
        // that /healthz turns ok again by itself.
        queue_cv_.wait_for(lock, options_.resume_retry_interval, ready);
      } else {
        // A background flush or compaction can fail (a full disk) while
        // nobody appends; RocksDB tells the board, not this thread, so look
        // at the board now and then too.
        queue_cv_.wait_for(lock, std::max(options_.resume_retry_interval, kIdleCheck),
                           [&] { return ready() || board_->writes_failing(); });
      }
      if (sync_done_) {
        sync_done_ = false;
        sync_job_ = nullptr;
        finished = std::move(inflight_);
      }
      if (stopping_ && queue_.empty() && !finished && !inflight_ && !staged_) return;  // nothing left to write
      std::size_t events = staged_ ? staged_->events : 0;
      while (!queue_.empty() && !(one_at_a_time && inflight_) && ((taken.empty() && !staged_) ||
                                 events + queue_.front()->events.size() <= options_.max_group_events)) {
        events += queue_.front()->events.size();
        taken.push_back(queue_.front());
        queue_.pop_front();
      }
    }
    if (finished) {
      const bool written = finished->written.ok();
      const std::size_t answered = finished->appends.size();
      const auto group_time = finished->write_time;
      Finish(std::move(finished));
      if (!inflight_) {
        // Callers answered just now may have appended again: into this group.
        std::unique_lock lock(queue_mu_);
        if (written && answered > 1 && !board_->writes_failing()) {
          // Nothing went to the disk after the group just answered: its
          // callers are likely to append again at once (a writer loop, a
          // command handler's next batch). Wait for them (as many appends
          // queued as were answered), at most a quarter of the group's write
          // time, so that they go to the disk together in the next sync
          // rather than the first few alone and the rest a whole sync later.
          // Measured (64 and 16 writers × 1 event): groups of 60–64 and
          // 14–16 instead of 33–61 and 8–9.
          gather_until_ = answered;
          const auto gather_wait = std::min<std::chrono::steady_clock::duration>(
              group_time / kGatherWaitDivisor, kGatherWaitMax);
          queue_cv_.wait_for(lock, gather_wait,
                             [&] { return stopping_ || queue_.size() >= gather_until_; });
          gather_until_ = 0;
        }
        std::size_t events = staged_ ? staged_->events : 0;
        for (const PendingAppend* append : taken) events += append->events.size();
        while (!queue_.empty() && events + queue_.front()->events.size() <= options_.max_group_events) {
          events += queue_.front()->events.size();
          taken.push_back(queue_.front());
          queue_.pop_front();
        }
      }
    }
    if (!inflight_ && !staged_) {
      // Nothing in flight and nothing staged on it: the database may be
      // resumed or reopened under no group.
      if (board_->writes_failing() || closing_.valid() || reopen_pending_) TryResume();
    }
    if (!taken.empty()) StageAppends(taken);
    taken.clear();
    if (!inflight_ && staged_) Dispatch();
  }
}

void RocksEventStore::SyncLoop() {
  while (true) {
    Group* group = nullptr;
    {
      std::unique_lock lock(queue_mu_);
      sync_cv_.wait(lock, [this] { return sync_stopping_ || (sync_job_ != nullptr && !sync_done_); });
      if (sync_job_ == nullptr || sync_done_) return;  // stopping, nothing handed over
      group = sync_job_;
    }
    rocksdb::WriteOptions write;
    write.sync = true;  // acknowledged means durable
    const auto started = std::chrono::steady_clock::now();
    group->written = group->db->db().Write(write, &group->batch);
    group->write_time = std::chrono::steady_clock::now() - started;
    if (group->written.ok()) board_->GroupWritten(group->stream_keys.size(), group->write_time);
    {
      std::lock_guard lock(queue_mu_);
      sync_done_ = true;
    }
    queue_cv_.notify_one();
  }
}

void RocksEventStore::TryResume() {
  if (!data_loss_.empty()) return;  // for good: an operator must look first
  if (closing_.valid()) {
    FinishReopen();
    return;
  }
  auto now = std::chrono::steady_clock::now();
  if (reopen_pending_) {
    if (now - last_resume_attempt_ < options_.resume_retry_interval) return;
    last_resume_attempt_ = now;
    StartReopen(reopen_reason_);
    if (closing_.valid()) FinishReopen();
    return;
  }
  std::shared_ptr<OpenRocksDb> db = CurrentDb();
  if (!db) return;  // cannot happen: only a reopen unpublishes it
  if (!resume_.valid()) {
    if (now - last_resume_attempt_ < options_.resume_retry_interval) return;
    last_resume_attempt_ = now;
    // A Resume() that fails half-way (the disk still full) may leave one of
    // its flushes scheduled; started after Resume() gave up, that flush finds
    // background work stopped and returns without taking its request off
    // RocksDB's queue, and the next Resume() waits for it forever. So resume
    // only once the file system reports room again.
    std::uint64_t free_bytes = 0;
    rocksdb::Status asked = db->db().GetEnv()->GetFreeSpace(options_.dir.string(), &free_bytes);
    if (asked.ok() && free_bytes < kResumeFreeBytes) {
      ++failed_resumes_;
      if (now - last_resume_log_ >= kResumeLogEvery) {
        spdlog::warn("eventstore: not resuming writing to {} yet: {} bytes free ({} checks since the last report)",
                     options_.dir.string(), free_bytes, failed_resumes_);
        last_resume_log_ = now;
        failed_resumes_ = 0;
      }
      return;
    }
    resume_started_ = now;
    // Flushes every memtable into new files and starts a new WAL; fails, and
    // leaves the store refusing appends, while the disk is still full. The
    // database stays published (and so open) until resume_ has been taken:
    // StartReopen takes it before it lets the database go.
    rocksdb::DB* raw = &db->db();
    resume_ = std::async(std::launch::async, [raw] { return raw->Resume(); });
  }
  if (resume_.wait_for(kResumeWait) != std::future_status::ready) {
    now = std::chrono::steady_clock::now();
    if (now - resume_started_ >= options_.resume_stuck_after) {
      const std::string waited = std::to_string(
          std::chrono::duration_cast<std::chrono::milliseconds>(now - resume_started_).count());
      if (!resume_stuck_reported_) {
        resume_stuck_reported_ = true;
        resume_stuck_reason_ = "resume_stuck: RocksDB's Resume() has not returned for " + waited +
                               " ms after a write error (a RocksDB 7.8 flush-queue hang); the database is "
                               "being reopened in place";
        spdlog::error("eventstore: {} ({})", resume_stuck_reason_, options_.dir.string());
        board_->WriteFailed(resume_stuck_reason_, options_.clock->Now());
      }
      StartReopen("reopened after a stuck resume: RocksDB's Resume() had not returned for " + waited + " ms");
      if (closing_.valid()) FinishReopen();
    }
    return;
  }
  rocksdb::Status resumed = resume_.get();
  resume_stuck_reported_ = false;
  if (!resumed.ok() && !resumed.IsNoSpace()) {
    // Not the disk still full: an error RocksDB will not resume from (a
    // failed WAL sync is one; Resume() returns it again at once, for ever).
    // Closing and opening the database is RocksDB's own way out of it.
    spdlog::error("eventstore: RocksDB cannot resume writing to {} ({}); reopening it in place", options_.dir.string(),
                  resumed.ToString());
    StartReopen("reopened after a write error RocksDB does not resume from: " + resumed.ToString());
    if (closing_.valid()) FinishReopen();
    return;
  }
  if (!resumed.ok()) {
    ++failed_resumes_;
    if (now - last_resume_log_ >= kResumeLogEvery) {
      spdlog::warn("eventstore: cannot resume writing to {} yet ({} attempts failed since the last report): {}",
                   options_.dir.string(), failed_resumes_, resumed.ToString());
      last_resume_log_ = now;
      failed_resumes_ = 0;
    }
    return;
  }
  failed_resumes_ = 0;
  board_->ResumedByResume();
  board_->WritesResumed();
  board_->anchor_needed = true;
  spdlog::info("eventstore: writing to {} again", options_.dir.string());
}

void RocksEventStore::StartReopen(std::string reason) {
  reopen_reason_ = std::move(reason);
  std::shared_ptr<OpenRocksDb> old = CurrentDb();
  // Stops RocksDB's flushes and compactions for good and wakes a Resume()
  // waiting on its flush queue (it returns ShutdownInProgress). Reads go on.
  if (old) rocksdb::CancelAllBackgroundWork(&old->db(), /*wait=*/false);
  if (resume_.valid()) {
    if (resume_.wait_for(kAbandonWait) != std::future_status::ready) {
      // The database cannot be closed under a running Resume(): keep it, keep
      // refusing appends, and try again at the next retry interval.
      spdlog::error("eventstore: RocksDB's Resume() on {} did not return even after its background work was "
                    "cancelled; reopening is put off to the next attempt",
                    options_.dir.string());
      reopen_pending_ = true;
      return;
    }
    (void)resume_.get();  // ShutdownInProgress, or whatever it ended with
  }
  reopen_pending_ = false;
  if (old) {
    closing_ = old->closed();
  } else {
    std::promise<void> nothing_open;  // an earlier reopen left no database open
    nothing_open.set_value();
    closing_ = nothing_open.get_future().share();
  }
  closing_since_ = std::chrono::steady_clock::now();
  closing_reported_ = false;
  {
    std::lock_guard lock(db_mu_);
    db_.reset();
  }
  // The last reader to let go closes it (RocksDB's lock on the directory must
  // be gone before it can be opened again); never the writer thread, which
  // goes on refusing appends meanwhile.
  if (old) closer_ = std::async(std::launch::async, [old = std::move(old)]() mutable { old.reset(); });
  spdlog::warn("eventstore: reopening {} in place ({}); appends are refused until it is open again",
               options_.dir.string(), reopen_reason_);
}

void RocksEventStore::FinishReopen() {
  if (closing_.wait_for(kResumeWait) != std::future_status::ready) {
    if (!closing_reported_ && std::chrono::steady_clock::now() - closing_since_ >= kReportClosingAfter) {
      closing_reported_ = true;
      spdlog::warn("eventstore: reopening {} waits for reads still running on the old database",
                   options_.dir.string());
    }
    return;
  }
  closing_ = {};
  auto publish = [this](std::shared_ptr<OpenRocksDb> db) {
    {
      std::lock_guard lock(db_mu_);
      db_ = std::move(db);
    }
    db_cv_.notify_all();
  };

  // The one open path: the WAL scan, recovery mode and paranoid checks of a start.
  Result<std::unique_ptr<OpenRocksDb>> opened = OpenRocksDatabase(options_, board_);
  if (!opened.ok()) {
    spdlog::error("eventstore: reopening {} for writing failed, tried again in {} ms: {}", options_.dir.string(),
                  options_.resume_retry_interval.count(), opened.status().message());
    board_->WriteFailed("reopen_failed: " + opened.status().message(), options_.clock->Now());
    EventStoreOptions reading = options_;
    reading.read_only = true;
    Result<std::unique_ptr<OpenRocksDb>> read_only = OpenRocksDatabase(reading, board_);
    if (read_only.ok()) {
      publish(std::move(read_only).value());  // reads go on meanwhile
    } else {
      spdlog::error("eventstore: {} cannot even be opened for reading: {}", options_.dir.string(),
                    read_only.status().message());
    }
    reopen_pending_ = true;
    last_resume_attempt_ = std::chrono::steady_clock::now();
    return;
  }
  std::shared_ptr<OpenRocksDb> db = std::move(opened).value();

  // What the reopened database holds must be what was acknowledged: never
  // quietly short. Longer is possible (a group whose WAL write reached the
  // file before the sync failed; its callers were refused, as a restart
  // would find it too): kept, if it extends the acknowledged chain.
  const LogHead acknowledged = Head();
  Result<StoredState> state = ReadState(*db);
  Status check = state.status();
  if (state.ok() && state->head.position < acknowledged.position) {
    check = Status::DataLoss("the reopened event store ends at position " + std::to_string(state->head.position.value) +
                             " but position " + std::to_string(acknowledged.position.value) + " was acknowledged");
  } else if (state.ok() && acknowledged.position.value > 0) {
    Result<std::optional<RecordedEvent>> at = GetAt(*db, rocksdb::ReadOptions(), acknowledged.position);
    if (!at.ok()) {
      check = at.status();
    } else if (!at->has_value() || (*at)->hash != acknowledged.hash) {
      check = Status::DataLoss("the reopened event store holds another event at the acknowledged position " +
                               std::to_string(acknowledged.position.value));
    }
  }
  if (!check.ok()) {
    data_loss_ = "data_loss: " + check.message() + " (in " + options_.dir.string() +
                 "); appends are refused: run `kuimen verify`, keep this directory, and restore the last backup";
    spdlog::error("eventstore: {}", data_loss_);
    board_->WriteFailed(data_loss_, options_.clock->Now());
    publish(std::move(db));  // what is there can still be read
    return;
  }
  if (state->head.position != acknowledged.position) {
    Status dropped = DropUnacknowledged(*db, acknowledged, *state);
    if (!dropped.ok()) {
      spdlog::error("eventstore: reopening {}: {}; tried again in {} ms", options_.dir.string(), dropped.message(),
                    options_.resume_retry_interval.count());
      board_->WriteFailed("reopen_failed: " + dropped.message(), options_.clock->Now());
      db.reset();  // closed here, nothing reads it yet; opened again at the next attempt
      reopen_pending_ = true;
      last_resume_attempt_ = std::chrono::steady_clock::now();
      return;
    }
  }
  {
    std::unique_lock lock(state_mu_);
    head_ = state->head;
    stream_heads_ = std::move(state->stream_heads);
  }
  head_cv_.notify_all();
  publish(std::move(db));
  resume_stuck_reported_ = false;
  failed_resumes_ = 0;
  board_->anchor_needed = true;
  board_->Reopened(reopen_reason_, options_.clock->Now());
  board_->WritesResumed();
  spdlog::warn("eventstore: {} {}; open again at position {}, writing again", options_.dir.string(), reopen_reason_,
               state->head.position.value);
}

Status RocksEventStore::DropUnacknowledged(OpenRocksDb& db, const LogHead& acknowledged, StoredState& state) {
  // Only a group whose WAL record reached the file before its sync failed
  // gets here; its callers were refused, so keeping it would append what a
  // refusal promised not to (a client that sends again without an event id
  // would find its report twice).
  const std::uint64_t count = state.head.position.value - acknowledged.position.value;
  rocksdb::WriteBatch batch;
  rocksdb::ReadOptions read;
  for (GlobalPosition at = acknowledged.position.Next(); at <= state.head.position; at = at.Next()) {
    ASSIGN_OR_RETURN(std::optional<RecordedEvent> event, GetAt(db, read, at));
    if (!event.has_value()) return Status::DataLoss("position " + std::to_string(at.value) + " is missing below the head");
    const std::string position_key = storage::EncodeU64Key(at.value);
    batch.Delete(db.log(), position_key);
    batch.Delete(db.streams(), storage::StreamKey(event->stream, event->version));
    batch.Delete(db.ids(), std::string(event->id.AsBytes()));
    // The stream's head goes back to just before its first refused event.
    StreamVersion& head = state.stream_heads[event->stream];
    if (event->version.value - 1 < head.value) head = StreamVersion(event->version.value - 1);
    if (head.value == 0) {
      batch.Delete(db.heads(), event->stream.value);
    } else {
      batch.Put(db.heads(), event->stream.value, storage::EncodeU64Key(head.value));
    }
  }
  batch.Put(db.meta(), std::string(storage::kHeadKey), storage::EncodeHead(acknowledged.position, acknowledged.hash));
  rocksdb::WriteOptions write;
  write.sync = true;
  rocksdb::Status s = db.db().Write(write, &batch);
  if (!s.ok()) return Status::Unavailable("cannot drop the " + std::to_string(count) + " refused events: " + s.ToString());
  std::erase_if(state.stream_heads, [](const auto& entry) { return entry.second.value == 0; });
  state.head = acknowledged;
  spdlog::warn("eventstore: the reopened {} held {} events after the acknowledged position {}, from appends that were "
               "refused but whose records reached the log; dropped",
               options_.dir.string(), count, acknowledged.position.value);
  return Status::Ok();
}

void RocksEventStore::PutAnchor(OpenRocksDb& db) {
  rocksdb::WriteOptions write;
  write.disableWAL = true;
  rocksdb::Status s = db.db().Put(write, db.family(0), std::string(storage::kWalAnchorKey), "");
  if (!s.ok()) board_->anchor_needed = true;  // try again before the next group
}

StoreHealth RocksEventStore::Health() const { return board_->Get(); }

Status RocksEventStore::Scrub() {
  std::shared_ptr<OpenRocksDb> db = Db();
  if (!db) return Status::Unavailable("the event store is being reopened; retry");
  rocksdb::Status s = db->db().VerifyChecksum();
  Status outcome;
  if (s.IsCorruption()) {
    outcome = Status::DataLoss("a checksum scrub found damage in the event store in " + options_.dir.string() + ": " +
                               s.ToString() + "; run `kuimen verify`, then restore the last backup with "
                               "`kuimen restore --from BACKUP --data DIR`");
    spdlog::error("eventstore: {}", outcome.message());
  } else if (!s.ok()) {
    // Not damage found but a scrub that could not read: report it, do not alarm.
    spdlog::warn("eventstore: the checksum scrub of {} could not finish: {}", options_.dir.string(), s.ToString());
    return Status::Unavailable("the checksum scrub could not finish: " + s.ToString());
  } else {
    spdlog::info("eventstore: checksum scrub of {} found every block intact", options_.dir.string());
  }
  board_->Scrubbed(options_.clock->Now(), outcome);
  return outcome;
}

void RocksEventStore::ScrubLoop() {
  bool first = true;
  while (true) {
    {
      std::unique_lock lock(scrub_mu_);
      if (!(first && options_.scrub_at_open)) {
        if (options_.scrub_interval.count() <= 0) return;
        scrub_cv_.wait_for(lock, options_.scrub_interval, [this] { return scrub_stopping_; });
      }
      if (scrub_stopping_) return;
    }
    first = false;
    (void)Scrub();  // the outcome is in Health() and the log
  }
}

void RocksEventStore::Answer(Group& group, const Status* refused) {
  for (std::size_t i = 0; i < group.appends.size(); ++i) {
    if (refused != nullptr) {
      group.appends[i]->done.Set(*refused);
    } else {
      group.appends[i]->done.Set(std::move(group.outcomes[i]));
    }
  }
}

void RocksEventStore::StageAppends(std::vector<PendingAppend*>& taken) {
  if (!staged_) {
    std::shared_ptr<OpenRocksDb> db = CurrentDb();
    Status refused;
    if (!data_loss_.empty()) {
      refused = Status::DataLoss("the event store cannot take appends: " + data_loss_);
    } else if (!db || !db->writable()) {
      refused = Status::Unavailable("the event store is being reopened (" + reopen_reason_ +
                                    "); nothing of this append was stored, retry");
    }
    if (!refused.ok()) {
      // Nothing is in flight (a reopen or data loss happens only between
      // groups): a refusal depends on nothing.
      for (PendingAppend* append : taken) append->done.Set(refused);
      return;
    }
    staged_ = std::make_unique<Group>();
    staged_->db = std::move(db);
    if (inflight_) {
      staged_->state.head = inflight_->state.head;  // the chain goes on from the group in flight
    } else {
      std::shared_lock lock(state_mu_);
      staged_->state.head = head_;
    }
  }
  Group& group = *staged_;
  for (PendingAppend* append : taken) {
    group.events += append->events.size();
    group.appends.push_back(append);
    group.outcomes.push_back(Stage(*group.db, *append, group));
  }
}

void RocksEventStore::Dispatch() {
  std::unique_ptr<Group> group = std::move(staged_);
  if (group->batch.Count() == 0) {
    // Refusals and retries of events already durable: nothing to wait for.
    Answer(*group);
    return;
  }
  // The index entries in key order: RocksDB inserts a batch into each
  // family's skip list one key after the other, starting from where the
  // previous insert ended, so ascending keys are found from close by instead
  // of from the top (perf: 10 % less time in the memtable inserts, the larger
  // part of Write() after the sync, when ids were random; a client's own ids
  // still are).
  // The order within one batch changes nothing that is stored.
  std::sort(group->stream_keys.begin(), group->stream_keys.end());
  for (const auto& [key, position] : group->stream_keys) group->batch.Put(group->db->streams(), key, position);
  std::sort(group->id_keys.begin(), group->id_keys.end());
  for (const auto& [key, position] : group->id_keys) group->batch.Put(group->db->ids(), key, position);
  // One version per stream per group, and the head, written last.
  for (const auto& [stream, version] : group->state.stream_heads) {
    group->batch.Put(group->db->heads(), stream.value, storage::EncodeU64Key(version.value));
  }
  group->batch.Put(group->db->meta(), std::string(storage::kHeadKey),
                   storage::EncodeHead(group->state.head.position, group->state.head.hash));
  if (board_->anchor_needed.exchange(false)) {
    if (group->db->writable()) {
      PutAnchor(*group->db);
    } else {
      board_->anchor_needed = true;  // the reopened database gets it
    }
  }
  inflight_ = std::move(group);
  {
    std::lock_guard lock(queue_mu_);
    sync_job_ = inflight_.get();
    sync_done_ = false;
  }
  sync_cv_.notify_one();
}

void RocksEventStore::Finish(std::unique_ptr<Group> group) {
  const rocksdb::Status& s = group->written;
  if (!s.ok()) {
    if (!board_->writes_failing()) {
      spdlog::error("eventstore: group commit of {} events failed: {}", group->batch.Count(), s.ToString());
    }
    // While a Resume() is stuck the disk may well have room again: say so
    // rather than "disk full" (503, not 507), and keep the reason visible.
    const bool stuck = resume_stuck_reported_;
    board_->WriteFailed(stuck ? resume_stuck_reason_ : ProblemOf(s), options_.clock->Now());
    const Status refused =
        stuck ? Status::Unavailable("the event store cannot write: " + resume_stuck_reason_) : WriteFailure(s);
    // Nothing of this group is acknowledged; published state stays as it
    // was. An append refused for its own reason keeps that answer.
    for (auto& outcome : group->outcomes) {
      if (outcome.ok() && !outcome->empty()) outcome = refused;
    }
    Answer(*group);
    // The staged group was checked and chained against this one: every
    // append in it is refused too (its versions, positions, hashes and
    // retried ids assumed this group), and nothing of it is written.
    if (staged_) {
      Answer(*staged_, &refused);
      staged_.reset();
    }
    return;
  }
  // Durable. The next group goes to the disk before this one is answered,
  // unless it holds fewer events than this one: then it waits until this
  // group's callers are answered and whoever appends again meanwhile joins
  // it (WriterLoop takes the queue again), so that the groups do not split
  // into two halves taking turns, each paying a whole sync.
  if (staged_ && staged_->batch.Count() > 0 && staged_->events >= group->events) Dispatch();
  {
    std::unique_lock lock(state_mu_);
    head_ = group->state.head;
    for (const auto& [stream, version] : group->state.stream_heads) stream_heads_[stream] = version;
  }
  head_cv_.notify_all();
  Answer(*group);
}

StreamVersion RocksEventStore::StagedVersion(const StreamId& stream, const GroupState& group) const {
  if (auto staged = group.stream_heads.find(stream); staged != group.stream_heads.end()) return staged->second;
  if (inflight_ && &inflight_->state != &group) {
    if (auto flying = inflight_->state.stream_heads.find(stream); flying != inflight_->state.stream_heads.end()) {
      return flying->second;
    }
  }
  std::shared_lock lock(state_mu_);
  auto stored = stream_heads_.find(stream);
  return stored == stream_heads_.end() ? StreamVersion() : stored->second;
}

Result<std::optional<std::vector<RecordedEvent>>> RocksEventStore::FindRetried(
    OpenRocksDb& db, const PendingAppend& append, const GroupState& group) {
  std::vector<RecordedEvent> found;
  std::size_t with_id = 0;
  for (const ProposedEvent& proposed : append.events) {
    if (!proposed.id.has_value()) continue;
    ++with_id;
    auto staged = group.new_ids.find(*proposed.id);
    if (staged != group.new_ids.end()) {
      found.push_back(staged->second);
      continue;
    }
    if (inflight_ && &inflight_->state != &group) {
      auto flying = inflight_->state.new_ids.find(*proposed.id);
      if (flying != inflight_->state.new_ids.end()) {
        found.push_back(flying->second);
        continue;
      }
    }
    ASSIGN_OR_RETURN(std::optional<RecordedEvent> stored, FindIn(db, *proposed.id));
    if (stored.has_value()) found.push_back(std::move(*stored));
  }
  if (found.empty()) return std::optional<std::vector<RecordedEvent>>();
  if (found.size() != append.events.size() || with_id != append.events.size()) {
    return Status::InvalidArgument("some of these event ids are already stored and some are not; "
                                   "retry the original append unchanged",
                                   "event_id");
  }
  for (std::size_t i = 0; i < found.size(); ++i) {
    const RecordedEvent& event = found[i];
    const ProposedEvent& proposed = append.events[i];
    if (event.stream != append.stream || event.type != proposed.type ||
        event.schema_version != proposed.schema_version || !(event.actor == proposed.actor) ||
        event.data != proposed.data) {
      return Status::EventIdReused("该请求编号已用于另一次不同的提交，新的提交请使用新的编号");
    }
  }
  return std::optional<std::vector<RecordedEvent>>(std::move(found));
}

Result<std::vector<RecordedEvent>> RocksEventStore::Stage(OpenRocksDb& db, PendingAppend& append, Group& staged) {
  GroupState& group = staged.state;
  rocksdb::WriteBatch& batch = staged.batch;
  ASSIGN_OR_RETURN(std::optional<std::vector<RecordedEvent>> retried, FindRetried(db, append, group));
  if (retried.has_value()) return std::move(*retried);

  StreamVersion current = StagedVersion(append.stream, group);
  if (append.expected.has_value() && *append.expected != current) {
    return Status::Aborted("该事项已被他人更新（当前为第" + std::to_string(current.value) + "版，提交时看到的是第" +
                               std::to_string(append.expected->value) + "版），请刷新后重新提交",
                           "expected_version");
  }

  std::vector<RecordedEvent> stored;
  stored.reserve(append.events.size());
  const Timestamp now = options_.clock->Now();
  for (ProposedEvent& proposed : append.events) {
    RecordedEvent event;
    event.id = proposed.id.has_value() ? *proposed.id : ids_.Next(now);
    event.stream = append.stream;
    current = current.Next();
    event.version = current;
    event.position = group.head.position.Next();
    event.type = std::move(proposed.type);
    event.schema_version = proposed.schema_version;
    event.recorded_at = now;
    event.actor = std::move(proposed.actor);
    event.data = std::move(proposed.data);
    event.prev_hash = group.head.hash;
    std::string record = storage::EncodeCanonical(event);
    event.hash = Sha256(record);
    record.append(reinterpret_cast<const char*>(event.hash.data()), event.hash.size());

    const std::string position_key = storage::EncodeU64Key(event.position.value);
    batch.Put(db.log(), position_key, record);
    // Into the batch by Dispatch(), in key order.
    staged.stream_keys.emplace_back(storage::StreamKey(event.stream, event.version), position_key);
    staged.id_keys.emplace_back(std::string(event.id.AsBytes()), position_key);
    group.head = LogHead{event.position, event.hash};
    if (proposed.id.has_value()) group.new_ids.emplace(event.id, event);
    stored.push_back(std::move(event));
  }
  group.stream_heads[append.stream] = current;  // written once per group, by Dispatch()
  return stored;
}

Result<std::optional<RecordedEvent>> RocksEventStore::GetAt(OpenRocksDb& db, const rocksdb::ReadOptions& read,
                                                            GlobalPosition position) {
  std::string record;
  rocksdb::Status s = db.db().Get(read, db.log(), storage::EncodeU64Key(position.value), &record);
  if (s.IsNotFound()) return std::optional<RecordedEvent>();
  if (!s.ok()) return Status::Unavailable("cannot read position " + std::to_string(position.value) + ": " + s.ToString());
  ASSIGN_OR_RETURN(RecordedEvent event, storage::DecodeRecord(record));
  return std::optional<RecordedEvent>(std::move(event));
}

Result<std::optional<RecordedEvent>> RocksEventStore::FindById(const EventId& id) {
  std::shared_ptr<OpenRocksDb> db = Db();
  if (!db) return Status::Unavailable("the event store is being reopened; retry");
  return FindIn(*db, id);
}

Result<std::optional<RecordedEvent>> RocksEventStore::FindIn(OpenRocksDb& db, const EventId& id) {
  rocksdb::ReadOptions read;
  std::string position;
  rocksdb::Status s = db.db().Get(read, db.ids(), std::string(id.AsBytes()), &position);
  if (s.IsNotFound()) return std::optional<RecordedEvent>();
  if (!s.ok()) return Status::Unavailable("cannot look up event " + id.ToString() + ": " + s.ToString());
  if (position.size() != 8) return Status::DataLoss("the index entry of event " + id.ToString() + " is malformed");
  return GetAt(db, read, GlobalPosition(storage::DecodeU64Key(position)));
}

StreamVersion RocksEventStore::StreamHead(const StreamId& stream) const {
  std::shared_lock lock(state_mu_);
  auto it = stream_heads_.find(stream);
  return it == stream_heads_.end() ? StreamVersion() : it->second;
}

LogHead RocksEventStore::Head() const {
  std::shared_lock lock(state_mu_);
  return head_;
}

LogHead RocksEventStore::WaitForHead(GlobalPosition position, std::chrono::milliseconds timeout) {
  std::shared_lock lock(state_mu_);
  head_cv_.wait_for(lock, timeout, [&] { return head_.position > position; });
  return head_;
}

Result<GlobalPosition> RocksEventStore::LoadCursor(std::string_view name) {
  std::shared_ptr<OpenRocksDb> db = Db();
  if (!db) return Status::Unavailable("the event store is being reopened; retry");
  std::string value;
  rocksdb::Status s =
      db->db().Get(rocksdb::ReadOptions(), db->meta(), std::string(storage::kCursorPrefix) + std::string(name), &value);
  if (s.IsNotFound()) return GlobalPosition();
  if (!s.ok()) return Status::Unavailable("cannot read cursor " + std::string(name) + ": " + s.ToString());
  if (value.size() != 8) return Status::DataLoss("cursor " + std::string(name) + " is malformed");
  return GlobalPosition(storage::DecodeU64Key(value));
}

Status RocksEventStore::SaveCursor(std::string_view name, GlobalPosition position) {
  if (options_.read_only || !options_.follower_dir.empty()) {
    return Status::FailedPrecondition("the store is open read-only");
  }
  std::shared_ptr<OpenRocksDb> db = Db();
  if (!db) return Status::Unavailable("the event store is being reopened; retry");
  if (!db->writable()) return Status::Unavailable("cannot save cursor " + std::string(name) + ": the store is being reopened");
  rocksdb::Status s = db->db().Put(rocksdb::WriteOptions(), db->meta(),
                                   std::string(storage::kCursorPrefix) + std::string(name),
                                   storage::EncodeU64Key(position.value));
  if (!s.ok()) return Status::Unavailable("cannot save cursor " + std::string(name) + ": " + s.ToString());
  return Status::Ok();
}

Status RocksEventStore::Refresh() {
  if (options_.follower_dir.empty()) return Status::Ok();
  std::shared_ptr<OpenRocksDb> db = Db();
  if (!db) return Status::Unavailable("the event store is being reopened; retry");
  rocksdb::Status s = db->db().TryCatchUpWithPrimary();
  if (!s.ok()) return Status::Unavailable("cannot follow the store's writer: " + s.ToString());
  return LoadState();
}

Status RocksEventStore::Checkpoint(const std::filesystem::path& dest) {
  if (options_.read_only || !options_.follower_dir.empty()) {
    // Only the writing process can keep its files from being deleted while they are linked.
    return Status::FailedPrecondition("a checkpoint needs the store open for writing, not read-only or following");
  }
  std::error_code error;
  // RocksDB wants an absolute path.
  const std::filesystem::path target = std::filesystem::absolute(dest, error);
  if (error) return Status::InvalidArgument("cannot resolve " + dest.string() + ": " + error.message(), "dest");
  if (std::filesystem::exists(target, error)) {
    return Status::FailedPrecondition(target.string() + " already exists; a checkpoint goes into a new directory");
  }
  std::shared_ptr<OpenRocksDb> db = Db();
  if (!db) return Status::Unavailable("the event store is being reopened; retry");
  rocksdb::Checkpoint* raw = nullptr;
  rocksdb::Status s = rocksdb::Checkpoint::Create(&db->db(), &raw);
  std::unique_ptr<rocksdb::Checkpoint> checkpoint(raw);
  // log_size_for_flush 0: flush every family first, so the copy needs little of the WAL.
  if (s.ok()) s = checkpoint->CreateCheckpoint(target.string(), /*log_size_for_flush=*/0);
  if (!s.ok()) {
    spdlog::error("eventstore: checkpoint of {} into {} failed: {}", options_.dir.string(), target.string(), s.ToString());
    return Status::Unavailable("cannot write a checkpoint into " + target.string() + ": " + s.ToString());
  }
  spdlog::info("eventstore: checkpoint of {} written to {}", options_.dir.string(), target.string());
  return Status::Ok();
}

VerifyReport RocksEventStore::Verify() {
  const LogHead head = Head();
  VerifyReport report;
  rocksdb::ReadOptions read;
  read.readahead_size = 4 << 20;  // a sequential scan
  read.fill_cache = false;
  std::shared_ptr<OpenRocksDb> db = Db();
  if (!db) {
    report.ok = false;
    report.problem = "the event store is being reopened; verify again";
    return report;
  }
  std::unique_ptr<rocksdb::Iterator> it(db->db().NewIterator(read, db->log()));
  auto fail = [&report](GlobalPosition position, std::string problem) {
    report.ok = false;
    report.bad_position = position;
    report.problem = std::move(problem);
    return report;
  };
  GlobalPosition expected = GlobalPosition(1);
  for (it->SeekToFirst(); it->Valid() && expected <= head.position; it->Next(), expected = expected.Next()) {
    const GlobalPosition key(storage::DecodeU64Key(it->key().ToStringView()));
    if (key != expected) return fail(expected, "position " + std::to_string(expected.value) + " is missing");
    std::string_view record = it->value().ToStringView();
    Result<RecordedEvent> event = storage::DecodeRecord(record);
    if (!event.ok()) return fail(expected, event.status().message());
    if (event->position != expected) {
      return fail(expected, "the record claims position " + std::to_string(event->position.value));
    }
    if (event->prev_hash != report.head.hash) {
      return fail(expected, "prev_hash does not match the hash of position " +
                                std::to_string(report.head.position.value));
    }
    if (Sha256(storage::CanonicalPart(record)) != event->hash) {
      return fail(expected, "the stored hash does not match the event's bytes");
    }
    report.head = LogHead{event->position, event->hash};
    ++report.events;
  }
  if (!it->status().ok()) return fail(expected, "cannot read the log: " + it->status().ToString());
  if (report.head.position != head.position || report.head.hash != head.hash) {
    return fail(expected, "the log ends at position " + std::to_string(report.head.position.value) +
                              " but the head says " + std::to_string(head.position.value));
  }
  return report;
}

}  // namespace kuimen
