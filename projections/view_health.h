#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "domain/ids.h"

namespace kuimen {

// Why a view is not healthy.
enum class ViewProblem {
  kNone,     // ok
  kStopped,  // its Kafka feed is not running
  kFailed,   // its last batch could not be applied or persisted (`error` says why)
  kLagging,  // it trails the log head by more than the threshold
};

// Wire name: "stopped", "failed", "lagging"; "" for kNone.
std::string_view ViewProblemName(ViewProblem problem);

// How one view stands, for /healthz and /metrics. A plain value: the gateway
// renders it.
struct ViewHealth {
  std::string view;                  // "supervision"
  ViewProblem problem = ViewProblem::kNone;
  std::string error;                 // for kFailed: the last error, as logged
  GlobalPosition applied_through;    // every event up to here is applied
  std::uint64_t lag = 0;             // events in the log past applied_through
  double lag_seconds = 0;            // how long the first of them has waited (0 when none, or not known)
  std::uint64_t untrusted_messages = 0;  // messages ignored because the log holds another event there

  bool ok() const { return problem == ViewProblem::kNone; }
};

// Lag (events behind the log head) above which a view counts as lagging. A
// burst of appends passes in well under a second at the projector's rate of
// tens of thousands of events a second; a larger lag means it is not keeping up.
inline constexpr std::uint64_t kDefaultMaxViewLag = 10000;

}  // namespace kuimen
