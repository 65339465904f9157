#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <vector>

#include "domain/events.h"
#include "domain/status.h"
#include "eventstore/recorded_event.h"

namespace kuimen {

// An event decoded once, on its way to the views: the envelope as stored and
// its payload as a domain event. `data` is empty when the payload could not
// be read (an event this build cannot decode, logged where it was decoded);
// the projector then skips it as it would skip it from the log.
struct DecodedEvent {
  RecordedEvent event;
  std::optional<EventData> data;
};

// Decodes `event`'s payload (eventstore/event_codec.h), logging a failure.
DecodedEvent Decode(RecordedEvent event);

// What a projector needs from a stream of events (projections/kafka_projection.h
// drives one): batches of decoded events in per-stream order, resumed where
// the last commit left off. Implementations: KafkaEventSource
// (projections/kafka_event_source.h). Not thread-safe: one thread polls.
class EventFeed {
 public:
  virtual ~EventFeed() = default;

  // Waits up to `timeout` for the first event, then takes what is ready, up
  // to `max`. Messages that are not events are counted (TakeUnreadable) and
  // skipped; the projector fills any gap from the log. A message at or below
  // `held_through` (the projector's applied watermark) comes with its payload
  // not decoded (`data` empty): the projector still checks it against the
  // log, then skips it as already applied, so decoding it would be wasted
  // (a consumer joining its group at the earliest offset receives again
  // every event the view caught up on from the log).
  virtual std::vector<DecodedEvent> Poll(std::chrono::milliseconds timeout, std::size_t max,
                                         GlobalPosition held_through) = 0;

  // Marks everything Poll returned so far as done, so a restart resumes
  // after it. Not fatal when it fails: the events come again and are skipped.
  virtual Status Commit() = 0;

  // Messages Poll skipped because they were not events, since the last call;
  // resets the count.
  virtual std::uint64_t TakeUnreadable() = 0;

  // True once after the feed started to deliver events it may not have
  // delivered before from where the projector stands (a start, a rebalance):
  // the caller catches up from the log, since the feed resumes only where
  // its last commit left off.
  virtual bool TakeNewAssignment() = 0;
};

}  // namespace kuimen
