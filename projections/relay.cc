#include "projections/relay.h"

#include <spdlog/spdlog.h>

#include <nlohmann/json.hpp>

#include "eventstore/envelope_json.h"

namespace kuimen {

namespace {

constexpr int kMetadataTimeoutMs = 10000;
// Events read from the log per round, so delivery reports are served often.
constexpr int kReadBatch = 2000;

}  // namespace

Relay::Relay(EventStore& store, std::string bootstrap_servers, KafkaOptions kafka, RelayOptions options)
    : store_(store), bootstrap_(std::move(bootstrap_servers)), kafka_(std::move(kafka)), options_(std::move(options)) {}

Relay::~Relay() {
  Stop();
  producer_.reset();  // while the state its delivery callbacks touch still exists
}

void Relay::DeliveryReport(rd_kafka_t*, const rd_kafka_message_t* message, void* opaque) {
  auto* relay = static_cast<Relay*>(opaque);
  relay->OnDelivery(reinterpret_cast<std::uintptr_t>(message->_private), message->err);
}

Result<kafka::Handle> Relay::CreateProducer() {
  kafka::Settings settings = {
      {"bootstrap.servers", bootstrap_},
      {"enable.idempotence", "true"},
      {"acks", "all"},
      {"message.timeout.ms", "0"},  // never give up: an outage delays, never drops or reorders
      {"linger.ms", std::to_string(kafka_.linger_ms)},
      {"queue.buffering.max.messages", std::to_string(options_.max_in_flight + kReadBatch)},
      {"log_level", "4"}};
  // Security settings from --kafka-config (the keys above are refused there).
  settings.insert(settings.end(), kafka_.client_config.begin(), kafka_.client_config.end());
  return kafka::Create(RD_KAFKA_PRODUCER, settings,
                       [](rd_kafka_conf_t* conf, void*) { rd_kafka_conf_set_dr_msg_cb(conf, &Relay::DeliveryReport); },
                       this);
}

Status Relay::Start() {
  ASSIGN_OR_RETURN(producer_, CreateProducer());
  RETURN_IF_ERROR(kafka::EnsureTopic(producer_.get(), kafka_.topic, kafka_.partitions, kMetadataTimeoutMs));

  ASSIGN_OR_RETURN(GlobalPosition cursor, store_.LoadCursor(options_.cursor_name));
  ASSIGN_OR_RETURN(std::int64_t held, kafka::TotalEndOffset(producer_.get(), kafka_.topic, kMetadataTimeoutMs));
  if (held < static_cast<std::int64_t>(cursor.value)) {
    spdlog::warn("relay: topic {} holds {} messages but the cursor says {} were delivered; republishing from position 1",
                 kafka_.topic, held, cursor.value);
    cursor = GlobalPosition();
  }
  cursor_ = saved_cursor_ = cursor.value;
  next_ = cursor.value + 1;
  spdlog::info("relay: publishing to {} from position {}", kafka_.topic, next_);
  thread_ = std::thread([this] { Run(); });
  return Status::Ok();
}

void Relay::Stop() {
  if (!thread_.joinable()) return;
  stopping_ = true;
  thread_.join();
}

void Relay::Produce(const RecordedEvent& event) {
  const std::string value = EnvelopeToJson(event).dump();
  const std::string position = std::to_string(event.position.value);
  rd_kafka_headers_t* headers = rd_kafka_headers_new(2);
  rd_kafka_header_add(headers, "position", -1, position.data(), static_cast<ssize_t>(position.size()));
  rd_kafka_header_add(headers, "type", -1, event.type.data(), static_cast<ssize_t>(event.type.size()));
  while (true) {
    rd_kafka_resp_err_t err = rd_kafka_producev(
        producer_.get(), RD_KAFKA_V_TOPIC(kafka_.topic.c_str()),
        RD_KAFKA_V_KEY(event.stream.value.data(), event.stream.value.size()),
        RD_KAFKA_V_VALUE(const_cast<char*>(value.data()), value.size()), RD_KAFKA_V_MSGFLAGS(RD_KAFKA_MSG_F_COPY),
        RD_KAFKA_V_HEADERS(headers),
        RD_KAFKA_V_OPAQUE(reinterpret_cast<void*>(static_cast<std::uintptr_t>(event.position.value))), RD_KAFKA_V_END);
    if (err == RD_KAFKA_RESP_ERR_NO_ERROR) break;  // the producer owns the headers now
    if (err != RD_KAFKA_RESP_ERR__QUEUE_FULL) {
      spdlog::error("relay: cannot produce position {}: {}", event.position.value, rd_kafka_err2str(err));
      rd_kafka_headers_destroy(headers);
      delivery_failed_ = true;
      return;
    }
    rd_kafka_poll(producer_.get(), 10);  // make room by serving delivery reports
  }
  ++in_flight_;
  next_ = event.position.value + 1;
}

void Relay::OnDelivery(std::uint64_t position, rd_kafka_resp_err_t error) {
  --in_flight_;
  if (error != RD_KAFKA_RESP_ERR_NO_ERROR) {
    // With infinite message timeouts only fatal producer errors land here.
    spdlog::error("relay: delivery of position {} failed: {}", position, rd_kafka_err2str(error));
    delivery_failed_ = true;
    return;
  }
  if (position > cursor_.load()) delivered_.insert(position);
}

void Relay::AdvanceCursor() {
  std::uint64_t cursor = cursor_.load();
  while (!delivered_.empty() && *delivered_.begin() <= cursor + 1) {
    cursor = std::max(cursor, *delivered_.begin());
    delivered_.erase(delivered_.begin());
  }
  cursor_ = cursor;
  if (cursor != saved_cursor_) {
    Status saved = store_.SaveCursor(options_.cursor_name, GlobalPosition(cursor));
    if (saved.ok()) {
      saved_cursor_ = cursor;
    } else {
      spdlog::warn("relay: cannot save the cursor at {}: {}", cursor, saved.message());
    }
  }
}

void Relay::Run() {
  while (!stopping_) {
    if (delivery_failed_) {
      // A fatal producer error: start a new producer from the cursor. What
      // was in flight is published again; consumers skip duplicates.
      spdlog::warn("relay: restarting the producer from position {}", cursor_.load() + 1);
      producer_.reset();
      delivered_.clear();
      in_flight_ = 0;
      delivery_failed_ = false;
      next_ = cursor_.load() + 1;
      Result<kafka::Handle> recreated = CreateProducer();
      if (!recreated.ok()) {
        spdlog::error("relay: {}", recreated.status().message());
        std::this_thread::sleep_for(std::chrono::seconds(1));
        delivery_failed_ = true;
        continue;
      }
      producer_ = std::move(recreated).value();
    }

    const LogHead head = store_.Head();
    if (next_ <= head.position.value && in_flight_ < options_.max_in_flight) {
      std::unique_ptr<EventIterator> it = store_.ReadAll(GlobalPosition(next_));
      for (int i = 0; i < kReadBatch && it->Valid() && in_flight_ < options_.max_in_flight && !delivery_failed_;
           ++i, it->Next()) {
        Produce(it->event());
      }
      if (!it->status().ok()) spdlog::error("relay: reading the log failed: {}", it->status().message());
      rd_kafka_poll(producer_.get(), 0);
    } else if (in_flight_ > 0) {
      rd_kafka_poll(producer_.get(), 5);
    } else {
      store_.WaitForHead(GlobalPosition(next_ - 1), std::chrono::milliseconds(50));
    }
    AdvanceCursor();
  }

  // Stopping: give what is in flight a chance to be acknowledged.
  const auto deadline = std::chrono::steady_clock::now() + options_.flush_timeout;
  while (in_flight_ > 0 && std::chrono::steady_clock::now() < deadline) rd_kafka_poll(producer_.get(), 20);
  AdvanceCursor();
  spdlog::info("relay: stopped at position {} ({} unacknowledged, published again at the next start)", cursor_.load(),
               in_flight_);
}

}  // namespace kuimen
