#pragma once

#include <atomic>
#include <chrono>
#include <cstddef>
#include <memory>
#include <optional>
#include <string>
#include <thread>

#include <httplib.h>

#include "domain/status.h"
#include "gateway/http_request_reader.h"
#include "gateway/tls_context.h"

// The connection layer of the HTTP server: one I/O thread on epoll accepts
// connections, reads requests with non-blocking sockets (HttpRequestReader),
// hands each complete request to a worker pool and writes the answers back,
// in order, on keep-alive connections. What it promises:
// - accept never stalls: a 4096-deep listen queue, all pending connections
//   accepted at each wake-up;
// - a connection over the per-address or global cap is answered 503 and closed;
// - a request's head and body must arrive within `request_timeout` of its
//   first byte, however slowly they trickle (408, then closed); an idle
//   keep-alive connection is closed after `idle_timeout`;
// - a body streamed to a sink (an upload, from a county office's slow line)
//   is timed by progress instead: 408 after `upload_idle_timeout` without a
//   byte, and in all after `request_timeout` plus the sink's limit at
//   `upload_min_bytes_per_second`, so a trickle cannot hold it for ever;
// - the head is checked (HttpRequestHandler::CheckHead: token, route, size)
//   before any body byte is read; a refused request's body is never held;
// - pipelined requests are answered one at a time, in order;
// - with a TlsContext, every connection is TLS (non-blocking OpenSSL in the
//   same loop) and every answer carries Strict-Transport-Security.
namespace kuimen {

struct HttpListenerOptions {
  // Address to listen on; port 0 picks a free one.
  std::string host = "127.0.0.1";
  int port = 8080;
  // Pending connections the kernel queues (capped by net.core.somaxconn). Default 4096.
  int backlog = 4096;
  // Open connections at once, in all; clamped to the open-file limit. Default 10000.
  std::size_t max_connections = 10000;
  // Open connections from one remote address. Default 64.
  std::size_t max_connections_per_address = 64;
  // From a request's first byte to its last. Default 10 s.
  std::chrono::milliseconds request_timeout{10000};
  // A streamed body (an upload) that makes no progress for this long: 408. Default 30 s.
  std::chrono::milliseconds upload_idle_timeout{30000};
  // The slowest average a streamed body is given time for: it must be whole
  // within request_timeout + (the sink's limit / this), e.g. 10 s + 320 s for
  // 20 MiB. Default 64 KiB/s.
  std::uint64_t upload_min_bytes_per_second = 64 * 1024;
  // An idle keep-alive connection (no request begun) is closed after this. Default 5 s.
  std::chrono::milliseconds idle_timeout{5000};
  // A response not drained by the client for this long closes the connection. Default 10 s.
  std::chrono::milliseconds write_timeout{10000};
  // Worker threads running the handlers, at most: the pool keeps one per core
  // (at most 4) and starts more only while requests wait for one
  // (WorkerPool); a thread idle for 30 s beyond those ends. Default 0: 32 per
  // core, at least 64.
  std::size_t workers = 0;
  HttpReaderLimits limits;
  // Serve HTTPS with this identity (not owned; outlives the listener); null: plain HTTP.
  const TlsContext* tls = nullptr;
};

// What the listener serves. Implemented by HttpServer.
class HttpRequestHandler {
 public:
  virtual ~HttpRequestHandler() = default;
  // On the I/O thread, once a head is read and before its body: nullopt
  // reads the body, a refusal is answered and the connection closed.
  // Must be quick (no I/O).
  virtual std::optional<HttpRefusal> CheckHead(const HttpRequestHead& head) = 0;
  // On the I/O thread, once a head with a body is read (after CheckHead
  // accepted it would be too late for the limit, so before): where the body
  // streams to, or null to hold it in memory. Must be quick (no I/O).
  virtual std::shared_ptr<BodySink> BodySinkFor(const HttpRequestHead&) { return nullptr; }
  // On a worker thread: the answer to a complete request. Must not throw.
  virtual httplib::Response Handle(HttpRequestData request, const std::string& remote_addr, int remote_port) = 0;
  // On the I/O thread, for every refused request (by CheckHead or the reader:
  // 400, 408, 413, 415, 431…), with as much of the head as was read.
  virtual void OnRefused(const HttpRefusal& refusal, const HttpRequestHead& head, const std::string& remote_addr) = 0;
  // Connection counts, for the metrics. Any thread.
  virtual void OnConnectionOpened() {}
  virtual void OnConnectionClosed() {}
  virtual void OnConnectionRefused() {}
};

class HttpListener {
 public:
  // Binds, raises the open-file soft limit to the hard one, and starts the
  // I/O thread and the workers. `handler` is not owned and must outlive the
  // listener. kUnavailable when the address cannot be bound.
  static Result<std::unique_ptr<HttpListener>> Start(const HttpListenerOptions& options,
                                                     HttpRequestHandler& handler);
  // Stop: closes the listening socket and idle connections, lets the
  // requests in flight be answered (up to 10 s), then returns. Idempotent.
  ~HttpListener();
  void Stop();

  int port() const { return port_; }

 private:
  class Loop;
  HttpListener() = default;

  std::unique_ptr<Loop> loop_;
  std::thread thread_;
  int port_ = 0;
};

}  // namespace kuimen
