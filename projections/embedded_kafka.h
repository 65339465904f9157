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
  // The partitions `kuimen serve` gives the embedded topic, whatever
  // --kafka-partitions says (that is for a broker's topic). The mock cluster
  // of librdkafka 2.0.2 finds a fetch's offset by walking the partition's
  // message sets from the oldest (it keeps no index), and each produce
  // request adds one set per partition it writes to: with P partitions a
  // fetch walks about P² times as many sets. At 6 partitions that walk was
  // the mock's thread's largest cost under ops/bench/http.sh (~7 % of the
  // service's CPU in one instruction, 17–19 µs per POST on the mock's
  // thread; 5–7 µs with one partition). One partition also orders every
  // event, so each stream's order is kept; each view is one member of its
  // own group, so it loses no parallelism.
  static constexpr int kServePartitions = 1;

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
