// Append-to-view lag: appends at a steady rate through the store, the relay
// and a Kafka broker into the supervision projector, and reports how long each
// event took from its durable append to being applied in the view. After a
// warm-up (the group joins, then --warmup-seconds at the first rate, reported
// apart), --runs rounds at each --rate, each printing a line for people and a
// "BENCH {json}" line for ops/bench/run.
// A benchmark, not a test: run it by hand (ops/bench/lag.sh), never in CI.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <thread>
#include <vector>

#include <CLI/CLI.hpp>

#include "domain/supervised_item.h"
#include "eventstore/catalog_codec.h"
#include "eventstore/event_codec.h"
#include "gateway/views.h"
#include "projections/embedded_kafka.h"
#include "projections/kafka_event_source.h"
#include "projections/kafka_projection.h"
#include "projections/relay.h"

using namespace kuimen;
using Stopwatch = std::chrono::steady_clock;

int main(int argc, char** argv) {
  std::filesystem::path dir = std::filesystem::temp_directory_path() / "kuimen-lag-bench";
  std::string brokers;  // empty: the embedded cluster
  std::vector<int> rates = {1000};
  int seconds = 10;
  int runs = 1;
  int partitions = 6;
  int backlog = 0;
  int warmup_seconds = 10;
  CLI::App app{"kuimen append-to-view lag benchmark"};
  app.add_option("--dir", dir, "working directory (emptied first)");
  app.add_option("--kafka-brokers", brokers, "bootstrap servers (default: the embedded cluster)");
  app.add_option("--rate", rates, "events per second; several (--rate 1000 5000) run one after another")
      ->check(CLI::PositiveNumber);
  app.add_option("--runs", runs, "rounds at each rate, after one warm-up")->check(CLI::PositiveNumber);
  app.add_option("--seconds", seconds, "how long to append");
  app.add_option("--warmup-seconds", warmup_seconds,
                 "first append this long at the first rate, reported apart: the first seconds on a new topic "
                 "(and of a broker just started, until its JIT has warmed up) have tails of hundreds of ms");
  app.add_option("--partitions", partitions, "partitions of the topic");
  app.add_option("--backlog", backlog,
                 "then append this many events as fast as the store takes them (100 to an append) and report the "
                 "sustained rate at which the view applies them");
  KafkaOptions kafka;
  app.add_option("--linger-ms", kafka.linger_ms, "the producer's linger.ms (to compare settings)");
  app.add_option("--fetch-wait-max-ms", kafka.fetch_wait_max_ms, "the consumer's fetch.wait.max.ms (to compare settings)");
  CLI11_PARSE(app, argc, argv);

  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  Result<Catalog> catalog = LoadDefaultCatalog();
  SystemClock clock;
  EventStoreOptions options;
  options.dir = dir / "store";
  options.clock = &clock;
  auto store = OpenEventStore(options);
  kafka.topic = "kuimen.lag." + std::to_string(getpid());
  kafka.partitions = partitions;
  std::unique_ptr<EmbeddedKafka> embedded;
  if (brokers.empty()) {
    embedded = std::move(EmbeddedKafka::Start(kafka.topic, kafka.partitions)).value();
    brokers = embedded->bootstrap_servers();
  }
  Relay relay(**store, brokers, kafka);
  if (Status s = relay.Start(); !s.ok()) {
    std::fprintf(stderr, "%s\n", s.ToString().c_str());
    return 1;
  }
  auto projector = std::move(Projector::Open(std::move(MakeView("supervision", *catalog, ViewSettings{})).value(),
                                             ProjectorOptions{dir / "supervision", nullptr}, store->get()))
                       .value();
  KafkaProjection projection(*projector, std::move(KafkaEventSource::Create(brokers, kafka, "kuimen.lag")).value());
  projection.Start();

  // Warm up: the group joins and the first event arrives.
  EncodedEvent warm = EncodeEvent(DeadlineSet{"预热", std::chrono::year(2025) / 1 / 1});
  (void)(*store)->Append(StreamId{"task-01"}, std::nullopt, {{std::nullopt, warm.type, warm.schema_version, Actor{"p-tf", Role::kTaskForce, ""}, warm.data}});
  while (projector->applied_through().value < 1) std::this_thread::sleep_for(std::chrono::milliseconds(1));

  // Each round appends rate × seconds events at a steady rate and waits until
  // the view has applied them all; rounds share the warmed-up pipeline.
  std::uint64_t next = 2;  // position of the next event (1 was the warm-up)
  struct Round {
    int rate;
    int seconds;
    bool warmup;  // reported for people only
  };
  std::vector<Round> rounds;
  if (warmup_seconds > 0) rounds.push_back({rates.front(), warmup_seconds, true});
  for (const int rate : rates) {
    for (int round = 0; round < runs; ++round) rounds.push_back({rate, seconds, false});
  }
  for (const auto& [rate, round_seconds, warmup] : rounds) {
    const int total = rate * round_seconds;
    const std::uint64_t first = next;
    const std::uint64_t last = first + total - 1;
    std::vector<Stopwatch::time_point> acked(total), applied(total);
    std::thread observer([&] {
      std::uint64_t seen = first;  // the first position not yet seen applied
      while (seen <= last) {
        const std::uint64_t through = projector->applied_through().value;
        const auto now = Stopwatch::now();
        for (; seen <= through && seen <= last; ++seen) applied[seen - first] = now;
        std::this_thread::sleep_for(std::chrono::microseconds(200));
      }
    });
    const auto start = Stopwatch::now();
    for (int i = 0; i < total; ++i) {
      std::this_thread::sleep_until(start + std::chrono::microseconds(1000000LL * i / rate));
      const Catalog& c = *catalog;
      const TaskSpec& task = c.tasks[i % c.tasks.size()];
      ProgressReported report;
      report.period = std::chrono::year(2025) / std::chrono::month(1 + i % 12);
      report.summary = "稳步推进";
      report.percent = i % 100;
      EncodedEvent e = EncodeEvent(report);
      auto stored = (*store)->Append(TaskStream(task.no), std::nullopt,
                                     {{std::nullopt, e.type, e.schema_version, Actor{"p", Role::kDepartment, task.lead_unit}, e.data}});
      if (!stored.ok()) {
        std::fprintf(stderr, "append failed: %s\n", stored.status().ToString().c_str());
        return 1;
      }
      acked[stored->front().position.value - first] = Stopwatch::now();
    }
    observer.join();
    next = last + 1;
    std::vector<double> lags;
    for (int i = 0; i < total; ++i) lags.push_back(std::chrono::duration<double, std::milli>(applied[i] - acked[i]).count());
    std::sort(lags.begin(), lags.end());
    std::printf("%s %d events at %d/s via %s: p50 %.1f ms, p99 %.1f ms, max %.1f ms\n", warmup ? "warm-up" : "lag    ",
                total, rate, embedded ? "embedded cluster" : brokers.c_str(), lags[lags.size() / 2],
                lags[lags.size() * 99 / 100], lags.back());
    if (!warmup) std::printf("BENCH {\"bench\":\"lag\",\"rate\":%d,\"events\":%d,\"p50_ms\":%.3f,\"p99_ms\":%.3f,\"max_ms\":%.3f}\n",
                rate, total, lags[lags.size() / 2], lags[lags.size() * 99 / 100], lags.back());
    std::fflush(stdout);
  }
  projection.Stop();
  if (backlog > 0) {
    // The sustained apply rate: with the view's feed stopped, append a backlog
    // (100 events to an append) and let the relay publish it; then start the
    // feed again (the group's member resumes at its committed offsets) and time
    // the view from its first batch to the last event.
    const std::uint64_t first = next;
    const std::uint64_t last = first + backlog - 1;
    for (int i = 0; i < backlog; i += 100) {
      const Catalog& c = *catalog;
      const TaskSpec& task = c.tasks[(i / 100) % c.tasks.size()];
      std::vector<ProposedEvent> batch;
      for (int k = i; k < std::min(backlog, i + 100); ++k) {
        ProgressReported report;
        report.period = std::chrono::year(2025) / std::chrono::month(1 + k % 12);
        report.summary = "稳步推进";
        report.percent = k % 100;
        EncodedEvent e = EncodeEvent(report);
        batch.push_back({std::nullopt, e.type, e.schema_version, Actor{"p", Role::kDepartment, task.lead_unit}, e.data});
      }
      auto stored = (*store)->Append(TaskStream(task.no), std::nullopt, std::move(batch));
      if (!stored.ok()) {
        std::fprintf(stderr, "append failed: %s\n", stored.status().ToString().c_str());
        return 1;
      }
    }
    while (relay.cursor().value < last) std::this_thread::sleep_for(std::chrono::milliseconds(1));
    KafkaProjection again(*projector, std::move(KafkaEventSource::Create(brokers, kafka, "kuimen.lag")).value());
    again.Start();
    std::uint64_t from = projector->applied_through().value;
    while (projector->applied_through().value == from) std::this_thread::sleep_for(std::chrono::microseconds(200));
    const auto began = Stopwatch::now();
    from = projector->applied_through().value;
    while (projector->applied_through().value < last) std::this_thread::sleep_for(std::chrono::microseconds(200));
    const double took = std::chrono::duration<double>(Stopwatch::now() - began).count();
    const double rate = (last - from) / took;
    std::printf("apply   %d-event backlog via Kafka: %llu events applied after the first batch in %.2f s: %.0f events/s sustained\n",
                backlog, static_cast<unsigned long long>(last - from), took, rate);
    std::printf("BENCH {\"bench\":\"apply\",\"events\":%d,\"events_per_s\":%.0f}\n", backlog, rate);
    again.Stop();
  }
  relay.Stop();
  return 0;
}
