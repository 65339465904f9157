#include "gateway/backup.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <optional>
#include <sstream>
#include <vector>

#include <nlohmann/json.hpp>
#include <spdlog/spdlog.h>

#include "eventstore/envelope_json.h"
#include "gateway/data_layout.h"
#include "gateway/file_store.h"

namespace kuimen {

namespace {

// The parts of a data directory a backup carries. Views are left out: they
// are rebuilt from the log. server.json describes a running process, not data.
using data_layout::kAdminToken;
using data_layout::kFiles;
using data_layout::kKeys;
using data_layout::kStore;
constexpr const char* kManifest = "backup.json";

Status IoError(const std::string& what, const std::filesystem::path& path, int error) {
  return Status::Unavailable(what + " " + path.string() + ": " + std::strerror(error));
}

// Closes a file descriptor on every path out.
class Fd {
 public:
  explicit Fd(int fd) : fd_(fd) {}
  ~Fd() {
    if (fd_ >= 0) close(fd_);
  }
  Fd(const Fd&) = delete;
  Fd& operator=(const Fd&) = delete;
  int get() const { return fd_; }

 private:
  int fd_;
};

Status SyncDir(const std::filesystem::path& dir) {
  Fd fd(open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (fd.get() < 0) return IoError("cannot open", dir, errno);
  if (fsync(fd.get()) != 0) return IoError("cannot sync", dir, errno);
  return Status::Ok();
}

Status WriteAll(int fd, const char* data, std::size_t size, const std::filesystem::path& path) {
  while (size > 0) {
    ssize_t n = write(fd, data, size);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return IoError("cannot write", path, errno);
    data += n;
    size -= static_cast<std::size_t>(n);
  }
  return Status::Ok();
}

// Copies one regular file, keeping its permission bits (a key or a token must
// stay 0600 in the copy), and syncs it: a backup is only worth what reached the disk.
Status CopyFileDurably(const std::filesystem::path& from, const std::filesystem::path& to) {
  Fd in(open(from.c_str(), O_RDONLY | O_CLOEXEC));
  if (in.get() < 0) return IoError("cannot read", from, errno);
  struct stat info {};
  if (fstat(in.get(), &info) != 0) return IoError("cannot read", from, errno);
  const mode_t mode = info.st_mode & 07777;
  // Created owner-only and widened afterwards, so a secret is never readable by others in between.
  Fd out(open(to.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600));
  if (out.get() < 0) return IoError("cannot create", to, errno);
  std::vector<char> buffer(1 << 20);
  while (true) {
    ssize_t n = read(in.get(), buffer.data(), buffer.size());
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return IoError("cannot read", from, errno);
    if (n == 0) break;
    RETURN_IF_ERROR(WriteAll(out.get(), buffer.data(), static_cast<std::size_t>(n), to));
  }
  if (fchmod(out.get(), mode) != 0) return IoError("cannot set the mode of", to, errno);
  if (fsync(out.get()) != 0) return IoError("cannot sync", to, errno);
  return Status::Ok();
}

// Copies a directory tree of regular files, keeping modes. Anything else (a
// symlink, a socket) is refused rather than silently left out of a backup.
Status CopyTreeDurably(const std::filesystem::path& from, const std::filesystem::path& to) {
  std::error_code error;
  const std::filesystem::perms perms = std::filesystem::status(from, error).permissions();
  if (error) return Status::Unavailable("cannot read " + from.string() + ": " + error.message());
  if (!std::filesystem::create_directory(to, error)) {
    return Status::Unavailable("cannot create " + to.string() + ": " +
                               (error ? error.message() : std::string("it already exists")));
  }
  std::filesystem::permissions(to, perms, error);
  if (error) return Status::Unavailable("cannot set the mode of " + to.string() + ": " + error.message());
  for (std::filesystem::directory_iterator it(from, error), end; !error && it != end; it.increment(error)) {
    const std::filesystem::path& entry = it->path();
    const std::filesystem::file_status kind = it->symlink_status(error);
    if (error) break;
    if (std::filesystem::is_directory(kind)) {
      RETURN_IF_ERROR(CopyTreeDurably(entry, to / entry.filename()));
    } else if (std::filesystem::is_regular_file(kind)) {
      RETURN_IF_ERROR(CopyFileDurably(entry, to / entry.filename()));
    } else {
      return Status::FailedPrecondition(entry.string() + " is neither a file nor a directory; cannot copy it");
    }
  }
  if (error) return Status::Unavailable("cannot list " + from.string() + ": " + error.message());
  return SyncDir(to);
}

// Writes a small file under a temporary name and renames it into place, so
// readers see all of it or none of it.
Status WriteFileAtomically(const std::filesystem::path& path, const std::string& content) {
  const std::filesystem::path temporary = path.string() + ".tmp";
  {
    Fd out(open(temporary.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644));
    if (out.get() < 0) return IoError("cannot create", temporary, errno);
    RETURN_IF_ERROR(WriteAll(out.get(), content.data(), content.size(), temporary));
    if (fsync(out.get()) != 0) return IoError("cannot sync", temporary, errno);
  }
  if (rename(temporary.c_str(), path.c_str()) != 0) return IoError("cannot rename into", path, errno);
  return SyncDir(path.parent_path());
}

// The absolute form without a trailing separator: "data/" and "./data" name
// the same directory, whose parent is where a restore stages its copy.
Result<std::filesystem::path> Normalize(const std::filesystem::path& path, const char* field) {
  std::error_code error;
  std::filesystem::path absolute = std::filesystem::absolute(path, error).lexically_normal();
  if (error || path.empty()) return Status::InvalidArgument("cannot resolve the path \"" + path.string() + "\"", field);
  if (!absolute.has_filename()) absolute = absolute.parent_path();
  return absolute;
}

// Missing, or an empty directory: the only places a copy may go.
Status CheckVacant(const std::filesystem::path& dir, const std::string& advice) {
  std::error_code error;
  const std::filesystem::file_status status = std::filesystem::status(dir, error);
  if (!std::filesystem::exists(status)) return Status::Ok();
  if (!std::filesystem::is_directory(status)) {
    return Status::FailedPrecondition(dir.string() + " exists and is not a directory; " + advice);
  }
  if (!std::filesystem::is_empty(dir, error) || error) {
    return Status::FailedPrecondition(dir.string() + " is not empty; " + advice);
  }
  return Status::Ok();
}

// Copies the stored uploads (DATA/files/<sha256>; not uploads in progress),
// each synced. Content-addressed files never change, so copying them after
// the store's checkpoint misses none the checkpoint cites.
Status CopyUploadedFiles(const std::filesystem::path& from, const std::filesystem::path& to) {
  std::error_code error;
  if (!std::filesystem::is_directory(from, error)) return Status::Ok();
  std::filesystem::create_directories(to, error);
  if (error) return Status::Unavailable("cannot create " + to.string() + ": " + error.message());
  for (std::filesystem::directory_iterator it(from, error), end; !error && it != end; it.increment(error)) {
    const std::string name = it->path().filename().string();
    if (!IsFileHash(name) || !it->is_regular_file(error)) continue;
    if (std::filesystem::exists(to / name, error)) continue;
    RETURN_IF_ERROR(CopyFileDurably(it->path(), to / name));
  }
  if (error) return Status::Unavailable("cannot list " + from.string() + ": " + error.message());
  return SyncDir(to);
}

// Opens a copied store read-only and walks its chain; returns its head.
// Copies what a data directory's log stands on (the store, the signing key,
// the administrator's token) from one directory to another, each file synced.
Status CopyLogFiles(const std::filesystem::path& from, const std::filesystem::path& to) {
  RETURN_IF_ERROR(CopyTreeDurably(from / kStore, to / kStore));
  std::error_code error;
  if (std::filesystem::is_directory(from / kKeys, error)) {
    RETURN_IF_ERROR(CopyTreeDurably(from / kKeys, to / kKeys));
  }
  if (std::filesystem::is_regular_file(from / kAdminToken, error)) {
    RETURN_IF_ERROR(CopyFileDurably(from / kAdminToken, to / kAdminToken));
  }
  RETURN_IF_ERROR(CopyUploadedFiles(from / kFiles, to / kFiles));
  return Status::Ok();
}

Result<LogHead> VerifyCopy(const std::filesystem::path& store_dir, const Clock& clock) {
  EventStoreOptions options;
  options.dir = store_dir;
  options.clock = &clock;
  options.read_only = true;
  ASSIGN_OR_RETURN(std::unique_ptr<EventStore> copy, OpenEventStore(options));
  const VerifyReport report = copy->Verify();
  if (!report.ok) {
    return Status::DataLoss("the copy in " + store_dir.string() + " fails verification at position " +
                            std::to_string(report.bad_position.value) + ": " + report.problem);
  }
  return report.head;
}

}  // namespace

std::string BackupManifestToJson(const BackupManifest& manifest) {
  nlohmann::ordered_json out;
  out["format"] = kBackupFormat;
  out["created_at"] = FormatTimestamp(manifest.created_at);
  out["head_position"] = manifest.head_position.value;
  out["head_hash"] = manifest.head_hash;
  return out.dump(2);
}

Result<BackupManifest> ReadBackupManifest(const std::filesystem::path& backup) {
  std::error_code error;
  if (!std::filesystem::is_directory(backup, error)) {
    return Status::NotFound(backup.string() + " is not a directory; name the directory `kuimen backup --to` made");
  }
  const std::filesystem::path path = backup / kManifest;
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    return Status::FailedPrecondition(backup.string() + " has no " + kManifest +
                                      ": it is not a kuimen backup, or its backup did not finish");
  }
  std::stringstream text;
  text << in.rdbuf();
  const nlohmann::json json = nlohmann::json::parse(text.str(), nullptr, /*allow_exceptions=*/false);
  auto malformed = [&path](const std::string& problem) {
    return Status::DataLoss(path.string() + " is malformed: " + problem);
  };
  if (!json.is_object()) return malformed("not a JSON object");
  const auto format = json.find("format");
  if (format == json.end() || !format->is_string()) return malformed("no \"format\"");
  if (format->get<std::string>() != kBackupFormat) {
    return Status::DataLoss(path.string() + " is of format \"" + format->get<std::string>() + "\"; this kuimen reads \"" +
                            std::string(kBackupFormat) + "\"");
  }
  BackupManifest manifest;
  const auto created_at = json.find("created_at");
  std::optional<Timestamp> parsed;
  if (created_at != json.end() && created_at->is_string()) parsed = ParseTimestamp(created_at->get<std::string>());
  if (!parsed) return malformed("\"created_at\" must be an RFC 3339 UTC time");
  manifest.created_at = *parsed;
  const auto position = json.find("head_position");
  if (position == json.end() || !position->is_number_unsigned()) return malformed("\"head_position\" must be a count");
  manifest.head_position = GlobalPosition(position->get<std::uint64_t>());
  const auto hash = json.find("head_hash");
  if (hash == json.end() || !hash->is_string() || hash->get<std::string>().size() != 64) {
    return malformed("\"head_hash\" must be 64 hex digits");
  }
  manifest.head_hash = hash->get<std::string>();
  return manifest;
}

Status BackupDataDir(EventStore& store, const std::filesystem::path& data_dir, const std::filesystem::path& dest,
                     const Clock& clock) {
  ASSIGN_OR_RETURN(const std::filesystem::path source, Normalize(data_dir, "data"));
  ASSIGN_OR_RETURN(const std::filesystem::path target, Normalize(dest, "to"));
  RETURN_IF_ERROR(CheckVacant(target, "a backup goes into a new or empty directory"));
  if (target == source || target.string().starts_with((source / "").string())) {
    return Status::InvalidArgument("a backup of " + source.string() + " cannot go inside it", "to");
  }

  std::error_code error;
  const bool made_target = !std::filesystem::exists(target, error);
  if (made_target) {
    std::filesystem::create_directories(target, error);
    if (error) return Status::Unavailable("cannot create " + target.string() + ": " + error.message());
    // The backup holds the signing key and the admin token: owner only.
    std::filesystem::permissions(target, std::filesystem::perms::owner_all, error);
    if (error) return Status::Unavailable("cannot set the mode of " + target.string() + ": " + error.message());
  }
  // Leaves dest as it was found when any step fails.
  auto undo = [&](const Status& failure) {
    std::error_code ignored;
    if (made_target) {
      std::filesystem::remove_all(target, ignored);
    } else {
      for (const char* name : {kStore, kKeys, kAdminToken, kManifest, kFiles}) {
        std::filesystem::remove_all(target / name, ignored);
      }
      std::filesystem::remove(target / (std::string(kManifest) + ".tmp"), ignored);
    }
    spdlog::error("backup of {} into {} failed: {}", source.string(), target.string(), failure.message());
    return failure;
  };

  Status step = store.Checkpoint(target / kStore);
  if (!step.ok()) return undo(step);
  const Timestamp copied_at = clock.Now();

  if (std::filesystem::is_directory(source / kKeys, error)) {
    if (step = CopyTreeDurably(source / kKeys, target / kKeys); !step.ok()) return undo(step);
  }
  if (std::filesystem::is_regular_file(source / kAdminToken, error)) {
    if (step = CopyFileDurably(source / kAdminToken, target / kAdminToken); !step.ok()) return undo(step);
  }
  if (step = CopyUploadedFiles(source / kFiles, target / kFiles); !step.ok()) return undo(step);
  if (step = SyncDir(target); !step.ok()) return undo(step);

  // The copy's own head, not the live store's: appends went on during the checkpoint.
  Result<LogHead> head = VerifyCopy(target / kStore, clock);
  if (!head.ok()) return undo(head.status());
  BackupManifest manifest{copied_at, head->position, ToHex(head->hash)};
  if (step = WriteFileAtomically(target / kManifest, BackupManifestToJson(manifest) + "\n"); !step.ok()) {
    return undo(step);
  }
  spdlog::info("backup of {} written to {}: head position {} hash {}", source.string(), target.string(),
               manifest.head_position.value, manifest.head_hash);
  return Status::Ok();
}

Result<SalvageReport> SalvageDataDir(const std::filesystem::path& data_dir, const std::filesystem::path& dest,
                                     const Clock& clock) {
  ASSIGN_OR_RETURN(const std::filesystem::path source, Normalize(data_dir, "data"));
  ASSIGN_OR_RETURN(const std::filesystem::path target, Normalize(dest, "to"));
  RETURN_IF_ERROR(CheckVacant(target, "salvage into a new or empty directory"));
  if (target == source || target.string().starts_with((source / "").string())) {
    return Status::InvalidArgument("a salvaged copy of " + source.string() + " cannot go inside it", "to");
  }
  std::error_code error;
  if (!std::filesystem::is_directory(source / kStore, error)) {
    return Status::NotFound(source.string() + " holds no event store (" + (source / kStore).string() + " is missing)");
  }
  SalvageReport report;
  {
    EventStoreOptions options;
    options.dir = source / kStore;
    options.clock = &clock;
    options.read_only = true;
    Result<std::unique_ptr<EventStore>> as_is = OpenEventStore(options);
    if (!as_is.ok()) report.damage = as_is.status().message();
  }

  const bool made_target = !std::filesystem::exists(target, error);
  if (made_target) {
    std::filesystem::create_directories(target, error);
    if (error) return Status::Unavailable("cannot create " + target.string() + ": " + error.message());
    std::filesystem::permissions(target, std::filesystem::perms::owner_all, error);
    if (error) return Status::Unavailable("cannot set the mode of " + target.string() + ": " + error.message());
  }
  auto undo = [&](const Status& failure) {
    std::error_code ignored;
    if (made_target) {
      std::filesystem::remove_all(target, ignored);
    } else {
      for (const char* name : {kStore, kKeys, kAdminToken, kFiles}) std::filesystem::remove_all(target / name, ignored);
    }
    spdlog::error("salvage of {} into {} failed: {}", source.string(), target.string(), failure.message());
    return failure;
  };
  if (Status copied = CopyLogFiles(source, target); !copied.ok()) return undo(copied);
  {
    // Replays the copy's WAL up to the damage and makes that the store.
    EventStoreOptions options;
    options.dir = target / kStore;
    options.clock = &clock;
    options.salvage = true;
    Result<std::unique_ptr<EventStore>> salvaged = OpenEventStore(options);
    if (!salvaged.ok()) {
      return undo(Status::DataLoss("even a salvaged copy does not open (" + salvaged.status().message() +
                                   "); restore the last backup with `kuimen restore`"));
    }
  }
  Result<LogHead> head = VerifyCopy(target / kStore, clock);
  if (!head.ok()) return undo(head.status());
  report.head = *head;
  spdlog::warn("salvaged {} into {}: {} events, head {}", source.string(), target.string(), head->position.value,
               ToHex(head->hash));
  return report;
}

Status RestoreDataDir(const std::filesystem::path& backup, const std::filesystem::path& data_dir) {
  ASSIGN_OR_RETURN(const std::filesystem::path from, Normalize(backup, "from"));
  ASSIGN_OR_RETURN(const std::filesystem::path target, Normalize(data_dir, "data"));
  ASSIGN_OR_RETURN(const BackupManifest manifest, ReadBackupManifest(from));
  std::error_code error;
  if (!std::filesystem::is_directory(from / kStore, error)) {
    return Status::DataLoss(from.string() + " has a " + kManifest + " but no " + kStore + "/ directory");
  }
  // Stale views or another key beside the restored log would not match it.
  RETURN_IF_ERROR(CheckVacant(target, "restore into a new or empty directory (move the old data directory aside first)"));
  if (target == from || target.string().starts_with((from / "").string())) {
    return Status::InvalidArgument("cannot restore " + from.string() + " into itself", "data");
  }

  // Staged beside the target, on the same file system, so one rename puts it in place.
  const std::filesystem::path parent = target.parent_path();
  std::filesystem::create_directories(parent, error);
  if (error) return Status::Unavailable("cannot create " + parent.string() + ": " + error.message());
  const std::filesystem::path staging =
      parent / ("." + target.filename().string() + ".restoring-" + std::to_string(getpid()));
  std::filesystem::remove_all(staging, error);
  if (!std::filesystem::create_directory(staging, error) || error) {
    return Status::Unavailable("cannot create " + staging.string() + ": " + error.message());
  }
  std::filesystem::permissions(staging, std::filesystem::perms::owner_all, error);
  auto undo = [&](const Status& failure) {
    std::error_code ignored;
    std::filesystem::remove_all(staging, ignored);
    spdlog::error("restore of {} into {} failed: {}", from.string(), target.string(), failure.message());
    return failure;
  };

  if (Status copied = CopyLogFiles(from, staging); !copied.ok()) return undo(copied);

  // A read-only open stamps nothing; the clock is only there because the store requires one.
  SystemClock clock;
  Result<LogHead> head = VerifyCopy(staging / kStore, clock);
  if (!head.ok()) return undo(head.status());
  if (head->position != manifest.head_position || ToHex(head->hash) != manifest.head_hash) {
    return undo(Status::DataLoss("the restored store ends at position " + std::to_string(head->position.value) +
                                 " (hash " + ToHex(head->hash) + ") but " + kManifest + " records position " +
                                 std::to_string(manifest.head_position.value) + " (hash " + manifest.head_hash + ")"));
  }

  if (Status synced = SyncDir(staging); !synced.ok()) return undo(synced);
  // rename(2) replaces a missing or empty directory in one step.
  if (rename(staging.c_str(), target.c_str()) != 0) {
    return undo(IoError("cannot move the restored copy into", target, errno));
  }
  RETURN_IF_ERROR(SyncDir(parent));
  spdlog::info("restored {} into {}: head position {} hash {}", from.string(), target.string(),
               manifest.head_position.value, manifest.head_hash);
  return Status::Ok();
}

}  // namespace kuimen
