// The record format follows RocksDB's db/log_format.h (not installed by
// Debian's package), version 7.8: non-recyclable record types only, since the
// store never sets recycle_log_file_num.
#include "eventstore/wal_scan.h"

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>
#if defined(__x86_64__)
#include <nmmintrin.h>
#endif

#include <array>
#include <cstring>
#include <string_view>

namespace kuimen {

namespace {

constexpr std::uint64_t kBlockSize = 32768;
constexpr std::uint64_t kHeaderSize = 7;
constexpr std::uint8_t kZeroType = 0;      // padding / preallocated space
constexpr std::uint8_t kLastPlainType = 4;  // kFull, kFirst, kMiddle, kLast = 1..4
constexpr std::uint8_t kSetCompressionType = 9;
constexpr std::uint32_t kMaskDelta = 0xa282ead8u;

std::array<std::uint32_t, 256> MakeCrcTable() {
  std::array<std::uint32_t, 256> table{};
  for (std::uint32_t i = 0; i < 256; ++i) {
    std::uint32_t crc = i;
    for (int bit = 0; bit < 8; ++bit) crc = (crc >> 1) ^ ((crc & 1u) ? 0x82f63b78u : 0u);  // CRC-32C
    table[i] = crc;
  }
  return table;
}

std::uint32_t Crc32cByTable(std::string_view bytes) {
  static const std::array<std::uint32_t, 256> table = MakeCrcTable();
  std::uint32_t crc = 0xffffffffu;
  for (unsigned char byte : bytes) crc = table[(crc ^ byte) & 0xffu] ^ (crc >> 8);
  return crc ^ 0xffffffffu;
}

#if defined(__x86_64__)
// The same CRC by the SSE4.2 instruction, 8 bytes at a time: the table walks
// a byte at a time and was most of `kuimen verify`'s WAL scan.
__attribute__((target("sse4.2"))) std::uint32_t Crc32cByInstruction(std::string_view bytes) {
  std::uint64_t crc = 0xffffffffu;
  const char* p = bytes.data();
  std::size_t n = bytes.size();
  for (; n >= 8; p += 8, n -= 8) {
    std::uint64_t word;
    std::memcpy(&word, p, 8);
    crc = _mm_crc32_u64(crc, word);
  }
  auto crc32 = static_cast<std::uint32_t>(crc);
  for (; n > 0; ++p, --n) crc32 = _mm_crc32_u8(crc32, static_cast<unsigned char>(*p));
  return crc32 ^ 0xffffffffu;
}
#endif

std::uint32_t Crc32c(std::string_view bytes) {
#if defined(__x86_64__)
  static const bool has_instruction = __builtin_cpu_supports("sse4.2");
  if (has_instruction) return Crc32cByInstruction(bytes);
#endif
  return Crc32cByTable(bytes);
}

std::uint32_t Masked(std::uint32_t crc) { return ((crc >> 15) | (crc << 17)) + kMaskDelta; }

std::uint32_t Fixed32(std::string_view bytes, std::uint64_t at) {
  std::uint32_t value = 0;
  for (int i = 3; i >= 0; --i) value = (value << 8) | static_cast<unsigned char>(bytes[at + i]);
  return value;
}

bool KnownType(std::uint8_t type) { return (type >= 1 && type <= kLastPlainType) || type == kSetCompressionType; }

enum class Header { kGood, kBadChecksum, kTooLong, kUnknownType };

// Checks the record whose header starts at `at`; `length` receives its payload length.
Header CheckRecord(std::string_view log, std::uint64_t at, std::uint64_t* length) {
  const std::uint64_t block_end = (at / kBlockSize + 1) * kBlockSize;
  *length = static_cast<unsigned char>(log[at + 4]) | (static_cast<unsigned char>(log[at + 5]) << 8);
  const auto type = static_cast<std::uint8_t>(log[at + 6]);
  if (!KnownType(type)) return Header::kUnknownType;
  const std::uint64_t end = at + kHeaderSize + *length;
  if (end > block_end || end > log.size()) return Header::kTooLong;
  // The checksum covers the type byte and the payload.
  if (Masked(Crc32c(log.substr(at + 6, 1 + *length))) != Fixed32(log, at)) return Header::kBadChecksum;
  return Header::kGood;
}

// True when a well-formed record starts anywhere after `from`.
bool WellFormedRecordAfter(std::string_view log, std::uint64_t from) {
  for (std::uint64_t at = from + 1; at + kHeaderSize <= log.size(); ++at) {
    if (!KnownType(static_cast<std::uint8_t>(log[at + 6]))) continue;
    std::uint64_t length = 0;
    if (CheckRecord(log, at, &length) == Header::kGood && length > 0) return true;
  }
  return false;
}

// A file's bytes, mapped read-only (the WAL files are tens of megabytes: a
// copy costs more than the scan).
class MappedFile {
 public:
  explicit MappedFile(const std::filesystem::path& file) {
    fd_ = ::open(file.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd_ < 0) return;
    struct stat st {};
    if (::fstat(fd_, &st) != 0) return;
    size_ = static_cast<std::size_t>(st.st_size);
    if (size_ == 0) {
      ok_ = true;
      return;
    }
    void* data = ::mmap(nullptr, size_, PROT_READ, MAP_PRIVATE, fd_, 0);
    if (data == MAP_FAILED) return;
    data_ = static_cast<const char*>(data);
    ::madvise(data, size_, MADV_SEQUENTIAL);
    ok_ = true;
  }
  MappedFile(const MappedFile&) = delete;
  MappedFile& operator=(const MappedFile&) = delete;
  ~MappedFile() {
    if (data_ != nullptr) ::munmap(const_cast<char*>(data_), size_);
    if (fd_ >= 0) ::close(fd_);
  }
  bool ok() const { return ok_; }
  std::string_view bytes() const { return data_ == nullptr ? std::string_view() : std::string_view(data_, size_); }

 private:
  int fd_ = -1;
  const char* data_ = nullptr;
  std::size_t size_ = 0;
  bool ok_ = false;
};

}  // namespace

std::optional<WalDamage> ScanWal(const std::filesystem::path& file) {
  const MappedFile mapped(file);
  if (!mapped.ok()) return WalDamage{file, 0, "cannot be read"};
  const std::string_view log = mapped.bytes();

  std::uint64_t at = 0;
  while (at < log.size()) {
    const std::uint64_t block_end = (at / kBlockSize + 1) * kBlockSize;
    if (block_end - at < kHeaderSize) {  // a block's zero-filled trailer
      at = block_end;
      continue;
    }
    if (log.size() - at < kHeaderSize) return std::nullopt;  // a header torn at the very end
    std::uint64_t length = 0;
    const auto type = static_cast<std::uint8_t>(log[at + 6]);
    if (type == kZeroType && Fixed32(log, at) == 0 && log[at + 4] == 0 && log[at + 5] == 0) {
      at = block_end;  // RocksDB skips the rest of a block of zeros
      continue;
    }
    switch (CheckRecord(log, at, &length)) {
      case Header::kGood:
        at += kHeaderSize + length;
        continue;
      case Header::kBadChecksum:
        // Cut short at the very end it cannot be (its length fits); a torn
        // write leaves a shorter file, not other bytes.
        return WalDamage{file, at, "a record fails its checksum"};
      case Header::kUnknownType:
      case Header::kTooLong:
        if (!WellFormedRecordAfter(log, at)) return std::nullopt;  // a torn tail
        return WalDamage{file, at,
                         type == kZeroType || !KnownType(type)
                             ? "a record header is garbled"
                             : "a record claims more bytes than its block holds, yet well-formed records follow it"};
    }
  }
  return std::nullopt;
}

}  // namespace kuimen
