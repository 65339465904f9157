#include "gateway/envelope_text.h"

#include <string_view>

#include <nlohmann/json.hpp>

#include "domain/actor.h"
#include "eventstore/envelope_json.h"
#include "gateway/http_error.h"

namespace kuimen {

namespace {

// `"name":` then the value as DumpJson quotes it (escapes, broken UTF-8 replaced).
void AppendString(std::string& out, std::string_view name, const std::string& value) {
  out += '"';
  out += name;
  out += "\":";
  out += DumpJson(nlohmann::ordered_json(value));
}

// A string field known to need no escaping (hex digits, a UUID, a timestamp).
void AppendPlain(std::string& out, std::string_view name, std::string_view value) {
  out += '"';
  out += name;
  out += "\":\"";
  out += value;
  out += '"';
}

void AppendNumber(std::string& out, std::string_view name, std::uint64_t value) {
  out += '"';
  out += name;
  out += "\":";
  out += std::to_string(value);
}

}  // namespace

std::string SubmittedEventJson(const RecordedEvent& event) {
  std::string out;
  out.reserve(512 + event.data.size());
  out += "{\"event\":{";
  AppendPlain(out, "id", event.id.ToString());
  out += ',';
  AppendString(out, "stream", event.stream.value);
  out += ',';
  AppendNumber(out, "version", event.version.value);
  out += ',';
  AppendNumber(out, "position", event.position.value);
  out += ',';
  AppendString(out, "type", event.type);
  out += ',';
  AppendNumber(out, "schema_version", event.schema_version);
  out += ',';
  AppendPlain(out, "recorded_at", FormatTimestamp(event.recorded_at));
  out += ",\"actor\":{";
  AppendString(out, "principal", event.actor.principal);
  out += ',';
  AppendString(out, "role", std::string(RoleName(event.actor.role)));
  out += ',';
  AppendString(out, "unit", event.actor.unit);
  if (!event.actor.group.empty()) {
    out += ',';
    AppendString(out, "group", event.actor.group);
  }
  out += "},\"data\":";
  out += event.data;
  out += ',';
  AppendPlain(out, "prev_hash", ToHex(event.prev_hash));
  out += ',';
  AppendPlain(out, "hash", ToHex(event.hash));
  out += "}}";
  return out;
}

}  // namespace kuimen
