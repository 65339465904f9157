#pragma once

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "gateway/http_server.h"
#include "projections/kafka_options.h"
#include "projections/view_health.h"

// One function per subcommand of `kuimen`; each returns the exit code and
// writes its result to stdout, its diagnostics to stderr.
namespace kuimen {

// The plan's data files, when not the built-in ones.
struct PlanFiles {
  std::filesystem::path catalog;           // empty: the built-in Fengjie plan
  std::filesystem::path assessment_rules;  // empty: the built-in rules "fengjie-2024.2"
};

int RunCatalogCommand(const PlanFiles& catalog, const std::string& format);
int RunRulesCommand(const PlanFiles& plan);
// How `kuimen serve` offers the HTTP API.
struct ServeArgs {
  std::string listen = "127.0.0.1:8080";  // host:port
  HttpServerOptions http;                  // host and port are taken from `listen`
  bool tls_self_signed = false;            // make DIR/tls/{cert,key}.pem on first start and serve HTTPS
  bool allow_plain_http = false;           // plain HTTP on an address that is not loopback
  double scrub_hours = 6;                  // the store's checksum scrub interval; 0 = never
  std::uint64_t max_view_lag = kDefaultMaxViewLag;  // events a view may trail before writes are refused
  std::vector<std::string> webhook_allow_hosts;     // hosts a webhook may name though loopback/private (default none)
};
int RunServeCommand(const PlanFiles& catalog, const std::filesystem::path& data_dir, const KafkaOptions& kafka,
                    const ServeArgs& serve);
// One or more projectors alone, following the store another process writes.
int RunProjectCommand(const PlanFiles& catalog, const std::filesystem::path& data_dir,
                      const std::filesystem::path& views_dir, const std::vector<std::string>& views,
                      const KafkaOptions& kafka);

// A view rendered from a replay of the log, as it stood at a time or position.
struct ViewArgs {
  std::filesystem::path data_dir;
  std::string name;
  std::string as_of;                          // RFC 3339; empty = now
  std::optional<std::uint64_t> as_of_position;
  std::optional<int> year;
};
int RunViewCommand(const PlanFiles& catalog, const ViewArgs& args);
// Compares a projector's stored rows with a rebuild from the log.
int RunDigestCommand(const PlanFiles& catalog, const std::filesystem::path& data_dir,
                     const std::filesystem::path& views_dir, const std::string& name);
int RunVerifyCommand(const std::filesystem::path& data_dir);
int RunLogCommand(const std::filesystem::path& data_dir, std::uint64_t from_position);

struct SubmitArgs {
  std::filesystem::path data_dir;
  std::string stream;
  std::string principal;
  std::string role;
  std::string unit;
  std::string type;
  std::string data_json;
  std::optional<std::uint64_t> expected_version;
  std::string event_id;
};
int RunSubmitCommand(const PlanFiles& catalog, const SubmitArgs& args);

// A consistent copy of a data directory (gateway/backup.h). With no server
// running, the store is opened here; while a server holds it, the server is
// asked to take the copy (POST /api/v1/backups). Prints backup.json.
struct BackupArgs {
  std::filesystem::path data_dir;
  std::filesystem::path to;
  std::string server;                // empty: from DIR/server.json
  std::filesystem::path token_file;  // empty: DIR/admin.token
};
int RunBackupCommand(const BackupArgs& args);
// Brings a backup back into an empty or new data directory, verified.
// Copies what is intact of a damaged store into a new data directory.
int RunSalvageCommand(const std::filesystem::path& data_dir, const std::filesystem::path& to);
int RunRestoreCommand(const std::filesystem::path& backup, const std::filesystem::path& data_dir);

}  // namespace kuimen
