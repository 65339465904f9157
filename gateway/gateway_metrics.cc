#include "gateway/gateway_metrics.h"

#include "projections/projector.h"

namespace kuimen {

namespace {

// The statuses the API answers with; anything else is counted as "other".
constexpr int kStatuses[] = {200, 201, 400, 401, 403, 404, 405, 409, 413, 500, 503};

// Seconds, from well under a millisecond (a cached read) to the timeouts.
const std::vector<double> kLatencyBounds = {0.0005, 0.001, 0.0025, 0.005, 0.01, 0.02, 0.05,
                                            0.1,    0.25,  0.5,    1,     2.5,  5};

ViewHealth HealthOf(Service& service, const std::string& view) {
  for (ViewHealth& health : service.ViewsHealth()) {
    if (health.view == view) return std::move(health);
  }
  ViewHealth gone;  // not run here any more
  gone.view = view;
  gone.problem = ViewProblem::kStopped;
  return gone;
}

}  // namespace

GatewayMetrics::GatewayMetrics(const std::vector<Route>& routes, Service& service) {
  for (const Route& route : routes) {
    RouteSeries series;
    const MetricLabels labels = {{"method", route.method}, {"route", route.path}};
    series.latency = &registry_.AddHistogram("kuimen_http_request_duration_seconds",
                                             "Time from a request's arrival to its response, by route.",
                                             kLatencyBounds, labels);
    for (int status : kStatuses) {
      MetricLabels with_code = labels;
      with_code.emplace_back("code", std::to_string(status));
      series.responses[status] =
          &registry_.AddCounter("kuimen_http_responses_total", "Responses sent, by route and status.", with_code);
    }
    MetricLabels other = labels;
    other.emplace_back("code", "other");
    series.responses[0] = &registry_.AddCounter("kuimen_http_responses_total", "Responses sent, by route and status.", other);
    routes_.push_back(std::move(series));
  }
  const char* submissions = "Events submitted through the API, by outcome.";
  appended_ = &registry_.AddCounter("kuimen_submissions_total", submissions, {{"outcome", "appended"}});
  conflicts_ = &registry_.AddCounter("kuimen_submissions_total", submissions, {{"outcome", "conflict"}});
  refused_ = &registry_.AddCounter("kuimen_submissions_total", submissions, {{"outcome", "refused"}});
  invalid_ = &registry_.AddCounter("kuimen_submissions_total", submissions, {{"outcome", "invalid"}});
  // Refused before the append because a view here trailed the log beyond its bound.
  views_behind_ = &registry_.AddCounter("kuimen_submissions_total", submissions, {{"outcome", "views_behind"}});

  connections_refused_ = &registry_.AddCounter(
      "kuimen_http_connections_refused_total",
      "Connections answered 503 and closed at once: over the per-address or the global cap.", {});
  registry_.AddGauge("kuimen_http_open_connections", "HTTP connections open now.",
                     [this] { return static_cast<double>(open_connections_.load(std::memory_order_relaxed)); });

  EventStore& store = service.store();
  registry_.AddGauge("kuimen_log_head_position", "Position of the last event in the log.",
                     [&store] { return static_cast<double>(store.Head().position.value); });
  // Read from the store at scrape time (it counts them): gauges by the
  // registry's type, counters by meaning (they only grow while serve runs).
  registry_.AddGauge("kuimen_store_resumes_total",
                     "Times writing came back through RocksDB's Resume() after a failed write (a full disk).",
                     [&store] { return static_cast<double>(store.Health().resumes); });
  registry_.AddGauge("kuimen_store_reopens_total",
                     "Times the event store reopened its database in place because RocksDB's Resume() did not return.",
                     [&store] { return static_cast<double>(store.Health().reopens); });
  // The group commit: synced writes, the events in them (events / groups is
  // the mean group size) and the time the writes took (WAL write, sync, memtable).
  registry_.AddGauge("kuimen_store_groups_total", "Groups the event store's group commit wrote, one synced write each.",
                     [&store] { return static_cast<double>(store.Health().groups_written); });
  registry_.AddGauge("kuimen_store_group_events_total", "Events in the groups the event store wrote.",
                     [&store] { return static_cast<double>(store.Health().events_written); });
  registry_.AddGauge("kuimen_store_group_write_seconds_total",
                     "Time the event store's synced group writes took (WAL write, sync, memtable inserts).",
                     [&store] {
                       return std::chrono::duration<double>(store.Health().group_write_time).count();
                     });
  registry_.AddGauge("kuimen_relay_lag_events", "Events in the log not yet acknowledged by Kafka.", [&store, &service] {
    const Relay* relay = service.relay();
    const double head = static_cast<double>(store.Head().position.value);
    return relay == nullptr ? head : head - static_cast<double>(relay->cursor().value);
  });
  for (const std::string& view : ViewNames()) {
    if (service.projector(view) == nullptr) continue;
    registry_.AddGauge("kuimen_projector_lag_events", "Events in the log a view has not applied yet.",
                       [&store, &service, view] {
                         // The view first: read after the head, it may have applied
                         // events appended since, and the lag would go below 0.
                         const std::uint64_t applied = service.projector(view)->applied_through().value;
                         const std::uint64_t head = store.Head().position.value;
                         return static_cast<double>(head > applied ? head - applied : 0);
                       },
                       {{"view", view}});
    registry_.AddGauge("kuimen_projector_lag_seconds",
                       "How long the first event a view has not applied yet has waited, by its recorded time.",
                       [&service, view] { return HealthOf(service, view).lag_seconds; }, {{"view", view}});
    registry_.AddGauge("kuimen_projector_max_lag_events",
                       "The bound on a view's lag: beyond it writes are refused (views_behind) until it catches up.",
                       [&service] { return static_cast<double>(service.max_view_lag()); }, {{"view", view}});
    // One series per state, 1 for the state the view is in (the usual
    // Prometheus form of an enum), so an alert can say which.
    for (ViewProblem problem :
         {ViewProblem::kNone, ViewProblem::kStopped, ViewProblem::kFailed, ViewProblem::kLagging}) {
      const std::string state = problem == ViewProblem::kNone ? "ok" : std::string(ViewProblemName(problem));
      registry_.AddGauge("kuimen_view_state", "1 for the state a view is in (ok, stopped, failed, lagging), else 0.",
                         [&service, view, problem] { return HealthOf(service, view).problem == problem ? 1.0 : 0.0; },
                         {{"view", view}, {"state", state}});
    }
    registry_.AddGauge("kuimen_projector_untrusted_messages",
                       "Messages from the topic a view ignored because the log holds another event at their position.",
                       [&service, view] { return static_cast<double>(HealthOf(service, view).untrusted_messages); },
                       {{"view", view}});
  }
}

void GatewayMetrics::ObserveRequest(std::size_t route, int status, std::chrono::steady_clock::duration elapsed) {
  RouteSeries& series = routes_.at(route);
  series.latency->Observe(std::chrono::duration<double>(elapsed).count());
  auto counter = series.responses.find(status);
  (counter == series.responses.end() ? series.responses.at(0) : counter->second)->Increment();
}

void GatewayMetrics::CountSubmission(const Status& outcome) {
  switch (outcome.code()) {
    case StatusCode::kOk: appended_->Increment(); break;
    case StatusCode::kAborted: conflicts_->Increment(); break;
    case StatusCode::kInvalidArgument: invalid_->Increment(); break;
    default: (outcome.error_code() == "views_behind" ? views_behind_ : refused_)->Increment(); break;
  }
}

}  // namespace kuimen
