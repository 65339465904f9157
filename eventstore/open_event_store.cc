// Opening a store: tell a new directory from an existing store, refuse
// anything else with a message an operator can act on.
#include <rocksdb/db.h>
#include <rocksdb/env.h>
#include <rocksdb/filter_policy.h>
#include <rocksdb/table.h>
#include <spdlog/spdlog.h>

#include <algorithm>

#include "eventstore/rocks_event_store.h"
#include "eventstore/storage_format.h"

namespace kuimen {

namespace {

// Translates RocksDB's open errors into the vocabulary callers branch on.
Status OpenError(const std::string& dir, const rocksdb::Status& s) {
  const std::string detail = s.ToString();
  if (s.IsCorruption()) return Status::DataLoss("the event store in " + dir + " is corrupted: " + detail);
  if (s.IsIOError() && detail.find("lock") != std::string::npos) {
    return Status::Unavailable("the event store in " + dir + " is in use by another process: " + detail);
  }
  return Status::Unavailable("cannot open the event store in " + dir + ": " + detail);
}

rocksdb::ColumnFamilyOptions FamilyOptions() {
  rocksdb::ColumnFamilyOptions options;
  rocksdb::BlockBasedTableOptions table;
  // Point lookups by id and position dominate; a bloom filter spares disk reads.
  table.filter_policy.reset(rocksdb::NewBloomFilterPolicy(10));
  options.table_factory.reset(rocksdb::NewBlockBasedTableFactory(table));
  return options;
}

bool IsEmptyOrMissing(rocksdb::Env& env, const std::string& dir) {
  std::vector<std::string> children;
  if (!env.GetChildren(dir, &children).ok()) return true;  // missing
  return std::all_of(children.begin(), children.end(),
                     [](const std::string& name) { return name == "." || name == ".."; });
}

}  // namespace

Result<std::unique_ptr<EventStore>> OpenEventStore(const EventStoreOptions& options) {
  if (options.clock == nullptr) return Status::InvalidArgument("a clock is required", "clock");
  if (options.dir.empty()) return Status::InvalidArgument("a data directory is required", "dir");
  rocksdb::Env* env = options.env != nullptr ? options.env : rocksdb::Env::Default();
  const std::string dir = options.dir.string();

  const bool is_store = env->FileExists(dir + "/CURRENT").ok();
  const bool create = !is_store;
  const bool follower = !options.follower_dir.empty();
  if (create) {
    if (options.read_only || follower) return Status::NotFound(dir + " holds no event store");
    if (!IsEmptyOrMissing(*env, dir)) {
      return Status::FailedPrecondition(dir + " is not empty and holds no kuimen event store; "
                                        "refusing to start a fresh store over other files");
    }
    rocksdb::Status made = env->CreateDirIfMissing(dir);
    if (!made.ok()) return Status::Unavailable("cannot create " + dir + ": " + made.ToString());
  }

  rocksdb::DBOptions db_options;
  db_options.env = env;
  db_options.create_if_missing = create;
  db_options.create_missing_column_families = create;
  db_options.paranoid_checks = true;
  db_options.max_background_jobs = 2;  // the machine has two cores
  // A torn write at the WAL's tail (a crash mid-append) was never acknowledged; drop it.
  db_options.wal_recovery_mode = rocksdb::WALRecoveryMode::kPointInTimeRecovery;

  const std::vector<std::string> names = FamilyNames();
  if (!create) {
    std::vector<std::string> found;
    rocksdb::Status listed = rocksdb::DB::ListColumnFamilies(db_options, dir, &found);
    if (!listed.ok()) return OpenError(dir, listed);
    std::vector<std::string> expected = names;
    std::sort(found.begin(), found.end());
    std::sort(expected.begin(), expected.end());
    if (found != expected) {
      // Tell a corrupted store from a foreign database: open what is there,
      // read-only so a foreign database is left untouched.
      std::vector<rocksdb::ColumnFamilyDescriptor> present;
      for (const std::string& name : found) present.emplace_back(name, rocksdb::ColumnFamilyOptions());
      std::vector<rocksdb::ColumnFamilyHandle*> handles;
      rocksdb::DB* raw = nullptr;
      rocksdb::Status probe = rocksdb::DB::OpenForReadOnly(db_options, dir, present, &handles, &raw);
      if (!probe.ok()) return OpenError(dir, probe);
      for (auto* handle : handles) raw->DestroyColumnFamilyHandle(handle);
      delete raw;
      std::string list;
      for (const std::string& name : found) list += (list.empty() ? "" : ", ") + name;
      return Status::FailedPrecondition(dir + " holds a RocksDB database of another format (column families: " +
                                        list + "), not a kuimen event store");
    }
  }

  std::vector<rocksdb::ColumnFamilyDescriptor> descriptors;
  for (const std::string& name : names) descriptors.emplace_back(name, FamilyOptions());
  std::vector<rocksdb::ColumnFamilyHandle*> handles;
  rocksdb::DB* raw = nullptr;
  rocksdb::Status opened;
  if (follower) {
    db_options.max_open_files = -1;  // a secondary instance requires it
    opened = rocksdb::DB::OpenAsSecondary(db_options, dir, options.follower_dir.string(), descriptors, &handles, &raw);
  } else if (options.read_only) {
    opened = rocksdb::DB::OpenForReadOnly(db_options, dir, descriptors, &handles, &raw);
  } else {
    opened = rocksdb::DB::Open(db_options, dir, descriptors, &handles, &raw);
  }
  if (!opened.ok()) return OpenError(dir, opened);
  std::unique_ptr<rocksdb::DB> db(raw);
  rocksdb::ColumnFamilyHandle* meta = handles[5];

  if (create) {
    rocksdb::WriteOptions write;
    write.sync = true;
    rocksdb::Status marked = db->Put(write, meta, std::string(storage::kFormatKey), std::string(storage::kStoreFormat));
    if (!marked.ok()) return Status::Unavailable("cannot initialise " + dir + ": " + marked.ToString());
    spdlog::info("eventstore: created a new store in {}", dir);
  }
  std::string format;
  rocksdb::Status got = db->Get(rocksdb::ReadOptions(), meta, std::string(storage::kFormatKey), &format);
  auto close = [&] {
    for (auto* handle : handles) db->DestroyColumnFamilyHandle(handle);
  };
  if (!got.ok() || format != storage::kStoreFormat) {
    close();
    return Status::FailedPrecondition(
        dir + (got.ok() ? " holds store format \"" + format + "\"; this kuimen reads \"" +
                              std::string(storage::kStoreFormat) + "\""
                        : " has no kuimen format marker: " + got.ToString()));
  }

  auto store = std::make_unique<RocksEventStore>(options, std::move(db), std::move(handles));
  Status loaded = store->LoadState();
  if (!loaded.ok()) return loaded.WithContext("the event store in " + dir);
  const LogHead head = store->Head();
  spdlog::info("eventstore: opened {} at position {}", dir, head.position.value);
  return std::unique_ptr<EventStore>(std::move(store));
}

}  // namespace kuimen
