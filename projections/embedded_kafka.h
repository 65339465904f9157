#pragma once

#include <memory>
#include <string>

#include "domain/status.h"

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
  struct Cluster;  // librdkafka's, inside the .cc
  EmbeddedKafka();

  std::unique_ptr<Cluster> cluster_;
  std::string bootstrap_;
};

}  // namespace kuimen
