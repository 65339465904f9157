#pragma once

#include <atomic>
#include <memory>
#include <thread>

#include "projections/event_feed.h"
#include "projections/projector.h"

namespace kuimen {

// Runs one projector on an EventFeed (a Kafka consumer group member in the
// service, KafkaEventSource): poll what is waiting (up to a cap),
// apply and persist it as one batch, then commit the offsets. A poll that
// brings nothing catches the view up from the log instead, so a feed that
// stalls (joining, rebalancing) does not leave the view behind. A failed apply leaves the offsets uncommitted, so the
// events come again after a restart.
class KafkaProjection {
 public:
  // Neither is owned by the caller afterwards except `projector`, which must
  // outlive this object.
  KafkaProjection(Projector& projector, std::unique_ptr<EventFeed> source)
      : projector_(projector), source_(std::move(source)) {}
  ~KafkaProjection() { Stop(); }

  void Start();
  // Stops polling and leaves the consumer group. Idempotent.
  void Stop();

  // True between Start and the end of its polling thread.
  bool running() const { return running_.load(); }

 private:
  void Run();

  Projector& projector_;
  std::unique_ptr<EventFeed> source_;
  std::atomic<bool> stopping_ = false;
  std::atomic<bool> running_ = false;
  std::thread thread_;
};

}  // namespace kuimen
