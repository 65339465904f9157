#pragma once

#include <string>
#include <string_view>

namespace kuimen {

// Text someone else wrote (a client's query parameter, a stored record's
// type) quoted for a Status message: in double quotes, with bytes that are not
// UTF-8, control characters, '"' and '\' written as \xHH, and cut after 64
// characters ("…"). Messages end up in JSON bodies and log lines, which must
// be valid UTF-8 and one line each, whatever the text held.
std::string QuoteForMessage(std::string_view text);

}  // namespace kuimen
