#include "projections/kafka_publisher.h"

#include <spdlog/spdlog.h>

#include "eventstore/envelope_json.h"
#include "projections/kafka_client.h"

namespace kuimen {

namespace {

constexpr int kMetadataTimeoutMs = 10000;

}  // namespace

struct KafkaPublisher::Producer {
  kafka::Handle handle;
  KafkaOptions options;
  Delivered delivered;

  static void DeliveryReport(rd_kafka_t*, const rd_kafka_message_t* message, void* opaque) {
    auto* producer = static_cast<Producer*>(opaque);
    const auto position = reinterpret_cast<std::uintptr_t>(message->_private);
    if (message->err != RD_KAFKA_RESP_ERR_NO_ERROR) {
      // With infinite message timeouts only fatal producer errors land here.
      spdlog::error("relay: delivery of position {} failed: {}", position, rd_kafka_err2str(message->err));
    }
    producer->delivered(position, message->err == RD_KAFKA_RESP_ERR_NO_ERROR);
  }
};

KafkaPublisher::KafkaPublisher(std::unique_ptr<Producer> producer) : producer_(std::move(producer)) {}

KafkaPublisher::~KafkaPublisher() = default;

Result<std::unique_ptr<KafkaPublisher>> KafkaPublisher::Create(const std::string& bootstrap_servers,
                                                               const KafkaOptions& options, std::size_t queue_size,
                                                               Delivered delivered) {
  auto producer = std::make_unique<Producer>();
  producer->options = options;
  producer->delivered = std::move(delivered);
  kafka::Settings settings = {
      {"bootstrap.servers", bootstrap_servers},
      {"enable.idempotence", "true"},
      {"acks", "all"},
      {"message.timeout.ms", "0"},  // never give up: an outage delays, never drops or reorders
      {"linger.ms", std::to_string(options.linger_ms)},
      {"queue.buffering.max.messages", std::to_string(queue_size)},
      {"log_level", "4"}};
  // Security settings from --kafka-config (the keys above are refused there).
  settings.insert(settings.end(), options.client_config.begin(), options.client_config.end());
  ASSIGN_OR_RETURN(producer->handle,
                   kafka::Create(RD_KAFKA_PRODUCER, settings,
                                 [](rd_kafka_conf_t* conf, void*) {
                                   rd_kafka_conf_set_dr_msg_cb(conf, &Producer::DeliveryReport);
                                 },
                                 producer.get()));
  return std::unique_ptr<KafkaPublisher>(new KafkaPublisher(std::move(producer)));
}

Result<std::int64_t> KafkaPublisher::Prepare() {
  const KafkaOptions& options = producer_->options;
  RETURN_IF_ERROR(kafka::EnsureTopic(producer_->handle.get(), options.topic, options.partitions, kMetadataTimeoutMs));
  return kafka::TotalEndOffset(producer_->handle.get(), options.topic, kMetadataTimeoutMs);
}

Result<std::size_t> KafkaPublisher::Publish(std::span<const RecordedEvent> events) {
  rd_kafka_t* handle = producer_->handle.get();
  const std::string& topic = producer_->options.topic;
  std::size_t taken = 0;
  std::string value;
  for (const RecordedEvent& event : events) {
    value = EnvelopeToWire(event);
    const std::string position = std::to_string(event.position.value);
    rd_kafka_headers_t* headers = rd_kafka_headers_new(2);
    rd_kafka_header_add(headers, "position", -1, position.data(), static_cast<ssize_t>(position.size()));
    rd_kafka_header_add(headers, "type", -1, event.type.data(), static_cast<ssize_t>(event.type.size()));
    rd_kafka_resp_err_t err = rd_kafka_producev(
        handle, RD_KAFKA_V_TOPIC(topic.c_str()), RD_KAFKA_V_KEY(event.stream.value.data(), event.stream.value.size()),
        RD_KAFKA_V_VALUE(value.data(), value.size()), RD_KAFKA_V_MSGFLAGS(RD_KAFKA_MSG_F_COPY),
        RD_KAFKA_V_HEADERS(headers),
        RD_KAFKA_V_OPAQUE(reinterpret_cast<void*>(static_cast<std::uintptr_t>(event.position.value))), RD_KAFKA_V_END);
    if (err != RD_KAFKA_RESP_ERR_NO_ERROR) {
      rd_kafka_headers_destroy(headers);  // the producer owns them only once accepted
      if (err == RD_KAFKA_RESP_ERR__QUEUE_FULL) break;
      return Status::Unavailable("cannot produce position " + position + ": " + rd_kafka_err2str(err));
    }
    ++taken;
  }
  return taken;
}

void KafkaPublisher::Serve(std::chrono::milliseconds wait) {
  rd_kafka_poll(producer_->handle.get(), static_cast<int>(wait.count()));
}

Status KafkaPublisher::Flush(std::chrono::milliseconds timeout) {
  rd_kafka_resp_err_t err = rd_kafka_flush(producer_->handle.get(), static_cast<int>(timeout.count()));
  if (err != RD_KAFKA_RESP_ERR_NO_ERROR) {
    return Status::Unavailable(std::string("messages still unacknowledged: ") + rd_kafka_err2str(err));
  }
  return Status::Ok();
}

}  // namespace kuimen
