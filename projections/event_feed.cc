#include "projections/event_feed.h"

#include <spdlog/spdlog.h>

#include "eventstore/event_codec.h"

namespace kuimen {

DecodedEvent Decode(RecordedEvent event) {
  Result<EventData> data = DecodeEvent(event.type, event.schema_version, event.data);
  DecodedEvent decoded{std::move(event), std::nullopt};
  if (data.ok()) {
    decoded.data = std::move(data).value();
  } else {
    // Cannot happen for events this build wrote; skipping keeps the stream moving.
    spdlog::error("cannot read the payload at position {}: {}", decoded.event.position.value,
                  data.status().message());
  }
  return decoded;
}

}  // namespace kuimen
