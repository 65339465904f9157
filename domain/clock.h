#pragma once

#include <atomic>
#include <chrono>

namespace kuimen {

// Wall-clock time with microsecond precision, as stamped on every event.
using Timestamp = std::chrono::sys_time<std::chrono::microseconds>;

// The only source of "now". Passed in, never global, so tests and replays
// control time. Implementations are thread-safe.
class Clock {
 public:
  virtual ~Clock() = default;
  virtual Timestamp Now() const = 0;
};

// The machine's real-time clock.
class SystemClock final : public Clock {
 public:
  Timestamp Now() const override {
    return std::chrono::time_point_cast<std::chrono::microseconds>(
        std::chrono::system_clock::now());
  }
};

// A clock that moves only when told to; for tests and simulations.
class ManualClock final : public Clock {
 public:
  explicit ManualClock(Timestamp start) : now_us_(start.time_since_epoch().count()) {}

  Timestamp Now() const override {
    return Timestamp(std::chrono::microseconds(now_us_.load()));
  }
  void Set(Timestamp t) { now_us_.store(t.time_since_epoch().count()); }
  void Advance(std::chrono::microseconds d) { now_us_.fetch_add(d.count()); }

 private:
  std::atomic<std::int64_t> now_us_;
};

}  // namespace kuimen
