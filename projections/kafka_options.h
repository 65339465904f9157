#pragma once

#include <string>
#include <utility>
#include <vector>

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
  // How long the producer gathers messages into one request. None: at a low
  // rate every event waited the whole linger (2 ms cost ~2.3 ms at the p50 of
  // append -> view on the real broker); under load the producer still batches
  // what accumulates while its requests are in flight.
  int linger_ms = 0;
  // librdkafka settings for every client kuimen makes (the relay's producer,
  // each view's consumer), from --kafka-config KEY=VALUE: security, such as
  // security.protocol=SASL_SSL, sasl.mechanisms=SCRAM-SHA-512,
  // sasl.username, sasl.password, ssl.ca.location. Empty by default. The
  // settings kuimen's promises rest on (kKafkaSettingsKuimenOwns) are refused.
  std::vector<std::pair<std::string, std::string>> client_config;
};

// librdkafka settings kuimen sets itself and --kafka-config may not change:
// where to connect, the consumer group and its manual commits, and the
// producer's idempotence, acknowledgements and retry-forever timeout.
inline constexpr const char* kKafkaSettingsKuimenOwns[] = {
    "bootstrap.servers", "metadata.broker.list", "group.id",           "enable.auto.commit",
    "auto.offset.reset", "enable.idempotence",   "acks",               "request.required.acks",
    "message.timeout.ms", "delivery.timeout.ms", "enable.auto.offset.store", "isolation.level",
};

// Splits "KEY=VALUE" (the first '=' separates them); an error naming the
// option unless both parts are non-empty.
std::string ParseKafkaConfig(const std::string& text, std::pair<std::string, std::string>& setting);

// An error message naming the option, or empty when valid.
std::string ValidateKafkaOptions(const KafkaOptions& options);

}  // namespace kuimen
