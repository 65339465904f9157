// The Prometheus registry renders the exact text format 0.0.4 a scraper reads.
#include "gateway/metrics.h"

#include <limits>
#include <thread>

#include <gtest/gtest.h>

namespace kuimen {
namespace {

TEST(MetricsRegistry, RendersCountersGaugesAndHistogramsInExpositionFormat) {
  MetricsRegistry registry;
  Counter& appends = registry.AddCounter("kuimen_appends_total", "Events appended.");
  Counter& conflicts_report =
      registry.AddCounter("kuimen_conflicts_total", "Appends refused.", {{"reason", "expected_version"}});
  Counter& conflicts_rule = registry.AddCounter("kuimen_conflicts_total", "Appends refused.", {{"reason", "rule"}});
  double lag = 3;
  registry.AddGauge("kuimen_relay_lag_events", "Events not yet published.", [&lag] { return lag; });
  Histogram& latency = registry.AddHistogram("kuimen_request_seconds", "Request latency.", {0.005, 0.02, 1},
                                             {{"route", "POST /tasks/{no}/events"}});

  appends.Increment();
  appends.Increment(4);
  conflicts_rule.Increment();
  latency.Observe(0.001);
  latency.Observe(0.005);  // bounds are inclusive
  latency.Observe(0.25);
  latency.Observe(7);
  lag = 0.5;

  EXPECT_EQ(registry.RenderText(),
            "# HELP kuimen_appends_total Events appended.\n"
            "# TYPE kuimen_appends_total counter\n"
            "kuimen_appends_total 5\n"
            "# HELP kuimen_conflicts_total Appends refused.\n"
            "# TYPE kuimen_conflicts_total counter\n"
            "kuimen_conflicts_total{reason=\"expected_version\"} 0\n"
            "kuimen_conflicts_total{reason=\"rule\"} 1\n"
            "# HELP kuimen_relay_lag_events Events not yet published.\n"
            "# TYPE kuimen_relay_lag_events gauge\n"
            "kuimen_relay_lag_events 0.5\n"
            "# HELP kuimen_request_seconds Request latency.\n"
            "# TYPE kuimen_request_seconds histogram\n"
            "kuimen_request_seconds_bucket{route=\"POST /tasks/{no}/events\",le=\"0.005\"} 2\n"
            "kuimen_request_seconds_bucket{route=\"POST /tasks/{no}/events\",le=\"0.02\"} 2\n"
            "kuimen_request_seconds_bucket{route=\"POST /tasks/{no}/events\",le=\"1\"} 3\n"
            "kuimen_request_seconds_bucket{route=\"POST /tasks/{no}/events\",le=\"+Inf\"} 4\n"
            "kuimen_request_seconds_sum{route=\"POST /tasks/{no}/events\"} 7.256\n"
            "kuimen_request_seconds_count{route=\"POST /tasks/{no}/events\"} 4\n");
  EXPECT_EQ(conflicts_report.Value(), 0u);
}

TEST(MetricsRegistry, EscapesLabelValuesAndHelpText) {
  MetricsRegistry registry;
  registry.AddCounter("odd_total", "A \\ backslash\nand a \"quote\".", {{"path", "C:\\dir\n\"x\""}, {"unit", "县农业农村委"}});
  EXPECT_EQ(registry.RenderText(),
            "# HELP odd_total A \\\\ backslash\\nand a \"quote\".\n"
            "# TYPE odd_total counter\n"
            "odd_total{path=\"C:\\\\dir\\n\\\"x\\\"\",unit=\"县农业农村委\"} 0\n");
}

TEST(MetricsRegistry, GaugesPrintInfinityAndNaNAsPrometheusSpellsThem) {
  MetricsRegistry registry;
  registry.AddGauge("g", "g.", [] { return std::numeric_limits<double>::infinity(); }, {{"k", "inf"}});
  registry.AddGauge("g", "g.", [] { return -std::numeric_limits<double>::infinity(); }, {{"k", "-inf"}});
  registry.AddGauge("g", "g.", [] { return std::numeric_limits<double>::quiet_NaN(); }, {{"k", "nan"}});
  registry.AddGauge("g", "g.", [] { return 1e-7; }, {{"k", "small"}});
  registry.AddGauge("g", "g.", [] { return 12345678.0; }, {{"k", "whole"}});
  EXPECT_EQ(registry.RenderText(),
            "# HELP g g.\n"
            "# TYPE g gauge\n"
            "g{k=\"inf\"} +Inf\n"
            "g{k=\"-inf\"} -Inf\n"
            "g{k=\"nan\"} NaN\n"
            "g{k=\"small\"} 1e-07\n"
            "g{k=\"whole\"} 12345678\n");
}

TEST(MetricsRegistry, AnEmptyHistogramRendersZeroBuckets) {
  MetricsRegistry registry;
  registry.AddHistogram("h_seconds", "h.", {0.1});
  EXPECT_EQ(registry.RenderText(),
            "# HELP h_seconds h.\n"
            "# TYPE h_seconds histogram\n"
            "h_seconds_bucket{le=\"0.1\"} 0\n"
            "h_seconds_bucket{le=\"+Inf\"} 0\n"
            "h_seconds_sum 0\n"
            "h_seconds_count 0\n");
}

TEST(MetricsRegistry, ConcurrentIncrementsAndObservationsAreAllCounted) {
  MetricsRegistry registry;
  Counter& counter = registry.AddCounter("c_total", "c.");
  Histogram& histogram = registry.AddHistogram("h", "h.", {1, 2});
  constexpr int kThreads = 4, kEach = 10000;
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < kEach; ++i) {
        counter.Increment();
        histogram.Observe(i % 3);  // 0, 1, 2: every value on or under a bound
      }
    });
  }
  for (int i = 0; i < 20; ++i) registry.RenderText();  // scrapes while others write
  for (auto& thread : threads) thread.join();

  EXPECT_EQ(counter.Value(), std::uint64_t{kThreads * kEach});
  Histogram::Snapshot snapshot = histogram.Read();
  ASSERT_EQ(snapshot.cumulative.size(), 3u);
  EXPECT_EQ(snapshot.cumulative[2], std::uint64_t{kThreads * kEach});
  // Per thread: 3334 zeros, 3333 ones and 3333 twos.
  EXPECT_EQ(snapshot.cumulative[0], std::uint64_t{kThreads * 6667});
  EXPECT_EQ(snapshot.cumulative[1], std::uint64_t{kThreads * kEach});
  EXPECT_EQ(snapshot.sum, kThreads * 9999.0);  // whole numbers add exactly
}

TEST(MetricsRegistryDeathTest, RegisteringTheSameSeriesTwiceAbortsNamingIt) {
  EXPECT_DEATH(
      {
        MetricsRegistry registry;
        registry.AddCounter("dup_total", "d.", {{"k", "v"}});
        registry.AddCounter("dup_total", "d.", {{"k", "v"}});
      },
      "dup_total\\{k=\"v\"\\}: registered twice");
}

TEST(MetricsRegistryDeathTest, AnInvalidMetricNameAborts) {
  EXPECT_DEATH({ MetricsRegistry().AddCounter("bad-name", "b."); }, "\"bad-name\" is not a valid metric name");
}

TEST(MetricsRegistryDeathTest, ASeriesWithOtherLabelNamesThanItsFamilyAborts) {
  EXPECT_DEATH(
      {
        MetricsRegistry registry;
        registry.AddCounter("c_total", "c.", {{"a", "1"}});
        registry.AddCounter("c_total", "c.", {{"b", "1"}});
      },
      "same label names");
}

}  // namespace
}  // namespace kuimen
