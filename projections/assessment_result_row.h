#pragma once

#include <nlohmann/json.hpp>

#include "domain/status.h"
#include "projections/assessment_result.h"

// Internal to projections/ (nlohmann/json links PRIVATE here): the form a
// frozen year's result takes inside the assessment view's "assessment-YYYY"
// row (projections/assessment_facts.h, Freeze::result). It is the form every
// release wrote, the one the API shows (unranked): a row written by an earlier
// release, whatever members its result had then, reads into an
// AssessmentResult that writes back the same JSON, member for member
// (assessment_result.h says which members a kept result may lack).
namespace kuimen {

nlohmann::json AssessmentResultToRow(const AssessmentResult& result);

// kInvalidArgument naming the member ("result.units[2].lines[0].points") when
// it is missing or mistyped.
Result<AssessmentResult> AssessmentResultFromRow(const nlohmann::json& row);

}  // namespace kuimen
