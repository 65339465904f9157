#include "gateway/cli.h"

#include <fstream>

#include <CLI/CLI.hpp>
#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>

#include "gateway/commands.h"
#include "gateway/data_layout.h"

namespace kuimen {

int RunCli(int argc, char** argv) {
  // stdout carries results (JSON, tables); logs go to stderr.
  spdlog::set_default_logger(spdlog::stderr_color_mt("kuimen"));

  CLI::App app{"kuimen (夔门督办): event-sourced supervision of the 三位一体 reform tasks"};
  app.require_subcommand(1);

  PlanFiles plan;
  auto add_plan_option = [&plan](CLI::App* command) {
    command->add_option("--catalog", plan.catalog, "plan catalog JSON file (default: the built-in Fengjie plan)")
        ->check(CLI::ExistingFile);
  };
  auto add_assessment_rules_option = [&plan](CLI::App* command) {
    command
        ->add_option("--assessment-rules", plan.assessment_rules,
                     "year-end assessment rules JSON file (default: the built-in rules)")
        ->check(CLI::ExistingFile);
  };

  std::string format = "json";
  CLI::App* catalog_cmd = app.add_subcommand("catalog", "print the plan's tasks, major items and targets");
  add_plan_option(catalog_cmd);
  catalog_cmd->add_option("--format", format, "json or table")->check(CLI::IsMember({"json", "table"}));

  KafkaOptions kafka;
  auto add_kafka_options = [&kafka](CLI::App* command) {
    command->add_option("--kafka-brokers", kafka.brokers,
                        "Kafka bootstrap servers host:port[,...] (default: the embedded in-process cluster)");
    command->add_option("--kafka-topic", kafka.topic, "topic of the event stream")->capture_default_str();
    command->add_option("--kafka-partitions", kafka.partitions, "partitions when kuimen creates the topic on a broker (the embedded cluster's has one)")
        ->capture_default_str();
    command->add_option("--kafka-group-prefix", kafka.group_prefix, "consumer group of a view: prefix + view name")
        ->capture_default_str();
    command
        ->add_option_function<std::vector<std::string>>(
            "--kafka-config",
            [&kafka](const std::vector<std::string>& settings) {
              for (const std::string& text : settings) {
                std::pair<std::string, std::string> setting;
                if (std::string problem = ParseKafkaConfig(text, setting); !problem.empty()) {
                  throw CLI::ValidationError("--kafka-config", problem);
                }
                // KEY=@FILE reads the value from a file, so a password stays
                // out of the process list.
                if (setting.second.starts_with('@')) {
                  std::ifstream file(setting.second.substr(1));
                  std::string value;
                  if (!file || !std::getline(file, value)) {
                    throw CLI::ValidationError("--kafka-config", setting.first + ": cannot read " +
                                                                     setting.second.substr(1));
                  }
                  setting.second = value;
                }
                kafka.client_config.push_back(std::move(setting));
              }
            },
            "a librdkafka setting KEY=VALUE (or KEY=@FILE: the file's first line) for every Kafka client, e.g. "
            "security.protocol=SASL_SSL (repeatable)")
        ->take_all()
        ->allow_extra_args(false);
  };

  CLI::App* rules_cmd =
      app.add_subcommand("rules", "print the year-end assessment rules as JSON, to copy and edit for --assessment-rules");
  add_assessment_rules_option(rules_cmd);

  std::filesystem::path data_dir = "data";
  CLI::App* serve_cmd =
      app.add_subcommand("serve", "run the store, the Kafka relay, the projectors and the HTTP API until SIGINT/SIGTERM");
  add_plan_option(serve_cmd);
  add_assessment_rules_option(serve_cmd);
  add_kafka_options(serve_cmd);
  serve_cmd->add_option("--data", data_dir, "data directory (created when missing)");
  ServeArgs serve;
  serve_cmd->add_option("--listen", serve.listen, "HTTP address host:port (port 0: any free port)")->capture_default_str();
  serve_cmd->add_option("--http-threads", serve.http.threads, "HTTP worker threads at most, started as requests wait (0: 32 per core, at least 64)")
      ->capture_default_str()
      ->check(CLI::Range(0, 1024));
  serve_cmd
      ->add_option("--max-connections-per-address", serve.http.max_connections_per_address,
                   "open connections one remote address may hold (more are answered 503)")
      ->capture_default_str()
      ->check(CLI::Range(1, 100000));
  serve_cmd->add_option("--max-connections", serve.http.max_connections, "open connections in all (more: 503)")
      ->capture_default_str()
      ->check(CLI::Range(16, 1000000));
  serve_cmd->add_option("--tls-cert", serve.http.tls_cert, "serve HTTPS with this PEM certificate chain")
      ->check(CLI::ExistingFile);
  serve_cmd->add_option("--tls-key", serve.http.tls_key, "the PEM private key of --tls-cert")->check(CLI::ExistingFile);
  serve_cmd->add_flag("--tls-self-signed", serve.tls_self_signed,
                      "serve HTTPS with a self-signed certificate made in DIR/tls/ on the first start (0600)");
  serve_cmd->add_flag("--allow-plain-http", serve.allow_plain_http,
                      "serve plain HTTP on an address other than loopback (behind a TLS proxy only)");
  serve_cmd
      ->add_option_function<int>(
          "--request-timeout", [&serve](int seconds) { serve.http.request_timeout = std::chrono::seconds(seconds); },
          "seconds a request's head and body may take to arrive, from its first byte (default 10)")
      ->check(CLI::Range(1, 3600));
  serve.http.static_dir = KUIMEN_DEFAULT_WEB_DIR;
  serve_cmd->add_option("--web", serve.http.static_dir, "the dashboard's static files (empty: serve no page)")
      ->capture_default_str();
  serve_cmd->add_option("--max-body", serve.http.max_body_bytes, "largest request body accepted, in bytes")
      ->capture_default_str()
      ->check(CLI::Range(1024, 64 * 1024 * 1024));
  serve_cmd
      ->add_option_function<std::uint64_t>(
          "--max-file-mb", [&serve](std::uint64_t mb) { serve.http.max_file_bytes = mb * 1024 * 1024; },
          "largest uploaded file (佐证材料) accepted, in MiB (default 20)")
      ->check(CLI::Range(1, 1024));
  serve_cmd
      ->add_option_function<std::uint64_t>(
          "--upload-quota-mb", [&serve](std::uint64_t mb) { serve.http.upload_quota.per_principal_bytes = mb << 20; },
          "MiB of uploads no event cites yet one principal may hold; more is refused 413 (default 200, 0: no limit)")
      ->check(CLI::Range(0, 1 << 20));
  serve_cmd
      ->add_option_function<std::uint64_t>(
          "--upload-daily-mb", [&serve](std::uint64_t mb) { serve.http.upload_quota.daily_bytes = mb << 20; },
          "MiB one principal may upload (new files, cited or not) in any 24 hours; more is refused 413 "
          "(default 1024, 0: no limit)")
      ->check(CLI::Range(0, 1 << 24));
  serve_cmd
      ->add_option_function<std::uint64_t>(
          "--upload-total-mb", [&serve](std::uint64_t mb) { serve.http.upload_quota.total_bytes = mb << 20; },
          "MiB of uploads no event cites yet all principals may hold; more is refused 507 (default 2048, 0: no limit)")
      ->check(CLI::Range(0, 1 << 24));
  serve_cmd
      ->add_option_function<std::uint64_t>(
          "--upload-min-free-mb", [&serve](std::uint64_t mb) { serve.http.upload_quota.min_free_bytes = mb << 20; },
          "MiB the data directory's file system keeps free: an upload that could leave less is refused 507 "
          "(default 1024)")
      ->check(CLI::Range(0, 1 << 30));
  serve_cmd
      ->add_option_function<int>(
          "--upload-idle-timeout",
          [&serve](int seconds) { serve.http.upload_idle_timeout = std::chrono::seconds(seconds); },
          "seconds an upload may send nothing before it is refused 408 (default 30; an upload is not held to "
          "--request-timeout)")
      ->check(CLI::Range(1, 3600));
  serve_cmd
      ->add_option_function<std::uint64_t>(
          "--upload-min-kib-per-second",
          [&serve](std::uint64_t kib) { serve.http.upload_min_bytes_per_second = kib * 1024; },
          "slowest average rate an upload is given time for: it must be whole within --request-timeout plus "
          "--max-file-mb at this rate (default 64)")
      ->check(CLI::Range(1, 1 << 20));
  serve_cmd->add_option("--max-view-lag", serve.max_view_lag,
                        "events a view projected here may trail the log head by; beyond it writes are refused "
                        "(503 views_behind, Retry-After) until it catches up, and /healthz says lagging")
      ->capture_default_str()
      ->check(CLI::Range(std::uint64_t{1}, std::uint64_t{100000000}));
  serve_cmd->add_option("--scrub-hours", serve.scrub_hours,
                        "check every block of the event store against its checksum at start and every this many "
                        "hours (0: never); the outcome shows in /healthz")
      ->capture_default_str()
      ->check(CLI::Range(0.0, 24.0 * 365));

  serve_cmd->add_option("--webhook-allow-host", serve.webhook_allow_hosts,
                        "a webhook host (as written in its URL, e.g. 127.0.0.1) that may be loopback, private or "
                        "link-local; repeatable. Default none: such webhook URLs are refused at registration and "
                        "at delivery (SSRF)")
      ->take_all()
      ->allow_extra_args(false);
  std::filesystem::path views_dir;
  std::vector<std::string> views = {"supervision", "assessment"};
  CLI::App* project_cmd =
      app.add_subcommand("project", "run projectors alone, fed by a Kafka broker, following the store of `serve`");
  add_plan_option(project_cmd);
  add_assessment_rules_option(project_cmd);
  add_kafka_options(project_cmd);
  project_cmd->add_option("--data", data_dir, "data directory of the serving process")->required();
  project_cmd->add_option("--views-dir", views_dir, "where this process keeps its views")->required();
  project_cmd->add_option("--view", views, "view(s) to project")->check(CLI::IsMember({"supervision", "assessment"}));

  ViewArgs view_args;
  CLI::App* view_cmd = app.add_subcommand("view", "render a view replayed from the log, now or as it stood then");
  add_plan_option(view_cmd);
  add_assessment_rules_option(view_cmd);
  view_cmd->add_option("--data", view_args.data_dir, "data directory")->required();
  view_cmd->add_option("--name", view_args.name, "supervision or assessment")
      ->required()
      ->check(CLI::IsMember({"supervision", "assessment"}));
  view_cmd->add_option("--as-of", view_args.as_of, "a past moment, RFC 3339 UTC (e.g. 2024-12-31T16:00:00Z)");
  view_cmd->add_option("--as-of-position", view_args.as_of_position, "the last log position to include");
  view_cmd->add_option("--year", view_args.year, "assessment year (default: the current one)");

  std::string digest_name;
  CLI::App* digest_cmd =
      app.add_subcommand("digest", "compare a projector's stored view with a rebuild from the log (exit 1 if different)");
  add_plan_option(digest_cmd);
  add_assessment_rules_option(digest_cmd);
  digest_cmd->add_option("--data", data_dir, "data directory")->required();
  digest_cmd->add_option("--views-dir", views_dir, "the projector's views directory (default DIR/views)");
  digest_cmd->add_option("--name", digest_name, "supervision or assessment")
      ->required()
      ->check(CLI::IsMember({"supervision", "assessment"}));

  CLI::App* verify_cmd = app.add_subcommand("verify", "check the hash chain of every stored event");
  verify_cmd->add_option("--data", data_dir, "data directory")->required();

  std::uint64_t from_position = 1;
  CLI::App* log_cmd = app.add_subcommand("log", "print stored events as JSON lines, in log order");
  log_cmd->add_option("--data", data_dir, "data directory")->required();
  log_cmd->add_option("--from", from_position, "first position to print");

  SubmitArgs submit;
  CLI::App* submit_cmd = app.add_subcommand("submit", "decide and append one event, as the given principal");
  add_plan_option(submit_cmd);
  add_assessment_rules_option(submit_cmd);
  submit_cmd->add_option("--data", submit.data_dir, "data directory")->required();
  submit_cmd->add_option("--stream", submit.stream, "stream, e.g. task-07 or major-3")->required();
  submit_cmd->add_option("--principal", submit.principal, "who acts")->required();
  submit_cmd->add_option("--role", submit.role, "taskforce, department or auditor")
      ->required()
      ->check(CLI::IsMember({"taskforce", "department", "auditor"}));
  submit_cmd->add_option("--unit", submit.unit, "the unit acted for (departments)");
  submit_cmd->add_option("--type", submit.type, "event type, e.g. ProgressReported")->required();
  submit_cmd->add_option("--json", submit.data_json, "the event's data as a JSON object")->required();
  submit_cmd->add_option("--expected-version", submit.expected_version, "the stream version you last saw");
  submit_cmd->add_option("--event-id", submit.event_id, "a UUID you choose, to make retries safe");

  BackupArgs backup;
  CLI::App* backup_cmd =
      app.add_subcommand("backup", "copy a data directory consistently, even while `serve` runs on it (ops/BACKUP.md)");
  backup_cmd->add_option("--data", backup.data_dir, "data directory")->required();
  backup_cmd->add_option("--to", backup.to, "new or empty directory for the backup")->required();
  backup_cmd->add_option("--server", backup.server,
                         "URL of the server holding the store (default: from DIR/server.json)");
  backup_cmd->add_option("--token-file", backup.token_file,
                         "file with a task-force token, for the server (default: DIR/admin.token)");

  std::filesystem::path restore_from;
  CLI::App* restore_cmd =
      app.add_subcommand("restore", "bring a backup back into a new or empty data directory, verified");
  restore_cmd->add_option("--from", restore_from, "the backup directory")->required();
  restore_cmd->add_option("--data", data_dir, "new or empty data directory (no server may be running on it)")
      ->required();

  std::filesystem::path salvage_to;
  CLI::App* salvage_cmd = app.add_subcommand(
      "salvage", "copy what is intact of a damaged store into a new data directory, saying what is lost");
  salvage_cmd->add_option("--data", data_dir, "the damaged data directory (only read; no server may run on it)")
      ->required();
  salvage_cmd->add_option("--to", salvage_to, "new or empty data directory for the salvaged copy")->required();

  CLI11_PARSE(app, argc, argv);

  if (catalog_cmd->parsed()) return RunCatalogCommand(plan, format);
  if (rules_cmd->parsed()) return RunRulesCommand(plan);
  if (serve_cmd->parsed()) return RunServeCommand(plan, data_dir, kafka, serve);
  if (project_cmd->parsed()) return RunProjectCommand(plan, data_dir, views_dir, views, kafka);
  if (view_cmd->parsed()) return RunViewCommand(plan, view_args);
  if (digest_cmd->parsed()) {
    return RunDigestCommand(plan, data_dir, views_dir.empty() ? data_layout::Views(data_dir) : views_dir, digest_name);
  }
  if (verify_cmd->parsed()) return RunVerifyCommand(data_dir);
  if (log_cmd->parsed()) return RunLogCommand(data_dir, from_position);
  if (submit_cmd->parsed()) return RunSubmitCommand(plan, submit);
  if (backup_cmd->parsed()) return RunBackupCommand(backup);
  if (restore_cmd->parsed()) return RunRestoreCommand(restore_from, data_dir);
  if (salvage_cmd->parsed()) return RunSalvageCommand(data_dir, salvage_to);
  return 1;
}

}  // namespace kuimen
