#pragma once

#include <condition_variable>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include <rocksdb/env.h>
#include <rocksdb/file_system.h>

namespace kuimen::testing {

// A RocksDB FileSystem for fault-injection tests, after RocksDB's own
// FaultInjectionTestFS (not installed by Debian): it remembers what has been
// made durable and can simulate
//  - a power loss (SimulatePowerLoss): every file is cut back to its last
//    synced size, files created since their directory's last fsync vanish and
//    renames not yet made durable are undone;
//  - a crash at a chosen moment (CrashAfterWrites): after that many writes or
//    syncs every later write fails, as if the machine had stopped;
//  - a full disk (SetSpaceLeft): appends beyond the space left write what fits
//    and fail with ENOSPC (IOStatus::NoSpace), and GetFreeSpace reports it;
//  - a write that does not return (HoldAppendsTo): a background job of
//    RocksDB that never finishes, as a hung disk would leave it.
// Syncs are recorded, not passed to the disk: durability is simulated, which
// keeps the tests fast. Thread-safe. Give a store rocksdb::NewCompositeEnv(fs).
class FaultFs : public rocksdb::FileSystemWrapper {
 public:
  explicit FaultFs(std::shared_ptr<rocksdb::FileSystem> base = rocksdb::FileSystem::Default());

  static const char* kClassName() { return "KuimenFaultFs"; }
  const char* Name() const override { return kClassName(); }

  // Writes (appends and syncs) after `count` more of them fail with an I/O error.
  void CrashAfterWrites(std::uint64_t count);
  // True once the crash point has passed.
  bool crashed() const;
  // Cuts every file back to what was durable, then lets writes through again.
  // Call with the store closed.
  void SimulatePowerLoss();

  // Bytes that may still be appended (nullopt: unlimited).
  void SetSpaceLeft(std::optional<std::uint64_t> bytes);
  // Appends refused for lack of space so far.
  std::uint64_t no_space_errors() const;
  // Every append to a file whose name ends with `suffix` (".sst": flushes and
  // compactions, not the WAL) fails with ENOSPC; an empty suffix ends that.
  void SetNoSpaceFor(std::string suffix);
  // Every sync of a file whose name ends with `suffix` fails with an I/O
  // error, its bytes already written (a WAL record that reached the file but
  // was never made durable); an empty suffix ends that.
  void FailSyncsTo(std::string suffix);
  // Every append to a file whose name ends with `suffix` waits until
  // HoldAppendsTo("") lets them go; held_appends() counts those that waited.
  void HoldAppendsTo(std::string suffix);
  std::uint64_t held_appends() const;
  // Called by the files this file system hands out, before each append.
  void WaitIfHeld(const std::string& fname);

  // The FileSystem interface (only the calls that create, write or move files).
  rocksdb::IOStatus NewWritableFile(const std::string& fname, const rocksdb::FileOptions& options,
                                    std::unique_ptr<rocksdb::FSWritableFile>* result,
                                    rocksdb::IODebugContext* dbg) override;
  rocksdb::IOStatus ReopenWritableFile(const std::string& fname, const rocksdb::FileOptions& options,
                                       std::unique_ptr<rocksdb::FSWritableFile>* result,
                                       rocksdb::IODebugContext* dbg) override;
  rocksdb::IOStatus ReuseWritableFile(const std::string& fname, const std::string& old_fname,
                                      const rocksdb::FileOptions& options,
                                      std::unique_ptr<rocksdb::FSWritableFile>* result,
                                      rocksdb::IODebugContext* dbg) override;
  rocksdb::IOStatus NewDirectory(const std::string& name, const rocksdb::IOOptions& options,
                                 std::unique_ptr<rocksdb::FSDirectory>* result,
                                 rocksdb::IODebugContext* dbg) override;
  rocksdb::IOStatus DeleteFile(const std::string& fname, const rocksdb::IOOptions& options,
                               rocksdb::IODebugContext* dbg) override;
  rocksdb::IOStatus RenameFile(const std::string& src, const std::string& target,
                               const rocksdb::IOOptions& options, rocksdb::IODebugContext* dbg) override;
  rocksdb::IOStatus LinkFile(const std::string& src, const std::string& target,
                             const rocksdb::IOOptions& options, rocksdb::IODebugContext* dbg) override;
  rocksdb::IOStatus GetFreeSpace(const std::string& path, const rocksdb::IOOptions& options,
                                 std::uint64_t* diskfree, rocksdb::IODebugContext* dbg) override;

  // Called by the files this file system hands out.
  rocksdb::IOStatus OnAppend(const std::string& fname, std::uint64_t bytes, std::uint64_t* allowed);
  rocksdb::IOStatus OnSync(const std::string& fname);
  rocksdb::IOStatus OnDirSync(const std::string& dir);

 private:
  struct FileState {
    std::uint64_t size = 0;         // bytes appended
    std::uint64_t synced_size = 0;  // bytes made durable by a sync
  };
  // A directory entry not yet made durable by an fsync of its directory.
  struct PendingEntry {
    enum class Kind { kCreated, kRenamed } kind;
    std::string from;                      // kRenamed: the old name
    std::optional<std::string> replaced;   // kRenamed: what `to` held before, if anything
  };

  bool CountWriteLocked();  // false once crashed
  rocksdb::IOStatus Dead() const;
  rocksdb::IOStatus Track(const std::string& fname, rocksdb::IOStatus opened, bool truncated);

  mutable std::mutex mu_;
  std::map<std::string, FileState> files_;
  std::vector<std::pair<std::string, PendingEntry>> pending_;  // by file name, oldest first
  std::optional<std::uint64_t> writes_left_;
  bool crashed_ = false;
  std::optional<std::uint64_t> space_left_;
  std::uint64_t no_space_errors_ = 0;
  std::string no_space_suffix_;
  std::string fail_sync_suffix_;

  // Held appends wait on their own lock, so the rest of the file system goes on.
  mutable std::mutex hold_mu_;
  std::condition_variable hold_cv_;
  std::string hold_suffix_;
  std::uint64_t held_appends_ = 0;
};

}  // namespace kuimen::testing
