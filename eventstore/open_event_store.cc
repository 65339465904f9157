// Opening a store: tell a new directory from an existing store, refuse
// anything else with a message an operator can act on.
#include <rocksdb/db.h>
#include <rocksdb/env.h>
#include <rocksdb/filter_policy.h>
#include <rocksdb/memtablerep.h>
#include <rocksdb/slice_transform.h>
#include <rocksdb/table.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <cstring>
#include <filesystem>
#include <future>

#include "eventstore/rocks_event_store.h"
#include "eventstore/rocksdb_logger.h"
#include "eventstore/storage_format.h"
#include "eventstore/wal_scan.h"

namespace kuimen {

namespace {

// The first damaged record in the store's write-ahead logs, if any: RocksDB
// would either refuse without naming the file and offset, or (for a length
// byte flipped in the last block) take it for a torn tail and drop every
// acknowledged record after it.
std::optional<WalDamage> FindWalDamage(const std::filesystem::path& dir) {
  std::vector<std::filesystem::path> logs;
  std::error_code error;
  for (const auto& entry : std::filesystem::directory_iterator(dir, error)) {
    if (entry.path().extension() == ".log") logs.push_back(entry.path());
  }
  std::sort(logs.begin(), logs.end());
  for (const auto& log : logs) {
    if (std::optional<WalDamage> damage = ScanWal(log)) return damage;
  }
  return std::nullopt;
}

// What an operator does about a damaged store.
constexpr std::string_view kRepairHint =
    "; nothing was started over it. Keep this directory as evidence, then restore the last backup with "
    "`kuimen restore --from BACKUP --data DATA_DIR` (or copy out what is intact with "
    "`kuimen salvage --data DATA_DIR --to NEW_DATA_DIR`, which names what is lost)";

// Translates RocksDB's open errors into the vocabulary callers branch on.
Status OpenError(const std::string& dir, const rocksdb::Status& s) {
  const std::string detail = s.ToString();
  if (s.IsCorruption()) {
    return Status::DataLoss("the event store in " + dir + " is corrupted: " + detail + std::string(kRepairHint));
  }
  if (s.IsIOError() && detail.find("lock") != std::string::npos) {
    return Status::Unavailable("the event store in " + dir + " is in use by another process: " + detail);
  }
  return Status::Unavailable("cannot open the event store in " + dir + ": " + detail);
}

// The stream part of a stream index key (its name and the NUL after it,
// storage::StreamPrefix): each stream's next key goes right after its last.
class StreamPartOfKey final : public rocksdb::SliceTransform {
 public:
  const char* Name() const override { return "kuimen.StreamPartOfKey"; }
  rocksdb::Slice Transform(const rocksdb::Slice& key) const override {
    const void* end = std::memchr(key.data(), '\0', key.size());
    return rocksdb::Slice(key.data(), static_cast<const char*>(end) - key.data() + 1);
  }
  bool InDomain(const rocksdb::Slice& key) const override {
    return std::memchr(key.data(), '\0', key.size()) != nullptr;
  }
};

rocksdb::ColumnFamilyOptions FamilyOptions(std::string_view family, bool single_scan) {
  rocksdb::ColumnFamilyOptions options;
  // Replaying a long WAL into skip lists dominates a read-only open (most of
  // `kuimen verify`); appending to a vector and sorting once on read does not.
  if (single_scan) {
    options.memtable_factory = std::make_shared<rocksdb::VectorRepFactory>();
  } else if (family == storage::kStreamFamily) {
    // A group's index keys go into the skip list from a hint kept per stream
    // (where that stream's last key went) instead of from the top: the
    // memtable inserts, after the sync, are the longest step of a group's
    // Write() (perf). Memtable only; nothing stored changes.
    options.memtable_insert_with_hint_prefix_extractor = std::make_shared<StreamPartOfKey>();
  } else if (family == storage::kIdFamily) {
    // The default skip list: the ids the store makes are time-ordered
    // (TimeOrderedIds), so each goes in after the last one, which the skip
    // list finds from its previous insert. (When ids were random, hash buckets
    // made the inserts cheaper but the flush, sorting them, dearer.)
  } else if (family == storage::kHeadFamily || family == storage::kMetaFamily) {
    // Every group overwrites each of its streams' version and the head with a
    // value of the same size: updated in place, the memtable stays as small as
    // the set of keys instead of growing a version per group. Memtable only.
    options.inplace_update_support = true;
  }
  rocksdb::BlockBasedTableOptions table;
  // Point lookups by id and position dominate; a bloom filter spares disk reads.
  table.filter_policy.reset(rocksdb::NewBloomFilterPolicy(10));
  options.table_factory.reset(rocksdb::NewBlockBasedTableFactory(table));
  return options;
}

// The log holds personal names: the directory is the owner's alone (0700),
// and so is every file in it (0600). New files get 0600 from the service's
// umask (077, gateway/main.cc); this mends a store made before that.
void RestrictModes(const std::filesystem::path& dir) {
  namespace fs = std::filesystem;
  constexpr fs::perms kOthers = fs::perms::group_all | fs::perms::others_all;
  std::error_code error;
  const fs::perms mode = fs::status(dir, error).permissions();
  if (error) return;  // a directory the Env creates elsewhere; nothing to mend here
  if ((mode & kOthers) != fs::perms::none) {
    fs::permissions(dir, fs::perms::owner_all, error);
    if (error) {
      spdlog::warn("eventstore: {} is open to group or others and cannot be set to 0700: {}", dir.string(),
                   error.message());
    } else {
      spdlog::warn("eventstore: {} was open to group or others (mode {:o}); set it to 0700", dir.string(),
                   static_cast<unsigned>(mode));
    }
  }
  int mended = 0;
  for (const auto& entry : fs::directory_iterator(dir, error)) {
    std::error_code ignored;
    if (!entry.is_regular_file(ignored)) continue;
    if ((entry.status(ignored).permissions() & kOthers) == fs::perms::none) continue;
    fs::permissions(entry.path(), fs::perms::owner_read | fs::perms::owner_write, ignored);
    if (!ignored) ++mended;
  }
  if (mended > 0) spdlog::warn("eventstore: {} files in {} were readable by others; set them to 0600", mended, dir.string());
}

rocksdb::Status SyncDirectory(rocksdb::Env& env, const std::string& dir) {
  std::unique_ptr<rocksdb::Directory> directory;
  rocksdb::Status s = env.NewDirectory(dir, &directory);
  if (s.ok()) s = directory->Fsync();
  return s;
}

// Creates `file` holding `text`, synced, its directory entry too.
Status WriteDurably(rocksdb::Env& env, const std::string& file, const std::string& text) {
  std::unique_ptr<rocksdb::WritableFile> out;
  rocksdb::Status s = env.NewWritableFile(file, &out, rocksdb::EnvOptions());
  if (s.ok()) s = out->Append(text);
  if (s.ok()) s = out->Sync();
  if (s.ok()) s = out->Close();
  if (s.ok()) s = SyncDirectory(env, std::filesystem::path(file).parent_path().string());
  if (!s.ok()) return Status::Unavailable("cannot write " + file + ": " + s.ToString());
  return Status::Ok();
}

Status RemoveChildren(rocksdb::Env& env, const std::string& dir) {
  std::vector<std::string> children;
  rocksdb::Status s = env.GetChildren(dir, &children);
  for (const std::string& name : children) {
    if (!s.ok()) break;
    if (name == "." || name == "..") continue;
    s = env.DeleteFile(dir + "/" + name);
  }
  if (!s.ok()) return Status::Unavailable("cannot clear " + dir + ": " + s.ToString());
  return Status::Ok();
}

bool IsEmptyOrMissing(rocksdb::Env& env, const std::string& dir) {
  std::vector<std::string> children;
  if (!env.GetChildren(dir, &children).ok()) return true;  // missing
  return std::all_of(children.begin(), children.end(),
                     [](const std::string& name) { return name == "." || name == ".."; });
}

}  // namespace

Result<std::unique_ptr<OpenRocksDb>> OpenRocksDatabase(const EventStoreOptions& options,
                                                       const std::shared_ptr<HealthBoard>& board) {
  rocksdb::Env* env = options.env != nullptr ? options.env : rocksdb::Env::Default();
  const std::string dir = options.dir.string();

  const bool follower = !options.follower_dir.empty();
  const std::string creating = dir + "/" + std::string(storage::kCreatingMarker);
  if (env->FileExists(creating).ok()) {
    if (options.read_only || follower) return Status::Unavailable(dir + " holds a store still being created");
    // A crash while the store was being created: no event was ever
    // acknowledged in it (appends start only once the marker is gone).
    spdlog::warn("eventstore: the creation of the store in {} was interrupted; starting it afresh", dir);
    RETURN_IF_ERROR(RemoveChildren(*env, dir));
  }
  const bool is_store = env->FileExists(dir + "/CURRENT").ok();
  const bool create = !is_store;
  if (create) {
    if (options.read_only || follower) return Status::NotFound(dir + " holds no event store");
    if (!IsEmptyOrMissing(*env, dir)) {
      return Status::FailedPrecondition(dir + " is not empty and holds no kuimen event store; "
                                        "refusing to start a fresh store over other files");
    }
    rocksdb::Status made = env->CreateDirIfMissing(dir);
    if (!made.ok()) return Status::Unavailable("cannot create " + dir + ": " + made.ToString());
    std::error_code ignored;  // a directory the Env keeps elsewhere has no mode here
    std::filesystem::permissions(options.dir, std::filesystem::perms::owner_all, ignored);
    RETURN_IF_ERROR(WriteDurably(*env, creating, "a kuimen event store is being created here\n"));
  }
  if (!options.read_only && !follower) RestrictModes(options.dir);

  rocksdb::DBOptions db_options;
  db_options.env = env;
  db_options.create_if_missing = create;
  db_options.create_missing_column_families = create;
  db_options.paranoid_checks = true;  // refuse, rather than skip, what fails a check
  db_options.info_log = NewRocksDbLogger("eventstore " + dir);  // no LOG file to fail on a full disk
  db_options.max_background_jobs = 2;  // the machine has two cores
  // One thread writes the groups; in-place updates (FamilyOptions) need it.
  db_options.allow_concurrent_memtable_write = false;
  // The small column families (head, cursors, ids) rarely fill a memtable, so
  // without a bound every WAL file stays for them: 1M events left ~360 MB of
  // WAL that each open replays. Past this size RocksDB flushes the families
  // that hold the oldest WAL file, so it can go.
  db_options.max_total_wal_size = 64 << 20;
  // Replaying the WAL: a record cut short at the end of the log (a crash
  // mid-append, before the sync that would have acknowledged it) is dropped;
  // a record that fails its checksum anywhere refuses the open. Point-in-time
  // recovery would stop at such a record and open short, silently dropping
  // every acknowledged event after it; absolute consistency would refuse a
  // torn tail, so a crash mid-write would stop the service.
  db_options.wal_recovery_mode = options.salvage ? rocksdb::WALRecoveryMode::kPointInTimeRecovery
                                                 : rocksdb::WALRecoveryMode::kTolerateCorruptedTailRecords;
  // RocksDB's own recovery from background errors is off (here for retryable
  // I/O errors, in StoreListener for a full disk): the store's writer calls
  // Resume() itself, after writing the WAL anchor (storage_format.h).
  db_options.max_bgerror_resume_count = 0;
  // Every acknowledged event is in the synced WAL; flushing at close only
  // delays shutdown (and after a failed flush RocksDB waits a second).
  db_options.avoid_flush_during_shutdown = true;
  // Background errors (a full disk) and flushes of "default" reach the store.
  db_options.listeners.push_back(std::make_shared<StoreListener>(board, *options.clock));

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

  auto damaged = [&dir](const WalDamage& damage) {
    return Status::DataLoss("the event store in " + dir + " is corrupted: its write-ahead log " +
                            damage.file.filename().string() + " is damaged at byte " + std::to_string(damage.offset) +
                            " (" + damage.problem + "), so acknowledged events after it would be lost" +
                            std::string(kRepairHint));
  };
  // A follower leaves the writer's WAL to the writer.
  const bool scan_wal = !create && !follower && !options.salvage;
  // A read-only open changes nothing on disk, so the scan runs beside it (on
  // the second core) and its finding, if any, wins over whatever the open
  // made of the damage; a writable open must not start over a damaged WAL.
  std::future<std::optional<WalDamage>> wal_scan;
  if (scan_wal && options.read_only) {
    wal_scan = std::async(std::launch::async, [dir = options.dir] { return FindWalDamage(dir); });
  } else if (scan_wal) {
    if (std::optional<WalDamage> damage = FindWalDamage(options.dir)) return damaged(*damage);
  }

  const bool single_scan = options.single_scan && options.read_only && !follower;
  std::vector<rocksdb::ColumnFamilyDescriptor> descriptors;
  for (const std::string& name : names) descriptors.emplace_back(name, FamilyOptions(name, single_scan));
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
  std::unique_ptr<rocksdb::DB> db(raw);
  if (wal_scan.valid()) {
    if (std::optional<WalDamage> damage = wal_scan.get()) {
      if (opened.ok()) {
        for (auto* handle : handles) db->DestroyColumnFamilyHandle(handle);
      }
      return damaged(*damage);
    }
  }
  if (!opened.ok()) return OpenError(dir, opened);
  rocksdb::ColumnFamilyHandle* meta = handles[5];
  // RocksDB asserts when a database is deleted with handles still open.
  auto close = [&] {
    for (auto* handle : handles) db->DestroyColumnFamilyHandle(handle);
    handles.clear();
  };

  if (create) {
    rocksdb::WriteOptions write;
    write.sync = true;
    rocksdb::Status marked = db->Put(write, meta, std::string(storage::kFormatKey), std::string(storage::kStoreFormat));
    if (marked.ok()) marked = env->DeleteFile(creating);
    if (marked.ok()) marked = SyncDirectory(*env, dir);
    if (!marked.ok()) {
      close();
      return Status::Unavailable("cannot initialise " + dir + ": " + marked.ToString());
    }
    spdlog::info("eventstore: created a new store in {}", dir);
  }
  if (options.salvage) {
    // Make what was replayed the store and retire the damaged WAL: a flush
    // starts a new WAL, and the old one, no longer needed, is deleted. The
    // anchor (storage_format.h) gives the flush something to write.
    rocksdb::WriteOptions without_wal;
    without_wal.disableWAL = true;
    rocksdb::Status retired = db->Put(without_wal, handles[0], std::string(storage::kWalAnchorKey), "");
    if (retired.ok()) retired = db->Flush(rocksdb::FlushOptions(), handles);
    if (!retired.ok()) {
      close();
      return Status::DataLoss("cannot salvage " + dir + ": " + retired.ToString());
    }
  }
  std::string format;
  rocksdb::Status got = db->Get(rocksdb::ReadOptions(), meta, std::string(storage::kFormatKey), &format);
  if (!got.ok() || format != storage::kStoreFormat) {
    close();
    return Status::FailedPrecondition(
        dir + (got.ok() ? " holds store format \"" + format + "\"; this kuimen reads \"" +
                              std::string(storage::kStoreFormat) + "\""
                        : " has no kuimen format marker: " + got.ToString()));
  }

  return std::make_unique<OpenRocksDb>(dir, std::move(db), std::move(handles), !options.read_only && !follower);
}

Result<std::unique_ptr<EventStore>> OpenEventStore(const EventStoreOptions& options) {
  if (options.clock == nullptr) return Status::InvalidArgument("a clock is required", "clock");
  if (options.dir.empty()) return Status::InvalidArgument("a data directory is required", "dir");
  const std::string dir = options.dir.string();
  auto board = std::make_shared<HealthBoard>();
  ASSIGN_OR_RETURN(std::unique_ptr<OpenRocksDb> db, OpenRocksDatabase(options, board));
  auto store = std::make_unique<RocksEventStore>(options, std::move(db), std::move(board));
  Status loaded = store->LoadState();
  if (!loaded.ok()) return loaded.WithContext("the event store in " + dir);
  const LogHead head = store->Head();
  spdlog::info("eventstore: opened {} at position {}", dir, head.position.value);
  return std::unique_ptr<EventStore>(std::move(store));
}

}  // namespace kuimen
