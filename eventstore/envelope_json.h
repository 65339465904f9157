#pragma once

#include <string>

#include <nlohmann/json_fwd.hpp>

#include "eventstore/recorded_event.h"

namespace kuimen {

// RFC 3339 in UTC with microseconds: "2024-11-02T08:30:00.000000Z".
std::string FormatTimestamp(Timestamp time);

// The full envelope of a stored event as JSON: id, stream, version, position,
// type, schema_version, recorded_at, actor {principal, role, unit}, data (the
// payload as an object), prev_hash, hash. The form shown to users, printed by
// `kuimen log`, and later carried on the wire.
nlohmann::ordered_json EnvelopeToJson(const RecordedEvent& event);

}  // namespace kuimen
