#include "projections/kafka_event_source.h"

#include <spdlog/spdlog.h>

#include <utility>

#include "eventstore/envelope_json.h"

namespace kuimen {

Result<std::unique_ptr<KafkaEventSource>> KafkaEventSource::Create(const std::string& bootstrap_servers,
                                                                   const KafkaOptions& options,
                                                                   const std::string& group,
                                                                   const std::string& instance_id) {
  std::unique_ptr<KafkaEventSource> source(new KafkaEventSource(options.topic));
  kafka::Settings settings = {{"bootstrap.servers", bootstrap_servers},
                              {"group.id", group},
                              {"enable.auto.commit", "false"},
                              {"auto.offset.reset", "earliest"},
                              {"fetch.wait.max.ms", std::to_string(options.fetch_wait_max_ms)},
                              {"session.timeout.ms", "10000"},
                              {"heartbeat.interval.ms", "1000"},
                              {"log_level", "4"}};
  if (!instance_id.empty()) settings.emplace_back("group.instance.id", instance_id);
  // Security settings from --kafka-config (the keys above it may set are refused there).
  settings.insert(settings.end(), options.client_config.begin(), options.client_config.end());
  ASSIGN_OR_RETURN(source->consumer_,
                   kafka::Create(RD_KAFKA_CONSUMER, settings,
                                 [](rd_kafka_conf_t* conf, void*) {
                                   rd_kafka_conf_set_rebalance_cb(conf, &KafkaEventSource::Rebalance);
                                 },
                                 source.get()));
  rd_kafka_t* consumer = source->consumer_.get();
  rd_kafka_poll_set_consumer(consumer);
  rd_kafka_topic_partition_list_t* topics = rd_kafka_topic_partition_list_new(1);
  rd_kafka_topic_partition_list_add(topics, options.topic.c_str(), RD_KAFKA_PARTITION_UA);
  rd_kafka_resp_err_t err = rd_kafka_subscribe(consumer, topics);
  rd_kafka_topic_partition_list_destroy(topics);
  if (err != RD_KAFKA_RESP_ERR_NO_ERROR) {
    return Status::Unavailable("cannot subscribe to " + options.topic + ": " + rd_kafka_err2str(err));
  }
  return source;
}

void KafkaEventSource::Rebalance(rd_kafka_t* handle, rd_kafka_resp_err_t err,
                                 rd_kafka_topic_partition_list_t* partitions, void* opaque) {
  auto* source = static_cast<KafkaEventSource*>(opaque);
  if (err == RD_KAFKA_RESP_ERR__ASSIGN_PARTITIONS) {
    spdlog::info("projector: assigned {} partition(s) of {}", partitions->cnt, source->topic_);
    source->new_assignment_ = true;
    rd_kafka_assign(handle, partitions);
  } else {
    spdlog::info("projector: {} partition(s) of {} revoked", partitions->cnt, source->topic_);
    rd_kafka_assign(handle, nullptr);
  }
}

bool KafkaEventSource::TakeNewAssignment() {
  return std::exchange(new_assignment_, false);
}

KafkaEventSource::~KafkaEventSource() {
  // Leave the group now, so the other members take over at once.
  if (consumer_) rd_kafka_consumer_close(consumer_.get());
}

std::vector<RecordedEvent> KafkaEventSource::Poll(std::chrono::milliseconds timeout, std::size_t max) {
  std::vector<RecordedEvent> events;
  int wait_ms = static_cast<int>(timeout.count());
  while (events.size() < max) {
    rd_kafka_message_t* message = rd_kafka_consumer_poll(consumer_.get(), wait_ms);
    if (message == nullptr) break;
    wait_ms = 0;  // after the first message, take only what is ready
    if (message->err == RD_KAFKA_RESP_ERR_NO_ERROR) {
      Result<RecordedEvent> event =
          EnvelopeFromJson(std::string_view(static_cast<const char*>(message->payload), message->len));
      if (event.ok()) {
        events.push_back(std::move(event).value());
      } else {
        spdlog::error("projector: skipping {}[{}]@{}: {}", topic_, message->partition, message->offset,
                      event.status().message());
        ++unreadable_;
      }
      next_offsets_[message->partition] = message->offset + 1;
    } else if (message->err != RD_KAFKA_RESP_ERR__PARTITION_EOF) {
      spdlog::warn("projector: consumer: {}", rd_kafka_message_errstr(message));
    }
    rd_kafka_message_destroy(message);
  }
  return events;
}

Status KafkaEventSource::Commit() {
  if (next_offsets_.empty()) return Status::Ok();
  rd_kafka_topic_partition_list_t* offsets = rd_kafka_topic_partition_list_new(static_cast<int>(next_offsets_.size()));
  for (const auto& [partition, offset] : next_offsets_) {
    rd_kafka_topic_partition_list_add(offsets, topic_.c_str(), partition)->offset = offset;
  }
  rd_kafka_resp_err_t err = rd_kafka_commit(consumer_.get(), offsets, /*async=*/1);
  rd_kafka_topic_partition_list_destroy(offsets);
  next_offsets_.clear();
  if (err != RD_KAFKA_RESP_ERR_NO_ERROR) {
    // Not fatal: the messages come again and are skipped.
    return Status::Unavailable(std::string("cannot commit consumer offsets: ") + rd_kafka_err2str(err));
  }
  return Status::Ok();
}

}  // namespace kuimen
