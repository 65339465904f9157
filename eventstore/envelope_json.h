#pragma once

#include <optional>
#include <string>
#include <string_view>

#include <nlohmann/json_fwd.hpp>

#include "domain/status.h"
#include "eventstore/recorded_event.h"

namespace kuimen {

// RFC 3339 in UTC with microseconds: "2024-11-02T08:30:00.000000Z".
std::string FormatTimestamp(Timestamp time);

// The full envelope of a stored event as JSON: id, stream, version, position,
// type, schema_version, recorded_at, actor {principal, role, unit, and group
// when set}, data (the payload as an object), prev_hash, hash. The form shown
// to users, printed by `kuimen log`, and later carried on the wire.
nlohmann::ordered_json EnvelopeToJson(const RecordedEvent& event);

// The inverse of EnvelopeToJson (as text), for consumers of the wire form.
// `data` comes back as canonical JSON, so the event's hash can be recomputed.
// kInvalidArgument naming the field when the text is not such an envelope.
Result<RecordedEvent> EnvelopeFromJson(std::string_view text);

// Parses FormatTimestamp's form ("2024-11-02T08:30:00.000000Z"; the fraction
// may have 0..6 digits). nullopt if it is not that form.
std::optional<Timestamp> ParseTimestamp(std::string_view text);

}  // namespace kuimen
