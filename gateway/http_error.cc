#include "gateway/http_error.h"

#include <utility>

#include "gateway/error_codes.h"
#include "gateway/text_safety.h"

namespace kuimen {

int HttpStatusOf(StatusCode code) {
  switch (code) {
    case StatusCode::kOk: return 200;
    case StatusCode::kInvalidArgument: return 400;
    case StatusCode::kUnauthenticated: return 401;
    case StatusCode::kPermissionDenied: return 403;
    case StatusCode::kNotFound: return 404;
    case StatusCode::kAborted: return 409;
    case StatusCode::kFailedPrecondition: return 409;
    case StatusCode::kEventIdReused: return 409;
    case StatusCode::kUnavailable: return 503;
    case StatusCode::kResourceExhausted: return 507;
    case StatusCode::kDataLoss: return 500;
    case StatusCode::kInternal: return 500;
  }
  return 500;
}

int HttpStatusOf(const Status& status) {
  if (const ErrorCodeEntry* entry = FindErrorCode(status.error_code()); entry != nullptr) return entry->http_status;
  return HttpStatusOf(status.code());
}

nlohmann::json ErrorBody(const Status& status) {
  const std::string code = status.error_code();
  const ErrorCodeEntry* entry = FindErrorCode(code);
  // A refusal's message is the clerk's sentence; a failure's is for the log,
  // and the client gets the table's sentence instead (domain/status.h).
  std::string message;
  if (status.is_refusal() && !status.message().empty()) {
    message = status.message();
  } else if (entry != nullptr) {
    message = entry->message;
  } else {
    message = FindErrorCode(StatusCodeName(status.code())) != nullptr
                  ? std::string(FindErrorCode(StatusCodeName(status.code()))->message)
                  : std::string(FindErrorCode("internal")->message);
  }
  // A message or field may quote what the client sent: made valid UTF-8 here,
  // so dumping the body can never throw.
  nlohmann::json error = {{"code", ReplaceInvalidUtf8(code)},
                          {"kind", StatusCodeName(status.code())},
                          {"message", ReplaceInvalidUtf8(message)}};
  if (!status.field().empty()) error["field"] = ReplaceInvalidUtf8(status.field());
  const bool by_rule = status.code() == StatusCode::kPermissionDenied ||
                       status.code() == StatusCode::kFailedPrecondition;
  if (by_rule && !status.reason().empty()) error["rule"] = ReplaceInvalidUtf8(status.reason());
  return {{"error", std::move(error)}};
}

std::string_view HttpFieldOf(std::string_view code) {
  static constexpr std::pair<std::string_view, std::string_view> kFields[] = {
      {"payload_too_large", "body"},          {"request_timeout", "body"},
      {"headers_too_large", "headers"},       {"too_many_headers", "headers"},
      {"unsupported_media_type", "Content-Encoding"},
      {"method_not_allowed", "method"},       {"not_implemented", "method"},
      {"route_not_found", "path"},            {"bad_request", "request"},
      {"expectation_failed", "Expect"},       {"http_version_not_supported", "HTTP-Version"},
      {"too_many_connections", "connection"},
  };
  for (const auto& [known, field] : kFields) {
    if (known == code) return field;
  }
  return {};
}

nlohmann::json ErrorBody(std::string_view code, std::string_view field) {
  const ErrorCodeEntry* entry = FindErrorCode(code);
  if (entry == nullptr) entry = FindErrorCode("internal");
  nlohmann::json error = {{"code", ReplaceInvalidUtf8(code)},
                          {"kind", entry->http_status >= 500 ? StatusCodeName(StatusCode::kInternal) : "http"},
                          {"message", std::string(entry->message)}};
  if (field.empty()) field = HttpFieldOf(code);
  if (!field.empty()) error["field"] = ReplaceInvalidUtf8(field);
  return {{"error", std::move(error)}};
}

std::string DumpJson(const nlohmann::json& json) {
  return json.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

std::string DumpJson(const nlohmann::ordered_json& json) {
  return json.dump(-1, ' ', false, nlohmann::ordered_json::error_handler_t::replace);
}

}  // namespace kuimen
