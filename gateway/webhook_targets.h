#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "domain/status.h"

namespace kuimen {

// Where a webhook may point (SSRF defence). A webhook URL is typed by the
// task force but fetched by the server, from inside the county's network, and
// its outcome shows in the delivery log: without these checks it would be a
// port scanner of the internal network. So a URL may not carry user:password,
// and its host may not be (or, at delivery, resolve to) a loopback,
// private, link-local, unique-local, unspecified, multicast or reserved
// address, unless the operator names that host with `kuimen serve
// --webhook-allow-host HOST` (the tests' receiver on 127.0.0.1).

// An http(s) URL taken apart; the host lower-case, without IPv6 brackets or a
// trailing dot.
struct WebhookUrlParts {
  std::string scheme;    // "http" or "https"
  std::string userinfo;  // "user:password" before '@'; refused, never shown
  std::string host;      // "oapi.dingtalk.com", "10.0.0.5", "::1"
  int port = 0;          // the explicit port or the scheme's default
  std::string path;      // "/robot/send?access_token=…", at least "/"
};
// kInvalidArgument (field "url") when it is not http(s)://host[:port][/path].
Result<WebhookUrlParts> ParseWebhookUrl(std::string_view url);

// The URL as it may be shown (GET /api/v1/webhooks): userinfo dropped.
std::string WithoutUserinfo(std::string_view url);

// What kind of address a host or a resolved address is.
enum class AddressKind { kPublic, kLoopback, kPrivate, kLinkLocal, kUnspecified, kMulticast, kReserved };
std::string_view AddressKindName(AddressKind kind);  // "loopback", "private", ...

// The kind of a host as written, without DNS: an IPv4 literal in any form the
// resolver accepts ("127.1", "2130706433", "0x7f.0.0.1"), an IPv6 literal
// (IPv4-mapped ones by their IPv4 address), or "localhost"/"*.localhost"
// (loopback). Any other name is kPublic here; delivery resolves and checks it.
AddressKind HostKind(std::string_view host);

// Whether the operator allowed this host by name (exact, case-insensitive).
bool HostAllowed(std::string_view host, const std::vector<std::string>& allow_hosts);

// The registration check (PUT /api/v1/units/{unit}/webhook): kInvalidArgument
// field "url", code "webhook_userinfo" when the URL carries user:password,
// "webhook_host_forbidden" when its host as written is not public and not
// allowed. A name is not resolved here: the address it resolves to is checked
// at every delivery (ResolveWebhookHost).
Status CheckWebhookTarget(std::string_view url, const std::vector<std::string>& allow_hosts);

// The delivery-time check: resolves `host` and returns one public address
// (text, "93.184.216.34" or "2001:db8::1") to connect to, and only to it, so a
// second resolution (DNS rebinding) cannot switch the target. An allowed host
// resolves to its first address whatever its kind. kFailedPrecondition (reason
// "address_refused", message naming the kind) when every address is refused;
// kUnavailable when the name does not resolve (retried like a failed send).
Result<std::string> ResolveWebhookHost(const std::string& host, const std::vector<std::string>& allow_hosts);

}  // namespace kuimen
