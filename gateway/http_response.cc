#include "gateway/http_response.h"

#include "gateway/http_error.h"

namespace kuimen {

namespace {

// The dashboard loads its scripts and styles from this server. Alpine.js
// evaluates its x-* attributes with `new Function`, hence 'unsafe-eval';
// Alpine's :style bindings and ECharts set style attributes, hence
// style-src 'unsafe-inline'. The favicon is a data: URL.
constexpr const char* kContentSecurityPolicy =
    "default-src 'self'; script-src 'self' 'unsafe-eval'; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data:; connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; "
    "frame-ancestors 'none'";

}  // namespace

const char* ReasonPhrase(int status) {
  switch (status) {
    case 100: return "Continue";
    case 200: return "OK";
    case 201: return "Created";
    case 204: return "No Content";
    case 304: return "Not Modified";
    case 400: return "Bad Request";
    case 401: return "Unauthorized";
    case 403: return "Forbidden";
    case 404: return "Not Found";
    case 405: return "Method Not Allowed";
    case 408: return "Request Timeout";
    case 409: return "Conflict";
    case 413: return "Payload Too Large";
    case 415: return "Unsupported Media Type";
    case 417: return "Expectation Failed";
    case 422: return "Unprocessable Entity";
    case 429: return "Too Many Requests";
    case 431: return "Request Header Fields Too Large";
    case 500: return "Internal Server Error";
    case 501: return "Not Implemented";
    case 503: return "Service Unavailable";
    case 505: return "HTTP Version Not Supported";
    case 507: return "Insufficient Storage";
  }
  return "Unknown";
}

void AddSecurityHeaders(httplib::Response& response, bool https) {
  if (https) response.set_header("Strict-Transport-Security", "max-age=31536000");
  response.set_header("X-Content-Type-Options", "nosniff");
  response.set_header("Content-Security-Policy", kContentSecurityPolicy);
  response.set_header("X-Frame-Options", "DENY");
  response.set_header("Referrer-Policy", "no-referrer");
  if (!response.has_header("Cache-Control")) response.set_header("Cache-Control", "no-store");
}

std::string SerializeResponse(const httplib::Response& response, bool head_only, bool keep_alive) {
  const int status = response.status;
  const bool has_body = !(status < 200 || status == 204 || status == 304);
  std::string out;
  out.reserve(256 + response.headers.size() * 64 + (head_only || !has_body ? 0 : response.body.size()));
  // Appended piece by piece: no temporary string per header.
  out += "HTTP/1.1 ";
  out += std::to_string(status);
  out += ' ';
  out += ReasonPhrase(status);
  out += "\r\n";
  for (const auto& [name, value] : response.headers) {
    if (name == "Content-Length" || name == "Connection") continue;
    // A header value never carries a line break (no response splitting).
    if (value.find_first_of("\r\n") != std::string::npos || name.find_first_of("\r\n:") != std::string::npos) continue;
    out += name;
    out += ": ";
    out += value;
    out += "\r\n";
  }
  if (has_body) {
    out += "Content-Length: ";
    // A streamed body (gateway/file_body.h) has its length set; its bytes follow from the listener.
    out += std::to_string(response.content_provider_ ? response.content_length_ : response.body.size());
    out += "\r\n";
  }
  out += keep_alive ? "Connection: keep-alive\r\n\r\n" : "Connection: close\r\n\r\n";
  if (has_body && !head_only && !response.content_provider_) out += response.body;
  return out;
}

httplib::Response RefusalResponse(const HttpRefusal& refusal) {
  httplib::Response response;
  response.status = refusal.status;
  for (const auto& [name, value] : refusal.headers) response.set_header(name, value);
  response.set_content(refusal.json_body.empty() ? DumpJson(ErrorBody(refusal.code, refusal.field)) : refusal.json_body,
                       "application/json; charset=utf-8");
  return response;
}

}  // namespace kuimen
