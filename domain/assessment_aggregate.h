#pragma once

#include <optional>
#include <string>
#include <vector>

#include "domain/actor.h"
#include "domain/catalog.h"
#include "domain/clock.h"
#include "domain/events.h"
#include "domain/ids.h"
#include "domain/status.h"

namespace kuimen {

// The units the year-end assessment (年终综合考核) scores: those that lead
// (责任单位) or cooperate on (配合单位) at least one task of 附件2, in the
// catalog's order. Which rules apply to a cooperating unit, and at what
// weight, is the rules file's to say (projections/assessment_rules.h).
std::vector<std::string> AssessedUnits(const Catalog& catalog);

// One 加减分 as folded.
struct AdjustmentState {
  StreamVersion version;
  std::string unit;
  double points = 0;
};

// The write model of one year's assessment stream (assessment-2024): the task
// force's 加减分 and the 年终定格 that closes the year. No I/O; "now" comes
// from the clock passed in (the freeze's year-end check reads it).
class AssessmentAggregate {
 public:
  // `units`: the units that may be adjusted (every unit of the catalog).
  // `clock` is not owned and must outlive the aggregate.
  AssessmentAggregate(int year, std::vector<std::string> units, const Clock& clock)
      : year_(year), units_(std::move(units)), clock_(&clock) {}

  // Folds an event that is already stored at `version` (the next one in order).
  void Apply(StreamVersion version, const EventData& event);

  // OK if `actor` may append `event` now. Otherwise:
  // - kPermissionDenied auditor_read_only / taskforce_only: only the task force writes;
  // - kInvalidArgument "type": a task event (it belongs on a task or major stream);
  //   "year": the event's year is not the stream's; "unit": not a unit of the plan;
  //   "reason": an early freeze without a reason (or one over 4000 characters);
  //   "early": an early freeze of a year already over; "rules_version"/"rules":
  //   only one without the other; or another field named by ValidateEventData;
  // - kFailedPrecondition year_frozen: the year is frozen and takes nothing more;
  // - kFailedPrecondition year_not_over: a freeze before the year's last day
  //   (China time, by the clock) that does not say early, or any freeze of a
  //   year not begun.
  Status Decide(const Actor& actor, const EventData& event) const;

  int year() const { return year_; }
  StreamVersion version() const { return version_; }
  // The version of the YearFrozen event, once frozen.
  std::optional<StreamVersion> frozen_at() const { return frozen_at_; }
  const std::vector<AdjustmentState>& adjustments() const { return adjustments_; }

 private:
  int year_;
  std::vector<std::string> units_;
  const Clock* clock_;  // never null
  StreamVersion version_;
  std::optional<StreamVersion> frozen_at_;
  std::vector<AdjustmentState> adjustments_;
};

// The aggregate of an assessment stream ("assessment-2024"), knowing the
// catalog's units; kNotFound if the name is not an assessment stream's.
// `clock` is not owned and must outlive the aggregate.
Result<AssessmentAggregate> NewAssessmentAggregate(const Catalog& catalog, const StreamId& stream,
                                                   const Clock& clock);

}  // namespace kuimen
