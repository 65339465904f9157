#include "gateway/http_error.h"

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
  nlohmann::json error = {{"code", StatusCodeName(status.code())}, {"message", status.message()}};
  if (!status.subject().empty()) {
    error[status.code() == StatusCode::kInvalidArgument ? "field" : "rule"] = status.subject();
  }
  return {{"error", std::move(error)}};
}

nlohmann::json ErrorBody(std::string_view code, std::string_view message) {
  return {{"error", {{"code", code}, {"message", message}}}};
}

}  // namespace kuimen
