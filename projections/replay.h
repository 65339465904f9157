#pragma once

#include <optional>

#include "eventstore/event_store.h"
#include "projections/view.h"

namespace kuimen {

// Where an as-of replay stops: at a position, at a time, or both (whichever
// comes first). Both empty: the whole log.
struct ReplayLimit {
  std::optional<GlobalPosition> through_position;
  std::optional<Timestamp> until;  // events recorded at or before this instant
};

// Feeds a fresh `view` straight from the event log, in position order, up to
// the limit: the view as it stood then, computed by the same projection code
// as the live one. Stops at the first event past the limit, so the result is
// always a prefix of the log. Returns the position of the last event applied.
Result<GlobalPosition> ReplayLog(View& view, EventStore& log, const ReplayLimit& limit);

}  // namespace kuimen
