#pragma once

#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "domain/catalog.h"
#include "domain/clock.h"
#include "domain/events.h"
#include "domain/status.h"
#include "projections/assessment_result.h"
#include "projections/assessment_rules.h"
#include "projections/supervision_view.h"
#include "projections/view.h"

namespace kuimen {

// The service's views, by name: "supervision" (督办看板) and "assessment" (年终综合考核).
const std::vector<std::string>& ViewNames();

// How the views judge: the supervision view's warning thresholds and the
// assessment's versioned rules (default: the built-in "fengjie-2024.2").
struct ViewSettings {
  SupervisionOptions supervision;
  AssessmentRules assessment = DefaultAssessmentRules();
};

// Reads assessment rules from a JSON file (projections/assessment_rules.h);
// an empty path keeps the built-in rules.
Result<ViewSettings> LoadViewSettings(const std::filesystem::path& assessment_rules_file);

// Records the rules a year is frozen with: a YearFrozen gets `rules`' version
// and JSON text, so the frozen year keeps them whatever rules the service runs
// under later. kInvalidArgument ("rules_version" or "rules") if the event
// already names rules: the server stamps them, a client may not. Any other
// event is left as it is.
Status StampFreezeRules(EventData& event, const AssessmentRules& rules);

// A fresh, empty view; kInvalidArgument for an unknown name.
Result<std::unique_ptr<View>> MakeView(std::string_view name, const Catalog& catalog, const ViewSettings& settings);

// What a reader asks of a view: the moment warnings are judged at, and for
// the assessment the year (default: the year of `now` in China time).
struct ViewQuery {
  Timestamp now;
  std::optional<int> year;
};

// The view rendered as JSON (the dashboard's and the API's form).
nlohmann::json RenderView(const View& view, const ViewQuery& query);

// The assessment view's result for the query's year (default: the year of
// `now` in the rules' zone), typed: what RenderView renders, for the exports
// and the statistics to read. `view` must be the assessment view.
AssessmentResult AssessmentOf(const View& view, const ViewQuery& query);

}  // namespace kuimen
