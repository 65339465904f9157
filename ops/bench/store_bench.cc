// Event store benchmark: durable appends from many concurrent writers (group
// commit), a full log read, and a chain verify. Prints one line per phase.
// A benchmark, not a test: run it by hand (ops/bench/store.sh), never in CI.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <thread>
#include <vector>

#include <CLI/CLI.hpp>

#include "domain/clock.h"
#include "eventstore/event_codec.h"
#include "eventstore/event_store.h"

using namespace kuimen;
using Stopwatch = std::chrono::steady_clock;

namespace {

double Seconds(Stopwatch::duration d) { return std::chrono::duration<double>(d).count(); }

// A typical department report, about 300 bytes of canonical JSON.
std::string SamplePayload() {
  ProgressReported report;
  report.period = std::chrono::year(2024) / std::chrono::November;
  report.summary = "本月新增农业生产托管服务面积1.2万亩次，组织农机作业队3支，开展农技培训2场。";
  report.percent = 35;
  report.indicators = {{"农业生产社会化服务规模", 1.2, "万亩次"}};
  report.evidence = {{"托管服务台账", "https://intranet.example/fj/t7/2024-11.xlsx"}};
  return EncodeEvent(report).data;
}

}  // namespace

int main(int argc, char** argv) {
  std::filesystem::path dir = std::filesystem::temp_directory_path() / "kuimen-store-bench";
  int writers = 64;
  int events_per_writer = 3000;
  int batch = 1;
  CLI::App app{"kuimen event store benchmark"};
  app.add_option("--dir", dir, "store directory (emptied first)");
  app.add_option("--writers", writers, "concurrent appending threads");
  app.add_option("--events", events_per_writer, "events each writer appends");
  app.add_option("--batch", batch, "events per append call");
  CLI11_PARSE(app, argc, argv);

  std::filesystem::remove_all(dir);
  SystemClock clock;
  EventStoreOptions options;
  options.dir = dir;
  options.clock = &clock;
  Result<std::unique_ptr<EventStore>> opened = OpenEventStore(options);
  if (!opened.ok()) {
    std::fprintf(stderr, "%s\n", opened.status().ToString().c_str());
    return 1;
  }
  EventStore& store = **opened;
  const std::string payload = SamplePayload();

  // --- durable appends ---
  std::vector<std::vector<double>> latencies(writers);
  std::vector<std::thread> threads;
  const auto append_start = Stopwatch::now();
  for (int w = 0; w < writers; ++w) {
    threads.emplace_back([&, w] {
      const StreamId stream{"bench-" + std::to_string(w)};
      latencies[w].reserve(events_per_writer / batch);
      for (int i = 0; i < events_per_writer; i += batch) {
        std::vector<ProposedEvent> events;
        for (int b = 0; b < batch; ++b) {
          events.push_back(ProposedEvent{std::nullopt, "ProgressReported", 1,
                                         Actor{"p-bench", Role::kDepartment, "县农业农村委"}, payload});
        }
        const auto start = Stopwatch::now();
        Result<std::vector<RecordedEvent>> stored = store.Append(stream, std::nullopt, std::move(events));
        latencies[w].push_back(Seconds(Stopwatch::now() - start) * 1000);
        if (!stored.ok()) {
          std::fprintf(stderr, "append failed: %s\n", stored.status().ToString().c_str());
          std::exit(1);
        }
      }
    });
  }
  for (std::thread& t : threads) t.join();
  const double append_seconds = Seconds(Stopwatch::now() - append_start);
  std::vector<double> all;
  for (const auto& l : latencies) all.insert(all.end(), l.begin(), l.end());
  std::sort(all.begin(), all.end());
  const std::uint64_t total = store.Head().position.value;
  std::printf("append  %d writers x %d events (batch %d): %llu events in %.2f s = %.0f events/s; "
              "append latency p50 %.2f ms p99 %.2f ms\n",
              writers, events_per_writer, batch, static_cast<unsigned long long>(total), append_seconds,
              total / append_seconds, all[all.size() / 2], all[all.size() * 99 / 100]);

  // --- full log read ---
  const auto read_start = Stopwatch::now();
  std::uint64_t read = 0, bytes = 0;
  for (auto it = store.ReadAll(GlobalPosition(1)); it->Valid(); it->Next()) {
    ++read;
    bytes += it->event().data.size();
  }
  const double read_seconds = Seconds(Stopwatch::now() - read_start);
  std::printf("read    %llu events in %.2f s = %.0f events/s (%.0f MB/s of payload)\n",
              static_cast<unsigned long long>(read), read_seconds, read / read_seconds,
              bytes / read_seconds / 1e6);

  // --- verify ---
  const auto verify_start = Stopwatch::now();
  VerifyReport report = store.Verify();
  const double verify_seconds = Seconds(Stopwatch::now() - verify_start);
  std::printf("verify  %llu events in %.2f s = %.0f events/s (%s)\n",
              static_cast<unsigned long long>(report.events), verify_seconds, report.events / verify_seconds,
              report.ok ? "ok" : report.problem.c_str());
  return report.ok ? 0 : 1;
}
