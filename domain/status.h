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

// An error value, or OK. Carries a human sentence and a subject: the field that
// was wrong (kInvalidArgument) or the id of the rule that refused (see
// domain/task_rules.h). Cheap to copy when OK.
class [[nodiscard]] Status {
 public:
  Status() = default;  // OK

  static Status Ok() { return Status(); }
  static Status InvalidArgument(std::string message, std::string field = {}) {
    return Status(StatusCode::kInvalidArgument, std::move(message), std::move(field));
  }
  // A wrong input that a named rule refuses (e.g. a period after the current
  // month: field "period", rule "period_in_future"); the gateway reports both.
  static Status InvalidArgument(std::string message, std::string field, std::string rule) {
    Status status(StatusCode::kInvalidArgument, std::move(message), std::move(field));
    status.rule_ = std::move(rule);
    return status;
  }
  static Status Unauthenticated(std::string message) {
    return Status(StatusCode::kUnauthenticated, std::move(message), {});
  }
  static Status PermissionDenied(std::string message, std::string rule = {}) {
    return Status(StatusCode::kPermissionDenied, std::move(message), std::move(rule));
  }
  static Status NotFound(std::string message) {
    return Status(StatusCode::kNotFound, std::move(message), {});
  }
  static Status Aborted(std::string message, std::string rule = {}) {
    return Status(StatusCode::kAborted, std::move(message), std::move(rule));
  }
  static Status FailedPrecondition(std::string message, std::string rule = {}) {
    return Status(StatusCode::kFailedPrecondition, std::move(message), std::move(rule));
  }
  // `field` names the key that was reused ("event_id").
  static Status EventIdReused(std::string message, std::string field = "event_id") {
    return Status(StatusCode::kEventIdReused, std::move(message), std::move(field));
  }
  static Status Unavailable(std::string message) {
    return Status(StatusCode::kUnavailable, std::move(message), {});
  }
  // `cause` names what ran out, e.g. kDiskFullCause.
  static Status ResourceExhausted(std::string message, std::string cause = {}) {
    return Status(StatusCode::kResourceExhausted, std::move(message), std::move(cause));
  }
  static Status DataLoss(std::string message) {
    return Status(StatusCode::kDataLoss, std::move(message), {});
  }
  static Status Internal(std::string message) {
    return Status(StatusCode::kInternal, std::move(message), {});
  }

  bool ok() const { return code_ == StatusCode::kOk; }
  StatusCode code() const { return code_; }
  const std::string& message() const { return message_; }
  // The field (for kInvalidArgument and kEventIdReused) or rule id (for refusals); may be empty.
  const std::string& subject() const { return subject_; }
  // The rule that refused a kInvalidArgument input, when one did; empty otherwise
  // (for other codes the rule is the subject).
  const std::string& rule() const { return rule_; }

  // "invalid_argument: summary: must not be empty"
  std::string ToString() const;

  // Returns a copy whose message is prefixed with `context` ("tasks[3]: ...").
  Status WithContext(const std::string& context) const;

 private:
  Status(StatusCode code, std::string message, std::string subject)
      : code_(code), message_(std::move(message)), subject_(std::move(subject)) {}

  StatusCode code_ = StatusCode::kOk;
  std::string message_;
  std::string subject_;
  std::string rule_;
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
