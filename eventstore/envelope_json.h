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
// to users and printed by `kuimen log`; releases before the record wire form
// (EnvelopeToWire) also carried it on the wire.
nlohmann::ordered_json EnvelopeToJson(const RecordedEvent& event);

// The inverse of EnvelopeToJson (as text), for consumers of the wire form.
// `data` comes back as canonical JSON, so the event's hash can be recomputed.
// kInvalidArgument naming the field when the text is not such an envelope.
Result<RecordedEvent> EnvelopeFromJson(std::string_view text);

// The wire form the relay publishes (Kafka message values): the event's
// stored record (eventstore/storage_format.h: canonical bytes, then the hash),
// byte for byte as the log holds it. The payload stays the codec's canonical
// JSON text, untouched, so publishing parses nothing and the hash the chain
// is over still matches the bytes. A record starts with its format byte (1 or
// 2), never with '{', so it cannot be mistaken for a JSON envelope.
std::string EnvelopeToWire(const RecordedEvent& event);

// Reads a message value in either wire form: a stored record (this release)
// or a JSON envelope (EnvelopeToJson's text, which earlier releases published
// and a broker may still hold across an upgrade). kInvalidArgument naming the
// field when it is neither.
Result<RecordedEvent> EnvelopeFromWire(std::string_view bytes);

// Parses FormatTimestamp's form ("2024-11-02T08:30:00.000000Z"; the fraction
// may have 0..6 digits). nullopt if it is not that form.
std::optional<Timestamp> ParseTimestamp(std::string_view text);

}  // namespace kuimen
