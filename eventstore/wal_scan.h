#pragma once

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>

namespace kuimen {

// Damage found in a RocksDB write-ahead log file.
struct WalDamage {
  std::filesystem::path file;
  std::uint64_t offset = 0;  // byte offset of the first damaged record
  std::string problem;
};

// Reads a RocksDB (7.x) write-ahead log record by record — 32 KiB blocks,
// each record a 7-byte header (masked CRC32C of type and payload, u16 length,
// type) and its payload — and returns the first damaged record: one whose
// checksum does not match, or one that claims more bytes than the log holds
// while well-formed records follow it (a length byte flipped in the last
// block, which RocksDB would take for a torn tail and drop silently with all
// the acknowledged records after it). A record cut short at the very end of
// the file, with nothing well-formed after it, is a write the crash tore
// before its sync: not damage. Errors reading the file are reported as damage
// at offset 0.
std::optional<WalDamage> ScanWal(const std::filesystem::path& file);

}  // namespace kuimen
