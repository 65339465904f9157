#pragma once

#include <chrono>
#include <memory>
#include <string>
#include <vector>

#include "projections/event_feed.h"
#include "projections/kafka_options.h"

namespace kuimen {

// The EventFeed on Kafka: reads the event topic as one member of a consumer
// group and decodes each message once (EnvelopeFromWire, then the payload).
// Offsets are committed only when the caller says its work is durable
// (manual commits), so a crash re-delivers rather than skips. librdkafka
// stays inside the .cc. Not thread-safe: one thread polls.
class KafkaEventSource : public EventFeed {
 public:
  // Subscribes `group` to the options' topic; starts from the earliest
  // message when the group has no committed offset. A non-empty
  // `instance_id` makes the member static (group.instance.id): a successor
  // with the same id (the same process restarted, even after SIGKILL) takes
  // the member's partitions back at once, where a new dynamic member waits
  // for the dead one's session to time out; and a stopped static member does
  // not leave the group, so its partitions wait session.timeout.ms for
  // another member. At most one live member may hold an id.
  static Result<std::unique_ptr<KafkaEventSource>> Create(const std::string& bootstrap_servers,
                                                          const KafkaOptions& options, const std::string& group,
                                                          const std::string& instance_id = "");
  // Leaves the group, so the other members take over at once.
  ~KafkaEventSource() override;

  // Messages that are neither wire form (EnvelopeFromWire) are logged and counted.
  std::vector<DecodedEvent> Poll(std::chrono::milliseconds timeout, std::size_t max,
                                 GlobalPosition held_through) override;
  // Commits the offsets of everything Poll returned so far.
  Status Commit() override;
  std::uint64_t TakeUnreadable() override;
  // True once after the group gave this member partitions it may not have
  // followed before (a start, another member leaving).
  bool TakeNewAssignment() override;

 private:
  struct Consumer;
  explicit KafkaEventSource(std::unique_ptr<Consumer> consumer);

  std::unique_ptr<Consumer> consumer_;
};

}  // namespace kuimen
