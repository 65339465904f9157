#pragma once

namespace kuimen {

// The `kuimen` command line: parses arguments, wires the parts together, runs
// one subcommand and returns the process exit code (0 success, 1 failure,
// CLI11's codes for usage errors).
int RunCli(int argc, char** argv);

}  // namespace kuimen
