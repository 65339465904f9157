#include "projections/kafka_event_source.h"

#include <spdlog/spdlog.h>

#include <map>
#include <utility>

#include "eventstore/envelope_json.h"
#include "projections/kafka_client.h"

namespace kuimen {

// The librdkafka consumer and what Poll and Commit keep between calls.
struct KafkaEventSource::Consumer {
  kafka::Handle handle;
  std::string topic;
  bool new_assignment = false;                // set on the polling thread, inside Poll
  std::map<int, std::int64_t> next_offsets;   // partition -> offset after the last polled
  std::uint64_t unreadable = 0;               // skipped since the last TakeUnreadable

  static void Rebalance(rd_kafka_t* handle, rd_kafka_resp_err_t err, rd_kafka_topic_partition_list_t* partitions,
                        void* opaque) {
    auto* consumer = static_cast<Consumer*>(opaque);
    if (err == RD_KAFKA_RESP_ERR__ASSIGN_PARTITIONS) {
      spdlog::info("projector: assigned {} partition(s) of {}", partitions->cnt, consumer->topic);
      consumer->new_assignment = true;
      rd_kafka_assign(handle, partitions);
    } else {
      spdlog::info("projector: {} partition(s) of {} revoked", partitions->cnt, consumer->topic);
      rd_kafka_assign(handle, nullptr);
    }
  }
};

KafkaEventSource::KafkaEventSource(std::unique_ptr<Consumer> consumer) : consumer_(std::move(consumer)) {}

Result<std::unique_ptr<KafkaEventSource>> KafkaEventSource::Create(const std::string& bootstrap_servers,
                                                                   const KafkaOptions& options,
                                                                   const std::string& group,
                                                                   const std::string& instance_id) {
  auto consumer = std::make_unique<Consumer>();
  consumer->topic = options.topic;
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
  ASSIGN_OR_RETURN(consumer->handle,
                   kafka::Create(RD_KAFKA_CONSUMER, settings,
                                 [](rd_kafka_conf_t* conf, void*) {
                                   rd_kafka_conf_set_rebalance_cb(conf, &Consumer::Rebalance);
                                 },
                                 consumer.get()));
  rd_kafka_t* handle = consumer->handle.get();
  rd_kafka_poll_set_consumer(handle);
  rd_kafka_topic_partition_list_t* topics = rd_kafka_topic_partition_list_new(1);
  rd_kafka_topic_partition_list_add(topics, options.topic.c_str(), RD_KAFKA_PARTITION_UA);
  rd_kafka_resp_err_t err = rd_kafka_subscribe(handle, topics);
  rd_kafka_topic_partition_list_destroy(topics);
  if (err != RD_KAFKA_RESP_ERR_NO_ERROR) {
    return Status::Unavailable("cannot subscribe to " + options.topic + ": " + rd_kafka_err2str(err));
  }
  return std::unique_ptr<KafkaEventSource>(new KafkaEventSource(std::move(consumer)));
}

bool KafkaEventSource::TakeNewAssignment() {
  return std::exchange(consumer_->new_assignment, false);
}

std::uint64_t KafkaEventSource::TakeUnreadable() {
  return std::exchange(consumer_->unreadable, 0);
}

KafkaEventSource::~KafkaEventSource() {
  // Leave the group now, so the other members take over at once.
  if (consumer_ && consumer_->handle) rd_kafka_consumer_close(consumer_->handle.get());
}

std::vector<DecodedEvent> KafkaEventSource::Poll(std::chrono::milliseconds timeout, std::size_t max,
                                                 GlobalPosition held_through) {
  std::vector<DecodedEvent> events;
  int wait_ms = static_cast<int>(timeout.count());
  while (events.size() < max) {
    rd_kafka_message_t* message = rd_kafka_consumer_poll(consumer_->handle.get(), wait_ms);
    if (message == nullptr) break;
    wait_ms = 0;  // after the first message, take only what is ready
    if (message->err == RD_KAFKA_RESP_ERR_NO_ERROR) {
      // The one decode on the way to the views: the record, then its payload
      // (not for an event the view holds already: it is only checked and skipped).
      Result<RecordedEvent> event =
          EnvelopeFromWire(std::string_view(static_cast<const char*>(message->payload), message->len));
      if (event.ok()) {
        events.push_back(event->position <= held_through ? DecodedEvent{std::move(event).value(), std::nullopt}
                                                         : Decode(std::move(event).value()));
      } else {
        spdlog::error("projector: skipping {}[{}]@{}: {}", consumer_->topic, message->partition, message->offset,
                      event.status().message());
        ++consumer_->unreadable;
      }
      consumer_->next_offsets[message->partition] = message->offset + 1;
    } else if (message->err != RD_KAFKA_RESP_ERR__PARTITION_EOF) {
      spdlog::warn("projector: consumer: {}", rd_kafka_message_errstr(message));
    }
    rd_kafka_message_destroy(message);
  }
  return events;
}

Status KafkaEventSource::Commit() {
  auto& next_offsets = consumer_->next_offsets;
  if (next_offsets.empty()) return Status::Ok();
  rd_kafka_topic_partition_list_t* offsets = rd_kafka_topic_partition_list_new(static_cast<int>(next_offsets.size()));
  for (const auto& [partition, offset] : next_offsets) {
    rd_kafka_topic_partition_list_add(offsets, consumer_->topic.c_str(), partition)->offset = offset;
  }
  rd_kafka_resp_err_t err = rd_kafka_commit(consumer_->handle.get(), offsets, /*async=*/1);
  rd_kafka_topic_partition_list_destroy(offsets);
  next_offsets.clear();
  if (err != RD_KAFKA_RESP_ERR_NO_ERROR) {
    // Not fatal: the messages come again and are skipped.
    return Status::Unavailable(std::string("cannot commit consumer offsets: ") + rd_kafka_err2str(err));
  }
  return Status::Ok();
}

}  // namespace kuimen
