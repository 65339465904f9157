#pragma once

#include <string>
#include <string_view>

// Text that came from a client, made safe to log or to put in JSON. Pure
// functions; thread-safe.
namespace kuimen {

// True when `text` is well-formed UTF-8 (no overlongs, surrogates or code
// points above U+10FFFF).
bool IsValidUtf8(std::string_view text);

// `text` with every byte that is not part of well-formed UTF-8 replaced by
// U+FFFD, so nlohmann::json can dump it.
std::string ReplaceInvalidUtf8(std::string_view text);

// `text` as one line of log: backslash doubled; C0 and C1 controls, DEL, the
// line and paragraph separators and bidi overrides escaped (\n, \r, \t,
// \x1b, \u{202e}); bytes that are not UTF-8 escaped as \xNN. Chinese and
// other printable text is kept as is. Every log line that holds something a
// client sent (path, X-Request-Id, principal ids) goes through this.
std::string EscapeForLog(std::string_view text);

// A client's X-Request-Id as it is echoed and logged: printable ASCII kept,
// everything else \xNN-escaped, at most 64 characters; empty when `text` is.
std::string SanitizeRequestId(std::string_view text);

}  // namespace kuimen
