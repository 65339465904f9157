#include "gateway/api_views.h"

#include "gateway/api_routes.h"
#include "gateway/request_parsing.h"
#include "projections/projector.h"
#include "projections/replay.h"

namespace kuimen {

namespace {

// How long min_position may hold a request: enough for the projector to
// catch up after a burst, short enough that a client is not left hanging.
constexpr std::chrono::seconds kMinPositionWait{5};
// How long a whole-log read waits for a slot before it is refused (replay_busy).
constexpr std::chrono::seconds kReplayWait{2};

Result<ViewQuery> QueryOf(const ApiContext& api, const httplib::Request& request) {
  ViewQuery query{api.clock.Now(), std::nullopt};
  ASSIGN_OR_RETURN(std::optional<std::uint64_t> year, UintParam(request, "year"));
  if (year) {
    if (*year < 2000 || *year > 2100) {
      return Status::InvalidArgument("年度应在2000年至2100年之间，如2024", "year", "out_of_range");
    }
    query.year = static_cast<int>(*year);
  }
  return query;
}

}  // namespace

Result<std::optional<ReplayGate::Ticket>> EnterReplay(ApiContext& api) {
  if (api.replay_gate == nullptr) return std::optional<ReplayGate::Ticket>();
  ASSIGN_OR_RETURN(ReplayGate::Ticket ticket, api.replay_gate->Enter(kReplayWait));
  return std::optional<ReplayGate::Ticket>(std::move(ticket));
}

Result<RenderedView> ReadView(ApiContext& api, const httplib::Request& request, const std::string& name,
                              const ViewRenderer& render) {
  const ViewRenderer renderer = render ? render : [](const View& view, const ViewQuery& query) -> Result<nlohmann::json> {
    return RenderView(view, query);
  };
  RenderedView out;
  ASSIGN_OR_RETURN(out.through_position,
                   ReadViewWith(api, request, name, [&](const View& view, const ViewQuery& query) -> Status {
                     ASSIGN_OR_RETURN(out.json, renderer(view, query));
                     return Status::Ok();
                   }));
  return out;
}

Result<std::uint64_t> ReadViewWith(ApiContext& api, const httplib::Request& request, const std::string& name,
                                   const ViewReader& read) {
  ASSIGN_OR_RETURN(ViewQuery query, QueryOf(api, request));
  ASSIGN_OR_RETURN(std::optional<Timestamp> as_of, TimeParam(request, "as_of"));
  ASSIGN_OR_RETURN(std::optional<std::uint64_t> as_of_position, UintParam(request, "as_of_position"));
  ASSIGN_OR_RETURN(std::optional<std::uint64_t> min_position, UintParam(request, "min_position"));

  if (as_of || as_of_position) {
    if (min_position) {
      return Status::InvalidArgument("查看历史时点时不能同时要求最新数据", "min_position", "conflicting_parameters");
    }
    // A replay of the log: the view as it stood then, by the same projection code.
    ASSIGN_OR_RETURN(std::optional<ReplayGate::Ticket> slot, EnterReplay(api));
    ReplayLimit limit;
    if (as_of) {
      limit.until = *as_of;
      query.now = *as_of;
    }
    if (as_of_position) limit.through_position = GlobalPosition(*as_of_position);
    ASSIGN_OR_RETURN(std::unique_ptr<View> view, MakeView(name, api.catalog, api.view_settings));
    ASSIGN_OR_RETURN(GlobalPosition through, ReplayLog(*view, api.store, limit));
    if (!as_of && through.value > 0) {
      // Judge warnings at the moment of the last event included, not today.
      std::unique_ptr<EventIterator> last = api.store.ReadAll(through);
      if (last->Valid()) query.now = last->event().recorded_at;
    }
    RETURN_IF_ERROR(read(*view, query));
    return through.value;
  }

  Projector* projector = api.projector(name);
  if (projector == nullptr) {
    return Status::Unavailable("the " + name + " view is not projected in this process; ask the server that runs it",
                               "view_not_served");
  }
  if (min_position && !projector->WaitForApplied(GlobalPosition(*min_position), kMinPositionWait)) {
    return Status::Unavailable("the " + name + " view has applied the log through position " +
                               std::to_string(projector->applied_through().value) + ", not yet " +
                               std::to_string(*min_position) + "; retry in a moment",
                               "view_not_ready");
  }
  return projector->WithViewThrough([&](const View& view, GlobalPosition through) -> Result<std::uint64_t> {
    RETURN_IF_ERROR(read(view, query));
    return through.value;
  });
}

std::vector<Route> ViewRoutes() {
  std::vector<Route> routes;
  for (const std::string& name : ViewNames()) {
    routes.push_back({"GET", "/api/v1/views/" + name, Access::kAnyPrincipal,
                      [name](ApiContext& api, const ApiCall& call) -> Result<ApiReply> {
      ASSIGN_OR_RETURN(RenderedView view, ReadView(api, call.http, name));
      ApiReply reply;
      reply.json["view"] = name;
      reply.json["through_position"] = view.through_position;
      reply.json["rendered"] = std::move(view.json);
      return reply;
    }});
  }
  return routes;
}

}  // namespace kuimen
