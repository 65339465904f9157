#include "projections/kafka_projection.h"

#include <string>

#include <spdlog/spdlog.h>

#include "eventstore/thread_name.h"

namespace kuimen {

namespace {

// The cap on one batch: Poll takes what is waiting, up to this many, and the
// projector folds and syncs them as one. A view behind catches up in large
// batches (one fsync and one write of each changed row per batch).
constexpr std::size_t kMaxBatch = 20000;

}  // namespace

void KafkaProjection::Start() {
  running_ = true;
  thread_ = std::thread([this] {
    NameThisThread("view:" + std::string(projector_.ViewName()));
    Run();
    running_ = false;
  });
}

void KafkaProjection::Stop() {
  if (!thread_.joinable()) return;
  stopping_ = true;
  thread_.join();
  source_.reset();  // leaves the group now, so another member takes over
}

void KafkaProjection::Run() {
  while (!stopping_) {
    std::vector<DecodedEvent> events =
        source_->Poll(std::chrono::milliseconds(100), kMaxBatch, projector_.applied_through());
    if (source_->TakeNewAssignment()) {
      // Partitions taken over from another member resume at the group's
      // offsets; what that member applied before is only in the log.
      Status caught_up = projector_.CatchUpFromLog();
      if (!caught_up.ok() && caught_up.code() != StatusCode::kFailedPrecondition) {
        spdlog::error("projector: catching up from the log: {}", caught_up.message());
      }
    }
    // Not envelopes at all: as untrusted as a forged one (logged by the source).
    if (std::uint64_t unreadable = source_->TakeUnreadable()) projector_.CountUntrusted(unreadable);
    if (events.empty()) {
      // Nothing from the feed (a group still joining, a rebalance, a broker
      // away) while the log may be ahead: apply what the log holds, so the
      // view's lag stays bounded whatever Kafka does. Idempotent: the same
      // events arriving later from the feed are skipped.
      Status caught_up = projector_.CatchUpFromLog();
      if (!caught_up.ok() && caught_up.code() != StatusCode::kFailedPrecondition) {
        spdlog::error("projector: catching up from the log: {}", caught_up.message());
      }
      continue;
    }
    Result<std::size_t> applied = projector_.ApplyFromFeed(std::move(events));
    if (!applied.ok()) {
      spdlog::error("projector: {}", applied.status().message());
      continue;  // offsets stay uncommitted
    }
    Status committed = source_->Commit();
    if (!committed.ok()) spdlog::warn("projector: {}", committed.message());
  }
}

}  // namespace kuimen
