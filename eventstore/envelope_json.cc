#include "eventstore/envelope_json.h"

#include <cstdio>
#include <ctime>

#include <nlohmann/json.hpp>

#include "eventstore/json_reader.h"
#include "eventstore/storage_format.h"

namespace kuimen {

std::string FormatTimestamp(Timestamp time) {
  const std::int64_t micros = time.time_since_epoch().count();
  std::int64_t seconds = micros / 1000000;
  std::int64_t fraction = micros % 1000000;
  if (fraction < 0) {  // before 1970: keep the fraction positive
    fraction += 1000000;
    seconds -= 1;
  }
  std::time_t t = static_cast<std::time_t>(seconds);
  std::tm utc{};
  gmtime_r(&t, &utc);
  char buffer[64];
  std::snprintf(buffer, sizeof buffer, "%04d-%02d-%02dT%02d:%02d:%02d.%06lldZ", utc.tm_year + 1900,
                utc.tm_mon + 1, utc.tm_mday, utc.tm_hour, utc.tm_min, utc.tm_sec,
                static_cast<long long>(fraction));
  return buffer;
}

nlohmann::ordered_json EnvelopeToJson(const RecordedEvent& event) {
  nlohmann::ordered_json out;
  out["id"] = event.id.ToString();
  out["stream"] = event.stream.value;
  out["version"] = event.version.value;
  out["position"] = event.position.value;
  out["type"] = event.type;
  out["schema_version"] = event.schema_version;
  out["recorded_at"] = FormatTimestamp(event.recorded_at);
  out["actor"] = {{"principal", event.actor.principal},
                  {"role", std::string(RoleName(event.actor.role))},
                  {"unit", event.actor.unit}};
  // Only a township's actor has a group; leaving it out otherwise keeps every
  // other envelope as it was.
  if (!event.actor.group.empty()) out["actor"]["group"] = event.actor.group;
  // The payload is canonical JSON written by the codec; show it as an object.
  nlohmann::ordered_json data = nlohmann::ordered_json::parse(event.data, nullptr, false);
  out["data"] = data.is_discarded() ? nlohmann::ordered_json(event.data) : data;
  out["prev_hash"] = ToHex(event.prev_hash);
  out["hash"] = ToHex(event.hash);
  return out;
}

std::optional<Timestamp> ParseTimestamp(std::string_view text) {
  int year = 0, month = 0, day = 0, hour = 0, minute = 0, second = 0;
  auto digits = [&text](size_t from, size_t count, int& out) {
    if (from + count > text.size()) return false;
    out = 0;
    for (size_t i = from; i < from + count; ++i) {
      if (text[i] < '0' || text[i] > '9') return false;
      out = out * 10 + (text[i] - '0');
    }
    return true;
  };
  if (text.size() < 20 || text[4] != '-' || text[7] != '-' || text[10] != 'T' || text[13] != ':' ||
      text[16] != ':' || text.back() != 'Z' || !digits(0, 4, year) || !digits(5, 2, month) ||
      !digits(8, 2, day) || !digits(11, 2, hour) || !digits(14, 2, minute) || !digits(17, 2, second)) {
    return std::nullopt;
  }
  std::int64_t micros = 0;
  std::string_view rest = text.substr(19, text.size() - 20);
  if (!rest.empty()) {
    if (rest[0] != '.' || rest.size() < 2 || rest.size() > 7) return std::nullopt;  // 1..6 digits after the dot
    int scale = 1000000;
    for (char c : rest.substr(1)) {
      if (c < '0' || c > '9') return std::nullopt;
      scale /= 10;
      micros += (c - '0') * scale;
    }
  }
  std::chrono::year_month_day date{std::chrono::year(year), std::chrono::month(static_cast<unsigned>(month)),
                                   std::chrono::day(static_cast<unsigned>(day))};
  if (!date.ok() || hour > 23 || minute > 59 || second > 59) return std::nullopt;
  auto time = std::chrono::sys_days(date) + std::chrono::hours(hour) + std::chrono::minutes(minute) +
              std::chrono::seconds(second) + std::chrono::microseconds(micros);
  return Timestamp(std::chrono::duration_cast<std::chrono::microseconds>(time.time_since_epoch()));
}

namespace {

bool ParseHex(std::string_view text, Sha256Digest& out) {
  if (text.size() != 64) return false;
  for (size_t i = 0; i < 32; ++i) {
    int value = 0;
    for (char c : text.substr(2 * i, 2)) {
      int nibble = c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
      if (nibble < 0) return false;
      value = value * 16 + nibble;
    }
    out[i] = static_cast<std::uint8_t>(value);
  }
  return true;
}

Status Bad(const char* field, const char* problem) {
  return Status::InvalidArgument(std::string(field) + ": " + problem, field);
}

}  // namespace

Result<RecordedEvent> EnvelopeFromJson(std::string_view text) {
  nlohmann::json root = nlohmann::json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (root.is_discarded()) return Bad("envelope", "is not valid JSON");
  JsonReader r(root, "");
  RETURN_IF_ERROR(r.ExpectObject());
  RecordedEvent event;
  ASSIGN_OR_RETURN(std::string id, r.String("id"));
  std::optional<EventId> parsed_id = EventId::Parse(id);
  if (!parsed_id) return Bad("id", "must be a UUID");
  event.id = *parsed_id;
  ASSIGN_OR_RETURN(event.stream.value, r.String("stream"));
  ASSIGN_OR_RETURN(std::int64_t version, r.Integer("version"));
  ASSIGN_OR_RETURN(std::int64_t position, r.Integer("position"));
  if (version < 1) return Bad("version", "must be 1 or more");
  if (position < 1) return Bad("position", "must be 1 or more");
  event.version = StreamVersion(static_cast<std::uint64_t>(version));
  event.position = GlobalPosition(static_cast<std::uint64_t>(position));
  ASSIGN_OR_RETURN(event.type, r.String("type"));
  ASSIGN_OR_RETURN(std::int64_t schema, r.Integer("schema_version"));
  event.schema_version = static_cast<std::uint32_t>(schema);
  ASSIGN_OR_RETURN(std::string recorded_at, r.String("recorded_at"));
  std::optional<Timestamp> time = ParseTimestamp(recorded_at);
  if (!time) return Bad("recorded_at", "must be an RFC 3339 UTC time");
  event.recorded_at = *time;

  auto actor = root.find("actor");
  if (actor == root.end()) return Bad("actor", "is required");
  JsonReader a(*actor, "actor");
  RETURN_IF_ERROR(a.ExpectObject());
  ASSIGN_OR_RETURN(event.actor.principal, a.String("principal"));
  ASSIGN_OR_RETURN(std::string role, a.String("role"));
  std::optional<Role> parsed_role = RoleFromName(role);
  if (!parsed_role) return Bad("actor.role", "must be taskforce, department or auditor");
  event.actor.role = *parsed_role;
  ASSIGN_OR_RETURN(event.actor.unit, a.OptionalString("unit"));
  ASSIGN_OR_RETURN(event.actor.group, a.OptionalString("group"));

  auto data = root.find("data");
  if (data == root.end()) return Bad("data", "is required");
  // nlohmann::json keeps keys sorted, so this is the canonical form the codec stored.
  event.data = data->is_string() ? data->get<std::string>() : data->dump();
  ASSIGN_OR_RETURN(std::string prev_hash, r.String("prev_hash"));
  ASSIGN_OR_RETURN(std::string hash, r.String("hash"));
  if (!ParseHex(prev_hash, event.prev_hash)) return Bad("prev_hash", "must be 64 hex digits");
  if (!ParseHex(hash, event.hash)) return Bad("hash", "must be 64 hex digits");
  return event;
}

std::string EnvelopeToWire(const RecordedEvent& event) {
  return storage::EncodeRecord(event);
}

Result<RecordedEvent> EnvelopeFromWire(std::string_view bytes) {
  // JSON text may start with white space; a record starts with its format byte.
  const std::size_t first = bytes.find_first_not_of(" \t\r\n");
  if (first != std::string_view::npos && bytes[first] == '{') return EnvelopeFromJson(bytes);
  Result<RecordedEvent> record = storage::DecodeRecord(bytes);
  if (!record.ok()) return Bad("envelope", "is neither a stored event record nor a JSON envelope");
  return record;
}

}  // namespace kuimen
