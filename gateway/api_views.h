#pragma once

#include <cstdint>
#include <functional>
#include <string>

#include <httplib.h>
#include <nlohmann/json.hpp>

#include "gateway/api.h"
#include "projections/view.h"

namespace kuimen {

struct RenderedView {
  std::uint64_t through_position = 0;  // the last log position the view includes
  nlohmann::json json;
};

using ViewRenderer = std::function<Result<nlohmann::json>(const View& view, const ViewQuery& query)>;

// Renders the view `name` as the request asks:
// - as_of=<time or date> and/or as_of_position=N: a replay of the log up to
//   then, judged at that moment (what was known when);
// - otherwise the live projection, after waiting (a few seconds at most) for
//   min_position=N to be applied, so a client reads its own write;
// - year=YYYY picks the assessment year.
// `render` defaults to RenderView (gateway/views.h).
Result<RenderedView> ReadView(ApiContext& api, const httplib::Request& request, const std::string& name,
                              const ViewRenderer& render = nullptr);

}  // namespace kuimen
