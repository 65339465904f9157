#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "domain/ids.h"
#include "domain/status.h"
#include "eventstore/recorded_event.h"

// The on-disk format of the event store, declared in one place. Bump
// kStoreFormat when any layout below changes incompatibly.
namespace kuimen::storage {

// Written to the meta column family when a store is created; checked at open.
inline constexpr std::string_view kStoreFormat = "kuimen-eventstore/1";

// A file in the store's directory while the store is being created; a crash
// before the format marker is synced leaves it, and the next open starts afresh.
inline constexpr std::string_view kCreatingMarker = "KUIMEN-CREATING";

// Column families (besides RocksDB's "default", which holds only kWalAnchorKey):
inline constexpr std::string_view kLogFamily = "log";          // position -> record
inline constexpr std::string_view kStreamFamily = "streams";   // stream \0 version -> position
inline constexpr std::string_view kHeadFamily = "heads";       // stream -> last version
inline constexpr std::string_view kIdFamily = "ids";           // event id (16 bytes) -> position
inline constexpr std::string_view kMetaFamily = "meta";        // see keys below

inline constexpr std::string_view kFormatKey = "format";  // -> kStoreFormat
inline constexpr std::string_view kHeadKey = "head";      // -> position (8) + hash (32)
inline constexpr std::string_view kCursorPrefix = "cursor/";  // + name -> position (8)

// In "default", written without the WAL and never read: it keeps a memtable
// non-empty, so that RocksDB's Resume() after a failed WAL write (a full disk)
// flushes and starts a new WAL instead of writing on the failed one (RocksDB
// 7.8 asserts then). Lost at every restart, which is its purpose met.
inline constexpr std::string_view kWalAnchorKey = "wal-anchor";

// Big-endian, so RocksDB's byte order is numeric order.
std::string EncodeU64Key(std::uint64_t value);
std::uint64_t DecodeU64Key(std::string_view bytes);  // precondition: 8 bytes

std::string StreamKey(const StreamId& stream, StreamVersion version);
std::string StreamPrefix(const StreamId& stream);

std::string EncodeHead(GlobalPosition position, const Sha256Digest& hash);
Result<std::pair<GlobalPosition, Sha256Digest>> DecodeHead(std::string_view bytes);

// A record is the canonical bytes of an event followed by its 32-byte hash:
//   u8 record format (1 or 2) | u64 position | u64 version | i64 recorded_at
//   (µs since 1970, UTC) | u32 schema version | 16-byte id | str stream |
//   str type | str principal | u8 role | str unit | [format 2 only: str group] |
//   str data | 32-byte prev_hash
// Integers are little-endian; str is a u32 length then the bytes. Fixed
// widths keep decoding a few comparisons and copies per event.
// Format 2 adds the actor's group (a township's, domain/actor.h) and is
// written only when the group is set, so every other record, and every record
// stored before groups existed, stays format 1 byte for byte. Both are read.
inline constexpr std::uint8_t kRecordFormat = 1;
inline constexpr std::uint8_t kRecordFormatWithGroup = 2;

// The bytes the hash covers (everything but the hash itself).
std::string EncodeCanonical(const RecordedEvent& event);
// Canonical bytes followed by event.hash.
std::string EncodeRecord(const RecordedEvent& event);
// kDataLoss when the bytes are not a well-formed record. Does not check the hash.
Result<RecordedEvent> DecodeRecord(std::string_view bytes);
// The canonical part of a record (all but the last 32 bytes); empty if too short.
std::string_view CanonicalPart(std::string_view record);

}  // namespace kuimen::storage
