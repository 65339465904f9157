#pragma once

#include <memory>
#include <string>

#include "projections/event_publisher.h"
#include "projections/kafka_options.h"

namespace kuimen {

// The EventPublisher on Kafka: librdkafka's idempotent producer (acks=all),
// each event keyed by its stream (so a stream stays in one partition, in
// order), its value the stored record (EnvelopeToWire) and its headers the
// position and type. Messages never time out (message.timeout.ms=0), so a
// broker outage holds them back rather than dropping or reordering them.
// librdkafka stays inside the .cc.
class KafkaPublisher : public EventPublisher {
 public:
  // `queue_size`: most messages handed over and not yet reported.
  static Result<std::unique_ptr<KafkaPublisher>> Create(const std::string& bootstrap_servers,
                                                        const KafkaOptions& options, std::size_t queue_size,
                                                        Delivered delivered);
  ~KafkaPublisher() override;

  // Creates the topic with the options' partitions unless it exists; the
  // sum of its partitions' high watermarks.
  Result<std::int64_t> Prepare() override;
  Result<std::size_t> Publish(std::span<const RecordedEvent> events) override;
  void Serve(std::chrono::milliseconds wait) override;
  Status Flush(std::chrono::milliseconds timeout) override;

 private:
  struct Producer;
  explicit KafkaPublisher(std::unique_ptr<Producer> producer);

  std::unique_ptr<Producer> producer_;
};

}  // namespace kuimen
