#pragma once

#include <string_view>

#include "eventstore/recorded_event.h"

namespace kuimen {

// SHA-256 of `data` (OpenSSL). Thread-safe.
Sha256Digest Sha256(std::string_view data);

}  // namespace kuimen
