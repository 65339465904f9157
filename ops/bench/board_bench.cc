// Supervision board benchmark: where the time of GET /api/v1/views/supervision
// goes once the view is up to date. Replays a store (one filled by
// kuimen_rebuild_bench --fill-only) into the supervision view, then times, per
// call, building the typed board (SupervisionView::Board), turning it into
// JSON (gateway/supervision_json.h) and writing the JSON text; prints the
// median and minimum of each. A benchmark, not a test: run it by hand.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>

#include "domain/clock.h"
#include "eventstore/catalog_codec.h"
#include "eventstore/event_store.h"
#include "gateway/supervision_json.h"
#include "projections/replay.h"
#include "projections/supervision_view.h"

using namespace kuimen;
using Stopwatch = std::chrono::steady_clock;

namespace {

double Millis(Stopwatch::duration d) { return std::chrono::duration<double, std::milli>(d).count(); }

void Print(const char* what, std::vector<double> ms) {
  std::sort(ms.begin(), ms.end());
  std::printf("%-22s median %7.3f ms  min %7.3f ms\n", what, ms[ms.size() / 2], ms.front());
}

}  // namespace

int main(int argc, char** argv) {
  std::filesystem::path dir = std::filesystem::temp_directory_path() / "kuimen-rebuild-bench";
  int calls = 50;
  CLI::App app{"kuimen supervision board benchmark"};
  app.add_option("--dir", dir, "directory of kuimen_rebuild_bench (its store/ is read)");
  app.add_option("--calls", calls, "calls timed")->check(CLI::Range(1, 100000));
  CLI11_PARSE(app, argc, argv);

  SystemClock clock;
  EventStoreOptions options;
  options.dir = dir / "store";
  options.clock = &clock;
  auto store = OpenEventStore(options);
  Result<Catalog> catalog = LoadDefaultCatalog();
  if (!store.ok() || !catalog.ok()) {
    std::fprintf(stderr, "cannot start: %s %s\n", store.status().ToString().c_str(), catalog.status().ToString().c_str());
    return 1;
  }
  auto view = SupervisionView::Create(*catalog);
  if (!view.ok()) return 1;
  Result<GlobalPosition> through = ReplayLog(**view, **store, ReplayLimit{});
  if (!through.ok()) return 1;
  const Timestamp now = clock.Now();
  std::vector<double> board_ms, json_ms, dump_ms;
  std::size_t bytes = 0;
  for (int i = 0; i < calls; ++i) {
    const auto t0 = Stopwatch::now();
    const SupervisionBoard board = (*view)->Board(now);
    const auto t1 = Stopwatch::now();
    const nlohmann::json json = SupervisionBoardJson(board);
    const auto t2 = Stopwatch::now();
    bytes = json.dump().size();
    const auto t3 = Stopwatch::now();
    board_ms.push_back(Millis(t1 - t0));
    json_ms.push_back(Millis(t2 - t1));
    dump_ms.push_back(Millis(t3 - t2));
  }
  std::printf("%llu events, %d calls, %zu bytes of JSON\n", static_cast<unsigned long long>(through->value), calls,
              bytes);
  Print("Board (typed)", board_ms);
  Print("SupervisionBoardJson", json_ms);
  Print("dump", dump_ms);
  return 0;
}
