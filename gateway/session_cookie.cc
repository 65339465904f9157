#include "gateway/session_cookie.h"

#include <string_view>

#include "gateway/session_table.h"

namespace kuimen {

namespace {

std::string_view Trim(std::string_view text) {
  while (!text.empty() && (text.front() == ' ' || text.front() == '\t')) text.remove_prefix(1);
  while (!text.empty() && (text.back() == ' ' || text.back() == '\t')) text.remove_suffix(1);
  return text;
}

std::string Attributes(bool https) {
  return std::string("; Path=/; HttpOnly; SameSite=Strict") + (https ? "; Secure" : "");
}

}  // namespace

std::optional<std::string> SessionIdFromCookie(const httplib::Request& request) {
  const std::size_t count = request.get_header_value_count("Cookie");
  for (std::size_t n = 0; n < count; ++n) {
    const std::string header = request.get_header_value("Cookie", n);
    std::string_view rest = header;
    while (!rest.empty()) {
      const std::size_t end = rest.find(';');
      const std::string_view pair = Trim(rest.substr(0, end));
      rest = end == std::string_view::npos ? std::string_view() : rest.substr(end + 1);
      const std::size_t eq = pair.find('=');
      if (eq == std::string_view::npos || Trim(pair.substr(0, eq)) != kSessionCookieName) continue;
      const std::string_view value = Trim(pair.substr(eq + 1));
      if (!value.empty()) return std::string(value);
    }
  }
  return std::nullopt;
}

std::string SessionCookie(const std::string& id, bool https) {
  const auto seconds = std::chrono::duration_cast<std::chrono::seconds>(SessionTable::kLifetime).count();
  return std::string(kSessionCookieName) + "=" + id + "; Max-Age=" + std::to_string(seconds) + Attributes(https);
}

std::string ClearedSessionCookie(bool https) {
  return std::string(kSessionCookieName) + "=; Max-Age=0" + Attributes(https);
}

Status CheckSameOrigin(const httplib::Request& request, bool https, bool required) {
  const std::string origin = request.get_header_value("Origin");
  if (origin.empty() && !required) return Status::Ok();
  const std::string expected = std::string(https ? "https://" : "http://") + request.get_header_value("Host");
  if (origin.empty() || request.get_header_value("Host").empty() || origin != expected) {
    // The refusal names the header it is about (a permission refusal takes no
    // field of its own; prefixing the empty one sets it).
    return Status::PermissionDenied("请求不是从本系统的页面发出的，已拒绝；请在督办系统页面中操作", "origin_mismatch")
        .WithFieldPrefix("Origin");
  }
  return Status::Ok();
}

}  // namespace kuimen
