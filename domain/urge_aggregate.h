#pragma once

#include <string>
#include <vector>

#include "domain/actor.h"
#include "domain/catalog.h"
#include "domain/events.h"
#include "domain/ids.h"
#include "domain/status.h"

namespace kuimen {

// The write model of the one "urges" stream (催办记录): the task force's
// UrgeSent events. It keeps no history (the 待办 projection reads the stream);
// it decides who may urge whom. No I/O.
class UrgeAggregate {
 public:
  // `units`: the units that may be urged — every unit of the catalog.
  explicit UrgeAggregate(std::vector<std::string> units) : units_(std::move(units)) {}

  // Folds an event already stored at `version` (the next one in order).
  void Apply(StreamVersion version, const EventData& event);

  // OK if `actor` may append `event` now. Otherwise:
  // - kPermissionDenied auditor_read_only / taskforce_only: only the task force urges;
  // - kInvalidArgument "type" wrong_stream: not an UrgeSent;
  //   "units[i]" unknown_unit: not a unit of the plan; or a field named by
  //   ValidateEventData (units required, duplicate, too_many_items; text
  //   too_long, control_character).
  Status Decide(const Actor& actor, const EventData& event) const;

  StreamVersion version() const { return version_; }

 private:
  std::vector<std::string> units_;
  StreamVersion version_;
};

// The aggregate of the "urges" stream, knowing the catalog's units.
UrgeAggregate NewUrgeAggregate(const Catalog& catalog);

}  // namespace kuimen
