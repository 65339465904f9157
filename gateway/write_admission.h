#pragma once

#include <chrono>
#include <cstdint>
#include <vector>

#include "domain/status.h"
#include "eventstore/event_store.h"

namespace kuimen {

class Projector;

// How long a write may wait for the views to come back within the bound
// before it is refused: long enough to ride out one slow batch (an fsync, a
// large catch-up chunk), short enough not to hold a connection.
inline constexpr std::chrono::milliseconds kWriteAdmissionWait{250};

// Bounded lag on the write path (issue 12, item 4). Called before a write is
// appended: when any of `views` trails the log head by more than `max_lag`
// events, waits up to `wait` for it to come within the bound; if it does not,
// refuses with kUnavailable, code "views_behind" (503 with Retry-After), and
// the caller appends nothing. So the write rate the service accepts can never
// outrun the views for long: at most `max_lag` events, which at the views'
// sustained apply rate is well under a second.
//
// Why refuse rather than acknowledge late: an event store's acknowledgement
// means "durable"; holding it back after the append would keep a connection
// (and a worker) per write while the client cannot tell whether its write
// landed, and a client's timeout would make it retry a write that did land.
// A refusal before the append is unambiguous (nothing was written, retry
// after Retry-After, safely: the same event_id is idempotent anyway), costs
// nothing to hold, and is how a broker sheds load it cannot absorb. A short
// wait first absorbs a burst without refusing anyone.
Status AdmitWrite(EventStore& store, const std::vector<Projector*>& views, std::uint64_t max_lag,
                  std::chrono::milliseconds wait = kWriteAdmissionWait);

// The same for a handler: asks api.admit_write (if set) and counts a refusal
// in /metrics (kuimen_submissions_total{outcome="views_behind"}).
struct ApiContext;
Status AdmitSubmission(ApiContext& api);

}  // namespace kuimen
