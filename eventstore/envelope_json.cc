#include "eventstore/envelope_json.h"

#include <cstdio>
#include <ctime>

#include <nlohmann/json.hpp>

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
  // The payload is canonical JSON written by the codec; show it as an object.
  nlohmann::ordered_json data = nlohmann::ordered_json::parse(event.data, nullptr, false);
  out["data"] = data.is_discarded() ? nlohmann::ordered_json(event.data) : data;
  out["prev_hash"] = ToHex(event.prev_hash);
  out["hash"] = ToHex(event.hash);
  return out;
}

}  // namespace kuimen
