#pragma once

#include <span>
#include <string_view>

namespace kuimen {

// One stable error code a client may receive in {"error":{"code": …}}: every
// refusal and failure the service answers with, from the domain's rules to the
// HTTP layer's limits. The table is the one list: gateway/openapi.json's
// `ErrorCode` enum must list the same codes (tests/gateway/error_codes_test.cc).
struct ErrorCodeEntry {
  std::string_view code;     // "report_already_reviewed"
  int http_status;           // the one status the code is answered with
  // For the clerk, in Chinese: the body's message when the status carries no
  // clerk's sentence of its own (failures, whose message is for the log, and
  // the HTTP layer's refusals).
  std::string_view message;
  std::string_view meaning;  // for developers, in English (openapi.json)
};

// Every code, in the order openapi.json lists them.
std::span<const ErrorCodeEntry> ErrorCodes();

// The entry of `code`, or nullptr when the table has none (a bug: the test
// above catches it).
const ErrorCodeEntry* FindErrorCode(std::string_view code);

}  // namespace kuimen
