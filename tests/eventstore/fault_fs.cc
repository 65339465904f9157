#include "tests/eventstore/fault_fs.h"

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <iterator>

namespace kuimen::testing {

namespace {

std::string ParentOf(const std::string& fname) {
  std::string parent = std::filesystem::path(fname).parent_path().string();
  while (parent.size() > 1 && parent.back() == '/') parent.pop_back();
  return parent;
}

std::string NormalDir(std::string dir) {
  while (dir.size() > 1 && dir.back() == '/') dir.pop_back();
  return dir;
}

// A writable file that reports every append and sync to its FaultFs.
class FaultFile final : public rocksdb::FSWritableFileOwnerWrapper {
 public:
  FaultFile(FaultFs& fs, std::string name, std::unique_ptr<rocksdb::FSWritableFile> target)
      : FSWritableFileOwnerWrapper(std::move(target)), fs_(fs), name_(std::move(name)) {}

  rocksdb::IOStatus Append(const rocksdb::Slice& data, const rocksdb::IOOptions& options,
                           rocksdb::IODebugContext* dbg) override {
    fs_.WaitIfHeld(name_);
    std::uint64_t allowed = 0;
    rocksdb::IOStatus verdict = fs_.OnAppend(name_, data.size(), &allowed);
    if (allowed > 0) {
      rocksdb::IOStatus written = target()->Append(rocksdb::Slice(data.data(), allowed), options, dbg);
      if (!written.ok()) return written;
    }
    return verdict;
  }
  rocksdb::IOStatus Append(const rocksdb::Slice& data, const rocksdb::IOOptions& options,
                           const rocksdb::DataVerificationInfo& /*info*/, rocksdb::IODebugContext* dbg) override {
    return Append(data, options, dbg);
  }
  // Durability is simulated: the data is already in the OS, which is enough
  // for a test; SimulatePowerLoss drops what was never synced.
  rocksdb::IOStatus Sync(const rocksdb::IOOptions&, rocksdb::IODebugContext*) override {
    return fs_.OnSync(name_);
  }
  rocksdb::IOStatus Fsync(const rocksdb::IOOptions&, rocksdb::IODebugContext*) override {
    return fs_.OnSync(name_);
  }
  rocksdb::IOStatus RangeSync(std::uint64_t, std::uint64_t, const rocksdb::IOOptions&,
                              rocksdb::IODebugContext*) override {
    return rocksdb::IOStatus::OK();  // promises nothing about durability
  }
  bool IsSyncThreadSafe() const override { return true; }

 private:
  FaultFs& fs_;
  const std::string name_;
};

class FaultDirectory final : public rocksdb::FSDirectoryWrapper {
 public:
  FaultDirectory(FaultFs& fs, std::string name, std::unique_ptr<rocksdb::FSDirectory> target)
      : FSDirectoryWrapper(std::move(target)), fs_(fs), name_(NormalDir(std::move(name))) {}

  rocksdb::IOStatus Fsync(const rocksdb::IOOptions&, rocksdb::IODebugContext*) override {
    return fs_.OnDirSync(name_);
  }
  rocksdb::IOStatus FsyncWithDirOptions(const rocksdb::IOOptions&, rocksdb::IODebugContext*,
                                        const rocksdb::DirFsyncOptions&) override {
    return fs_.OnDirSync(name_);
  }

 private:
  FaultFs& fs_;
  const std::string name_;
};

std::optional<std::string> ReadWhole(const std::string& fname) {
  std::ifstream in(fname, std::ios::binary);
  if (!in) return std::nullopt;
  return std::string(std::istreambuf_iterator<char>(in), {});
}

}  // namespace

FaultFs::FaultFs(std::shared_ptr<rocksdb::FileSystem> base) : FileSystemWrapper(std::move(base)) {}

void FaultFs::CrashAfterWrites(std::uint64_t count) {
  std::lock_guard lock(mu_);
  writes_left_ = count;
}

bool FaultFs::crashed() const {
  std::lock_guard lock(mu_);
  return crashed_;
}

void FaultFs::SetSpaceLeft(std::optional<std::uint64_t> bytes) {
  std::lock_guard lock(mu_);
  space_left_ = bytes;
}

void FaultFs::SetNoSpaceFor(std::string suffix) {
  std::lock_guard lock(mu_);
  no_space_suffix_ = std::move(suffix);
}

namespace {
bool EndsWith(const std::string& name, const std::string& suffix) {
  return !suffix.empty() && name.size() >= suffix.size() &&
         name.compare(name.size() - suffix.size(), suffix.size(), suffix) == 0;
}
}  // namespace

void FaultFs::HoldAppendsTo(std::string suffix) {
  {
    std::lock_guard lock(hold_mu_);
    hold_suffix_ = std::move(suffix);
  }
  hold_cv_.notify_all();
}

std::uint64_t FaultFs::held_appends() const {
  std::lock_guard lock(hold_mu_);
  return held_appends_;
}

void FaultFs::WaitIfHeld(const std::string& fname) {
  std::unique_lock lock(hold_mu_);
  if (!EndsWith(fname, hold_suffix_)) return;
  ++held_appends_;
  hold_cv_.wait(lock, [&] { return !EndsWith(fname, hold_suffix_); });
}

std::uint64_t FaultFs::no_space_errors() const {
  std::lock_guard lock(mu_);
  return no_space_errors_;
}

void FaultFs::SimulatePowerLoss() {
  std::lock_guard lock(mu_);
  std::error_code ignored;
  // Undo directory entries that were never made durable, newest first.
  for (auto it = pending_.rbegin(); it != pending_.rend(); ++it) {
    const std::string& name = it->first;
    const PendingEntry& entry = it->second;
    if (entry.kind == PendingEntry::Kind::kCreated) {
      std::filesystem::remove(name, ignored);
      files_.erase(name);
      continue;
    }
    std::filesystem::rename(name, entry.from, ignored);
    if (auto state = files_.find(name); state != files_.end()) {
      files_[entry.from] = state->second;
      files_.erase(state);
    }
    if (entry.replaced.has_value()) std::ofstream(name, std::ios::binary | std::ios::trunc) << *entry.replaced;
  }
  pending_.clear();
  // Cut every file back to what was synced.
  for (auto& [name, state] : files_) {
    if (std::filesystem::exists(name, ignored)) std::filesystem::resize_file(name, state.synced_size, ignored);
    state.size = state.synced_size;
  }
  crashed_ = false;
  writes_left_.reset();
}

bool FaultFs::CountWriteLocked() {
  if (crashed_) return false;
  if (writes_left_.has_value()) {
    if (*writes_left_ == 0) {
      crashed_ = true;
      return false;
    }
    --*writes_left_;
  }
  return true;
}

rocksdb::IOStatus FaultFs::Dead() const {
  return rocksdb::IOStatus::IOError("simulated crash: the machine has stopped");
}

rocksdb::IOStatus FaultFs::OnAppend(const std::string& fname, std::uint64_t bytes, std::uint64_t* allowed) {
  std::lock_guard lock(mu_);
  *allowed = 0;
  if (!CountWriteLocked()) return Dead();
  std::uint64_t fits = bytes;
  if (EndsWith(fname, no_space_suffix_)) {
    fits = 0;
  } else if (space_left_.has_value()) {
    fits = std::min(bytes, *space_left_);
    *space_left_ -= fits;
  }
  *allowed = fits;
  files_[fname].size += fits;
  if (fits < bytes) {
    ++no_space_errors_;
    return rocksdb::IOStatus::NoSpace("While appending to file: " + fname, "No space left on device (simulated)");
  }
  return rocksdb::IOStatus::OK();
}

void FaultFs::FailSyncsTo(std::string suffix) {
  std::lock_guard lock(mu_);
  fail_sync_suffix_ = std::move(suffix);
}

rocksdb::IOStatus FaultFs::OnSync(const std::string& fname) {
  std::lock_guard lock(mu_);
  if (!CountWriteLocked()) return Dead();
  if (EndsWith(fname, fail_sync_suffix_)) return rocksdb::IOStatus::IOError("sync of " + fname + " failed (simulated)");
  FileState& state = files_[fname];
  state.synced_size = state.size;
  return rocksdb::IOStatus::OK();
}

rocksdb::IOStatus FaultFs::OnDirSync(const std::string& dir) {
  std::lock_guard lock(mu_);
  if (!CountWriteLocked()) return Dead();
  std::erase_if(pending_, [&](const auto& entry) { return ParentOf(entry.first) == dir; });
  return rocksdb::IOStatus::OK();
}

rocksdb::IOStatus FaultFs::Track(const std::string& fname, rocksdb::IOStatus opened, bool existed) {
  if (!opened.ok()) return opened;
  std::lock_guard lock(mu_);
  files_[fname] = FileState{};
  if (!existed) pending_.emplace_back(fname, PendingEntry{PendingEntry::Kind::kCreated, {}, {}});
  return opened;
}

rocksdb::IOStatus FaultFs::NewWritableFile(const std::string& fname, const rocksdb::FileOptions& options,
                                           std::unique_ptr<rocksdb::FSWritableFile>* result,
                                           rocksdb::IODebugContext* dbg) {
  if (crashed()) return Dead();
  const bool existed = target()->FileExists(fname, rocksdb::IOOptions(), dbg).ok();
  std::unique_ptr<rocksdb::FSWritableFile> file;
  rocksdb::IOStatus s = Track(fname, target()->NewWritableFile(fname, options, &file, dbg), existed);
  if (s.ok()) *result = std::make_unique<FaultFile>(*this, fname, std::move(file));
  return s;
}

rocksdb::IOStatus FaultFs::ReopenWritableFile(const std::string& fname, const rocksdb::FileOptions& options,
                                              std::unique_ptr<rocksdb::FSWritableFile>* result,
                                              rocksdb::IODebugContext* dbg) {
  if (crashed()) return Dead();
  std::unique_ptr<rocksdb::FSWritableFile> file;
  rocksdb::IOStatus s = target()->ReopenWritableFile(fname, options, &file, dbg);
  if (!s.ok()) return s;
  {
    std::lock_guard lock(mu_);
    if (files_.find(fname) == files_.end()) {
      std::uint64_t size = 0;
      (void)target()->GetFileSize(fname, rocksdb::IOOptions(), &size, dbg);
      files_[fname] = FileState{size, size};
    }
  }
  *result = std::make_unique<FaultFile>(*this, fname, std::move(file));
  return s;
}

rocksdb::IOStatus FaultFs::ReuseWritableFile(const std::string& fname, const std::string& old_fname,
                                             const rocksdb::FileOptions& options,
                                             std::unique_ptr<rocksdb::FSWritableFile>* result,
                                             rocksdb::IODebugContext* dbg) {
  rocksdb::IOStatus s = RenameFile(old_fname, fname, rocksdb::IOOptions(), dbg);
  if (!s.ok()) return s;
  return NewWritableFile(fname, options, result, dbg);
}

rocksdb::IOStatus FaultFs::NewDirectory(const std::string& name, const rocksdb::IOOptions& options,
                                        std::unique_ptr<rocksdb::FSDirectory>* result, rocksdb::IODebugContext* dbg) {
  std::unique_ptr<rocksdb::FSDirectory> dir;
  rocksdb::IOStatus s = target()->NewDirectory(name, options, &dir, dbg);
  if (s.ok()) *result = std::make_unique<FaultDirectory>(*this, name, std::move(dir));
  return s;
}

rocksdb::IOStatus FaultFs::DeleteFile(const std::string& fname, const rocksdb::IOOptions& options,
                                      rocksdb::IODebugContext* dbg) {
  if (crashed()) return Dead();
  rocksdb::IOStatus s = target()->DeleteFile(fname, options, dbg);
  if (s.ok()) {
    std::lock_guard lock(mu_);
    files_.erase(fname);
    std::erase_if(pending_, [&](const auto& entry) { return entry.first == fname; });
  }
  return s;
}

rocksdb::IOStatus FaultFs::RenameFile(const std::string& src, const std::string& target_name,
                                      const rocksdb::IOOptions& options, rocksdb::IODebugContext* dbg) {
  if (crashed()) return Dead();
  std::optional<std::string> replaced = ReadWhole(target_name);
  rocksdb::IOStatus s = target()->RenameFile(src, target_name, options, dbg);
  if (!s.ok()) return s;
  std::lock_guard lock(mu_);
  if (auto state = files_.find(src); state != files_.end()) {
    files_[target_name] = state->second;
    files_.erase(state);
  }
  // A file created and renamed before any directory sync simply vanishes.
  auto created = std::find_if(pending_.begin(), pending_.end(), [&](const auto& entry) {
    return entry.first == src && entry.second.kind == PendingEntry::Kind::kCreated;
  });
  if (created != pending_.end()) {
    created->first = target_name;
    if (replaced.has_value()) {
      // The old file comes back on a power loss: undo as a rename over it.
      created->second = PendingEntry{PendingEntry::Kind::kRenamed, src, replaced};
    }
  } else {
    pending_.emplace_back(target_name, PendingEntry{PendingEntry::Kind::kRenamed, src, replaced});
  }
  return s;
}

rocksdb::IOStatus FaultFs::LinkFile(const std::string& src, const std::string& target_name,
                                    const rocksdb::IOOptions& options, rocksdb::IODebugContext* dbg) {
  if (crashed()) return Dead();
  rocksdb::IOStatus s = target()->LinkFile(src, target_name, options, dbg);
  if (s.ok()) {
    std::lock_guard lock(mu_);
    if (auto state = files_.find(src); state != files_.end()) files_[target_name] = state->second;
    pending_.emplace_back(target_name, PendingEntry{PendingEntry::Kind::kCreated, {}, {}});
  }
  return s;
}

rocksdb::IOStatus FaultFs::GetFreeSpace(const std::string& path, const rocksdb::IOOptions& options,
                                        std::uint64_t* diskfree, rocksdb::IODebugContext* dbg) {
  {
    std::lock_guard lock(mu_);
    if (space_left_.has_value()) {
      *diskfree = *space_left_;
      return rocksdb::IOStatus::OK();
    }
  }
  return target()->GetFreeSpace(path, options, diskfree, dbg);
}

}  // namespace kuimen::testing
