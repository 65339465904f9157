// Event store benchmark: durable appends from many concurrent writers (group
// commit), a full log read, and a chain verify. Prints one line per phase and a
// "BENCH {json}" line for the appends (ops/bench/run parses it). Writers append
// the same ~300-byte report over the plan's 34 streams (writer w's call i goes
// to stream (w + i) % 34), as the PostgreSQL peer does; --own-streams gives each
// writer a stream of its own. --raw measures plain RocksDB on the same disk
// instead: each writer's call is one synced WriteBatch of --batch puts.
// A benchmark, not a test: run it by hand (ops/bench/store.sh), never in CI.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <thread>
#include <vector>

#include <CLI/CLI.hpp>
#include <rocksdb/db.h>
#include <rocksdb/write_batch.h>

#include "domain/clock.h"
#include "eventstore/event_codec.h"
#include "eventstore/event_store.h"
#include "ops/bench/bench_events.h"

using namespace kuimen;
using Stopwatch = std::chrono::steady_clock;

namespace {

double Seconds(Stopwatch::duration d) { return std::chrono::duration<double>(d).count(); }

// Plain RocksDB, default options but for sync: what the disk gives a writer
// that batches `batch` events per synced write, with no log format on top.
int RunRaw(const std::filesystem::path& dir, int writers, int events_per_writer, int batch) {
  rocksdb::Options options;
  options.create_if_missing = true;
  rocksdb::DB* raw = nullptr;
  rocksdb::Status opened = rocksdb::DB::Open(options, dir.string(), &raw);
  if (!opened.ok()) {
    std::fprintf(stderr, "%s\n", opened.ToString().c_str());
    return 1;
  }
  std::unique_ptr<rocksdb::DB> db(raw);
  const std::string payload = bench::SamplePayload();
  rocksdb::WriteOptions synced;
  synced.sync = true;
  std::vector<std::vector<double>> latencies(writers);
  std::vector<std::thread> threads;
  const auto start = Stopwatch::now();
  for (int w = 0; w < writers; ++w) {
    threads.emplace_back([&, w] {
      for (int i = 0; i + batch <= events_per_writer; i += batch) {
        rocksdb::WriteBatch write;
        for (int b = 0; b < batch; ++b) write.Put(std::to_string(w) + "/" + std::to_string(i + b), payload);
        const auto t0 = Stopwatch::now();
        rocksdb::Status s = db->Write(synced, &write);
        latencies[w].push_back(Seconds(Stopwatch::now() - t0) * 1000);
        if (!s.ok()) {
          std::fprintf(stderr, "write failed: %s\n", s.ToString().c_str());
          std::exit(1);
        }
      }
    });
  }
  for (std::thread& t : threads) t.join();
  const double seconds = Seconds(Stopwatch::now() - start);
  std::vector<double> all;
  for (const auto& l : latencies) all.insert(all.end(), l.begin(), l.end());
  const std::uint64_t events = static_cast<std::uint64_t>(all.size()) * batch;
  std::printf("raw     %d writers x %d events (batch %d per sync): %llu events in %.2f s = %.0f events/s\n", writers,
              events_per_writer, batch, static_cast<unsigned long long>(events), seconds, events / seconds);
  bench::PrintResult("rocksdb_raw", writers, batch, events, seconds, std::move(all));
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  std::filesystem::path dir = std::filesystem::temp_directory_path() / "kuimen-store-bench";
  int writers = 64;
  int events_per_writer = 3000;
  int batch = 1;
  bool own_streams = false;
  bool raw = false;
  CLI::App app{"kuimen event store benchmark"};
  app.add_option("--dir", dir, "store directory (emptied first)");
  app.add_option("--writers", writers, "concurrent appending threads");
  app.add_option("--events", events_per_writer, "events each writer appends");
  app.add_option("--batch", batch, "events per append call");
  app.add_flag("--own-streams", own_streams, "one stream per writer instead of the plan's 34");
  app.add_flag("--raw", raw, "plain RocksDB, one synced WriteBatch per call, instead of the event store");
  CLI11_PARSE(app, argc, argv);

  std::filesystem::remove_all(dir);
  if (raw) return RunRaw(dir, writers, events_per_writer, batch);
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
  const std::string payload = bench::SamplePayload();
  const std::vector<std::string> plan_streams = bench::PlanStreams();

  // --- durable appends ---
  std::vector<std::vector<double>> latencies(writers);
  std::vector<std::thread> threads;
  const auto append_start = Stopwatch::now();
  for (int w = 0; w < writers; ++w) {
    threads.emplace_back([&, w] {
      latencies[w].reserve(events_per_writer / batch);
      for (int i = 0; i < events_per_writer; i += batch) {
        const StreamId stream{own_streams ? "bench-" + std::to_string(w)
                                          : plan_streams[(w + i / batch) % plan_streams.size()]};
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
  bench::PrintResult("store", writers, batch, total, append_seconds, all);
  // The group commit's own figures: events per synced write, and how long a write took.
  const StoreHealth health = store.Health();
  if (health.groups_written > 0) {
    std::printf("groups  %llu synced writes: %.1f events each, %.0f us each (WAL write, sync, memtable)\n",
                static_cast<unsigned long long>(health.groups_written),
                static_cast<double>(health.events_written) / health.groups_written,
                std::chrono::duration<double, std::micro>(health.group_write_time).count() / health.groups_written);
  }

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
