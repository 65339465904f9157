#pragma once

#include <sys/wait.h>

#include <cstdio>
#include <filesystem>
#include <string>

namespace kuimen::testing {

// The built `kuimen` binary (KUIMEN_BINARY) run as a separate process, as an
// operator would run it.
struct KuimenRun {
  int exit_code = -1;
  std::string out;  // stdout, and stderr too when asked
};

// `text` as one shell word.
inline std::string ShellQuote(const std::string& text) {
  std::string quoted = "'";
  for (char c : text) quoted += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return quoted + "'";
}

// Runs the binary with `args` (already shell-quoted), in `cwd` when given, and waits for it.
inline KuimenRun RunKuimen(const std::string& args, bool with_stderr = false, const std::filesystem::path& cwd = {}) {
  KuimenRun run;
  const std::string command = (cwd.empty() ? "" : "cd " + ShellQuote(cwd.string()) + " && ") +
                              std::string(KUIMEN_BINARY) + " " + args + (with_stderr ? " 2>&1" : " 2>/dev/null");
  FILE* pipe = popen(command.c_str(), "r");
  if (pipe == nullptr) return run;
  char buffer[4096];
  std::size_t n = 0;
  while ((n = fread(buffer, 1, sizeof buffer, pipe)) > 0) run.out.append(buffer, n);
  const int status = pclose(pipe);
  run.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return run;
}

}  // namespace kuimen::testing
