#include "eventstore/storage_format.h"

#include <cstring>

#include "eventstore/byte_codec.h"

namespace kuimen::storage {

std::string EncodeU64Key(std::uint64_t value) {
  std::string bytes(8, '\0');
  for (int i = 7; i >= 0; --i) {
    bytes[i] = static_cast<char>(value & 0xFF);
    value >>= 8;
  }
  return bytes;
}

std::uint64_t DecodeU64Key(std::string_view bytes) {
  std::uint64_t value = 0;
  for (size_t i = 0; i < 8; ++i) value = (value << 8) | static_cast<std::uint8_t>(bytes[i]);
  return value;
}

std::string StreamPrefix(const StreamId& stream) {
  std::string key = stream.value;
  key.push_back('\0');  // stream names contain no NUL, so no name is a prefix of another's keys
  return key;
}

std::string StreamKey(const StreamId& stream, StreamVersion version) {
  return StreamPrefix(stream) + EncodeU64Key(version.value);
}

std::string EncodeHead(GlobalPosition position, const Sha256Digest& hash) {
  std::string bytes = EncodeU64Key(position.value);
  bytes.append(reinterpret_cast<const char*>(hash.data()), hash.size());
  return bytes;
}

Result<std::pair<GlobalPosition, Sha256Digest>> DecodeHead(std::string_view bytes) {
  if (bytes.size() != 8 + 32) return Status::DataLoss("the stored head is " + std::to_string(bytes.size()) + " bytes, not 40");
  Sha256Digest hash{};
  std::memcpy(hash.data(), bytes.data() + 8, 32);
  return std::make_pair(GlobalPosition(DecodeU64Key(bytes)), hash);
}

std::string EncodeCanonical(const RecordedEvent& e) {
  std::string out;
  out.reserve(128 + e.stream.value.size() + e.type.size() + e.actor.principal.size() +
              e.actor.unit.size() + e.actor.group.size() + e.data.size());
  ByteWriter w(out);
  const bool with_group = !e.actor.group.empty();
  w.U8(with_group ? kRecordFormatWithGroup : kRecordFormat);
  w.U64(e.position.value);
  w.U64(e.version.value);
  w.U64(static_cast<std::uint64_t>(e.recorded_at.time_since_epoch().count()));
  w.U32(e.schema_version);
  w.Bytes(e.id.bytes().data(), 16);
  w.Str(e.stream.value);
  w.Str(e.type);
  w.Str(e.actor.principal);
  w.U8(static_cast<std::uint8_t>(e.actor.role));
  w.Str(e.actor.unit);
  if (with_group) w.Str(e.actor.group);
  w.Str(e.data);
  w.Bytes(e.prev_hash.data(), e.prev_hash.size());
  return out;
}

std::string EncodeRecord(const RecordedEvent& event) {
  std::string out = EncodeCanonical(event);
  out.append(reinterpret_cast<const char*>(event.hash.data()), event.hash.size());
  return out;
}

std::string_view CanonicalPart(std::string_view record) {
  return record.size() < 32 ? std::string_view() : record.substr(0, record.size() - 32);
}

Result<RecordedEvent> DecodeRecord(std::string_view bytes) {
  ByteReader r(bytes);
  RecordedEvent e;
  std::uint8_t format = 0;
  std::uint64_t position = 0, version = 0, recorded_at = 0;
  std::array<std::uint8_t, 16> id{};
  std::uint8_t role = 0;
  bool well_formed = r.U8(format) && (format == kRecordFormat || format == kRecordFormatWithGroup) &&
                     r.U64(position) && r.U64(version) &&
                     r.U64(recorded_at) && r.U32(e.schema_version) && r.Bytes(id.data(), 16) &&
                     r.Str(e.stream.value) && r.Str(e.type) && r.Str(e.actor.principal) &&
                     r.U8(role) && role <= static_cast<std::uint8_t>(Role::kLeader) &&
                     r.Str(e.actor.unit) &&
                     // An empty group in format 2 would give one event two encodings.
                     (format == kRecordFormat || (r.Str(e.actor.group) && !e.actor.group.empty())) &&
                     r.Str(e.data) && r.Bytes(e.prev_hash.data(), 32) &&
                     r.Bytes(e.hash.data(), 32) && r.AtEnd();
  if (!well_formed) {
    return Status::DataLoss("a stored record of " + std::to_string(bytes.size()) +
                            " bytes is not a well-formed kuimen record (format " +
                            std::to_string(format) + ")");
  }
  e.position = GlobalPosition(position);
  e.version = StreamVersion(version);
  e.recorded_at = Timestamp(std::chrono::microseconds(static_cast<std::int64_t>(recorded_at)));
  e.id = EventId(id);
  e.actor.role = static_cast<Role>(role);
  return e;
}

}  // namespace kuimen::storage
