#include "gateway/file_store.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/evp.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <map>
#include <utility>
#include <vector>

#include <spdlog/spdlog.h>

#include "gateway/http_error.h"
#include "gateway/text_safety.h"

namespace kuimen {

namespace {

constexpr const char* kIncoming = ".incoming";
constexpr const char* kOwners = ".owners";
constexpr std::size_t kMaxNameBytes = 600;  // 200 Chinese characters
constexpr std::size_t kSniffBytes = 12;  // WebP needs "RIFF" + size + "WEBP"
constexpr std::size_t kMinBytes = 4;

std::string LowerExtension(std::string_view name) {
  const std::size_t dot = name.rfind('.');
  if (dot == std::string_view::npos) return "";
  std::string extension(name.substr(dot + 1));
  std::transform(extension.begin(), extension.end(), extension.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return extension;
}

bool StartsWith(std::string_view text, std::string_view prefix) {
  return text.size() >= prefix.size() && text.compare(0, prefix.size(), prefix) == 0;
}

Status NotAllowed() {
  return Status::InvalidArgument(
      "只能上传PDF、图片（PNG、JPEG、GIF、WebP）或Word、Excel、WPS文件（doc、docx、xls、xlsx、wps、et）", "file",
      "file_type_not_allowed");
}

std::string Hex(const unsigned char* bytes, std::size_t size) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string text;
  for (std::size_t i = 0; i < size; ++i) {
    text.push_back(kDigits[bytes[i] >> 4]);
    text.push_back(kDigits[bytes[i] & 15]);
  }
  return text;
}

Status SyncDirectory(const std::filesystem::path& dir) {
  const int fd = open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return Status::Unavailable("cannot open " + dir.string() + ": " + std::strerror(errno));
  const int synced = fsync(fd);
  const int error = errno;
  close(fd);
  if (synced != 0) return Status::Unavailable("cannot sync " + dir.string() + ": " + std::strerror(error));
  return Status::Ok();
}

// SHA-256 fed piece by piece (OpenSSL).
struct Sha256Hasher {
  EVP_MD_CTX* context = EVP_MD_CTX_new();
  Sha256Hasher() { EVP_DigestInit_ex(context, EVP_sha256(), nullptr); }
  ~Sha256Hasher() { EVP_MD_CTX_free(context); }
  Sha256Hasher(const Sha256Hasher&) = delete;
  Sha256Hasher& operator=(const Sha256Hasher&) = delete;
};

// The first bytes of a stored file.
std::string FirstBytes(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::string bytes(kSniffBytes, '\0');
  in.read(bytes.data(), static_cast<std::streamsize>(bytes.size()));
  bytes.resize(static_cast<std::size_t>(in.gcount()));
  return bytes;
}

// The code points of valid UTF-8 text, one by one.
std::vector<char32_t> CodePoints(std::string_view text) {
  std::vector<char32_t> points;
  for (std::size_t i = 0; i < text.size();) {
    const auto c = static_cast<unsigned char>(text[i]);
    const std::size_t length = c < 0x80 ? 1 : c < 0xe0 ? 2 : c < 0xf0 ? 3 : 4;
    char32_t point = length == 1 ? c : length == 2 ? (c & 0x1f) : length == 3 ? (c & 0x0f) : (c & 0x07);
    for (std::size_t k = 1; k < length && i + k < text.size(); ++k) {
      point = (point << 6) | (static_cast<unsigned char>(text[i + k]) & 0x3f);
    }
    points.push_back(point);
    i += length;
  }
  return points;
}

// Unicode's format characters (general category Cf, Unicode 15), which draw
// nothing but change how the text around them reads, and the line and
// paragraph separators (Zl, Zp).
bool IsInvisibleFormat(char32_t c) {
  static constexpr std::pair<char32_t, char32_t> kRanges[] = {
      {0x00ad, 0x00ad},   {0x0600, 0x0605},   {0x061c, 0x061c},   {0x06dd, 0x06dd},   {0x070f, 0x070f},
      {0x0890, 0x0891},   {0x08e2, 0x08e2},   {0x180e, 0x180e},   {0x200b, 0x200f},   {0x2028, 0x202e},
      {0x2060, 0x2064},   {0x2066, 0x206f},   {0xfeff, 0xfeff},   {0xfff9, 0xfffb},   {0x110bd, 0x110bd},
      {0x110cd, 0x110cd}, {0x13430, 0x1343f}, {0x1bca0, 0x1bca3}, {0x1d173, 0x1d17a}, {0xe0001, 0xe0001},
      {0xe0020, 0xe007f},
      // Not format characters, but blank or unseen in a name all the same (an attack used
      // them): combining grapheme joiner, Hangul and Khmer fillers, Mongolian and other
      // variation selectors, braille blank, private use.
      {0x034f, 0x034f},   {0x115f, 0x1160},   {0x17b4, 0x17b5},   {0x180b, 0x180f},   {0x2800, 0x2800},
      {0x3164, 0x3164},   {0xe000, 0xf8ff},   {0xfe00, 0xfe0f},   {0xffa0, 0xffa0},   {0xe0100, 0xe01ef},
      {0xf0000, 0x10ffff},
  };
  for (const auto& [first, last] : kRanges) {
    if (c >= first && c <= last) return true;
  }
  return false;
}

}  // namespace

Status CheckFileName(std::string_view name, const std::string& field) {
  if (name.empty()) return Status::InvalidArgument("请填写文件名", field, "required");
  if (name.size() > kMaxNameBytes) return Status::InvalidArgument("文件名太长，请改短后再上传", field, "too_long");
  if (!IsValidUtf8(name)) return Status::InvalidArgument("文件名含有无法识别的文字", field, "invalid_encoding");
  if (name.find_first_not_of(" .") == std::string_view::npos) {  // " ", ".", "..": no name at all
    return Status::InvalidArgument("文件名不能只由空格或点组成，请填写材料的名称", field, "invalid_format");
  }
  for (const char32_t c : CodePoints(name)) {
    if (c < 0x20 || (c >= 0x7f && c <= 0x9f) || c == '/' || c == '\\') {
      return Status::InvalidArgument("文件名不能含有控制字符或斜杠", field, "control_character");
    }
    if (IsInvisibleFormat(c)) {
      return Status::InvalidArgument("文件名含有不可见的格式字符（如改变文字方向的字符），请重新命名后上传", field,
                                     "invisible_character");
    }
  }
  return Status::Ok();
}

Result<std::string> MediaTypeOf(std::string_view first, std::string_view name) {
  using namespace std::string_view_literals;
  if (StartsWith(first, "%PDF-"sv)) return std::string("application/pdf");
  if (StartsWith(first, "\x89PNG\r\n\x1a\n"sv)) return std::string("image/png");
  if (StartsWith(first, "\xff\xd8\xff"sv)) return std::string("image/jpeg");
  if (StartsWith(first, "GIF87a"sv) || StartsWith(first, "GIF89a"sv)) return std::string("image/gif");
  if (StartsWith(first, "RIFF"sv) && first.size() >= 12 && first.substr(8, 4) == "WEBP"sv) {
    return std::string("image/webp");
  }
  const std::string extension = LowerExtension(name);
  if (StartsWith(first, "\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"sv)) {  // OLE compound file
    if (extension == "doc") return std::string("application/msword");
    if (extension == "xls") return std::string("application/vnd.ms-excel");
    if (extension == "wps") return std::string("application/wps-office.wps");
    if (extension == "et") return std::string("application/wps-office.et");
  }
  if (StartsWith(first, "PK\x03\x04"sv)) {  // zip: Office Open XML
    if (extension == "docx") return std::string("application/vnd.openxmlformats-officedocument.wordprocessingml.document");
    if (extension == "xlsx") return std::string("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet");
  }
  return NotAllowed();
}

bool IsInlineMediaType(std::string_view media_type) {
  return media_type == "application/pdf" || StartsWith(media_type, "image/");
}

bool IsFileHash(std::string_view text) {
  return text.size() == 64 && text.find_first_not_of("0123456789abcdef") == std::string_view::npos;
}

// --- FileUpload ----------------------------------------------------------------

struct FileUpload::Hasher : Sha256Hasher {};

FileUpload::FileUpload(std::filesystem::path dir, std::string name, std::uint64_t max_bytes, UploadQuota* quota,
                       std::string principal)
    : dir_(std::move(dir)),
      name_(std::move(name)),
      max_bytes_(max_bytes),
      hasher_(std::make_unique<Hasher>()),
      quota_(quota),
      principal_(std::move(principal)) {}

FileUpload::~FileUpload() {
  // An upload dropped before its commit (refused, cut off, timed out) gives its reservation back.
  if (ticket_ != 0) quota_->Release(ticket_);
  if (fd_ >= 0) close(fd_);
  if (!temp_.empty()) {
    std::error_code ignored;
    std::filesystem::remove(temp_, ignored);
  }
}

std::optional<HttpRefusal> FileUpload::Begin(std::optional<std::uint64_t> content_length) {
  // The name is checked here too (the handler checks it again), so a bad
  // name is refused before 20 MB are sent for nothing.
  if (Status named = CheckFileName(name_, "name"); !named.ok()) {
    failed_ = true;
    return HttpRefusal{400, named.error_code(), "refused " + named.error_code(), {}, DumpJson(ErrorBody(named)), "name"};
  }
  if (quota_ == nullptr) return std::nullopt;
  Result<std::uint64_t> ticket = quota_->Reserve(principal_, content_length.value_or(max_bytes_));
  if (!ticket.ok()) {
    failed_ = true;
    const Status& why = ticket.status();
    const int status = why.code() == StatusCode::kInvalidArgument ? 413 : 507;
    spdlog::warn("upload of {} bytes by {} refused: {} ({})", content_length.value_or(max_bytes_), principal_,
                 why.error_code(), why.message());
    return HttpRefusal{status, why.error_code(), why.message(), {}, DumpJson(ErrorBody(why)), "file"};
  }
  ticket_ = *ticket;
  return std::nullopt;
}

std::optional<HttpRefusal> FileUpload::Fail(int status, std::string code, Status why) {
  failed_ = true;
  if (ticket_ != 0) quota_->Release(ticket_);
  ticket_ = 0;
  // Nothing of a refused upload stays, even while its connection lingers.
  if (fd_ >= 0) close(fd_);
  fd_ = -1;
  std::error_code ignored;
  if (!temp_.empty()) std::filesystem::remove(temp_, ignored);
  temp_.clear();
  spdlog::warn("upload of {} bytes refused: {} ({})", size_, code, why.message());
  return HttpRefusal{status, code, why.message(), {}, DumpJson(ErrorBody(why)), why.field()};
}

std::optional<HttpRefusal> FileUpload::Write(std::string_view bytes) {
  if (failed_) return HttpRefusal{500, "internal", "the upload failed already", {}, "", ""};
  if (fd_ < 0) {
    std::string pattern = (dir_ / kIncoming / "upload-XXXXXX").string();
    fd_ = mkostemp(pattern.data(), O_CLOEXEC);
    if (fd_ < 0) return Fail(500, "internal", Status::Internal("cannot create an upload file: " + std::string(std::strerror(errno))));
    temp_ = pattern;
  }
  if (media_type_.empty() && first_bytes_.size() < kSniffBytes) {
    first_bytes_.append(bytes.substr(0, kSniffBytes - first_bytes_.size()));
    if (first_bytes_.size() >= kSniffBytes) {
      Result<std::string> type = MediaTypeOf(first_bytes_, name_);
      if (!type.ok()) return Fail(415, "file_type_not_allowed", type.status());
      media_type_ = *type;
    }
  }
  EVP_DigestUpdate(hasher_->context, bytes.data(), bytes.size());
  size_ += bytes.size();
  while (!bytes.empty()) {
    const ssize_t n = ::write(fd_, bytes.data(), bytes.size());
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      const int error = errno;
      if (error == ENOSPC || error == EDQUOT) {
        return Fail(507, "disk_full", Status::ResourceExhausted("服务器磁盘已满，文件未保存，请稍后重试或联系管理员", std::string(kDiskFullCause)));
      }
      return Fail(500, "internal", Status::Internal("cannot write an upload: " + std::string(std::strerror(error))));
    }
    bytes.remove_prefix(static_cast<std::size_t>(n));
  }
  return std::nullopt;
}

Result<StoredFile> FileUpload::Commit() {
  if (failed_) return Status::Internal("the upload failed");
  if (size_ < kMinBytes) {
    return Status::InvalidArgument("文件内容为空或过短，请选择要上传的材料文件", "file", "file_too_small");
  }
  if (media_type_.empty()) {
    ASSIGN_OR_RETURN(media_type_, MediaTypeOf(first_bytes_, name_));
  }
  std::array<unsigned char, EVP_MAX_MD_SIZE> digest{};
  unsigned int length = 0;
  EVP_DigestFinal_ex(hasher_->context, digest.data(), &length);
  StoredFile stored{Hex(digest.data(), length), size_, media_type_};
  if (fsync(fd_) != 0) return Status::Unavailable("cannot sync an upload: " + std::string(std::strerror(errno)));
  fchmod(fd_, 0440);
  close(fd_);
  fd_ = -1;
  const std::filesystem::path target = dir_ / stored.sha256;
  std::error_code error;
  const bool new_file = !std::filesystem::exists(target, error);
  if (!new_file) {
    // Content-addressed: the same bytes are stored already.
    std::filesystem::remove(temp_, error);
  } else {
    // Who uploaded it, for the count of uncited uploads after a restart;
    // written before the file appears, so a stored file has its owner.
    if (!principal_.empty()) std::ofstream(dir_ / kOwners / stored.sha256, std::ios::trunc) << principal_;
    std::filesystem::rename(temp_, target, error);
    if (error) return Status::Unavailable("cannot store " + target.string() + ": " + error.message());
  }
  temp_.clear();
  RETURN_IF_ERROR(SyncDirectory(dir_));
  if (ticket_ != 0) quota_->Settle(ticket_, stored.sha256, stored.size, new_file);
  ticket_ = 0;
  return stored;
}

// --- FileStore -----------------------------------------------------------------

Result<std::unique_ptr<FileStore>> FileStore::Open(std::filesystem::path dir, std::uint64_t max_bytes,
                                                   UploadQuotaOptions quota) {
  std::error_code error;
  for (const char* inside : {kIncoming, kOwners}) {
    std::filesystem::create_directories(dir / inside, error);
    if (error) return Status::Unavailable("cannot make " + (dir / inside).string() + ": " + error.message());
  }
  return std::unique_ptr<FileStore>(new FileStore(std::move(dir), max_bytes, quota));
}

std::shared_ptr<FileUpload> FileStore::BeginUpload(std::string name, std::string principal) {
  return std::make_shared<FileUpload>(dir_, std::move(name), max_bytes_, quota_.get(), std::move(principal));
}

std::uint64_t FileStore::Recount(const std::set<std::string>& cited) {
  std::map<std::string, UploadQuota::Uncited> uncited;
  std::uint64_t bytes = 0;
  std::error_code error;
  for (const auto& entry : std::filesystem::directory_iterator(dir_, error)) {
    const std::string name = entry.path().filename().string();
    if (!entry.is_regular_file(error) || !IsFileHash(name) || cited.count(name) != 0) continue;
    UploadQuota::Uncited file;
    file.size = entry.file_size(error);
    if (error) continue;
    std::ifstream owner(dir_ / kOwners / name);
    std::getline(owner, file.principal);
    bytes += file.size;
    uncited.emplace(name, std::move(file));
  }
  quota_->Recount(std::move(uncited));
  // The day's uploads for the daily cap: an owner record is written when a
  // new file is committed (its mtime is that time) and removed only with the
  // file, by the sweep of uncited files after a day.
  std::map<std::string, std::vector<UploadQuota::Upload>> uploads;
  for (const auto& entry : std::filesystem::directory_iterator(dir_ / kOwners, error)) {
    const std::string name = entry.path().filename().string();
    if (!entry.is_regular_file(error) || !IsFileHash(name)) continue;
    const std::filesystem::file_time_type written = entry.last_write_time(error);
    if (error) continue;
    const std::uintmax_t size = std::filesystem::file_size(dir_ / name, error);
    if (error) continue;  // its file is gone: it takes no disk
    std::string principal;
    std::getline(std::ifstream(entry.path()), principal);
    uploads[principal].push_back(
        {std::chrono::file_clock::to_sys(written), static_cast<std::uint64_t>(size)});
  }
  quota_->RecountUploads(std::move(uploads));
  return bytes;
}

void FileStore::NoteCited(const std::vector<std::string>& sha256s) {
  for (const std::string& sha256 : sha256s) quota_->Forget(sha256);
}

Result<StoredFile> FileStore::Find(const std::string& sha256, std::string_view name) const {
  if (!IsFileHash(sha256)) return Status::NotFound("没有这个文件", "file_not_found");
  const std::filesystem::path path = dir_ / sha256;
  std::error_code error;
  const std::uintmax_t size = std::filesystem::file_size(path, error);
  if (error) return Status::NotFound("没有这个文件，请重新上传", "file_not_found");
  Result<std::string> type = MediaTypeOf(FirstBytes(path), name);
  return StoredFile{sha256, static_cast<std::uint64_t>(size), type.ok() ? *type : ""};
}

Status FileStore::Check(const std::string& sha256) const { return CheckStoredFile(dir_, sha256); }

Status CheckStoredFile(const std::filesystem::path& dir, const std::string& sha256) {
  const std::filesystem::path path = dir / sha256;
  std::ifstream in(path, std::ios::binary);
  if (!IsFileHash(sha256) || !in) return Status::NotFound("file " + sha256 + " is missing", "file_not_found");
  Sha256Hasher hasher;
  std::string buffer(1 << 16, '\0');
  while (in) {
    in.read(buffer.data(), static_cast<std::streamsize>(buffer.size()));
    EVP_DigestUpdate(hasher.context, buffer.data(), static_cast<std::size_t>(in.gcount()));
  }
  std::array<unsigned char, EVP_MAX_MD_SIZE> digest{};
  unsigned int length = 0;
  EVP_DigestFinal_ex(hasher.context, digest.data(), &length);
  const std::string actual = Hex(digest.data(), length);
  if (actual != sha256) {
    return Status::DataLoss("file " + sha256 + " has changed: its content hashes to " + actual);
  }
  return Status::Ok();
}

std::size_t FileStore::Sweep(const std::set<std::string>& cited, std::chrono::seconds age) const {
  const auto cutoff = std::filesystem::file_time_type::clock::now() - age;
  std::size_t removed = 0;
  std::error_code error;
  for (const std::filesystem::path& dir : {dir_, dir_ / kIncoming}) {
    for (const auto& entry : std::filesystem::directory_iterator(dir, error)) {
      if (!entry.is_regular_file(error)) continue;
      const std::string name = entry.path().filename().string();
      const bool incoming = dir != dir_;
      if (!incoming && (!IsFileHash(name) || cited.count(name) != 0)) continue;
      if (entry.last_write_time(error) > cutoff || error) continue;
      if (std::filesystem::remove(entry.path(), error)) {
        ++removed;
        if (!incoming) {
          std::filesystem::remove(dir_ / kOwners / name, error);
          quota_->Forget(name);
        }
        spdlog::info("files: removed {} {} (no event cites it)", incoming ? "interrupted upload" : "upload", name);
      }
    }
  }
  return removed;
}

}  // namespace kuimen
