#pragma once

#include <nlohmann/json.hpp>

#include "projections/assessment_result.h"

// The one place the year's assessment (projections/assessment_result.h)
// becomes JSON: GET /views/assessment's "rendered", `kuimen view assessment`,
// and what the dashboard reads (gateway/openapi.json's AssessmentView). The
// form is projections/assessment_score.h's, every unit with its "rank" (null
// for a unit with no score); a result kept by a freeze of an earlier release
// renders with the members it had (assessment_result.h), as it was stored.
// Keys sort as nlohmann::json sorts them, so the bytes are those the view gave
// before the result was typed (tests/gateway/assessment_json_test.cc).
namespace kuimen {

nlohmann::json AssessmentJson(const AssessmentResult& result);

// {"from","to","label"} (from/to null while no month is due yet); null for a
// result kept from before the window was stated.
nlohmann::json TimelinessWindowJson(const AssessmentResult& result);

// A figure as the JSON prints it: 30, 28.5, -2.5 (whole numbers without a
// fraction), for the exports to print what the page shows.
std::string NumberText(double value);

}  // namespace kuimen
