#pragma once

#include <optional>
#include <string>

#include <httplib.h>

#include "domain/status.h"

// The sign-in session as HTTP carries it: the cookie's name and attributes,
// and the Origin check that stands in front of every state-changing request a
// cookie authorizes (the CSRF defence besides SameSite=Strict).
namespace kuimen {

inline constexpr char kSessionCookieName[] = "kuimen_session";

// The session id the request's Cookie header carries, if any.
std::optional<std::string> SessionIdFromCookie(const httplib::Request& request);

// The Set-Cookie value that signs a browser in: HttpOnly, SameSite=Strict,
// Path=/, Max-Age of SessionTable::kLifetime, and Secure when served over TLS.
std::string SessionCookie(const std::string& id, bool https);
// The Set-Cookie value that removes it (sign-out).
std::string ClearedSessionCookie(bool https);

// Ok when the request's Origin names this server (scheme and Host header);
// kPermissionDenied origin_mismatch (field "Origin") otherwise. A missing Origin passes only
// when `required` is false: browsers send Origin on every POST and DELETE, so
// a cookie-authorized write without one did not come from our page.
Status CheckSameOrigin(const httplib::Request& request, bool https, bool required);

}  // namespace kuimen
