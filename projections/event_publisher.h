#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <span>

#include "domain/status.h"
#include "eventstore/recorded_event.h"

namespace kuimen {

// What the relay (projections/relay.h) needs from a message broker: hand it
// stored events in order, learn which ones it acknowledged, flush. One
// implementation: KafkaPublisher (projections/kafka_publisher.h). Used by one
// thread at a time; delivery reports are served on the caller's thread, from
// Serve and Flush only.
class EventPublisher {
 public:
  // Called once per handed-over event, from Serve or Flush: its position and
  // whether the broker acknowledged it. A failure is fatal to the publisher:
  // the relay makes a new one and publishes again from its cursor.
  using Delivered = std::function<void(std::uint64_t position, bool acknowledged)>;

  virtual ~EventPublisher() = default;

  // Makes sure the destination exists (creating the topic if need be) and
  // returns how many messages it has ever held, so the relay can tell that a
  // destination lost what its cursor says was delivered. kUnavailable when
  // the broker cannot be reached.
  virtual Result<std::int64_t> Prepare() = 0;

  // Hands `events` over in the given order, as many as its queue takes, each
  // as its stored record (EnvelopeToWire); returns how many it took (fewer
  // when the queue is full: Serve, then hand over the rest). An error means
  // this publisher cannot go on.
  virtual Result<std::size_t> Publish(std::span<const RecordedEvent> events) = 0;

  // Serves delivery reports, waiting up to `wait` for the first.
  virtual void Serve(std::chrono::milliseconds wait) = 0;

  // Waits up to `timeout` for every event handed over to be reported;
  // kUnavailable when some are still unreported (they are published again
  // from the cursor by the next publisher).
  virtual Status Flush(std::chrono::milliseconds timeout) = 0;
};

// Makes a publisher that reports deliveries to `delivered`. The relay calls
// it at start and again after a fatal delivery error.
using PublisherFactory = std::function<Result<std::unique_ptr<EventPublisher>>(EventPublisher::Delivered delivered)>;

}  // namespace kuimen
