#pragma once

#include <filesystem>
#include <string>
#include <string_view>

#include "domain/clock.h"
#include "domain/ids.h"
#include "domain/status.h"
#include "eventstore/event_store.h"

namespace kuimen {

// The format name backup.json carries; bumped when a backup's layout changes.
inline constexpr std::string_view kBackupFormat = "kuimen-backup/1";

// What a backup's backup.json records. It is written last, so a backup
// directory without it did not finish.
struct BackupManifest {
  Timestamp created_at;          // when the store was copied
  GlobalPosition head_position;  // the newest event in the copy (0: empty store)
  std::string head_hash;         // that event's hash, lower-case hex (zeros when empty)
};

// A consistent copy of a data directory into `dest` (must not exist or be
// empty; created mode 0700 when missing, as it holds secrets): dest/store
// (EventStore::Checkpoint, so `store` may take appends meanwhile), dest/keys
// and dest/admin.token when present (file modes kept), then
// dest/backup.json {"format","created_at","head_position","head_hash"}.
// Views are not copied: they are rebuilt from the log on start. The copy is
// opened and its hash chain verified before backup.json is written.
// Precondition: `store` is the store of data_dir, open for writing (the one a
// running server holds, or one opened for the backup). Safe to call beside
// requests; two backups may run at once into different directories.
// Errors: kFailedPrecondition for a non-empty dest or a read-only store;
// kDataLoss when the copy does not verify; kUnavailable for I/O failures.
// On error, what this call wrote into dest is removed.
Status BackupDataDir(EventStore& store, const std::filesystem::path& data_dir, const std::filesystem::path& dest,
                     const Clock& clock);

// Brings a backup back into data_dir, which must not exist or be empty (move
// an old one aside first; a server must not hold it). Copies the backup into
// a hidden directory beside data_dir, opens the copied store read-only,
// verifies the hash chain and that its head is the one backup.json records,
// and only then renames it to data_dir, so data_dir is either untouched or
// complete. The backup is left as it was.
// Errors: kNotFound / kFailedPrecondition for a missing or unfinished backup,
// or a data_dir that is not empty; kDataLoss when the copy does not verify or
// its head differs from backup.json; kUnavailable for I/O failures.
Status RestoreDataDir(const std::filesystem::path& backup, const std::filesystem::path& data_dir);

// What `kuimen salvage` copied out of a damaged data directory.
struct SalvageReport {
  std::string damage;  // why the store does not open (empty: it was intact)
  LogHead head;        // the newest event in the salvaged copy
};

// Copies what is intact of data_dir's store into `dest` (must not exist or be
// empty; created mode 0700): dest/store, replayed up to the first damaged
// record of its write-ahead log and verified, plus dest/keys and
// dest/admin.token. Views are rebuilt on start. data_dir is only read.
// Acknowledged events after the damage are not in the copy; the report says
// where the salvaged log ends. No server may be running on data_dir.
// Errors: kFailedPrecondition for a non-empty dest; kDataLoss when even the
// salvaged copy does not open or verify (restore a backup instead);
// kUnavailable for I/O failures. On error, what this call wrote is removed.
Result<SalvageReport> SalvageDataDir(const std::filesystem::path& data_dir, const std::filesystem::path& dest,
                                     const Clock& clock);

// Reads backup/backup.json. Errors: kNotFound for a missing directory;
// kFailedPrecondition when it has no backup.json (not a backup, or one that did
// not finish); kDataLoss for a malformed one or another format.
Result<BackupManifest> ReadBackupManifest(const std::filesystem::path& backup);

// The manifest as backup.json holds it (indented JSON, no trailing newline):
// what `kuimen backup` prints and the server's backup route answers.
std::string BackupManifestToJson(const BackupManifest& manifest);

}  // namespace kuimen
