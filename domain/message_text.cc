#include "domain/message_text.h"

#include <cstdio>

namespace kuimen {

namespace {

// Length of the well-formed UTF-8 sequence at the start of `text` (RFC 3629:
// no overlong forms, no surrogates, nothing above U+10FFFF), or 0. As strict
// as nlohmann::json's check, which throws on anything this lets through.
size_t Utf8SequenceLength(std::string_view text) {
  auto continuation = [&text](size_t i, unsigned char low = 0x80, unsigned char high = 0xBF) {
    return i < text.size() && static_cast<unsigned char>(text[i]) >= low && static_cast<unsigned char>(text[i]) <= high;
  };
  const unsigned char lead = static_cast<unsigned char>(text[0]);
  if (lead < 0x80) return 1;
  if (lead >= 0xC2 && lead <= 0xDF) return continuation(1) ? 2 : 0;
  if (lead == 0xE0) return continuation(1, 0xA0) && continuation(2) ? 3 : 0;
  if (lead == 0xED) return continuation(1, 0x80, 0x9F) && continuation(2) ? 3 : 0;
  if (lead >= 0xE1 && lead <= 0xEF) return continuation(1) && continuation(2) ? 3 : 0;
  if (lead == 0xF0) return continuation(1, 0x90) && continuation(2) && continuation(3) ? 4 : 0;
  if (lead >= 0xF1 && lead <= 0xF3) return continuation(1) && continuation(2) && continuation(3) ? 4 : 0;
  if (lead == 0xF4) return continuation(1, 0x80, 0x8F) && continuation(2) && continuation(3) ? 4 : 0;
  return 0;
}

}  // namespace

std::string QuoteForMessage(std::string_view text) {
  constexpr size_t kMaxChars = 64;
  std::string quoted = "\"";
  size_t chars = 0;
  for (size_t i = 0; i < text.size(); ++chars) {
    if (chars == kMaxChars) {
      quoted += "…";
      break;
    }
    const unsigned char c = static_cast<unsigned char>(text[i]);
    const size_t length = Utf8SequenceLength(text.substr(i));
    if (length == 0 || c < 0x20 || c == 0x7F || c == '"' || c == '\\') {
      char escaped[8];
      std::snprintf(escaped, sizeof escaped, "\\x%02X", c);
      quoted += escaped;
      i += 1;
    } else {
      quoted.append(text.substr(i, length));
      i += length;
    }
  }
  return quoted + "\"";
}

}  // namespace kuimen
