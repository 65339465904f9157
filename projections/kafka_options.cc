#include "projections/kafka_options.h"

namespace kuimen {

std::string ValidateKafkaOptions(const KafkaOptions& options) {
  if (options.topic.empty()) return "--kafka-topic must not be empty";
  if (options.partitions < 1 || options.partitions > 1000) return "--kafka-partitions must be 1..1000";
  if (options.group_prefix.empty()) return "the consumer group prefix must not be empty";
  if (options.fetch_wait_max_ms < 1 || options.fetch_wait_max_ms > 5000) return "fetch_wait_max_ms must be 1..5000";
  if (options.linger_ms < 0 || options.linger_ms > 1000) return "linger_ms must be 0..1000";
  if (!options.client_config.empty() && options.brokers.empty()) {
    return "--kafka-config is for a real broker: give --kafka-brokers too (the embedded cluster takes no settings)";
  }
  for (const auto& [key, value] : options.client_config) {
    if (key.empty()) return "--kafka-config needs KEY=VALUE";
    for (const char* owned : kKafkaSettingsKuimenOwns) {
      if (key == owned) return "--kafka-config " + key + ": kuimen sets this itself (see --kafka-brokers and README)";
    }
  }
  return {};
}

std::string ParseKafkaConfig(const std::string& text, std::pair<std::string, std::string>& setting) {
  const std::size_t equals = text.find('=');
  if (equals == std::string::npos || equals == 0 || equals + 1 == text.size()) {
    return "--kafka-config must be KEY=VALUE, e.g. security.protocol=SASL_SSL";
  }
  setting = {text.substr(0, equals), text.substr(equals + 1)};
  return {};
}

}  // namespace kuimen
