#pragma once

#include <nlohmann/json.hpp>

#include "domain/status.h"

namespace kuimen {

// The one mapping of status codes to HTTP: invalid_argument 400,
// unauthenticated 401, permission_denied 403, not_found 404, aborted (a stale
// expected_version) and failed_precondition (a rule the state forbids) 409,
// unavailable 503, resource_exhausted 507, data_loss and internal 500.
int HttpStatusOf(StatusCode code);
// A refusal's HTTP status: its code's in the code table (gateway/error_codes.cc)
// where the table lists one that differs from its kind's (content_type_not_json
// is an invalid argument answered 415), else its kind's.
int HttpStatusOf(const Status& status);

// The body of every error response (strings made valid UTF-8, so it always dumps):
// {"error":{"code":"required","kind":"invalid_argument","message":"整改情况不能为空",
//           "field":"data.summary"}}
// - code: the stable id (Status::error_code()), listed in gateway/error_codes.cc
//   and in openapi.json's ErrorCode enum;
// - kind: the broad class (StatusCodeName), which fixes the HTTP status;
// - message: Chinese, for the clerk: the status's own sentence for a refusal,
//   the code table's for a failure (whose English message is only logged);
// - field: the input that was wrong, as the client named it, when there is one;
// - rule: the same id as code, for a permission or state rule (403, 409).
nlohmann::json ErrorBody(const Status& status);

// The body for a refusal of the HTTP layer itself (404 for an unknown route,
// 405, 408, 413, 415, 431, 501, 503 too_many_connections, and the catch-all
// 500 "internal"): `code` from the code table, its Chinese sentence as the
// message, kind "http" (or "internal" for a 5xx). The English sentence
// of an HttpRefusal is for the log only.
// `field` names the part of the request that was wrong; empty: HttpFieldOf(code).
nlohmann::json ErrorBody(std::string_view code, std::string_view field = {});

// The part of a request an HTTP-layer refusal is about, so that every refusal
// names its field: "body" (413, 408 once the head is read), "headers" (431,
// 408 before), "Content-Encoding" (415), "method" (405, 501), "path" (404
// route, 400), "Expect" (417), "HTTP-Version" (505), "connection" (503
// too_many_connections). Empty for failures (5xx) and codes not of this layer.
std::string_view HttpFieldOf(std::string_view code);

// `json` as response text; never throws (invalid UTF-8 is replaced by U+FFFD).
std::string DumpJson(const nlohmann::json& json);
std::string DumpJson(const nlohmann::ordered_json& json);

}  // namespace kuimen
