#include "gateway/cli.h"

#include <CLI/CLI.hpp>
#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>

#include "gateway/commands.h"

namespace kuimen {

int RunCli(int argc, char** argv) {
  // stdout carries results (JSON, tables); logs go to stderr.
  spdlog::set_default_logger(spdlog::stderr_color_mt("kuimen"));

  CLI::App app{"kuimen (夔门督办): event-sourced supervision of the 三位一体 reform tasks"};
  app.require_subcommand(1);

  CatalogChoice catalog;
  auto add_catalog_option = [&catalog](CLI::App* command) {
    command->add_option("--catalog", catalog.file, "plan catalog JSON file (default: the built-in Fengjie plan)")
        ->check(CLI::ExistingFile);
  };

  std::string format = "json";
  CLI::App* catalog_cmd = app.add_subcommand("catalog", "print the plan's tasks, major items and targets");
  add_catalog_option(catalog_cmd);
  catalog_cmd->add_option("--format", format, "json or table")->check(CLI::IsMember({"json", "table"}));

  std::filesystem::path data_dir = "data";
  CLI::App* serve_cmd = app.add_subcommand("serve", "open the store and run the service until SIGINT/SIGTERM");
  add_catalog_option(serve_cmd);
  serve_cmd->add_option("--data", data_dir, "data directory (created when missing)");

  CLI::App* verify_cmd = app.add_subcommand("verify", "check the hash chain of every stored event");
  verify_cmd->add_option("--data", data_dir, "data directory")->required();

  std::uint64_t from_position = 1;
  CLI::App* log_cmd = app.add_subcommand("log", "print stored events as JSON lines, in log order");
  log_cmd->add_option("--data", data_dir, "data directory")->required();
  log_cmd->add_option("--from", from_position, "first position to print");

  SubmitArgs submit;
  CLI::App* submit_cmd = app.add_subcommand("submit", "decide and append one event, as the given principal");
  add_catalog_option(submit_cmd);
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

  CLI11_PARSE(app, argc, argv);

  if (catalog_cmd->parsed()) return RunCatalogCommand(catalog, format);
  if (serve_cmd->parsed()) return RunServeCommand(catalog, data_dir);
  if (verify_cmd->parsed()) return RunVerifyCommand(data_dir);
  if (log_cmd->parsed()) return RunLogCommand(data_dir, from_position);
  if (submit_cmd->parsed()) return RunSubmitCommand(catalog, submit);
  return 1;
}

}  // namespace kuimen
