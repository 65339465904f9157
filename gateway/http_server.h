#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <cstddef>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "gateway/api.h"
#include "gateway/http_listener.h"
#include "gateway/route_path.h"
#include "gateway/static_files.h"
#include "gateway/tls_context.h"
#include "gateway/upload_quota.h"

namespace kuimen {

struct HttpServerOptions {
  // Address to listen on. Default 127.0.0.1:8080; port 0 picks a free one.
  std::string host = "127.0.0.1";
  int port = 8080;
  // Worker threads running the handlers, at most (connections do not hold
  // one; the pool keeps one per core and grows while requests wait).
  // Default 0: 32 per core, at least 64 (handlers mostly wait on fsync).
  std::size_t threads = 0;
  // Bodies larger than this are refused (413) before they are read, chunked
  // ones as soon as they pass it. Default 64 KiB.
  std::size_t max_body_bytes = 64 * 1024;
  // A request's head and body must arrive within this of its first byte
  // (408 otherwise), however slowly they trickle. Default 10 s.
  std::chrono::seconds request_timeout{10};
  // An upload (a body streamed to disk) is timed by progress instead: 408
  // after this long without a byte. Default 30 s.
  std::chrono::seconds upload_idle_timeout{30};
  // ...and it must be whole within request_timeout + its size limit at this
  // average rate (20 MiB at 64 KiB/s: 330 s), so a trickle ends. Default 64 KiB/s.
  std::uint64_t upload_min_bytes_per_second = 64 * 1024;
  // Uploads no event cites yet: per principal, in all, and the free space the
  // data directory keeps (gateway/upload_quota.h). Defaults 200 MiB, 2 GiB, 1 GiB.
  UploadQuotaOptions upload_quota;
  // A client that reads nothing of its answer for this long is dropped. Default 10 s.
  std::chrono::seconds write_timeout{10};
  // An idle keep-alive connection is closed after this long. Default 5 s.
  std::chrono::seconds keep_alive_timeout{5};
  // Open connections in all (clamped to the open-file limit), and from one
  // remote address; over either, 503 and closed. Defaults 10000 and 64.
  std::size_t max_connections = 10000;
  std::size_t max_connections_per_address = 64;
  // Request line and headers: bytes and header count (431 over either). Defaults 32 KiB, 100.
  std::size_t max_head_bytes = 32 * 1024;
  std::size_t max_headers = 100;
  // Uploaded files (POST /api/v1/files) larger than this are refused (413);
  // they stream to disk, so this is not held in memory. Default 20 MiB.
  std::uint64_t max_file_bytes = 20ull * 1024 * 1024;
  // Static files served at "/" (the dashboard), read once at start; empty: none.
  std::filesystem::path static_dir;
  // HTTPS: a PEM certificate chain and its key; both empty: plain HTTP.
  std::filesystem::path tls_cert;
  std::filesystem::path tls_key;
};

// The HTTP face of the service: serves `routes` (gateway/api_routes.h) over
// the connection layer of gateway/http_listener.h. Every request goes one
// way: authenticate the bearer token, check the route's Access, call the
// handler, map a refusal to its HTTP status and JSON body
// (gateway/http_error.h), count it in the metrics, log it once (escaped,
// gateway/text_safety.h). A request with a body is authenticated and routed
// from its head, before the body is read. No exception leaves a handler.
class HttpServer : private HttpRequestHandler {
 public:
  // Binds and starts serving on its own threads. `api` is not owned and must
  // outlive the server. kUnavailable when the address cannot be bound or the
  // static files cannot be read.
  static Result<std::unique_ptr<HttpServer>> Start(ApiContext& api, std::vector<Route> routes,
                                                   const HttpServerOptions& options);
  // Stops accepting, lets in-flight requests finish, then returns.
  ~HttpServer() override;
  void Stop();

  int port() const { return port_; }
  bool https() const { return tls_ != nullptr; }

 private:
  // Where a request goes: a route, a static file, or a refusal.
  struct Destination {
    std::optional<std::size_t> route;
    bool static_file = false;
    std::optional<HttpRefusal> refusal;
  };

  HttpServer() = default;
  Destination Resolve(const std::string& method, const std::string& path) const;
  void Dispatch(std::size_t route, const httplib::Request& request, BodySink* body_sink, httplib::Response& response);
  std::optional<HttpRefusal> CheckHeadOrThrow(const HttpRequestHead& head);

  // HttpRequestHandler
  std::optional<HttpRefusal> CheckHead(const HttpRequestHead& head) override;
  std::shared_ptr<BodySink> BodySinkFor(const HttpRequestHead& head) override;
  httplib::Response Handle(HttpRequestData request, const std::string& remote_addr, int remote_port) override;
  void OnRefused(const HttpRefusal& refusal, const HttpRequestHead& head, const std::string& remote_addr) override;
  void OnConnectionOpened() override;
  void OnConnectionClosed() override;
  void OnConnectionRefused() override;

  ApiContext* api_ = nullptr;
  std::vector<Route> routes_;
  std::vector<RoutePath> paths_;  // per route
  std::unique_ptr<StaticFiles> static_files_;
  std::unique_ptr<TlsContext> tls_;  // outlives the listener
  std::unique_ptr<HttpListener> listener_;
  int port_ = 0;
  std::uint32_t request_id_prefix_ = 0;
  std::atomic<std::uint64_t> requests_{0};  // numbers the requests that came without an X-Request-Id
};

}  // namespace kuimen
