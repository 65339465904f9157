#pragma once

#include <string>

#include <httplib.h>

#include "gateway/http_request_reader.h"

// Responses as bytes on the wire. Pure functions; thread-safe.
namespace kuimen {

// The headers every response carries: nosniff, a Content-Security-Policy
// that lets only this server's own scripts and styles run and no one frame
// the page, no referrer, no framing; and Cache-Control: no-store when the
// response set none (API answers hold names and tokens); over HTTPS also
// Strict-Transport-Security.
void AddSecurityHeaders(httplib::Response& response, bool https);

// `response` as HTTP/1.1: status line, its headers, Content-Length, and
// "Connection: close" or "keep-alive"; the body unless `head_only` (HEAD) or
// the status has none (1xx, 204, 304). A response with a content provider
// (a file streamed from disk) gets its Content-Length and the head only: the
// caller writes the provider's bytes after it (HttpListener, in chunks).
std::string SerializeResponse(const httplib::Response& response, bool head_only, bool keep_alive);

// The JSON error response for a refusal (gateway/http_error.h's body).
httplib::Response RefusalResponse(const HttpRefusal& refusal);

// The reason phrase of a status ("Not Found"); "Unknown" for one not listed.
const char* ReasonPhrase(int status);

}  // namespace kuimen
