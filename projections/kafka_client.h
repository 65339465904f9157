#pragma once

#include <librdkafka/rdkafka.h>

#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "domain/status.h"

// Small RAII helpers over librdkafka's C API, shared by the relay, the
// consumer and the embedded cluster. The C API is used because the mock
// cluster (rdkafka_mock.h) only has one.
namespace kuimen::kafka {

struct HandleDeleter {
  void operator()(rd_kafka_t* handle) const { rd_kafka_destroy(handle); }
};
using Handle = std::unique_ptr<rd_kafka_t, HandleDeleter>;

using Settings = std::vector<std::pair<std::string, std::string>>;

// Creates a producer or consumer with `settings`; kInvalidArgument naming the
// setting librdkafka refused. `configure` may adjust the conf further (callbacks).
Result<Handle> Create(rd_kafka_type_t type, const Settings& settings,
                      void (*configure)(rd_kafka_conf_t*, void*) = nullptr, void* opaque = nullptr);

// Partition count of `topic`, or kNotFound when the cluster has no such topic.
Result<int> PartitionCount(rd_kafka_t* handle, const std::string& topic, int timeout_ms);

// Creates `topic` with `partitions` (replication factor 1) unless it exists.
Status EnsureTopic(rd_kafka_t* handle, const std::string& topic, int partitions, int timeout_ms);

// The sum over partitions of the high watermark: how many messages the
// topic has ever held (deleted ones included).
Result<std::int64_t> TotalEndOffset(rd_kafka_t* handle, const std::string& topic, int timeout_ms);

}  // namespace kuimen::kafka
