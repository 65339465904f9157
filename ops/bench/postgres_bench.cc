// The PostgreSQL peer of kuimen_store_bench: the common event-store design,
//   events(position bigserial primary key, stream text, version int, type text,
//          data jsonb, recorded_at timestamptz, unique(stream, version))
// written through libpq by N client threads, each with its own connection, the
// same ~300-byte events over the plan's 34 streams, 1 or B events per
// transaction (one multi-row INSERT). Per-stream version counters keep
// unique(stream, version) true. Prints people's line and a "BENCH {json}" line.
// A benchmark, not a test: ops/bench/run starts the server and runs it.
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <thread>
#include <vector>

#include <CLI/CLI.hpp>
#include <libpq-fe.h>

#include "ops/bench/bench_events.h"

using Stopwatch = std::chrono::steady_clock;

namespace {

double Seconds(Stopwatch::duration d) { return std::chrono::duration<double>(d).count(); }

[[noreturn]] void Die(const std::string& what, PGconn* conn) {
  std::fprintf(stderr, "postgres_bench: %s: %s\n", what.c_str(), conn ? PQerrorMessage(conn) : "");
  std::exit(1);
}

PGconn* Connect(const std::string& conninfo) {
  PGconn* conn = PQconnectdb(conninfo.c_str());
  if (PQstatus(conn) != CONNECTION_OK) Die("connect", conn);
  return conn;
}

void Exec(PGconn* conn, const char* sql) {
  PGresult* r = PQexec(conn, sql);
  if (PQresultStatus(r) != PGRES_COMMAND_OK) Die(sql, conn);
  PQclear(r);
}

// INSERT … VALUES ($1,$3,$2,$4::jsonb,now()),($1,$5,$2,$6::jsonb,now()),…
// $1 stream, $2 type, then (version, data) per row.
std::string InsertSql(int batch) {
  std::string sql = "INSERT INTO events (stream, version, type, data, recorded_at) VALUES ";
  for (int b = 0; b < batch; ++b) {
    if (b > 0) sql += ",";
    sql += "($1,$" + std::to_string(3 + 2 * b) + "::int,$2,$" + std::to_string(4 + 2 * b) + "::jsonb,now())";
  }
  return sql;
}

}  // namespace

int main(int argc, char** argv) {
  std::string conninfo = "host=127.0.0.1 dbname=postgres";
  int clients = 64;
  int events_per_client = 3000;
  int batch = 1;
  bool fresh = false;
  CLI::App app{"PostgreSQL events-table peer of kuimen_store_bench"};
  app.add_option("--conninfo", conninfo, "libpq connection string");
  app.add_option("--clients", clients, "concurrent clients, one connection each");
  app.add_option("--events", events_per_client, "events each client inserts");
  app.add_option("--batch", batch, "events per transaction (one multi-row INSERT)");
  app.add_flag("--fresh", fresh, "drop and create the events table first");
  CLI11_PARSE(app, argc, argv);
  if (clients < 1 || batch < 1 || events_per_client < batch) {
    std::fprintf(stderr, "postgres_bench: need clients >= 1, batch >= 1, events >= batch\n");
    return 2;
  }

  PGconn* admin = Connect(conninfo);
  if (fresh) {
    Exec(admin, "DROP TABLE IF EXISTS events");
    Exec(admin,
         "CREATE TABLE events (position bigserial PRIMARY KEY, stream text NOT NULL, version int NOT NULL, "
         "type text NOT NULL, data jsonb NOT NULL, recorded_at timestamptz NOT NULL, UNIQUE (stream, version))");
  }
  // Versions continue from what the table holds, so repeated runs on one table stay unique.
  const std::vector<std::string> streams = kuimen::bench::PlanStreams();
  std::vector<std::atomic<int>> versions(streams.size());
  PGresult* heads = PQexec(admin, "SELECT stream, max(version) FROM events GROUP BY stream");
  if (PQresultStatus(heads) != PGRES_TUPLES_OK) Die("read stream heads", admin);
  for (int row = 0; row < PQntuples(heads); ++row) {
    for (std::size_t s = 0; s < streams.size(); ++s) {
      if (streams[s] == PQgetvalue(heads, row, 0)) versions[s] = std::atoi(PQgetvalue(heads, row, 1));
    }
  }
  PQclear(heads);
  PQfinish(admin);

  const std::string payload = kuimen::bench::SamplePayload();
  const std::string sql = InsertSql(batch);
  std::vector<PGconn*> conns;
  for (int c = 0; c < clients; ++c) {
    PGconn* conn = Connect(conninfo);
    PGresult* prepared = PQprepare(conn, "append", sql.c_str(), 0, nullptr);
    if (PQresultStatus(prepared) != PGRES_COMMAND_OK) Die("prepare", conn);
    PQclear(prepared);
    conns.push_back(conn);
  }

  std::vector<std::vector<double>> latencies(clients);
  std::atomic<bool> go{false};
  std::vector<std::thread> threads;
  for (int c = 0; c < clients; ++c) {
    threads.emplace_back([&, c] {
      PGconn* conn = conns[c];
      std::vector<std::string> values(2 + 2 * batch);
      std::vector<const char*> params(values.size());
      values[1] = "ProgressReported";
      latencies[c].reserve(events_per_client / batch);
      while (!go.load(std::memory_order_acquire)) std::this_thread::yield();
      for (int i = 0; i + batch <= events_per_client; i += batch) {
        const std::size_t s = (c + i / batch) % streams.size();
        const int first = versions[s].fetch_add(batch) + 1;
        values[0] = streams[s];
        for (int b = 0; b < batch; ++b) {
          values[2 + 2 * b] = std::to_string(first + b);
          values[3 + 2 * b] = payload;
        }
        for (std::size_t p = 0; p < values.size(); ++p) params[p] = values[p].c_str();
        const auto start = Stopwatch::now();
        PGresult* r = PQexecPrepared(conn, "append", static_cast<int>(params.size()), params.data(), nullptr,
                                     nullptr, 0);
        if (PQresultStatus(r) != PGRES_COMMAND_OK) Die("insert", conn);
        PQclear(r);
        latencies[c].push_back(Seconds(Stopwatch::now() - start) * 1000);
      }
    });
  }
  const auto start = Stopwatch::now();
  go.store(true, std::memory_order_release);
  for (std::thread& t : threads) t.join();
  const double seconds = Seconds(Stopwatch::now() - start);
  for (PGconn* conn : conns) PQfinish(conn);

  std::vector<double> all;
  for (const auto& l : latencies) all.insert(all.end(), l.begin(), l.end());
  const std::uint64_t events = static_cast<std::uint64_t>(all.size()) * batch;
  std::sort(all.begin(), all.end());
  std::printf("postgres %d clients x %d events (batch %d): %llu events in %.2f s = %.0f events/s; "
              "transaction latency p50 %.2f ms p99 %.2f ms\n",
              clients, events_per_client, batch, static_cast<unsigned long long>(events), seconds, events / seconds,
              kuimen::bench::Percentile(all, 50), kuimen::bench::Percentile(all, 99));
  kuimen::bench::PrintResult("postgres", clients, batch, events, seconds, std::move(all));
  return 0;
}
