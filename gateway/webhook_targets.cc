#include "gateway/webhook_targets.h"

#include <arpa/inet.h>
#include <netdb.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <cstdint>
#include <memory>
#include <optional>

namespace kuimen {

namespace {

Status BadUrl(std::string message) { return Status::InvalidArgument(std::move(message), "url", "invalid_format"); }

std::string Lower(std::string_view text) {
  std::string out(text);
  std::transform(out.begin(), out.end(), out.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return out;
}

bool InPrefix(std::uint32_t address, std::uint32_t network, int bits) {
  const std::uint32_t mask = bits == 0 ? 0 : ~std::uint32_t{0} << (32 - bits);
  return (address & mask) == (network & mask);
}

// `address` in host byte order.
AddressKind V4Kind(std::uint32_t address) {
  if (address == 0) return AddressKind::kUnspecified;
  if (InPrefix(address, 0x7F000000, 8)) return AddressKind::kLoopback;           // 127/8
  if (InPrefix(address, 0x0A000000, 8) || InPrefix(address, 0xAC100000, 12) ||  // 10/8, 172.16/12
      InPrefix(address, 0xC0A80000, 16) || InPrefix(address, 0x64400000, 10)) {  // 192.168/16, 100.64/10 (CGNAT)
    return AddressKind::kPrivate;
  }
  if (InPrefix(address, 0xA9FE0000, 16)) return AddressKind::kLinkLocal;  // 169.254/16 (cloud metadata)
  if (InPrefix(address, 0xE0000000, 4) || address == 0xFFFFFFFF) return AddressKind::kMulticast;  // and broadcast
  if (InPrefix(address, 0x00000000, 8) || InPrefix(address, 0xF0000000, 4) ||  // "this network", 240/4
      InPrefix(address, 0xC0000000, 24) || InPrefix(address, 0xC0000200, 24) ||  // 192.0.0/24, 192.0.2/24
      InPrefix(address, 0xC6120000, 15) || InPrefix(address, 0xC6336400, 24) ||  // 198.18/15, 198.51.100/24
      InPrefix(address, 0xCB007100, 24)) {                                        // 203.0.113/24
    return AddressKind::kReserved;
  }
  return AddressKind::kPublic;
}

AddressKind V6Kind(const std::array<unsigned char, 16>& a) {
  const auto zeros = [&](int from, int to) { return std::all_of(a.begin() + from, a.begin() + to, [](unsigned char b) { return b == 0; }); };
  const auto embedded_v4 = [&] {
    return V4Kind((std::uint32_t{a[12]} << 24) | (std::uint32_t{a[13]} << 16) | (std::uint32_t{a[14]} << 8) | a[15]);
  };
  if (zeros(0, 16)) return AddressKind::kUnspecified;
  if (zeros(0, 15) && a[15] == 1) return AddressKind::kLoopback;
  if (zeros(0, 10) && a[10] == 0xFF && a[11] == 0xFF) return embedded_v4();  // ::ffff:a.b.c.d
  if (zeros(0, 12)) return embedded_v4();                                      // ::a.b.c.d (deprecated)
  if (a[0] == 0x00 && a[1] == 0x64 && a[2] == 0xFF && a[3] == 0x9B && zeros(4, 12)) return embedded_v4();  // NAT64
  if (zeros(0, 8) && a[8] == 0xFF && a[9] == 0xFF && zeros(10, 12)) return embedded_v4();  // ::ffff:0:a.b.c.d (SIIT)
  if (a[0] == 0x20 && a[1] == 0x02) {  // 2002::/16, 6to4: the IPv4 address is in bytes 2..5
    return V4Kind((std::uint32_t{a[2]} << 24) | (std::uint32_t{a[3]} << 16) | (std::uint32_t{a[4]} << 8) | a[5]);
  }
  if (a[0] == 0x20 && a[1] == 0x01 && a[2] == 0x00 && a[3] == 0x00) return AddressKind::kReserved;  // Teredo
  if (a[0] == 0xFE && (a[1] & 0xC0) == 0x80) return AddressKind::kLinkLocal;  // fe80::/10
  if (a[0] == 0xFE && (a[1] & 0xC0) == 0xC0) return AddressKind::kReserved;   // fec0::/10 (site-local)
  if ((a[0] & 0xFE) == 0xFC) return AddressKind::kPrivate;                   // fc00::/7
  if (a[0] == 0xFF) return AddressKind::kMulticast;                           // ff00::/8
  if (a[0] == 0x20 && a[1] == 0x01 && a[2] == 0x0D && a[3] == 0xB8) return AddressKind::kReserved;  // 2001:db8::/32
  return AddressKind::kPublic;
}

AddressKind SockaddrKind(const sockaddr* address) {
  if (address->sa_family == AF_INET) {
    return V4Kind(ntohl(reinterpret_cast<const sockaddr_in*>(address)->sin_addr.s_addr));
  }
  if (address->sa_family == AF_INET6) {
    std::array<unsigned char, 16> bytes{};
    std::copy_n(reinterpret_cast<const sockaddr_in6*>(address)->sin6_addr.s6_addr, 16, bytes.begin());
    return V6Kind(bytes);
  }
  return AddressKind::kReserved;
}

// How a clerk names the kind, in a refusal.
std::string_view KindText(AddressKind kind) {
  switch (kind) {
    case AddressKind::kPublic: return "外网地址";
    case AddressKind::kLoopback: return "本机（回环地址）";
    case AddressKind::kPrivate: return "内网地址";
    case AddressKind::kLinkLocal: return "链路本地地址";
    case AddressKind::kUnspecified: return "未指定地址（0.0.0.0或::）";
    case AddressKind::kMulticast: return "组播或广播地址";
    case AddressKind::kReserved: return "保留地址";
  }
  return "保留地址";
}

}  // namespace

std::string_view AddressKindName(AddressKind kind) {
  switch (kind) {
    case AddressKind::kPublic: return "public";
    case AddressKind::kLoopback: return "loopback";
    case AddressKind::kPrivate: return "private";
    case AddressKind::kLinkLocal: return "link-local";
    case AddressKind::kUnspecified: return "unspecified";
    case AddressKind::kMulticast: return "multicast";
    case AddressKind::kReserved: return "reserved";
  }
  return "reserved";
}

Result<WebhookUrlParts> ParseWebhookUrl(std::string_view url) {
  WebhookUrlParts out;
  std::string_view rest;
  if (url.starts_with("http://")) {
    out.scheme = "http";
    out.port = 80;
    rest = url.substr(7);
  } else if (url.starts_with("https://")) {
    out.scheme = "https";
    out.port = 443;
    rest = url.substr(8);
  } else {
    return BadUrl("接收地址须以http://或https://开头");
  }
  const std::size_t authority_end = std::min(rest.find_first_of("/?#"), rest.size());
  std::string_view authority = rest.substr(0, authority_end);
  std::string_view path = rest.substr(authority_end);
  if (const std::size_t at = authority.rfind('@'); at != std::string_view::npos) {
    out.userinfo = std::string(authority.substr(0, at));
    authority = authority.substr(at + 1);
  }
  std::string_view host = authority;
  std::string_view port;
  if (authority.starts_with('[')) {
    const std::size_t close = authority.find(']');
    if (close == std::string_view::npos) return BadUrl("接收地址的主机名不完整");
    host = authority.substr(1, close - 1);
    std::string_view after = authority.substr(close + 1);
    if (!after.empty()) {
      if (after.front() != ':') return BadUrl("接收地址的主机名不完整");
      port = after.substr(1);
    }
  } else if (const std::size_t colon = authority.rfind(':'); colon != std::string_view::npos) {
    host = authority.substr(0, colon);
    port = authority.substr(colon + 1);
  }
  if (host.ends_with('.')) host.remove_suffix(1);
  if (host.empty()) return BadUrl("接收地址缺少主机名");
  // Letters, digits, '-', '.' (and ':' inside brackets): no zone id ("%lo"), percent-encoding
  // or whitespace, which name hosts the check below could not classify as written.
  const bool bracketed = authority.starts_with('[');
  if (!std::all_of(host.begin(), host.end(), [&](char c) {
        return std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '.' || (bracketed && c == ':');
      })) {
    return BadUrl("接收地址的主机名只能含字母、数字、“-”和“.”（IPv6地址写在方括号内，不带“%”区域标识）");
  }
  if (!port.empty()) {
    if (port.size() > 5 || !std::all_of(port.begin(), port.end(), [](char c) { return c >= '0' && c <= '9'; })) {
      return BadUrl("接收地址的端口应为1至65535之间的数字");
    }
    out.port = std::stoi(std::string(port));
    if (out.port < 1 || out.port > 65535) return BadUrl("接收地址的端口应为1至65535之间的数字");
  }
  out.host = Lower(host);
  if (const std::size_t fragment = path.find('#'); fragment != std::string_view::npos) path = path.substr(0, fragment);
  out.path = path.empty() ? "/" : std::string(path);
  if (out.path.front() == '?') out.path = "/" + out.path;
  return out;
}

std::string WithoutUserinfo(std::string_view url) {
  const std::size_t scheme_end = url.find("://");
  if (scheme_end == std::string_view::npos) return std::string(url);
  const std::size_t authority = scheme_end + 3;
  const std::size_t authority_end = std::min(url.find_first_of("/?#", authority), url.size());
  const std::size_t at = url.substr(authority, authority_end - authority).rfind('@');
  if (at == std::string_view::npos) return std::string(url);
  return std::string(url.substr(0, authority)) + std::string(url.substr(authority + at + 1));
}

AddressKind HostKind(std::string_view host) {
  const std::string lower = Lower(host);
  if (lower == "localhost" || lower.ends_with(".localhost")) return AddressKind::kLoopback;
  in6_addr v6{};
  if (::inet_pton(AF_INET6, lower.c_str(), &v6) == 1) {
    std::array<unsigned char, 16> bytes{};
    std::copy_n(v6.s6_addr, 16, bytes.begin());
    return V6Kind(bytes);
  }
  // inet_aton takes every IPv4 form getaddrinfo takes ("127.1", "2130706433", "0x7f.1").
  in_addr v4{};
  if (::inet_aton(lower.c_str(), &v4) != 0) return V4Kind(ntohl(v4.s_addr));
  return AddressKind::kPublic;
}

bool HostAllowed(std::string_view host, const std::vector<std::string>& allow_hosts) {
  std::string_view bare = host;
  if (bare.starts_with('[') && bare.ends_with(']')) bare = bare.substr(1, bare.size() - 2);
  const std::string lower = Lower(bare);
  return std::any_of(allow_hosts.begin(), allow_hosts.end(), [&](const std::string& allowed) {
    std::string_view a = allowed;
    if (a.starts_with('[') && a.ends_with(']')) a = a.substr(1, a.size() - 2);
    return Lower(a) == lower;
  });
}

Status CheckWebhookTarget(std::string_view url, const std::vector<std::string>& allow_hosts) {
  ASSIGN_OR_RETURN(WebhookUrlParts parts, ParseWebhookUrl(url));
  if (!parts.userinfo.empty()) {
    return Status::InvalidArgument("接收地址不能含用户名或密码（“用户名:密码@”）；签名密钥请填在签名密钥一栏", "url",
                                   "webhook_userinfo");
  }
  if (HostAllowed(parts.host, allow_hosts)) return Status::Ok();
  const AddressKind kind = HostKind(parts.host);
  if (kind != AddressKind::kPublic) {
    return Status::InvalidArgument("接收地址不能指向" + std::string(KindText(kind)) + "，只能填写政务消息平台的外网地址",
                                   "url", "webhook_host_forbidden");
  }
  return Status::Ok();
}

Result<std::string> ResolveWebhookHost(const std::string& host, const std::vector<std::string>& allow_hosts) {
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  addrinfo* found = nullptr;
  if (const int error = ::getaddrinfo(host.c_str(), nullptr, &hints, &found); error != 0) {
    return Status::Unavailable("the name does not resolve: " + std::string(::gai_strerror(error)));
  }
  const std::unique_ptr<addrinfo, decltype(&::freeaddrinfo)> owned(found, &::freeaddrinfo);
  const bool allowed = HostAllowed(host, allow_hosts);
  std::optional<AddressKind> refused;
  for (const addrinfo* entry = found; entry != nullptr; entry = entry->ai_next) {
    char text[INET6_ADDRSTRLEN] = {};
    const void* raw = entry->ai_family == AF_INET
                          ? static_cast<const void*>(&reinterpret_cast<const sockaddr_in*>(entry->ai_addr)->sin_addr)
                          : static_cast<const void*>(&reinterpret_cast<const sockaddr_in6*>(entry->ai_addr)->sin6_addr);
    if (entry->ai_family != AF_INET && entry->ai_family != AF_INET6) continue;
    if (::inet_ntop(entry->ai_family, raw, text, sizeof text) == nullptr) continue;
    const AddressKind kind = SockaddrKind(entry->ai_addr);
    if (allowed || kind == AddressKind::kPublic) return std::string(text);
    if (!refused) refused = kind;
  }
  return Status::FailedPrecondition(
      "refused: the host resolves to a " + std::string(AddressKindName(refused.value_or(AddressKind::kReserved))) +
          " address",
      "address_refused");
}

}  // namespace kuimen
