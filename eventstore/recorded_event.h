#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>

#include "domain/actor.h"
#include "domain/clock.h"
#include "domain/ids.h"
#include "eventstore/event_id.h"

namespace kuimen {

using Sha256Digest = std::array<std::uint8_t, 32>;

// Lower-case hexadecimal form of a digest.
std::string ToHex(const Sha256Digest& digest);

// An event to append. `data` is the canonical JSON of the payload, as produced
// by eventstore/event_codec.h; the store treats it as opaque bytes.
struct ProposedEvent {
  std::optional<EventId> id;  // client-chosen for idempotent retries; drawn at random if empty
  std::string type;           // wire name, e.g. "ProgressReported"
  std::uint32_t schema_version = 1;
  Actor actor;
  std::string data;
};

// An event as stored: its envelope and payload. hash = SHA-256(canonical bytes
// of everything above it, prev_hash included), so each event seals the whole
// history before it.
struct RecordedEvent {
  EventId id;
  StreamId stream;
  StreamVersion version;
  GlobalPosition position;
  std::string type;
  std::uint32_t schema_version = 1;
  Timestamp recorded_at;
  Actor actor;
  std::string data;
  Sha256Digest prev_hash{};
  Sha256Digest hash{};
};

}  // namespace kuimen
