// The two read paths of RocksEventStore: the whole log by position, and one
// stream by version through the stream index.
#include <rocksdb/db.h>

#include "eventstore/rocks_event_store.h"
#include "eventstore/storage_format.h"

namespace kuimen {

namespace {

// An iterator that failed before it started (the database is being reopened).
class FailedIterator final : public EventIterator {
 public:
  explicit FailedIterator(Status status) : status_(std::move(status)) {}
  bool Valid() const override { return false; }
  const RecordedEvent& event() const override { return event_; }
  void Next() override {}
  Status status() const override { return status_; }

 private:
  Status status_;
  RecordedEvent event_;
};

// Walks the log column family from a position. The RocksDB iterator pins a
// snapshot, so the walk ends at the head as of its creation. Holds the
// database open (a reopen waits for it).
class LogIterator final : public EventIterator {
 public:
  LogIterator(std::shared_ptr<OpenRocksDb> db, GlobalPosition from) : db_(std::move(db)) {
    rocksdb::ReadOptions read;
    read.readahead_size = 2 << 20;  // replays read sequentially
    it_.reset(db_->db().NewIterator(read, db_->log()));
    it_->Seek(storage::EncodeU64Key(from.value));
    Load();
  }
  bool Valid() const override { return valid_; }
  const RecordedEvent& event() const override { return event_; }
  void Next() override {
    it_->Next();
    Load();
  }
  Status status() const override { return status_; }

 private:
  void Load() {
    valid_ = false;
    if (!it_->Valid()) {
      if (!it_->status().ok()) status_ = Status::Unavailable("cannot read the log: " + it_->status().ToString());
      return;
    }
    Result<RecordedEvent> decoded = storage::DecodeRecord(it_->value().ToStringView());
    if (!decoded.ok()) {
      status_ = decoded.status();
      return;
    }
    event_ = std::move(decoded).value();
    valid_ = true;
  }

  std::shared_ptr<OpenRocksDb> db_;  // declared first: destroyed after the RocksDB iterator
  std::unique_ptr<rocksdb::Iterator> it_;
  RecordedEvent event_;
  bool valid_ = false;
  Status status_;
};

// Walks one stream's index and fetches each event from the log, all under one
// snapshot so the index and the log agree.
class StreamIterator final : public EventIterator {
 public:
  StreamIterator(std::shared_ptr<OpenRocksDb> db, const StreamId& stream, StreamVersion from)
      : owner_(std::move(db)),
        db_(owner_->db()),
        log_(owner_->log()),
        prefix_(storage::StreamPrefix(stream)),
        snapshot_(db_.GetSnapshot()) {
    read_.snapshot = snapshot_;
    it_.reset(db_.NewIterator(read_, owner_->streams()));
    it_->Seek(storage::StreamKey(stream, from));
    Load();
  }
  ~StreamIterator() override {
    it_.reset();
    db_.ReleaseSnapshot(snapshot_);
  }
  bool Valid() const override { return valid_; }
  const RecordedEvent& event() const override { return event_; }
  void Next() override {
    it_->Next();
    Load();
  }
  Status status() const override { return status_; }

 private:
  void Load() {
    valid_ = false;
    if (!it_->Valid() || !it_->key().starts_with(prefix_)) {
      if (!it_->status().ok()) status_ = Status::Unavailable("cannot read the stream index: " + it_->status().ToString());
      return;
    }
    std::string record;
    rocksdb::Status s = db_.Get(read_, log_, it_->value(), &record);
    if (!s.ok()) {
      status_ = Status::DataLoss("the stream index points at an unreadable event: " + s.ToString());
      return;
    }
    Result<RecordedEvent> decoded = storage::DecodeRecord(record);
    if (!decoded.ok()) {
      status_ = decoded.status();
      return;
    }
    event_ = std::move(decoded).value();
    valid_ = true;
  }

  std::shared_ptr<OpenRocksDb> owner_;  // holds the database open (a reopen waits for it)
  rocksdb::DB& db_;
  rocksdb::ColumnFamilyHandle* log_;
  const std::string prefix_;
  const rocksdb::Snapshot* snapshot_;
  rocksdb::ReadOptions read_;
  std::unique_ptr<rocksdb::Iterator> it_;
  RecordedEvent event_;
  bool valid_ = false;
  Status status_;
};

}  // namespace

std::unique_ptr<EventIterator> RocksEventStore::ReadAll(GlobalPosition from) {
  std::shared_ptr<OpenRocksDb> db = Db();
  if (!db) return std::make_unique<FailedIterator>(Status::Unavailable("the event store is being reopened; retry"));
  return std::make_unique<LogIterator>(std::move(db), from);
}

std::unique_ptr<EventIterator> RocksEventStore::ReadStream(const StreamId& stream, StreamVersion from) {
  std::shared_ptr<OpenRocksDb> db = Db();
  if (!db) return std::make_unique<FailedIterator>(Status::Unavailable("the event store is being reopened; retry"));
  return std::make_unique<StreamIterator>(std::move(db), stream, from);
}

}  // namespace kuimen
