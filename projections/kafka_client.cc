#include "projections/kafka_client.h"

#include <spdlog/spdlog.h>

#include <chrono>
#include <thread>

namespace kuimen::kafka {

namespace {

// librdkafka's own log lines (connection refused during an outage, and so
// on) go through the service's logger rather than raw to stderr.
void LogToSpdlog(const rd_kafka_t* handle, int level, const char* facility, const char* message) {
  const spdlog::level::level_enum mapped = level <= 3 ? spdlog::level::err
                                           : level == 4 ? spdlog::level::warn
                                           : level <= 6 ? spdlog::level::info
                                                        : spdlog::level::debug;
  spdlog::log(mapped, "kafka {} {}: {}", rd_kafka_name(handle), facility, message);
}

}  // namespace

Result<Handle> Create(rd_kafka_type_t type, const Settings& settings,
                      void (*configure)(rd_kafka_conf_t*, void*), void* opaque) {
  rd_kafka_conf_t* conf = rd_kafka_conf_new();
  rd_kafka_conf_set_log_cb(conf, &LogToSpdlog);
  char error[512];
  for (const auto& [name, value] : settings) {
    if (rd_kafka_conf_set(conf, name.c_str(), value.c_str(), error, sizeof error) != RD_KAFKA_CONF_OK) {
      rd_kafka_conf_destroy(conf);
      // The value is left out: it may be a password (--kafka-config sasl.password=...).
      return Status::InvalidArgument("Kafka setting " + name + ": " + error, name);
    }
  }
  if (configure != nullptr) configure(conf, opaque);
  if (opaque != nullptr) rd_kafka_conf_set_opaque(conf, opaque);
  rd_kafka_t* handle = rd_kafka_new(type, conf, error, sizeof error);  // takes conf on success
  if (handle == nullptr) {
    rd_kafka_conf_destroy(conf);
    return Status::Unavailable(std::string("cannot create a Kafka client: ") + error);
  }
  return Handle(handle);
}

Result<int> PartitionCount(rd_kafka_t* handle, const std::string& topic, int timeout_ms) {
  rd_kafka_topic_t* topic_handle = rd_kafka_topic_new(handle, topic.c_str(), nullptr);
  const rd_kafka_metadata_t* metadata = nullptr;
  rd_kafka_resp_err_t err = rd_kafka_metadata(handle, 0, topic_handle, &metadata, timeout_ms);
  rd_kafka_topic_destroy(topic_handle);
  if (err != RD_KAFKA_RESP_ERR_NO_ERROR) {
    return Status::Unavailable("cannot read Kafka metadata for " + topic + ": " + rd_kafka_err2str(err));
  }
  Result<int> count = Status::NotFound("Kafka has no topic " + topic);
  if (metadata->topic_cnt == 1 && metadata->topics[0].err == RD_KAFKA_RESP_ERR_NO_ERROR) {
    count = metadata->topics[0].partition_cnt;
  }
  rd_kafka_metadata_destroy(metadata);
  return count;
}

Status EnsureTopic(rd_kafka_t* handle, const std::string& topic, int partitions, int timeout_ms) {
  Result<int> existing = PartitionCount(handle, topic, timeout_ms);
  if (existing.ok()) {
    if (*existing != partitions) {
      spdlog::warn("kafka: topic {} has {} partitions, not the configured {}; using it as it is", topic, *existing,
                   partitions);
    }
    return Status::Ok();
  }
  if (existing.status().code() != StatusCode::kNotFound) return existing.status();

  char error[512];
  rd_kafka_NewTopic_t* new_topic = rd_kafka_NewTopic_new(topic.c_str(), partitions, 1, error, sizeof error);
  if (new_topic == nullptr) return Status::InvalidArgument(std::string("topic: ") + error, "topic");
  rd_kafka_queue_t* queue = rd_kafka_queue_new(handle);
  rd_kafka_CreateTopics(handle, &new_topic, 1, nullptr, queue);
  rd_kafka_event_t* event = rd_kafka_queue_poll(queue, timeout_ms);
  Status status = Status::Unavailable("creating Kafka topic " + topic + " timed out");
  if (event != nullptr) {
    const rd_kafka_CreateTopics_result_t* result = rd_kafka_event_CreateTopics_result(event);
    size_t count = 0;
    const rd_kafka_topic_result_t** results = result ? rd_kafka_CreateTopics_result_topics(result, &count) : nullptr;
    rd_kafka_resp_err_t err = rd_kafka_event_error(event);
    if (err == RD_KAFKA_RESP_ERR_NO_ERROR && count == 1) err = rd_kafka_topic_result_error(results[0]);
    if (err == RD_KAFKA_RESP_ERR_NO_ERROR || err == RD_KAFKA_RESP_ERR_TOPIC_ALREADY_EXISTS) {
      status = Status::Ok();
      spdlog::info("kafka: created topic {} with {} partitions", topic, partitions);
    } else {
      status = Status::Unavailable("cannot create Kafka topic " + topic + ": " + rd_kafka_err2str(err));
    }
    rd_kafka_event_destroy(event);
  }
  rd_kafka_queue_destroy(queue);
  rd_kafka_NewTopic_destroy(new_topic);
  RETURN_IF_ERROR(status);
  // A new topic reaches the metadata a moment after the controller accepts
  // it; wait for it, so the caller can use the topic at once.
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
  while (true) {
    Result<int> created = PartitionCount(handle, topic, timeout_ms);
    if (created.ok() || std::chrono::steady_clock::now() > deadline) return created.status();
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
}

Result<std::int64_t> TotalEndOffset(rd_kafka_t* handle, const std::string& topic, int timeout_ms) {
  ASSIGN_OR_RETURN(int partitions, PartitionCount(handle, topic, timeout_ms));
  // A topic created a moment ago may not have its leaders yet: retry until the deadline.
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
  std::int64_t total = 0;
  for (int partition = 0; partition < partitions; ++partition) {
    std::int64_t low = 0, high = 0;
    rd_kafka_resp_err_t err;
    while ((err = rd_kafka_query_watermark_offsets(handle, topic.c_str(), partition, &low, &high, timeout_ms)) !=
               RD_KAFKA_RESP_ERR_NO_ERROR &&
           std::chrono::steady_clock::now() < deadline) {
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    if (err != RD_KAFKA_RESP_ERR_NO_ERROR) {
      return Status::Unavailable("cannot read the end of " + topic + "[" + std::to_string(partition) + "]: " +
                                 rd_kafka_err2str(err));
    }
    total += high;
  }
  return total;
}

}  // namespace kuimen::kafka
