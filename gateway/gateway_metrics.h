#pragma once

#include <chrono>
#include <map>
#include <vector>

#include "domain/status.h"
#include "gateway/api.h"
#include "gateway/metrics.h"
#include "gateway/service.h"

namespace kuimen {

// What /metrics reports, registered once at start: per route the request
// latency histogram and the responses by status; the submissions appended,
// refused for a stale expected_version (conflicts) or by a rule; and, read
// at scrape time, the log head and how far the relay and each projector trail it.
class GatewayMetrics {
 public:
  // `service` is not owned and must outlive the metrics.
  GatewayMetrics(const std::vector<Route>& routes, Service& service);

  // Called once per request with the index of its route in `routes`.
  void ObserveRequest(std::size_t route, int status, std::chrono::steady_clock::duration elapsed);
  // Called once per submitted event with how it ended.
  void CountSubmission(const Status& outcome);

  std::string RenderText() const { return registry_.RenderText(); }

 private:
  struct RouteSeries {
    Histogram* latency;
    std::map<int, Counter*> responses;  // by HTTP status; a status not listed counts as 0 ("other")
  };

  MetricsRegistry registry_;
  std::vector<RouteSeries> routes_;
  Counter* appended_;
  Counter* conflicts_;
  Counter* refused_;
  Counter* invalid_;
};

}  // namespace kuimen
