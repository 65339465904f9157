#include "domain/status.h"

namespace kuimen {

const char* StatusCodeName(StatusCode code) {
  switch (code) {
    case StatusCode::kOk: return "ok";
    case StatusCode::kInvalidArgument: return "invalid_argument";
    case StatusCode::kUnauthenticated: return "unauthenticated";
    case StatusCode::kPermissionDenied: return "permission_denied";
    case StatusCode::kNotFound: return "not_found";
    case StatusCode::kAborted: return "aborted";
    case StatusCode::kFailedPrecondition: return "failed_precondition";
    case StatusCode::kEventIdReused: return "event_id_reused";
    case StatusCode::kUnavailable: return "unavailable";
    case StatusCode::kResourceExhausted: return "resource_exhausted";
    case StatusCode::kDataLoss: return "data_loss";
    case StatusCode::kInternal: return "internal";
  }
  return "unknown";
}

std::string Status::error_code() const {
  if (!reason_.empty()) return reason_;
  if (code_ == StatusCode::kAborted) return "version_conflict";
  return StatusCodeName(code_);
}

bool Status::is_refusal() const {
  switch (code_) {
    case StatusCode::kInvalidArgument:
    case StatusCode::kUnauthenticated:
    case StatusCode::kPermissionDenied:
    case StatusCode::kNotFound:
    case StatusCode::kAborted:
    case StatusCode::kFailedPrecondition:
    case StatusCode::kEventIdReused:
      return true;
    case StatusCode::kOk:
    case StatusCode::kUnavailable:
    case StatusCode::kResourceExhausted:
    case StatusCode::kDataLoss:
    case StatusCode::kInternal:
      return false;
  }
  return false;
}

std::string Status::ToString() const {
  if (ok()) return "ok";
  std::string out = StatusCodeName(code_);
  if (error_code() != out) out += " " + error_code();
  if (!field_.empty()) out += " " + field_;
  return out + ": " + message_;
}

Status Status::WithContext(const std::string& context) const {
  if (ok()) return *this;
  return Status(code_, context + ": " + message_, field_, reason_);
}

Status Status::WithFieldPrefix(const std::string& prefix) const {
  if (ok()) return *this;
  return Status(code_, message_, prefix + field_, reason_);
}

}  // namespace kuimen
