#pragma once

#include <chrono>
#include <condition_variable>
#include <mutex>

#include "domain/status.h"

namespace kuimen {

// Reads that replay or scan the whole log (a view as of a moment, search, the
// monthly 情况通报) cost seconds of CPU on a long log. Unbounded, a few dozen
// of them at once starve every other request, writes and /healthz included,
// whoever sends them. They therefore run `slots` at a time (one less than the
// cores, at least one, so a core is left for everything else); one arriving
// while all slots are taken waits a moment, then is refused with 503
// `replay_busy`, and the client retries. Thread-safe.
class ReplayGate {
 public:
  explicit ReplayGate(int slots);

  // Holds a slot until destroyed.
  class Ticket {
   public:
    explicit Ticket(ReplayGate* gate) : gate_(gate) {}
    Ticket(Ticket&& other) noexcept : gate_(other.gate_) { other.gate_ = nullptr; }
    Ticket& operator=(Ticket&& other) noexcept {
      if (this != &other) {
        if (gate_ != nullptr) gate_->Leave();
        gate_ = other.gate_;
        other.gate_ = nullptr;
      }
      return *this;
    }
    ~Ticket();

   private:
    ReplayGate* gate_;
  };

  // A slot, waiting up to `wait` for one to free; kUnavailable (`replay_busy`) if none does.
  Result<Ticket> Enter(std::chrono::milliseconds wait);

  // The default: one slot per core but one, at least one.
  static int DefaultSlots();

 private:
  void Leave();

  std::mutex mu_;
  std::condition_variable freed_;
  int free_;
};

}  // namespace kuimen
