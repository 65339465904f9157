#include "projections/kafka_options.h"

namespace kuimen {

std::string ValidateKafkaOptions(const KafkaOptions& options) {
  if (options.topic.empty()) return "--kafka-topic must not be empty";
  if (options.partitions < 1 || options.partitions > 1000) return "--kafka-partitions must be 1..1000";
  if (options.group_prefix.empty()) return "the consumer group prefix must not be empty";
  if (options.fetch_wait_max_ms < 1 || options.fetch_wait_max_ms > 5000) return "fetch_wait_max_ms must be 1..5000";
  if (options.linger_ms < 0 || options.linger_ms > 1000) return "linger_ms must be 0..1000";
  return {};
}

}  // namespace kuimen
