#pragma once

#include <string>

namespace kuimen {

// Where events are streamed. Validated once at start-up (ValidateKafkaOptions).
struct KafkaOptions {
  // Bootstrap servers "host:port[,…]". Empty: librdkafka's in-process mock
  // cluster (projections/embedded_kafka.h), for one machine with no broker.
  std::string brokers;
  // The topic every event goes to, keyed by stream so each stream stays in order.
  std::string topic = "kuimen.events";
  // Partitions of the topic when kuimen creates it.
  int partitions = 6;
  // Each view consumes as its own consumer group: group_prefix + view name.
  std::string group_prefix = "kuimen.view.";
  // How long a fetch waits for data. Small, because the mock cluster does not
  // answer a waiting fetch when data arrives (librdkafka 2.0.2).
  int fetch_wait_max_ms = 10;
  // How long the producer gathers messages into one request.
  int linger_ms = 2;
};

// An error message naming the option, or empty when valid.
std::string ValidateKafkaOptions(const KafkaOptions& options);

}  // namespace kuimen
