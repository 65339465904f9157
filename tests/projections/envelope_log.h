#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "eventstore/event_codec.h"
#include "eventstore/recorded_event.h"

namespace kuimen::testing {

// Envelopes as the store would stamp them — versions per stream, positions
// across the log — for feeding views by hand, in any order a test likes.
class EnvelopeLog {
 public:
  // Returns the event's position.
  std::uint64_t Add(const std::string& stream, Timestamp at, const Actor& actor, EventData data) {
    RecordedEvent envelope;
    envelope.stream = StreamId{stream};
    envelope.version = StreamVersion(++versions_[stream]);
    envelope.position = GlobalPosition(events_.size() + 1);
    envelope.recorded_at = at;
    envelope.actor = actor;
    EncodedEvent encoded = EncodeEvent(data);
    envelope.type = encoded.type;
    envelope.schema_version = encoded.schema_version;
    envelope.data = encoded.data;
    events_.emplace_back(std::move(envelope), std::move(data));
    return events_.size();
  }
  const std::vector<std::pair<RecordedEvent, EventData>>& events() const { return events_; }

 private:
  std::map<std::string, std::uint64_t> versions_;
  std::vector<std::pair<RecordedEvent, EventData>> events_;
};

}  // namespace kuimen::testing
