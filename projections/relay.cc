#include "projections/relay.h"

#include <spdlog/spdlog.h>

#include <vector>

#include "eventstore/thread_name.h"
#include "projections/kafka_publisher.h"

namespace kuimen {

namespace {

// Events read from the log per round, so delivery reports are served often.
constexpr std::size_t kReadBatch = 2000;

// How long an append may wait for the relay while messages are in flight, and
// how late a delivery report may be served then.
constexpr std::chrono::milliseconds kInFlightSlice(1);

}  // namespace

Relay::Relay(EventStore& store, std::string bootstrap_servers, KafkaOptions kafka, RelayOptions options)
    : Relay(store,
            [bootstrap = std::move(bootstrap_servers), kafka = std::move(kafka),
             queue = options.max_in_flight + kReadBatch](EventPublisher::Delivered delivered)
                -> Result<std::unique_ptr<EventPublisher>> {
              ASSIGN_OR_RETURN(std::unique_ptr<KafkaPublisher> publisher,
                               KafkaPublisher::Create(bootstrap, kafka, queue, std::move(delivered)));
              return std::unique_ptr<EventPublisher>(std::move(publisher));
            },
            options) {}

Relay::Relay(EventStore& store, PublisherFactory publishers, RelayOptions options)
    : store_(store), publishers_(std::move(publishers)), options_(std::move(options)) {}

Relay::~Relay() {
  Stop();
  publisher_.reset();  // while the state its delivery callbacks touch still exists
}

Result<std::unique_ptr<EventPublisher>> Relay::CreatePublisher() {
  return publishers_([this](std::uint64_t position, bool acknowledged) { OnDelivery(position, acknowledged); });
}

Status Relay::Start() {
  ASSIGN_OR_RETURN(publisher_, CreatePublisher());
  ASSIGN_OR_RETURN(std::int64_t held, publisher_->Prepare());
  ASSIGN_OR_RETURN(GlobalPosition cursor, store_.LoadCursor(options_.cursor_name));
  if (held < static_cast<std::int64_t>(cursor.value)) {
    spdlog::warn("relay: the topic holds {} messages but the cursor says {} were delivered; republishing from position 1",
                 held, cursor.value);
    cursor = GlobalPosition();
  }
  cursor_ = saved_cursor_ = cursor.value;
  next_ = cursor.value + 1;
  spdlog::info("relay: publishing from position {}", next_);
  thread_ = std::thread([this] {
    NameThisThread("kuimen-relay");
    Run();
  });
  return Status::Ok();
}

void Relay::Stop() {
  if (!thread_.joinable()) return;
  stopping_ = true;
  thread_.join();
}

void Relay::Publish(std::span<const RecordedEvent> events) {
  while (!events.empty()) {
    Result<std::size_t> taken = publisher_->Publish(events);
    if (!taken.ok()) {
      spdlog::error("relay: {}", taken.status().message());
      delivery_failed_ = true;
      return;
    }
    if (*taken > 0) {
      in_flight_ += *taken;
      next_ = events[*taken - 1].position.value + 1;
      events = events.subspan(*taken);
    }
    if (!events.empty()) publisher_->Serve(std::chrono::milliseconds(10));  // make room
    if (delivery_failed_) return;
  }
}

void Relay::OnDelivery(std::uint64_t position, bool acknowledged) {
  --in_flight_;
  if (!acknowledged) {
    delivery_failed_ = true;  // logged by the publisher
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
  std::vector<RecordedEvent> batch;
  batch.reserve(kReadBatch);
  while (!stopping_) {
    if (delivery_failed_) {
      // A fatal producer error: start a new producer from the cursor. What
      // was in flight is published again; consumers skip duplicates.
      spdlog::warn("relay: restarting the publisher from position {}", cursor_.load() + 1);
      publisher_.reset();
      delivered_.clear();
      in_flight_ = 0;
      delivery_failed_ = false;
      next_ = cursor_.load() + 1;
      Result<std::unique_ptr<EventPublisher>> recreated = CreatePublisher();
      if (!recreated.ok()) {
        spdlog::error("relay: {}", recreated.status().message());
        std::this_thread::sleep_for(std::chrono::seconds(1));
        delivery_failed_ = true;
        continue;
      }
      publisher_ = std::move(recreated).value();
    }

    const LogHead head = store_.Head();
    if (next_ <= head.position.value && in_flight_ < options_.max_in_flight) {
      std::unique_ptr<EventIterator> it = store_.ReadAll(GlobalPosition(next_));
      batch.clear();
      for (; batch.size() < kReadBatch && it->Valid() && in_flight_ + batch.size() < options_.max_in_flight;
           it->Next()) {
        batch.push_back(it->event());
      }
      if (!it->status().ok()) spdlog::error("relay: reading the log failed: {}", it->status().message());
      Publish(batch);
      publisher_->Serve(std::chrono::milliseconds(0));
    } else if (in_flight_ > 0 && next_ <= head.position.value) {
      publisher_->Serve(std::chrono::milliseconds(5));  // max_in_flight reached: wait for room
    } else if (in_flight_ > 0) {
      // Waiting for acknowledgements and for the next append: a delivery
      // report wakes only Serve, an append only WaitForHead, so wait on the
      // log in short slices and serve the reports between them. (A 5 ms Serve
      // alone held an append up to 5 ms whenever anything was in flight,
      // which at 1k events/s is nearly always.)
      store_.WaitForHead(GlobalPosition(next_ - 1), kInFlightSlice);
      publisher_->Serve(std::chrono::milliseconds(0));
    } else {
      store_.WaitForHead(GlobalPosition(next_ - 1), std::chrono::milliseconds(50));
    }
    AdvanceCursor();
  }

  // Stopping: give what is in flight a chance to be acknowledged.
  if (in_flight_ > 0 && publisher_ != nullptr) {
    Status flushed = publisher_->Flush(options_.flush_timeout);
    if (!flushed.ok()) spdlog::warn("relay: {}", flushed.message());
  }
  AdvanceCursor();
  spdlog::info("relay: stopped at position {} ({} unacknowledged, published again at the next start)", cursor_.load(),
               in_flight_);
}

}  // namespace kuimen
