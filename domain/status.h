#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <variant>

namespace kuimen {

// The vocabulary of errors, after absl::StatusCode. Callers branch on the code;
// the gateway maps each to one HTTP status.
enum class StatusCode {
  kOk,
  kInvalidArgument,     // the input is wrong; fix it and resend (400)
  kUnauthenticated,     // no or unknown credentials (401)
  kPermissionDenied,    // known caller, not allowed (403)
  kNotFound,            // the thing named does not exist (404)
  kAborted,             // an expected version lost a race: re-read and redo (409)
  kFailedPrecondition,  // the state forbids it, e.g. a report reviewed twice (409)
  kEventIdReused,       // an idempotency key (event_id) already names another request (409)
  kUnavailable,         // try again later (503)
  kResourceExhausted,   // out of a resource such as disk space; retry once it is freed (507)
  kDataLoss,            // stored data is unreadable or does not match its hash
  kInternal,            // a bug or an unexpected failure of a dependency (500)
};

// The cause of a kResourceExhausted when the disk is full; the gateway answers
// 507 with this as the JSON error code.
inline constexpr std::string_view kDiskFullCause = "disk_full";

// Stable lower-case name of a code ("invalid_argument"), used in logs and JSON bodies.
const char* StatusCodeName(StatusCode code);

// An error value, or OK.
//
// Who reads what (domain/README.md, "Errors"):
// - `error_code()` is the stable id of the refusal: the rule that refused
//   ("report_already_reviewed"), else the problem ("required", "too_long",
//   "version_conflict", "disk_full"), else the class's name. Every id is listed,
//   with its HTTP status and a Chinese sentence, in gateway/error_codes.cc.
// - `message()` of a refusal (invalid_argument, unauthenticated,
//   permission_denied, not_found, aborted, failed_precondition,
//   event_id_reused) is Chinese, written for the clerk in the plan's terms,
//   and names no field id: the client shows it as is. Log lines name a refusal
//   by error_code() and field(), never by its message, so logs stay English.
// - `message()` of a failure (unavailable, resource_exhausted, data_loss,
//   internal) is English, for the operator's log; the client gets the code
//   table's Chinese sentence instead.
// - `field()` names the input that was wrong as the client sent it
//   ("summary"; the gateway prefixes "data."), or is empty.
// Cheap to copy when OK.
class [[nodiscard]] Status {
 public:
  Status() = default;  // OK

  static Status Ok() { return Status(); }
  // A wrong input with no more specific code (error_code() "invalid_argument").
  static Status InvalidArgument(std::string message, std::string field = {}) {
    return Status(StatusCode::kInvalidArgument, std::move(message), std::move(field), {});
  }
  // A wrong input refused for a stated reason: a field problem ("required",
  // "too_long", "out_of_range", ...) or a rule of the plan (a period after the
  // current month: field "period", reason "period_in_future").
  static Status InvalidArgument(std::string message, std::string field, std::string reason) {
    return Status(StatusCode::kInvalidArgument, std::move(message), std::move(field), std::move(reason));
  }
  static Status Unauthenticated(std::string message, std::string reason = {}) {
    return Status(StatusCode::kUnauthenticated, std::move(message), {}, std::move(reason));
  }
  static Status PermissionDenied(std::string message, std::string rule = {}) {
    return Status(StatusCode::kPermissionDenied, std::move(message), {}, std::move(rule));
  }
  static Status NotFound(std::string message, std::string reason = {}) {
    return Status(StatusCode::kNotFound, std::move(message), {}, std::move(reason));
  }
  // A stale expected_version (error_code() "version_conflict"); `field` names
  // the input that was stale ("expected_version").
  static Status Aborted(std::string message, std::string field = {}) {
    return Status(StatusCode::kAborted, std::move(message), std::move(field), {});
  }
  static Status FailedPrecondition(std::string message, std::string rule = {}) {
    return Status(StatusCode::kFailedPrecondition, std::move(message), {}, std::move(rule));
  }
  // `field` names the key that was reused ("event_id").
  static Status EventIdReused(std::string message, std::string field = "event_id") {
    return Status(StatusCode::kEventIdReused, std::move(message), std::move(field), {});
  }
  static Status Unavailable(std::string message, std::string reason = {}) {
    return Status(StatusCode::kUnavailable, std::move(message), {}, std::move(reason));
  }
  // `cause` names what ran out, e.g. kDiskFullCause.
  static Status ResourceExhausted(std::string message, std::string cause = {}) {
    return Status(StatusCode::kResourceExhausted, std::move(message), {}, std::move(cause));
  }
  static Status DataLoss(std::string message) {
    return Status(StatusCode::kDataLoss, std::move(message), {}, {});
  }
  static Status Internal(std::string message) {
    return Status(StatusCode::kInternal, std::move(message), {}, {});
  }

  bool ok() const { return code_ == StatusCode::kOk; }
  StatusCode code() const { return code_; }
  const std::string& message() const { return message_; }
  // The input that was wrong, as the client named it; may be empty.
  const std::string& field() const { return field_; }
  // The stated reason: a rule id, a field problem or a cause; may be empty.
  const std::string& reason() const { return reason_; }
  // The stable id a client branches on: reason(), or else the class's name
  // ("invalid_argument"; "version_conflict" for kAborted).
  std::string error_code() const;
  // True for the classes whose message() is the clerk's Chinese sentence.
  bool is_refusal() const;
  // The field when there is one, else the reason; may be empty.
  const std::string& subject() const { return field_.empty() ? reason_ : field_; }
  // The reason of a kInvalidArgument that a rule refused; kept for older callers.
  const std::string& rule() const { return reason_; }

  // "invalid_argument required summary: 进展情况不能为空" (for tests and tools;
  // log lines of refusals print error_code() and field() only).
  std::string ToString() const;

  // Returns a copy whose message is prefixed with `context` ("tasks[3]: ...").
  Status WithContext(const std::string& context) const;
  // Returns a copy whose field is `prefix` + field() ("data." + "summary").
  Status WithFieldPrefix(const std::string& prefix) const;

 private:
  Status(StatusCode code, std::string message, std::string field, std::string reason)
      : code_(code), message_(std::move(message)), field_(std::move(field)), reason_(std::move(reason)) {}

  StatusCode code_ = StatusCode::kOk;
  std::string message_;
  std::string field_;
  std::string reason_;
};

// A value or an error, after absl::StatusOr. Constructing from an OK Status is a bug.
template <typename T>
class [[nodiscard]] Result {
 public:
  Result(T value) : state_(std::move(value)) {}            // NOLINT: implicit by design
  Result(Status status) : state_(std::move(status)) {}     // NOLINT: implicit by design

  bool ok() const { return std::holds_alternative<T>(state_); }
  // The error, or OK when a value is held.
  Status status() const { return ok() ? Status::Ok() : std::get<Status>(state_); }

  // Precondition: ok().
  T& value() & { return std::get<T>(state_); }
  const T& value() const& { return std::get<T>(state_); }
  T&& value() && { return std::get<T>(std::move(state_)); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }

 private:
  std::variant<T, Status> state_;
};

}  // namespace kuimen

#define KUIMEN_CONCAT_INNER(a, b) a##b
#define KUIMEN_CONCAT(a, b) KUIMEN_CONCAT_INNER(a, b)

// Returns the Status of `expr` from the enclosing function unless it is OK.
#define RETURN_IF_ERROR(expr)                  \
  do {                                         \
    ::kuimen::Status status_macro_ = (expr);   \
    if (!status_macro_.ok()) return status_macro_; \
  } while (false)

// `ASSIGN_OR_RETURN(auto x, F());` declares x from F()'s value or returns its error.
#define ASSIGN_OR_RETURN(lhs, expr) \
  ASSIGN_OR_RETURN_IMPL(KUIMEN_CONCAT(result_macro_, __LINE__), lhs, expr)
#define ASSIGN_OR_RETURN_IMPL(tmp, lhs, expr) \
  auto tmp = (expr);                          \
  if (!tmp.ok()) return tmp.status();         \
  lhs = std::move(tmp).value()
