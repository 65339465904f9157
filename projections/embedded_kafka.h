#pragma once

#include <memory>
#include <string>

#include "domain/status.h"
#include "projections/kafka_client.h"

typedef struct rd_kafka_mock_cluster_s rd_kafka_mock_cluster_t;

namespace kuimen {

// librdkafka's in-process mock cluster: the embedded default when no broker
// is configured. Producers and consumers reach it through bootstrap_servers()
// exactly as they reach a real cluster, so one code path serves both.
// It forgets everything when the process ends (see Relay for the recovery),
// and keeps only a few MiB per partition.
class EmbeddedKafka {
 public:
  // One broker, with `topic` created at `partitions`.
  static Result<std::unique_ptr<EmbeddedKafka>> Start(const std::string& topic, int partitions);
  ~EmbeddedKafka();

  const std::string& bootstrap_servers() const { return bootstrap_; }

 private:
  EmbeddedKafka() = default;

  kafka::Handle owner_;  // the mock cluster lives as long as this handle
  rd_kafka_mock_cluster_t* cluster_ = nullptr;
  std::string bootstrap_;
};

}  // namespace kuimen
