#pragma once

#include <chrono>
#include <cstdint>
#include <deque>
#include <filesystem>
#include <functional>
#include <map>
#include <mutex>
#include <string>
#include <vector>

#include "domain/status.h"

// How much of the data directory uploads that no event cites yet may take
// (issue 11, hardening): an attack stored 1.2 GB in 11 s with 60 parallel
// 20 MB uploads from one department, and an uncited upload lives a day.
//
// Bytes are counted per principal and in all: an upload reserves its size
// (Content-Length, or the file limit for a chunked body) before any body byte
// is read; the reservation is released when the upload fails and becomes a
// stored uncited file when it is committed (nothing when that content is
// stored already). A stored file leaves the count when an event cites it or
// the sweep removes it. At start the count is rebuilt from the files
// directory and the log's citations (Recount), so it survives a restart.
//
// Citing a file frees its share, so the share alone would let a department
// upload, cite and upload again until the disk's floor stopped everyone.
// Bytes uploaded per principal in the last 24 hours are therefore capped too
// (daily_bytes), cited or not: an upload reserves its size against the cap,
// and a committed new file counts from its commit until a day later (even
// when cited or swept meanwhile). Content stored already costs nothing and
// counts nothing. At start the day's uploads are rebuilt from the .owners
// records (their owner and mtime, the commit's time; RecountUploads).
// Thread-safe.
namespace kuimen {

struct UploadQuotaOptions {
  // Uncited bytes one principal may hold (stored and in flight). Default 200 MiB; 0: no limit.
  std::uint64_t per_principal_bytes = 200ull * 1024 * 1024;
  // Uncited bytes all principals together may hold. Default 2 GiB; 0: no limit.
  std::uint64_t total_bytes = 2048ull * 1024 * 1024;
  // Free space the data directory's file system keeps: an upload that could
  // leave less is refused. Default 1 GiB (a test sets it above what is free).
  std::uint64_t min_free_bytes = 1024ull * 1024 * 1024;
  // Bytes one principal may upload (new files, cited or not, and in flight)
  // in any 24 hours. Default 1 GiB; 0: no limit.
  std::uint64_t daily_bytes = 1024ull * 1024 * 1024;
};

class UploadQuota {
 public:
  // Free bytes of the file system holding a directory (statvfs by default; a
  // test may give its own). UINT64_MAX when it cannot be read: the floor is
  // then not enforced, and a full disk still answers 507 disk_full on write.
  using FreeSpace = std::function<std::uint64_t(const std::filesystem::path& dir)>;

  // `dir` is DATA/files (its file system is the one checked for free space).
  UploadQuota(std::filesystem::path dir, UploadQuotaOptions options, FreeSpace free_space = nullptr);

  // Reserves `bytes` for an upload by `principal`. Refusals, nothing reserved:
  // kInvalidArgument "upload_quota_exceeded" (field "file", answered 413) over
  // the principal's share, "upload_daily_exceeded" (field "file", 413) over
  // its bytes of the last 24 hours; kResourceExhausted "upload_total_exceeded" over the
  // total, "disk_space_low" when the file system would keep less than the
  // floor (field "file", 507). Returns a ticket for Release or Settle.
  Result<std::uint64_t> Reserve(const std::string& principal, std::uint64_t bytes);
  // The upload failed or was dropped: its reservation goes.
  void Release(std::uint64_t ticket);
  // The upload is committed as `sha256` of `size` bytes: the reservation
  // goes and, when `new_file` (the content was not stored before), the file
  // counts as uncited for the principal until it is cited or removed.
  void Settle(std::uint64_t ticket, const std::string& sha256, std::uint64_t size, bool new_file);
  // An event cites the file, or the sweep removed it: it no longer counts.
  void Forget(const std::string& sha256);

  // An uncited stored file, as Recount takes it.
  struct Uncited {
    std::string principal;  // who uploaded it ("" when not known)
    std::uint64_t size = 0;
  };
  // Replaces the stored uncited files (at start, before any upload).
  void Recount(std::map<std::string, Uncited> uncited);

  using TimePoint = std::chrono::system_clock::time_point;
  // A stored new file, as RecountUploads takes it: when it was committed, its size.
  struct Upload {
    TimePoint at;
    std::uint64_t size = 0;
  };
  // Replaces the uploads counted against the daily cap, by principal (at
  // start, before any upload); those older than a day are dropped.
  void RecountUploads(std::map<std::string, std::vector<Upload>> uploads);
  // Bytes `principal` uploaded in the last 24 hours (committed and in flight).
  std::uint64_t UploadedToday(const std::string& principal) const;

  // Uncited bytes (stored and reserved) of one principal, and in all.
  std::uint64_t UsedBy(const std::string& principal) const;
  std::uint64_t Used() const;

  const UploadQuotaOptions& options() const { return options_; }

 private:
  struct Reservation {
    std::string principal;
    std::uint64_t bytes = 0;
  };

  std::filesystem::path dir_;
  UploadQuotaOptions options_;
  FreeSpace free_space_;
  mutable std::mutex mu_;
  std::uint64_t next_ticket_ = 1;
  std::map<std::uint64_t, Reservation> reserved_;
  std::map<std::string, Uncited> stored_;             // by sha256
  std::map<std::string, std::uint64_t> by_principal_;  // stored and reserved
  std::uint64_t in_flight_ = 0;                        // reserved, not yet stored
  std::uint64_t total_ = 0;                            // stored and reserved
  // For the daily cap: each principal's new files of the last day (oldest
  // first) and its bytes in flight. A principal's entries older than a day
  // are dropped at its next reservation.
  std::map<std::string, std::deque<Upload>> uploads_;
  std::map<std::string, std::uint64_t> in_flight_by_principal_;
  std::uint64_t UploadedTodayLocked(const std::string& principal, TimePoint now) const;
};

}  // namespace kuimen
