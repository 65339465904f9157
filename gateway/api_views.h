#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>

#include <httplib.h>
#include <nlohmann/json.hpp>

#include "gateway/api.h"
#include "gateway/replay_gate.h"
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
// A slot for a read that replays or scans the whole log (gateway/replay_gate.h),
// held while the result lives; empty when the context has no gate.
Result<std::optional<ReplayGate::Ticket>> EnterReplay(ApiContext& api);

Result<RenderedView> ReadView(ApiContext& api, const httplib::Request& request, const std::string& name,
                              const ViewRenderer& render = nullptr);

// The same choice of view (a replay, or the live projection after min_position)
// with `read` called on it, for readers that take typed results
// (SupervisionView::Board) rather than JSON; `read` runs while the view is
// held, so it should copy out what it needs and return. Returns the last log
// position the view includes, or `read`'s error.
using ViewReader = std::function<Status(const View& view, const ViewQuery& query)>;
Result<std::uint64_t> ReadViewWith(ApiContext& api, const httplib::Request& request, const std::string& name,
                                   const ViewReader& read);

}  // namespace kuimen
