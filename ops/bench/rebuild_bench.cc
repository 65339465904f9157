// Rebuild benchmark: fills a store with plausible supervision traffic (monthly
// reports with indicator values and their reviews, on every task), then
// rebuilds each view from the whole log and reports events/s: each view alone,
// then both at once (the log read and decoded once, as `serve` catches up at start), with a
// "BENCH {json}" line per phase for ops/bench/run. A benchmark, not a test:
// run it by hand (ops/bench/rebuild.sh), never in CI.
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <vector>

#include <CLI/CLI.hpp>

#include "domain/supervised_item.h"
#include "eventstore/catalog_codec.h"
#include "eventstore/event_codec.h"
#include "eventstore/event_store.h"
#include "gateway/views.h"
#include "projections/projector.h"

using namespace kuimen;
using Stopwatch = std::chrono::steady_clock;

namespace {

double Seconds(Stopwatch::duration d) { return std::chrono::duration<double>(d).count(); }

// Appends `events` events: for each task in turn, blocks of report + review.
Status Fill(EventStore& store, const Catalog& catalog, std::uint64_t events) {
  constexpr int kPairsPerAppend = 50;
  std::uint64_t written = 0;
  for (int round = 0; written < events; ++round) {
    for (const TaskSpec& task : catalog.tasks) {
      const StreamId stream = TaskStream(task.no);
      std::uint64_t version = store.StreamHead(stream).value;
      std::vector<ProposedEvent> batch;
      for (int i = 0; i < kPairsPerAppend && written + batch.size() < events; ++i) {
        ProgressReported report;
        report.period = std::chrono::year(2024 + (round / 12) % 4) / std::chrono::month(1 + round % 12);
        report.summary = "本月按计划推进，完成阶段性目标。";
        report.percent = (round % 100);
        for (const Target& target : task.targets) {
          if (target.value) report.indicators.push_back({target.indicator, *target.value * (round % 10) / 10, target.unit});
        }
        EncodedEvent r = EncodeEvent(report);
        batch.push_back({std::nullopt, r.type, r.schema_version, Actor{"p-bench", Role::kDepartment, task.lead_unit}, r.data});
        EncodedEvent v = EncodeEvent(ReportReviewed{StreamVersion(++version), ReviewDecision::kApproved, ""});
        ++version;
        batch.push_back({std::nullopt, v.type, v.schema_version, Actor{"p-tf", Role::kTaskForce, ""}, v.data});
      }
      if (batch.empty()) break;
      written += batch.size();
      ASSIGN_OR_RETURN(auto stored, store.Append(stream, std::nullopt, std::move(batch)));
    }
  }
  return Status::Ok();
}

// Rebuilds `names` from the whole log into fresh directories under `dir`
// together (projections/projector.h CatchUpFromLog), and prints the wall time.
bool Rebuild(const std::filesystem::path& dir, const std::vector<std::string>& names, const std::string& label,
             const Catalog& catalog, EventStore& store) {
  std::vector<std::unique_ptr<Projector>> projectors;
  for (const std::string& name : names) {
    std::filesystem::remove_all(dir / (label + "-" + name));
    auto view = MakeView(name, catalog, ViewSettings{});
    auto projector = Projector::Open(std::move(view).value(), ProjectorOptions{dir / (label + "-" + name), nullptr}, &store);
    if (!projector.ok()) {
      std::fprintf(stderr, "%s\n", projector.status().ToString().c_str());
      return false;
    }
    projectors.push_back(std::move(projector).value());
  }
  std::vector<Projector*> catching_up;
  for (const std::unique_ptr<Projector>& projector : projectors) catching_up.push_back(projector.get());
  const auto start = Stopwatch::now();
  const Status result = CatchUpFromLog(catching_up, store);  // as `kuimen serve` does at start
  const double seconds = Seconds(Stopwatch::now() - start);
  const std::uint64_t total = store.Head().position.value;
  const bool ok = result.ok();
  const std::string outcome = result.ToString();
  std::printf("rebuild  %-12s %llu events in %.2f s = %.0f events/s (%s)\n", label.c_str(),
              static_cast<unsigned long long>(total), seconds, total / seconds, ok ? "OK" : outcome.c_str());
  std::printf("BENCH {\"bench\":\"rebuild\",\"views\":\"%s\",\"events\":%llu,\"seconds\":%.3f,\"events_per_s\":%.0f}\n",
              label.c_str(), static_cast<unsigned long long>(total), seconds, total / seconds);
  std::fflush(stdout);
  for (const std::string& name : names) std::filesystem::remove_all(dir / (label + "-" + name));
  return ok;
}

}  // namespace

int main(int argc, char** argv) {
  std::filesystem::path dir = std::filesystem::temp_directory_path() / "kuimen-rebuild-bench";
  std::uint64_t events = 1000000;
  bool reuse = false;
  bool fill_only = false;
  std::vector<std::string> only;
  CLI::App app{"kuimen view rebuild benchmark"};
  app.add_option("--dir", dir, "working directory");
  app.add_option("--events", events, "events in the log");
  app.add_flag("--reuse", reuse, "reuse the store left in --dir by an earlier run");
  app.add_flag("--fill-only", fill_only, "fill the store and stop (for later --reuse runs and kuimen verify)");
  app.add_option("--view", only, "rebuild only this view, or \"together\" for every view at once (repeatable; "
                 "for profiling one phase)");
  CLI11_PARSE(app, argc, argv);

  Result<Catalog> catalog = LoadDefaultCatalog();
  SystemClock clock;
  if (!reuse) std::filesystem::remove_all(dir);
  EventStoreOptions options;
  options.dir = dir / "store";
  options.clock = &clock;
  std::filesystem::create_directories(dir);
  auto store = OpenEventStore(options);
  if (!catalog.ok() || !store.ok()) {
    std::fprintf(stderr, "cannot start: %s %s\n", catalog.status().ToString().c_str(), store.status().ToString().c_str());
    return 1;
  }
  if (!reuse) {
    const auto start = Stopwatch::now();
    Status filled = Fill(**store, *catalog, events);
    if (!filled.ok()) {
      std::fprintf(stderr, "%s\n", filled.ToString().c_str());
      return 1;
    }
    std::printf("fill     %llu events in %.1f s\n", static_cast<unsigned long long>((*store)->Head().position.value),
                Seconds(Stopwatch::now() - start));
  }
  if (fill_only) return 0;
  bool ok = true;
  if (!only.empty()) {
    for (const std::string& name : only) {
      const std::vector<std::string> names = name == "together" ? ViewNames() : std::vector<std::string>{name};
      ok = Rebuild(dir, names, name, *catalog, **store) && ok;
    }
    return ok ? 0 : 1;
  }
  for (const std::string& name : ViewNames()) ok = Rebuild(dir, {name}, name, *catalog, **store) && ok;
  ok = Rebuild(dir, ViewNames(), "together", *catalog, **store) && ok;
  return ok ? 0 : 1;
}
