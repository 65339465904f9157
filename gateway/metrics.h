#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <utility>
#include <vector>

namespace kuimen {

// Label names and values of one series, in the order they are printed.
using MetricLabels = std::vector<std::pair<std::string, std::string>>;

// A monotonic count. Increment is one relaxed atomic add: safe from any thread
// and cheap enough for every request.
class Counter {
 public:
  void Increment(std::uint64_t by = 1) { value_.fetch_add(by, std::memory_order_relaxed); }
  std::uint64_t Value() const { return value_.load(std::memory_order_relaxed); }

 private:
  std::atomic<std::uint64_t> value_{0};
};

// Observations counted into fixed buckets. Observe is lock-free (a binary
// search over the bounds, two relaxed atomic adds): safe from any thread.
class Histogram {
 public:
  // `bounds`: the buckets' upper bounds (inclusive), strictly increasing and
  // finite; +Inf is implied.
  explicit Histogram(std::vector<double> bounds);

  void Observe(double value);

  struct Snapshot {
    std::vector<std::uint64_t> cumulative;  // per bound, then +Inf (= count)
    double sum = 0;
  };
  // Counts as of one moment per bucket; taken while others observe, the sum
  // may be a few observations apart from the counts, which Prometheus allows.
  Snapshot Read() const;
  const std::vector<double>& bounds() const { return bounds_; }

 private:
  std::vector<double> bounds_;
  std::unique_ptr<std::atomic<std::uint64_t>[]> buckets_;  // bounds_.size() + 1, not cumulative
  std::atomic<double> sum_{0};
};

// A registry of metrics rendered in the Prometheus text exposition format
// 0.0.4. Counters and histograms are registered up front, each with its fixed
// labels, and the registry hands back a reference that stays valid as long as
// the registry; gauges are read by a callback when the registry is rendered.
// Series of one name form a family (one HELP and TYPE line); they must share
// the type, the help and the label names.
//
// Written here rather than taken from prometheus-cpp (Debian's
// prometheus-cpp-dev 1.0.1) because its Histogram::Observe takes a mutex, and
// its package pulls in civetweb and libcurl besides.
//
// Registering a name or label that is not valid, a series twice, or a series
// that does not fit its family is a programming error (names are constants in
// the code that registers them): the process aborts with a message naming it.
//
// Thread-safe: registration and rendering may happen from any thread.
class MetricsRegistry {
 public:
  // The Content-Type of RenderText's output.
  static constexpr const char* kContentType = "text/plain; version=0.0.4; charset=utf-8";

  MetricsRegistry();
  ~MetricsRegistry();
  MetricsRegistry(const MetricsRegistry&) = delete;
  MetricsRegistry& operator=(const MetricsRegistry&) = delete;

  Counter& AddCounter(const std::string& name, const std::string& help, MetricLabels labels = {});
  // `bounds` as for Histogram. The label "le" is reserved for the buckets.
  Histogram& AddHistogram(const std::string& name, const std::string& help, std::vector<double> bounds,
                          MetricLabels labels = {});
  // `read` is called on the rendering thread, under the registry's lock: it
  // must be thread-safe, quick, and must not call this registry.
  void AddGauge(const std::string& name, const std::string& help, std::function<double()> read,
                MetricLabels labels = {});

  // Every family in registration order, each series in registration order:
  // "# HELP", "# TYPE", then the samples; histograms as cumulative
  // name_bucket{...,le="..."} lines ending with le="+Inf", name_sum, name_count.
  std::string RenderText() const;

 private:
  enum class Type { kCounter, kGauge, kHistogram };
  struct Series;
  struct Family;

  // Adds a series to the family `name`, created if new; aborts when the
  // family exists with another type, help or label names, or already has a
  // series with these labels. Requires mu_.
  Series& AddSeries(const std::string& name, const std::string& help, Type type, MetricLabels labels);

  mutable std::mutex mu_;
  std::vector<std::unique_ptr<Family>> families_;
};

}  // namespace kuimen
