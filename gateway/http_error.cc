#include "gateway/http_error.h"

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

nlohmann::json ErrorBody(const Status& status) {
  if (status.code() == StatusCode::kResourceExhausted && status.subject() == kDiskFullCause) {
    // A clerk sees this; the technical cause is in the store's log line.
    return ErrorBody(kDiskFullCause, "服务器磁盘已满，本次报送未保存，请稍后重试或联系管理员");
  }
  // A message or field may quote what the client sent (a path segment, a
  // JSON parser's "last read" bytes): made valid UTF-8 here, so dumping the
  // body can never throw.
  nlohmann::json error = {{"code", StatusCodeName(status.code())}, {"message", ReplaceInvalidUtf8(status.message())}};
  if (!status.subject().empty()) {
    const bool names_field =
        status.code() == StatusCode::kInvalidArgument || status.code() == StatusCode::kEventIdReused;
    error[names_field ? "field" : "rule"] = ReplaceInvalidUtf8(status.subject());
  }
  if (!status.rule().empty()) error["rule"] = ReplaceInvalidUtf8(status.rule());
  return {{"error", std::move(error)}};
}

nlohmann::json ErrorBody(std::string_view code, std::string_view message) {
  return {{"error", {{"code", ReplaceInvalidUtf8(code)}, {"message", ReplaceInvalidUtf8(message)}}}};
}

std::string DumpJson(const nlohmann::json& json) {
  return json.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

std::string DumpJson(const nlohmann::ordered_json& json) {
  return json.dump(-1, ' ', false, nlohmann::ordered_json::error_handler_t::replace);
}

}  // namespace kuimen
