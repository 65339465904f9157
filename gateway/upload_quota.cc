#include "gateway/upload_quota.h"

#include <sys/statvfs.h>

#include <algorithm>
#include <limits>

namespace kuimen {

namespace {

constexpr std::uint64_t kMiB = 1024 * 1024;

std::uint64_t StatFreeSpace(const std::filesystem::path& dir) {
  struct statvfs stats {};
  if (statvfs(dir.c_str(), &stats) != 0) return std::numeric_limits<std::uint64_t>::max();
  return static_cast<std::uint64_t>(stats.f_bavail) * stats.f_frsize;
}

constexpr std::chrono::hours kDay{24};

std::string Megabytes(std::uint64_t bytes) { return std::to_string((bytes + kMiB - 1) / kMiB) + " MB"; }

void ReleaseInFlight(std::map<std::string, std::uint64_t>& in_flight, const std::string& principal,
                     std::uint64_t bytes) {
  std::uint64_t& theirs = in_flight[principal];
  theirs -= bytes;
  if (theirs == 0) in_flight.erase(principal);
}

}  // namespace

UploadQuota::UploadQuota(std::filesystem::path dir, UploadQuotaOptions options, FreeSpace free_space)
    : dir_(std::move(dir)), options_(options), free_space_(free_space ? std::move(free_space) : StatFreeSpace) {}

Result<std::uint64_t> UploadQuota::Reserve(const std::string& principal, std::uint64_t bytes) {
  std::lock_guard lock(mu_);
  const std::uint64_t mine = by_principal_.count(principal) ? by_principal_.at(principal) : 0;
  if (options_.per_principal_bytes != 0 && mine + bytes > options_.per_principal_bytes) {
    return Status::InvalidArgument("本账号已上传但尚未在报送中引用的文件合计不能超过" +
                                       Megabytes(options_.per_principal_bytes) +
                                       "，本次文件未保存；请先在报送中引用已上传的材料，未引用的文件一天后自动清理",
                                   "file", "upload_quota_exceeded");
  }
  const TimePoint now = std::chrono::system_clock::now();
  if (const auto it = uploads_.find(principal); it != uploads_.end()) {
    while (!it->second.empty() && it->second.front().at <= now - kDay) it->second.pop_front();
    if (it->second.empty()) uploads_.erase(it);
  }
  if (options_.daily_bytes != 0 && UploadedTodayLocked(principal, now) + bytes > options_.daily_bytes) {
    return Status::InvalidArgument("本账号24小时内上传的文件合计不能超过" + Megabytes(options_.daily_bytes) +
                                       "，本次文件未保存；请明天再上传，或联系工作专班",
                                   "file", "upload_daily_exceeded");
  }
  if (options_.total_bytes != 0 && total_ + bytes > options_.total_bytes) {
    return Status::ResourceExhausted("uncited uploads would pass the total of " + Megabytes(options_.total_bytes),
                                     "upload_total_exceeded")
        .WithFieldPrefix("file");  // a failure names no field of its own: this makes "file" its field
  }
  // Statted at each reservation: the store and other uploads share the disk.
  const std::uint64_t free = free_space_(dir_);
  if (free < options_.min_free_bytes || free - options_.min_free_bytes < in_flight_ + bytes) {
    return Status::ResourceExhausted("the data directory's file system has " + Megabytes(free) +
                                         " free; an upload of " + Megabytes(bytes) + " would leave less than " +
                                         Megabytes(options_.min_free_bytes),
                                     "disk_space_low")
        .WithFieldPrefix("file");
  }
  const std::uint64_t ticket = next_ticket_++;
  reserved_[ticket] = Reservation{principal, bytes};
  by_principal_[principal] += bytes;
  in_flight_by_principal_[principal] += bytes;
  in_flight_ += bytes;
  total_ += bytes;
  return ticket;
}

void UploadQuota::Release(std::uint64_t ticket) {
  std::lock_guard lock(mu_);
  const auto it = reserved_.find(ticket);
  if (it == reserved_.end()) return;
  std::uint64_t& mine = by_principal_[it->second.principal];
  mine -= it->second.bytes;
  if (mine == 0) by_principal_.erase(it->second.principal);
  ReleaseInFlight(in_flight_by_principal_, it->second.principal, it->second.bytes);
  in_flight_ -= it->second.bytes;
  total_ -= it->second.bytes;
  reserved_.erase(it);
}

void UploadQuota::Settle(std::uint64_t ticket, const std::string& sha256, std::uint64_t size, bool new_file) {
  std::lock_guard lock(mu_);
  const auto it = reserved_.find(ticket);
  if (it == reserved_.end()) return;
  const std::string principal = it->second.principal;
  std::uint64_t& mine = by_principal_[principal];
  mine -= it->second.bytes;
  ReleaseInFlight(in_flight_by_principal_, principal, it->second.bytes);
  in_flight_ -= it->second.bytes;
  total_ -= it->second.bytes;
  reserved_.erase(it);
  if (new_file) uploads_[principal].push_back(Upload{std::chrono::system_clock::now(), size});
  if (new_file && stored_.count(sha256) == 0) {
    stored_[sha256] = Uncited{principal, size};
    mine += size;
    total_ += size;
  }
  if (mine == 0) by_principal_.erase(principal);
}

void UploadQuota::Forget(const std::string& sha256) {
  std::lock_guard lock(mu_);
  const auto it = stored_.find(sha256);
  if (it == stored_.end()) return;
  std::uint64_t& theirs = by_principal_[it->second.principal];
  theirs -= it->second.size;
  if (theirs == 0) by_principal_.erase(it->second.principal);
  total_ -= it->second.size;
  stored_.erase(it);
}

void UploadQuota::Recount(std::map<std::string, Uncited> uncited) {
  std::lock_guard lock(mu_);
  for (const auto& [sha256, file] : stored_) {
    std::uint64_t& theirs = by_principal_[file.principal];
    theirs -= file.size;
    if (theirs == 0) by_principal_.erase(file.principal);
    total_ -= file.size;
  }
  stored_ = std::move(uncited);
  for (const auto& [sha256, file] : stored_) {
    by_principal_[file.principal] += file.size;
    total_ += file.size;
  }
}

void UploadQuota::RecountUploads(std::map<std::string, std::vector<Upload>> uploads) {
  std::lock_guard lock(mu_);
  const TimePoint since = std::chrono::system_clock::now() - kDay;
  uploads_.clear();
  for (auto& [principal, list] : uploads) {
    std::sort(list.begin(), list.end(), [](const Upload& a, const Upload& b) { return a.at < b.at; });
    for (const Upload& upload : list) {
      if (upload.at > since) uploads_[principal].push_back(upload);
    }
  }
}

std::uint64_t UploadQuota::UploadedTodayLocked(const std::string& principal, TimePoint now) const {
  std::uint64_t bytes = 0;
  if (const auto it = in_flight_by_principal_.find(principal); it != in_flight_by_principal_.end()) bytes += it->second;
  if (const auto it = uploads_.find(principal); it != uploads_.end()) {
    for (const Upload& upload : it->second) {
      if (upload.at > now - kDay) bytes += upload.size;
    }
  }
  return bytes;
}

std::uint64_t UploadQuota::UploadedToday(const std::string& principal) const {
  std::lock_guard lock(mu_);
  return UploadedTodayLocked(principal, std::chrono::system_clock::now());
}

std::uint64_t UploadQuota::UsedBy(const std::string& principal) const {
  std::lock_guard lock(mu_);
  const auto it = by_principal_.find(principal);
  return it == by_principal_.end() ? 0 : it->second;
}

std::uint64_t UploadQuota::Used() const {
  std::lock_guard lock(mu_);
  return total_;
}

}  // namespace kuimen
