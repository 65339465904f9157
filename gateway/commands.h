#pragma once

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>

// One function per subcommand of `kuimen`; each returns the exit code and
// writes its result to stdout, its diagnostics to stderr.
namespace kuimen {

struct CatalogChoice {
  std::filesystem::path file;  // empty: the built-in Fengjie plan
};

int RunCatalogCommand(const CatalogChoice& catalog, const std::string& format);
int RunServeCommand(const CatalogChoice& catalog, const std::filesystem::path& data_dir);
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
int RunSubmitCommand(const CatalogChoice& catalog, const SubmitArgs& args);

}  // namespace kuimen
