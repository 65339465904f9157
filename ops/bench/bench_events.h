#pragma once
// What the write benchmarks share, so kuimen's store and the PostgreSQL peer
// write the same events: the ~300-byte payload, the 34 stream names, latency
// percentiles and the one-line machine-readable result that ops/bench/run parses.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <string>
#include <vector>

#include "domain/supervised_item.h"
#include "eventstore/event_codec.h"

namespace kuimen::bench {

// A typical department report, about 300 bytes of canonical JSON.
inline std::string SamplePayload() {
  ProgressReported report;
  report.period = std::chrono::year(2024) / std::chrono::November;
  report.summary = "本月新增农业生产托管服务面积1.2万亩次，组织农机作业队3支，开展农技培训2场。";
  report.percent = 35;
  report.indicators = {{"农业生产社会化服务规模", 1.2, "万亩次"}};
  report.evidence = {{"托管服务台账", "https://intranet.example/fj/t7/2024-11.xlsx"}};
  return EncodeEvent(report).data;
}

// The plan's 34 streams: the 29 key tasks, then the 5 major items.
inline std::vector<std::string> PlanStreams() {
  std::vector<std::string> streams;
  for (std::uint64_t no = 1; no <= 29; ++no) streams.push_back(TaskStream(TaskNo(no)).value);
  for (std::uint64_t no = 1; no <= 5; ++no) streams.push_back(MajorStream(MajorNo(no)).value);
  return streams;
}

inline double Percentile(const std::vector<double>& sorted, int pct) {
  if (sorted.empty()) return 0;
  return sorted[std::min(sorted.size() - 1, sorted.size() * pct / 100)];
}

// One line, "BENCH {json}", for ops/bench/run; everything else a bench prints is for people.
inline void PrintResult(const char* bench, int writers, int batch, std::uint64_t events, double seconds,
                        std::vector<double> latencies_ms) {
  std::sort(latencies_ms.begin(), latencies_ms.end());
  std::printf("BENCH {\"bench\":\"%s\",\"writers\":%d,\"batch\":%d,\"events\":%llu,\"seconds\":%.3f,"
              "\"events_per_s\":%.0f,\"p50_ms\":%.3f,\"p99_ms\":%.3f}\n",
              bench, writers, batch, static_cast<unsigned long long>(events), seconds, events / seconds,
              Percentile(latencies_ms, 50), Percentile(latencies_ms, 99));
  std::fflush(stdout);
}

}  // namespace kuimen::bench
