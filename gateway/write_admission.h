#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <vector>

#include "domain/status.h"
#include "eventstore/event_store.h"

namespace kuimen {

class Projector;

// How long a write may wait for the views to come back within the bound
// before it is refused. Long enough for a view to apply one whole batch
// under load (the Kafka feed hands a view up to 20,000 events at once, and a
// view that has fallen 10,000 behind takes them all in one batch: a few
// hundred milliseconds on two busy cores, more than the 250 ms this was),
// short enough to answer well before a client's timeout (wrk: 2 s).
inline constexpr std::chrono::milliseconds kWriteAdmissionWait{1000};

// Bounded lag on the write path (issue 12, item 4). Admit() is called before
// a write is appended: when any of `views` trails the log head by more than
// `max_lag` events, the write waits up to `wait` for it to come within the
// bound; if it does not, it is refused with kUnavailable, code
// "views_behind" (503 with Retry-After), and the caller appends nothing. So
// the write rate the service accepts can never outrun the views for long: at
// most `max_lag` events. A client whose requests wait for their answers (a
// fixed number of connections) is slowed to the views' pace, not refused,
// as long as the views apply something within `wait`; it is refused only
// when a view is stuck (or slower than `max_lag` events per `wait`).
//
// Why refuse rather than acknowledge late: an event store's acknowledgement
// means "durable"; holding it back after the append would keep a connection
// (and a worker) per write while the client cannot tell whether its write
// landed, and a client's timeout would make it retry a write that did land.
// A refusal before the append is unambiguous (nothing was written, retry
// after Retry-After, safely: the same event_id is idempotent anyway), costs
// nothing to hold, and is how a broker sheds load it cannot absorb. The wait
// first absorbs a burst (or one slow batch of a view) without refusing anyone.
//
// Waiting costs the views nothing: one waiting write at a time watches the
// views (a lock-free read every 2 ms) and wakes the others only when a view
// has moved. (Before, every waiting write polled every 2 ms by itself: with
// 128 connections, 64,000 wake-ups a second on two cores, taken from the very
// view they were waiting for — all 128 writes were refused together, one per
// connection, in one bench run of five.) Thread-safe.
class WriteAdmission {
 public:
  // None is owned; all must outlive this.
  WriteAdmission(EventStore& store, std::vector<Projector*> views, std::uint64_t max_lag,
                 std::chrono::milliseconds wait = kWriteAdmissionWait);
  WriteAdmission(const WriteAdmission&) = delete;
  WriteAdmission& operator=(const WriteAdmission&) = delete;

  // OK: append now. kUnavailable "views_behind": append nothing.
  Status Admit();

 private:
  // The first of `views_` still short of `needed`, or null.
  Projector* Lagging(GlobalPosition needed) const;
  // The sum of the views' applied positions: changes whenever any view moves.
  std::uint64_t Progress() const;

  EventStore& store_;
  const std::vector<Projector*> views_;
  const std::uint64_t max_lag_;
  const std::chrono::milliseconds wait_;
  std::mutex mu_;
  std::condition_variable moved_;  // a view has applied more
  bool watching_ = false;          // a waiting write is watching the views
};

// A handler's admission: asks api.admit_write (if set) and counts a refusal
// in /metrics (kuimen_submissions_total{outcome="views_behind"}).
struct ApiContext;
Status AdmitSubmission(ApiContext& api);

}  // namespace kuimen
