#pragma once

#include <nlohmann/json.hpp>

#include "domain/catalog.h"
#include "domain/clock.h"
#include "domain/ids.h"
#include "projections/assessment_facts.h"
#include "projections/assessment_rules.h"

namespace kuimen {

// When, and as of which events, a year is scored.
struct AssessmentEvaluation {
  int year = 0;
  // The moment of evaluation: which months' reports and which notices are due
  // by then. Events recorded after it are not hidden.
  Timestamp now;
  // Only events at positions below it count; 0 counts every event folded.
  GlobalPosition before;
  // The 年终定格 snapshot (before = the YearFrozen's position): all twelve
  // months of the year are due, as for a year already past.
  bool frozen = false;
};

// Scores every assessed unit (domain/assessment_aggregate.h's AssessedUnits,
// in catalog order) by `rules` over `facts`. Pure and deterministic:
// {"year","rules_version","frozen","frozen_at_position","evaluated_at",
//  "units":[{"unit","score","lines":[{"rule","label","points","max",
//  "positions","detail"}]}]}, points rounded to 2 decimals; "max" is null
// for 加减分; "positions" are the events that earned or cost the line's
// points. The score is the sum of the rounded lines, clamped to 0..total.
// See projections/README.md for each rule.
nlohmann::json ScoreAssessment(const Catalog& catalog, const AssessmentRules& rules, const AssessmentFacts& facts,
                               const AssessmentEvaluation& evaluation);

}  // namespace kuimen
