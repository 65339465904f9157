#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
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
  // Called by the connection layer, from its I/O thread: a connection
  // accepted, closed, or refused (over the per-address or global cap).
  void ConnectionOpened() { open_connections_.fetch_add(1, std::memory_order_relaxed); }
  void ConnectionClosed() { open_connections_.fetch_sub(1, std::memory_order_relaxed); }
  void ConnectionRefused() { connections_refused_->Increment(); }

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
  Counter* views_behind_;
  Counter* connections_refused_;
  std::atomic<std::int64_t> open_connections_{0};
};

}  // namespace kuimen
