#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <cstddef>
#include <filesystem>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "gateway/api.h"

namespace kuimen {

struct HttpServerOptions {
  // Address to listen on. Default 127.0.0.1:8080; port 0 picks a free one.
  std::string host = "127.0.0.1";
  int port = 8080;
  // Worker threads. A keep-alive connection holds one while it is open, so
  // this bounds the connections served at once. Default 192: room for the
  // 128-connection load the gateway is sized for.
  std::size_t threads = 192;
  // Bodies larger than this are refused (413) before they are read. Default 64 KiB.
  std::size_t max_body_bytes = 64 * 1024;
  // A client that sends or reads nothing for this long is dropped, so a slow
  // client cannot hold a worker. Default 5 s each.
  std::chrono::seconds read_timeout{5};
  std::chrono::seconds write_timeout{5};
  // An idle keep-alive connection is closed after this long. Default 5 s.
  std::chrono::seconds keep_alive_timeout{5};
  // Static files served at "/" (the dashboard); empty: none.
  std::filesystem::path static_dir;
};

// The HTTP face of the service: serves `routes` (gateway/api_routes.h) with
// cpp-httplib. Every request goes one way: authenticate the bearer token,
// check the route's Access, call the handler, map a refusal to its HTTP status
// and JSON body (gateway/http_error.h), count it in the metrics, log it once.
class HttpServer {
 public:
  // Binds and starts serving on its own threads. `api` is not owned and must
  // outlive the server. kUnavailable when the address cannot be bound.
  static Result<std::unique_ptr<HttpServer>> Start(ApiContext& api, std::vector<Route> routes,
                                                   const HttpServerOptions& options);
  // Stops accepting, lets in-flight requests finish, then returns.
  ~HttpServer();
  void Stop();

  int port() const { return port_; }

 private:
  HttpServer() = default;
  void Dispatch(std::size_t route, const httplib::Request& request, httplib::Response& response);

  ApiContext* api_ = nullptr;
  std::vector<Route> routes_;
  std::vector<std::vector<std::string>> param_names_;  // per route, in path order
  std::unique_ptr<httplib::Server> server_;
  std::thread thread_;
  int port_ = 0;
  std::uint32_t request_id_prefix_ = 0;
  std::atomic<std::uint64_t> requests_{0};  // numbers the requests that came without an X-Request-Id
};

}  // namespace kuimen
