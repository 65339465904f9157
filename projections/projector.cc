#include "projections/projector.h"

#include <algorithm>
#include <limits>
#include <thread>
#include <unordered_map>
#include <unordered_set>

#include <spdlog/spdlog.h>

#include <rocksdb/db.h>
#include <rocksdb/write_batch.h>

#include "eventstore/rocksdb_logger.h"
#include "eventstore/storage_format.h"
#include "eventstore/thread_name.h"
#include "projections/view_digest.h"

namespace kuimen {

namespace {

// Key layout of a projector's RocksDB.
constexpr std::string_view kRowPrefix = "r/";         // + the view's row key -> row
constexpr std::string_view kCheckpointPrefix = "c/";  // + stream -> applied version (8 bytes)
constexpr std::string_view kWatermarkKey = "w";       // -> applied watermark (8 bytes)
constexpr std::string_view kRowFormatKey = "f";       // -> the view's RowFormat() the rows are in (8 bytes)
// -> "" while a catch-up writes rows without the write-ahead log: rows found
// with it are incomplete (BeginUnloggedCatchUp).
constexpr std::string_view kRebuildingKey = "b";

// Events folded under the readers' lock at a time.
constexpr std::size_t kFoldChunk = 1000;

}  // namespace

Result<std::unique_ptr<Projector>> Projector::Open(std::unique_ptr<View> view, const ProjectorOptions& options,
                                                   EventStore* log) {
  rocksdb::Options db_options;
  db_options.create_if_missing = true;
  db_options.paranoid_checks = true;
  // No LOG file on the data disk: RocksDB aborts on its next line once a full disk failed it.
  db_options.info_log = NewRocksDbLogger("view " + options.dir.string());
  db_options.max_background_jobs = 2;
  // A view's rows are small and every one also lives in the view's memory;
  // RocksDB's 64 MB default memtable (two of them while one flushes) would
  // double a rebuild's footprint for nothing.
  db_options.write_buffer_size = 16 << 20;
  if (options.env != nullptr) db_options.env = options.env;
  rocksdb::DB* raw = nullptr;
  rocksdb::Status s = rocksdb::DB::Open(db_options, options.dir.string(), &raw);
  if (!s.ok()) {
    return s.IsCorruption() ? Status::DataLoss("the view store " + options.dir.string() + " is corrupted: " + s.ToString())
                            : Status::Unavailable("cannot open the view store " + options.dir.string() + ": " + s.ToString());
  }
  std::unique_ptr<Projector> projector(new Projector(std::move(view), std::unique_ptr<rocksdb::DB>(raw), log));
  RETURN_IF_ERROR(projector->MatchRowFormat(options.dir));
  RETURN_IF_ERROR(projector->Load());
  return projector;
}

Projector::Projector(std::unique_ptr<View> view, std::unique_ptr<rocksdb::DB> db, EventStore* log)
    : view_(std::move(view)), db_(std::move(db)), log_(log) {}

Projector::~Projector() {
  if (db_) db_->Close().PermitUncheckedError();
}

Status Projector::MatchRowFormat(const std::filesystem::path& dir) {
  const std::uint32_t wanted = view_->RowFormat();
  std::string value;
  rocksdb::Status s = db_->Get(rocksdb::ReadOptions(), std::string(kRowFormatKey), &value);
  if (!s.ok() && !s.IsNotFound()) return Status::DataLoss("cannot read the view store " + dir.string() + ": " + s.ToString());
  std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(rocksdb::ReadOptions()));
  it->SeekToFirst();
  if (!it->status().ok()) return Status::DataLoss("cannot read the view store " + dir.string() + ": " + it->status().ToString());
  const bool empty = !it->Valid();
  std::uint64_t stored = wanted;
  if (s.ok()) {
    if (value.size() != 8) return Status::DataLoss("the view store " + dir.string() + " holds an unreadable row format");
    stored = storage::DecodeU64Key(value);
  } else if (!empty) {
    stored = 1;  // rows written before formats were recorded
  }
  std::string rebuilding;
  rocksdb::Status mark = db_->Get(rocksdb::ReadOptions(), std::string(kRebuildingKey), &rebuilding);
  if (!mark.ok() && !mark.IsNotFound()) {
    return Status::DataLoss("cannot read the view store " + dir.string() + ": " + mark.ToString());
  }
  const bool interrupted = mark.ok();
  rocksdb::WriteBatch batch;
  if (interrupted) {
    // A catch-up wrote without the write-ahead log and did not finish: some of
    // its rows may not have reached disk. Rebuild them all from the log.
    if (log_ == nullptr) {
      return Status::FailedPrecondition("the view store " + dir.string() +
                                        " was being rebuilt when its writer stopped and needs the event log to finish");
    }
    spdlog::warn("projector {}: a rebuild of the view was interrupted: rebuilding it from the log", view_->Name());
    for (; it->Valid(); it->Next()) batch.Delete(it->key());
    if (!it->status().ok()) return Status::DataLoss("cannot read the view store: " + it->status().ToString());
  } else if (stored != wanted) {
    // Rows an earlier build wrote, which this one would read wrong: drop them
    // and let the catch-up rebuild the view from the log, the source of truth.
    if (log_ == nullptr) {
      return Status::FailedPrecondition("the view store " + dir.string() + " holds rows of format " +
                                        std::to_string(stored) + "; this build writes format " +
                                        std::to_string(wanted) + " and needs the event log to rebuild it");
    }
    spdlog::warn("projector {}: rows are format {}, this build writes format {}: rebuilding the view from the log",
                 view_->Name(), stored, wanted);
    for (; it->Valid(); it->Next()) batch.Delete(it->key());
    if (!it->status().ok()) return Status::DataLoss("cannot read the view store: " + it->status().ToString());
  } else if (s.ok()) {
    return Status::Ok();
  }
  batch.Put(std::string(kRowFormatKey), storage::EncodeU64Key(wanted));
  rocksdb::WriteOptions sync;
  sync.sync = true;
  s = db_->Write(sync, &batch);
  if (!s.ok()) return Status::Unavailable("cannot write the view store " + dir.string() + ": " + s.ToString());
  return Status::Ok();
}

Status Projector::Load() {
  std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(rocksdb::ReadOptions()));
  for (it->SeekToFirst(); it->Valid(); it->Next()) {
    std::string_view key = it->key().ToStringView();
    std::string_view value = it->value().ToStringView();
    if (key.starts_with(kRowPrefix)) {
      RETURN_IF_ERROR(view_->LoadRow(key.substr(kRowPrefix.size()), value).WithContext("view " + std::string(view_->Name())));
    } else if (key.starts_with(kCheckpointPrefix) && value.size() == 8) {
      checkpoints_[StreamId{std::string(key.substr(kCheckpointPrefix.size()))}] = StreamVersion(storage::DecodeU64Key(value));
    } else if (key == kWatermarkKey && value.size() == 8) {
      through_ = storage::DecodeU64Key(value);
    } else if (key == kRowFormatKey || key == kRebuildingKey) {
      // checked by MatchRowFormat
    } else {
      return Status::DataLoss("the view store of " + std::string(view_->Name()) + " holds an unknown key");
    }
  }
  if (!it->status().ok()) return Status::DataLoss("cannot read the view store: " + it->status().ToString());
  view_->TakeChangedRows();  // loading is not a change

  // Events above the watermark may have been applied out of position order
  // (Kafka orders per partition only); the checkpoints tell which.
  if (log_ != nullptr) {
    RETURN_IF_ERROR(log_->Refresh());
    for (auto it = log_->ReadAll(GlobalPosition(through_ + 1)); it->Valid(); it->Next()) {
      auto cp = checkpoints_.find(it->event().stream);
      if (cp == checkpoints_.end() || it->event().version > cp->second) break;
      through_ = it->event().position.value;
    }
  }
  durable_through_ = through_;
  published_through_ = through_;
  spdlog::info("projector {}: loaded {} streams, applied through position {}", view_->Name(), checkpoints_.size(),
               through_);
  return Status::Ok();
}

void Projector::MarkApplied(GlobalPosition position) {
  if (position.value <= through_) return;
  // In log order (a catch-up, a feed of one partition) the watermark simply
  // moves: no set node per event.
  if (position.value == through_ + 1 && applied_above_.empty()) {
    through_ = position.value;
    return;
  }
  applied_above_.insert(position.value);
  while (!applied_above_.empty() && *applied_above_.begin() == through_ + 1) {
    through_ = *applied_above_.begin();
    applied_above_.erase(applied_above_.begin());
  }
}

void Projector::ApplyOne(const DecodedEvent& decoded) {
  const RecordedEvent& event = decoded.event;
  // A payload that could not be decoded was logged where it was decoded
  // (Decode); skipping it keeps the stream moving.
  if (decoded.data) view_->Apply(event, *decoded.data);
  checkpoints_[event.stream] = event.version;
  changed_checkpoints_.insert(event.stream);  // written once per batch, in Apply
  MarkApplied(event.position);
}

Status Projector::FillGap(const StreamId& stream, StreamVersion before) {
  if (log_ == nullptr) {
    return Status::Unavailable(stream.value + " skips from version " + std::to_string(checkpoints_[stream].value) +
                               " to " + std::to_string(before.value) + " and no event log is reachable to fill it");
  }
  RETURN_IF_ERROR(log_->Refresh());
  for (auto it = log_->ReadStream(stream, checkpoints_[stream].Next()); it->Valid() && it->event().version < before;
       it->Next()) {
    ApplyOne(Decode(it->event()));
  }
  if (checkpoints_[stream].Next() != before) {
    return Status::Unavailable("the event log does not hold " + stream.value + " up to version " +
                               std::to_string(before.value - 1));
  }
  return Status::Ok();
}

Result<std::size_t> Projector::Apply(const std::vector<RecordedEvent>& events) {
  std::vector<DecodedEvent> decoded;
  decoded.reserve(events.size());
  for (const RecordedEvent& event : events) decoded.push_back(Decode(event));
  return ApplyDecoded(decoded);
}

Result<std::size_t> Projector::ApplyDecoded(const std::vector<DecodedEvent>& events) {
  std::lock_guard write_lock(write_mu_);
  rocksdb::WriteBatch batch;
  std::size_t applied = 0;
  std::string error;  // the last event that could not be applied
  std::uint64_t watermark = 0;
  // Fold: under the readers' lock, a chunk at a time, so a catch-up of
  // thousands of events lets readers in between chunks.
  for (std::size_t at = 0; at < events.size() || at == 0; at += kFoldChunk) {
    std::lock_guard lock(mu_);
    if (failed_) return Status::Unavailable("projector " + std::string(view_->Name()) + " must be restarted");
    for (std::size_t i = at; i < std::min(events.size(), at + kFoldChunk); ++i) {
      const RecordedEvent& event = events[i].event;
      const StreamVersion held = checkpoints_[event.stream];
      if (event.version <= held) {
        MarkApplied(event.position);  // already applied: redelivery changes nothing
        continue;
      }
      if (event.version != held.Next()) {
        Status filled = FillGap(event.stream, event.version);
        if (!filled.ok()) {
          spdlog::error("projector {}: {}", view_->Name(), filled.message());
          error = filled.message();
          continue;
        }
      }
      ApplyOne(events[i]);
      ++applied;
    }
    const bool last_chunk = at + kFoldChunk >= events.size();
    if (last_chunk) {
      // What the batch changed, as it stands now: taken under the same lock.
      for (const StreamId& stream : changed_checkpoints_) {
        batch.Put(std::string(kCheckpointPrefix) + stream.value, storage::EncodeU64Key(checkpoints_[stream].value));
      }
      changed_checkpoints_.clear();
      for (auto& [key, value] : view_->TakeChangedRows()) {
        const std::string row_key = std::string(kRowPrefix) + key;
        if (value.empty()) {
          batch.Delete(row_key);
        } else {
          batch.Put(row_key, value);
        }
      }
      watermark = through_;
      batch.Put(std::string(kWatermarkKey), storage::EncodeU64Key(watermark));
      // The health readers see matches the view they see: set with the fold.
      // A batch of redeliveries alone says nothing new about it.
      if (!error.empty() || applied > 0) last_error_ = error;
    }
    published_through_.store(through_, std::memory_order_release);
    applied_.notify_all();  // readers waiting for a position see it now
  }
  // Persist: one synced write, the readers' lock released. Only this thread
  // writes (write_mu_), so the rows on disk follow the batches in order.
  rocksdb::WriteOptions write;
  write.sync = !unlogged_;  // the caller commits Kafka offsets once this returns
  write.disableWAL = unlogged_;  // made durable by EndUnloggedCatchUp, or redone after a crash
  rocksdb::Status s = db_->Write(write, &batch);
  std::lock_guard lock(mu_);
  if (!s.ok()) {
    // The view in memory (derived from the durable log, so still right for
    // readers) is ahead of its rows; a restart reloads them and catches up.
    failed_ = true;
    last_error_ = "cannot persist its rows: " + s.ToString();
    return Status::Unavailable("projector " + std::string(view_->Name()) + " " + last_error_);
  }
  if (!unlogged_) durable_through_ = watermark;
  return applied;
}

Status Projector::BeginUnloggedCatchUp() {
  std::lock_guard write_lock(write_mu_);
  rocksdb::WriteOptions sync;
  sync.sync = true;
  rocksdb::Status s = db_->Put(sync, std::string(kRebuildingKey), "");
  if (!s.ok()) {
    return Status::Unavailable("projector " + std::string(view_->Name()) + " cannot mark its rebuild: " + s.ToString());
  }
  unlogged_ = true;
  return Status::Ok();
}

Status Projector::EndUnloggedCatchUp(bool completed) {
  std::lock_guard write_lock(write_mu_);
  unlogged_ = false;
  // Later batches are logged and synced again; the mark stays, so what was
  // written unlogged is redone from the log after a restart.
  if (!completed) return Status::Ok();
  rocksdb::FlushOptions flush;
  flush.wait = true;
  rocksdb::Status s = db_->Flush(flush);  // every row written unlogged, into synced table files
  if (s.ok()) {
    rocksdb::WriteOptions sync;
    sync.sync = true;
    s = db_->Delete(sync, std::string(kRebuildingKey));
  }
  std::lock_guard lock(mu_);
  if (!s.ok()) {
    // The mark stays: a restart rebuilds the view. Until then it is right in memory only.
    failed_ = true;
    last_error_ = "cannot persist its rebuilt rows: " + s.ToString();
    return Status::Unavailable("projector " + std::string(view_->Name()) + " " + last_error_);
  }
  durable_through_ = through_;
  return Status::Ok();
}

namespace {

// The event the log holds at `position`, or nullopt.
Result<std::optional<RecordedEvent>> EventAt(EventStore& log, GlobalPosition position) {
  std::unique_ptr<EventIterator> it = log.ReadAll(position);
  if (it->Valid() && it->event().position == position) return std::optional<RecordedEvent>(it->event());
  RETURN_IF_ERROR(it->status());
  return std::optional<RecordedEvent>();
}

// Whether a message is, field for field, the event the log holds: what the
// views read (envelope and payload bytes) and the hashes that seal it.
bool SameEvent(const RecordedEvent& held, const RecordedEvent& message) {
  return held.position == message.position && held.id == message.id && held.hash == message.hash &&
         held.stream == message.stream && held.version == message.version && held.type == message.type &&
         held.schema_version == message.schema_version && held.recorded_at == message.recorded_at &&
         held.actor == message.actor && held.prev_hash == message.prev_hash && held.data == message.data;
}

}  // namespace

Result<std::size_t> Projector::ApplyFromFeed(std::vector<DecodedEvent> messages) {
  if (log_ == nullptr) return ApplyDecoded(messages);
  // Nothing is applied without the log; /healthz says why.
  auto unreadable_log = [&](const Status& status) {
    std::lock_guard lock(mu_);
    last_error_ = "cannot read the event log to check the feed: " + status.message();
    return status;
  };
  // A follower sees what the writer made durable; the relay publishes only that.
  if (Status refreshed = log_->Refresh(); !refreshed.ok()) return unreadable_log(refreshed);
  // The log's events at the messages' positions. A batch from the feed covers
  // a run of positions (partitions interleave within it), so one pass of one
  // iterator over that run reads them all; scattered positions are read one
  // by one.
  std::unordered_map<std::uint64_t, RecordedEvent> held_at;
  if (!messages.empty()) {
    std::uint64_t low = messages.front().event.position.value, high = low;
    for (const DecodedEvent& message : messages) {
      low = std::min(low, message.event.position.value);
      high = std::max(high, message.event.position.value);
    }
    std::unordered_set<std::uint64_t> wanted;
    for (const DecodedEvent& message : messages) wanted.insert(message.event.position.value);
    if (high - low < 4 * messages.size() + 1024) {
      std::unique_ptr<EventIterator> it = log_->ReadAll(GlobalPosition(low));
      for (; it->Valid() && it->event().position.value <= high; it->Next()) {
        if (wanted.contains(it->event().position.value)) held_at.emplace(it->event().position.value, it->event());
      }
      if (!it->status().ok()) return unreadable_log(it->status());
    } else {
      for (std::uint64_t position : wanted) {
        Result<std::optional<RecordedEvent>> read = EventAt(*log_, GlobalPosition(position));
        if (!read.ok()) return unreadable_log(read.status());
        if (read->has_value()) held_at.emplace(position, **std::move(read));
      }
    }
  }
  std::vector<DecodedEvent> trusted;
  trusted.reserve(messages.size());
  for (DecodedEvent& decoded : messages) {
    const RecordedEvent& message = decoded.event;
    auto found = held_at.find(message.position.value);
    const RecordedEvent* held = found == held_at.end() ? nullptr : &found->second;
    // The message is the log's event: applied as the feed decoded it.
    if (held != nullptr && SameEvent(*held, message)) {
      trusted.push_back(std::move(decoded));
      continue;
    }
    ++untrusted_messages_;
    // Only what the log vouches for is logged: the message's own text is not.
    spdlog::warn("projector {}: ignoring a message for position {} (event id {}): {}", view_->Name(),
                 message.position.value, message.id.ToString(),
                 held != nullptr ? "the log holds another event there, applied instead"
                                 : "the log holds no event there");
    if (held != nullptr) trusted.push_back(Decode(*held));
  }
  return ApplyDecoded(trusted);
}

ViewHealth Projector::Health(GlobalPosition head, std::uint64_t max_lag, std::optional<Timestamp> now) const {
  ViewHealth health = [&] {
    std::lock_guard lock(mu_);
    return HealthLocked(head, max_lag);
  }();
  if (now && health.lag > 0 && log_ != nullptr) {
    // How long the first event not applied has waited; read outside the lock.
    std::unique_ptr<EventIterator> it = log_->ReadAll(GlobalPosition(health.applied_through.value + 1));
    if (it->Valid()) {
      const auto waited = *now - it->event().recorded_at;
      health.lag_seconds = waited.count() > 0 ? std::chrono::duration<double>(waited).count() : 0.0;
    }
  }
  return health;
}

ViewHealth Projector::HealthLocked(GlobalPosition head, std::uint64_t max_lag) const {
  ViewHealth health;
  health.view = std::string(view_->Name());
  health.applied_through = GlobalPosition(through_);
  health.lag = head.value > through_ ? head.value - through_ : 0;
  health.untrusted_messages = untrusted_messages_.load();
  if (failed_ || !last_error_.empty()) {
    health.problem = ViewProblem::kFailed;
    health.error = failed_ ? last_error_ + "; restart the projector" : last_error_;
  } else if (health.lag > max_lag) {
    health.problem = ViewProblem::kLagging;
  }
  return health;
}

Status Projector::CatchUpFromLog() {
  if (log_ == nullptr) return Status::FailedPrecondition("no event log to catch up from");
  return kuimen::CatchUpFromLog({this}, *log_);
}

namespace {

// Up to `size` events of the log from `it` on, decoded.
std::vector<DecodedEvent> ReadBatch(EventIterator& it, std::size_t size) {
  std::vector<DecodedEvent> batch;
  batch.reserve(size);
  for (; it.Valid() && batch.size() < size; it.Next()) batch.push_back(Decode(it.event()));
  return batch;
}

// Reads the log after `from` in batches, decoding the next while every
// projector applies the current one on a thread of its own.
Status ApplyLogInBatches(const std::vector<Projector*>& projectors, EventStore& log, std::uint64_t from,
                         std::size_t batch_events) {
  std::unique_ptr<EventIterator> it = log.ReadAll(GlobalPosition(from + 1));
  std::vector<DecodedEvent> batch = ReadBatch(*it, batch_events);
  std::vector<Status> results(projectors.size(), Status::Ok());
  while (!batch.empty()) {
    std::vector<std::thread> appliers;
    for (std::size_t i = 0; i < projectors.size(); ++i) {
      appliers.emplace_back([&, i] {
        NameThisThread("catch-up");
        results[i] = projectors[i]->ApplyDecoded(batch).status();
      });
    }
    std::vector<DecodedEvent> next = ReadBatch(*it, batch_events);
    for (std::thread& applier : appliers) applier.join();
    for (const Status& result : results) RETURN_IF_ERROR(result);
    batch = std::move(next);
  }
  return it->status();
}

}  // namespace

Status CatchUpFromLog(const std::vector<Projector*>& projectors, EventStore& log, std::size_t batch_events) {
  if (projectors.empty() || batch_events == 0) return Status::Ok();
  RETURN_IF_ERROR(log.Refresh());
  std::uint64_t from = std::numeric_limits<std::uint64_t>::max();
  for (const Projector* projector : projectors) from = std::min(from, projector->applied_through().value);
  // More than a batch behind: rows written unlogged, made durable at the end.
  const std::uint64_t head = log.Head().position.value;
  std::vector<Projector*> unlogged;
  for (Projector* projector : projectors) {
    if (head > projector->applied_through().value + batch_events) {
      RETURN_IF_ERROR(projector->BeginUnloggedCatchUp());
      unlogged.push_back(projector);
    }
  }
  Status caught_up = ApplyLogInBatches(projectors, log, from, batch_events);
  // A failed catch-up leaves its marks: the next start rebuilds those views.
  for (Projector* projector : unlogged) {
    Status ended = projector->EndUnloggedCatchUp(/*completed=*/caught_up.ok());
    if (caught_up.ok()) caught_up = ended;
  }
  return caught_up;
}

std::string Projector::Digest() const {
  std::lock_guard lock(mu_);
  ViewDigest digest;
  std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(rocksdb::ReadOptions()));
  for (it->SeekToFirst(); it->Valid(); it->Next()) {
    if (it->key().ToStringView() == kWatermarkKey) continue;  // how far, not what: differs between feeds mid-way
    digest.AddRow(it->key().ToStringView(), it->value().ToStringView());
  }
  return digest.Finish();
}

bool Projector::WaitForApplied(GlobalPosition position, std::chrono::milliseconds timeout) const {
  std::unique_lock lock(mu_);
  return applied_.wait_for(lock, timeout, [&] { return through_ >= position.value; });
}

GlobalPosition Projector::applied_through() const {
  return GlobalPosition(published_through_.load(std::memory_order_acquire));
}

GlobalPosition Projector::durable_through() const {
  std::lock_guard lock(mu_);
  return GlobalPosition(durable_through_);
}

}  // namespace kuimen
