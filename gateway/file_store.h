#pragma once

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "domain/status.h"
#include "gateway/http_request_reader.h"
#include "gateway/upload_quota.h"

// Uploaded files (佐证材料), content-addressed in the data directory:
//
//   DATA/files/<sha256>          one file per distinct content, read-only (0440)
//   DATA/files/.incoming/<tmp>   an upload being received
//   DATA/files/.owners/<sha256>  the principal id that first uploaded it (for
//                                the per-principal count of uncited uploads)
//
// An upload streams to a temporary file while its SHA-256 is computed and
// its first bytes are checked against the allow-list of media types; once
// complete it is fsynced, renamed to its hash and the directory fsynced, so a
// file is durable before any event can cite it. The same content uploaded
// twice is one file. Events carry the file's metadata (domain/events.h,
// Attachment), so the hash chain covers the bytes.
namespace kuimen {

// A stored file as the gateway reports it.
struct StoredFile {
  std::string sha256;      // 64 lowercase hex digits
  std::uint64_t size = 0;  // bytes
  std::string media_type;  // found by magic bytes (MediaTypeOf)
};

// The media type of a file by its first bytes (at least 12 when the file has
// them) and, for Office containers (OLE: .doc .xls .wps .et; zip: .docx
// .xlsx), by the extension of `name`. Allowed: PDF, PNG, JPEG, GIF, WebP and
// those containers. kInvalidArgument reason "file_type_not_allowed" otherwise.
Result<std::string> MediaTypeOf(std::string_view first_bytes, std::string_view name);

// True for the types a browser may show inline (images and PDF).
bool IsInlineMediaType(std::string_view media_type);

// A file name as the clerk gave it (it becomes a download's file name and is
// shown in lists): kInvalidArgument with `field` when empty ("required"),
// over 600 bytes ("too_long"), not UTF-8 ("invalid_encoding"), holding a C0
// or C1 control character, DEL or a slash ("control_character"), or an
// invisible format character (Unicode category Cf: bidi overrides such as
// U+202E that make "exe.pdf" read as "fdp.exe", zero-width spaces and joiners,
// the BOM; and the line and paragraph separators) ("invisible_character").
Status CheckFileName(std::string_view name, const std::string& field);

// One upload in progress: the body sink of POST /api/v1/files. Not
// thread-safe; the connection thread writes, then one worker commits.
// Destroying it uncommitted removes its temporary file.
class FileUpload : public BodySink {
 public:
  // `quota` (may be null: no limits) counts the upload for `principal`; it
  // must outlive the upload.
  FileUpload(std::filesystem::path dir, std::string name, std::uint64_t max_bytes, UploadQuota* quota = nullptr,
             std::string principal = {});
  ~FileUpload() override;
  FileUpload(const FileUpload&) = delete;
  FileUpload& operator=(const FileUpload&) = delete;

  std::size_t max_bytes() const override { return max_bytes_; }
  // Checks the name (400) and reserves the upload's size (Content-Length, or
  // max_bytes when chunked) in the quota: 413 upload_quota_exceeded, 507
  // upload_total_exceeded or disk_space_low; nothing is written on a refusal.
  std::optional<HttpRefusal> Begin(std::optional<std::uint64_t> content_length) override;
  std::optional<HttpRefusal> Write(std::string_view bytes) override;

  // Syncs the file and renames it to DATA/files/<sha256> (or drops it when
  // that content is stored already), then syncs the directory.
  // kInvalidArgument "file_too_small" for a body under 4 bytes;
  // "file_type_not_allowed" when its type was not decided yet and is not allowed.
  Result<StoredFile> Commit();

 private:
  std::optional<HttpRefusal> Fail(int status, std::string code, Status why);

  std::filesystem::path dir_;
  std::string name_;
  std::uint64_t max_bytes_;
  std::filesystem::path temp_;
  int fd_ = -1;
  struct Hasher;
  std::unique_ptr<Hasher> hasher_;
  std::string first_bytes_;  // up to 12, for the media type
  std::string media_type_;   // once decided
  std::uint64_t size_ = 0;
  bool failed_ = false;
  UploadQuota* quota_ = nullptr;
  std::string principal_;
  std::uint64_t ticket_ = 0;  // the quota's reservation; 0: none (or settled)
};

class FileStore {
 public:
  // `dir` is DATA/files, made if missing (with .incoming and .owners
  // inside). Files over `max_bytes` are refused (413); uploads no event cites
  // yet are limited by `quota` (gateway/upload_quota.h), counted from zero
  // until Recount.
  static Result<std::unique_ptr<FileStore>> Open(std::filesystem::path dir, std::uint64_t max_bytes,
                                                 UploadQuotaOptions quota = {});

  // An upload by `principal` (its id), counted against its share.
  std::shared_ptr<FileUpload> BeginUpload(std::string name, std::string principal = {});

  // Rebuilds the count of uncited uploads from the directory: every stored
  // file not in `cited`, with its owner from .owners. Call at start, before
  // uploads are served. Returns the uncited bytes found.
  std::uint64_t Recount(const std::set<std::string>& cited);
  // An event now cites these files: they leave the count of uncited uploads.
  void NoteCited(const std::vector<std::string>& sha256s);
  UploadQuota& quota() { return *quota_; }

  // The stored file with this hash, its type found by its first bytes and
  // `name`; kNotFound "file_not_found" when none is stored. Thread-safe.
  Result<StoredFile> Find(const std::string& sha256, std::string_view name) const;
  std::filesystem::path PathOf(const std::string& sha256) const { return dir_ / sha256; }

  // Hashes the stored file: ok when it is there and its content has `sha256`;
  // kNotFound when missing, kDataLoss when it differs (the message names it).
  Status Check(const std::string& sha256) const;

  // Removes uploads no event cites (`cited`) older than `age` (and their
  // owner records; they leave the quota's count), and temporary files left by
  // interrupted uploads older than `age`. Returns how many.
  std::size_t Sweep(const std::set<std::string>& cited, std::chrono::seconds age) const;

  std::uint64_t max_bytes() const { return max_bytes_; }
  const std::filesystem::path& dir() const { return dir_; }

 private:
  FileStore(std::filesystem::path dir, std::uint64_t max_bytes, UploadQuotaOptions quota)
      : dir_(std::move(dir)), max_bytes_(max_bytes), quota_(std::make_unique<UploadQuota>(dir_, quota)) {}
  std::filesystem::path dir_;
  std::uint64_t max_bytes_;
  std::unique_ptr<UploadQuota> quota_;
};

// Hashes DIR/<sha256> (DIR is DATA/files): ok when its content has that
// hash; kNotFound when missing, kDataLoss when it differs. Reads only.
Status CheckStoredFile(const std::filesystem::path& dir, const std::string& sha256);

// 64 lowercase hex digits.
bool IsFileHash(std::string_view text);

}  // namespace kuimen
