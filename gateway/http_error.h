#pragma once

#include <nlohmann/json.hpp>

#include "domain/status.h"

namespace kuimen {

// The one mapping of status codes to HTTP: invalid_argument 400,
// unauthenticated 401, permission_denied 403, not_found 404, aborted (a stale
// expected_version) and failed_precondition (a rule the state forbids) 409,
// unavailable 503, resource_exhausted 507, data_loss and internal 500.
int HttpStatusOf(StatusCode code);

// The body of every error response (strings made valid UTF-8, so it always dumps):
// {"error":{"code":"invalid_argument","message":"…","field":"data.percent"}}.
// The subject is named "field" for invalid input and "rule" for a refusal.
// A full disk (resource_exhausted with cause "disk_full") is
// {"error":{"code":"disk_full","message":"服务器磁盘已满，…"}}.
nlohmann::json ErrorBody(const Status& status);

// An error body for a status the HTTP layer itself produces (413, 404 for an
// unknown route, 405): `code` is the JSON code, `message` the sentence.
nlohmann::json ErrorBody(std::string_view code, std::string_view message);

// `json` as response text; never throws (invalid UTF-8 is replaced by U+FFFD).
std::string DumpJson(const nlohmann::json& json);
std::string DumpJson(const nlohmann::ordered_json& json);

}  // namespace kuimen
