#pragma once

#include <atomic>
#include <chrono>
#include <mutex>
#include <set>
#include <string>
#include <thread>

#include "eventstore/event_store.h"
#include "projections/event_publisher.h"
#include "projections/kafka_options.h"

namespace kuimen {

struct RelayOptions {
  // Name of the relay's cursor in the event store (EventStore::SaveCursor).
  std::string cursor_name = "kafka-relay";
  // Most events handed to the producer and not yet acknowledged.
  std::size_t max_in_flight = 50000;
  // How long Stop() waits for in-flight messages before giving up on them
  // (they are republished at the next start).
  std::chrono::milliseconds flush_timeout{5000};
};

// Publishes the event log in position order through an EventPublisher: by
// default Kafka's (KafkaPublisher: librdkafka's idempotent producer, acks=all,
// keyed by stream; each message's value is the event's stored record,
// EnvelopeToWire, so nothing is parsed or re-encoded on the way).
//
// The cursor (the highest position up to which every event is acknowledged by
// the broker) advances only on delivery reports and is stored in the event
// store, so after a crash or a broker outage the relay resumes from it:
// at-least-once on the wire; consumers skip what they already hold. Messages
// never time out (message.timeout.ms=0), so a broker outage holds them back
// rather than dropping or reordering them.
//
// At start, if the topic holds fewer messages than the cursor says were
// delivered (a new embedded cluster, a recreated topic), the relay notices and
// republishes from the beginning of the log.
class Relay {
 public:
  // Publishes to Kafka at `bootstrap_servers`. `store` is not owned and must
  // outlive the relay.
  Relay(EventStore& store, std::string bootstrap_servers, KafkaOptions kafka, RelayOptions options = {});
  // Publishes through what `publishers` makes (at start, and again after a
  // fatal delivery error).
  Relay(EventStore& store, PublisherFactory publishers, RelayOptions options = {});
  ~Relay();

  // Connects, makes sure the topic exists (EventPublisher::Prepare), picks the
  // starting point and starts the publishing thread. kUnavailable if the
  // cluster cannot be reached.
  Status Start();
  // Stops publishing, waits up to flush_timeout for acknowledgements, saves
  // the cursor. Idempotent.
  void Stop();

  // Every event up to here is acknowledged by the broker.
  GlobalPosition cursor() const { return GlobalPosition(cursor_.load()); }

 private:
  Result<std::unique_ptr<EventPublisher>> CreatePublisher();
  void Run();
  // Hands `events` to the publisher, serving delivery reports while its queue is full.
  void Publish(std::span<const RecordedEvent> events);
  void OnDelivery(std::uint64_t position, bool acknowledged);
  void AdvanceCursor();

  EventStore& store_;
  const PublisherFactory publishers_;
  const RelayOptions options_;

  std::unique_ptr<EventPublisher> publisher_;
  std::thread thread_;
  std::atomic<bool> stopping_ = false;

  // Publishing state, owned by the relay thread (delivery reports are served
  // on it too, from EventPublisher::Serve and Flush).
  std::uint64_t next_ = 1;              // next position to hand to the producer
  std::set<std::uint64_t> delivered_;   // acknowledged, above the cursor
  std::size_t in_flight_ = 0;
  bool delivery_failed_ = false;
  std::atomic<std::uint64_t> cursor_ = 0;
  std::uint64_t saved_cursor_ = 0;
};

}  // namespace kuimen
