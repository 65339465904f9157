#include "gateway/http_listener.h"

#include <arpa/inet.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

#include <openssl/err.h>
#include <openssl/ssl.h>

#include <csignal>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <mutex>
#include <unordered_map>
#include <vector>

#include "eventstore/thread_name.h"
#include "gateway/http_response.h"
#include "gateway/worker_pool.h"

namespace kuimen {

namespace {

using SteadyClock = std::chrono::steady_clock;

constexpr std::uint64_t kListenId = 0;
constexpr std::uint64_t kWakeId = 1;
constexpr std::size_t kReadChunk = 64 * 1024;
// A streamed body (a download) is read into the connection's buffer this
// much at a time, when the previous piece is sent: its memory is this, not the file.
constexpr std::size_t kBodyChunk = 64 * 1024;
constexpr int kBodyChunksPerWake = 16;
// After a refusal the client may still be sending a body: it is read and
// dropped for this long, so the refusal reaches it before the close (a close
// with unread bytes would send a reset that can destroy the answer).
constexpr std::chrono::seconds kLinger{2};
// Requests in flight at Stop get this long to be answered.
constexpr std::chrono::seconds kStopGrace{10};
constexpr std::chrono::milliseconds kSweepInterval{100};

std::string AddressText(const sockaddr_storage& address, int& port) {
  char text[INET6_ADDRSTRLEN] = "?";
  if (address.ss_family == AF_INET) {
    const auto& in = reinterpret_cast<const sockaddr_in&>(address);
    inet_ntop(AF_INET, &in.sin_addr, text, sizeof text);
    port = ntohs(in.sin_port);
  } else if (address.ss_family == AF_INET6) {
    const auto& in6 = reinterpret_cast<const sockaddr_in6&>(address);
    inet_ntop(AF_INET6, &in6.sin6_addr, text, sizeof text);
    port = ntohs(in6.sin6_port);
  }
  return text;
}

// Lets this process hold as many sockets as the hard limit allows; returns the soft limit.
std::size_t RaiseOpenFileLimit() {
  rlimit limit{};
  if (getrlimit(RLIMIT_NOFILE, &limit) != 0) return 1024;
  if (limit.rlim_cur < limit.rlim_max) {
    rlimit raised = limit;
    raised.rlim_cur = limit.rlim_max;
    if (setrlimit(RLIMIT_NOFILE, &raised) == 0) limit = raised;
  }
  return limit.rlim_cur == RLIM_INFINITY ? 1 << 20 : static_cast<std::size_t>(limit.rlim_cur);
}

Result<int> Bind(const std::string& host, int port, int backlog, int& bound_port) {
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  hints.ai_flags = AI_PASSIVE;
  addrinfo* found = nullptr;
  const std::string service = std::to_string(port);
  const std::string where = host + ":" + service;
  if (getaddrinfo(host.empty() ? nullptr : host.c_str(), service.c_str(), &hints, &found) != 0 || found == nullptr) {
    return Status::Unavailable("cannot listen on " + where + " (not an address of this machine)");
  }
  int fd = -1;
  for (addrinfo* candidate = found; candidate != nullptr; candidate = candidate->ai_next) {
    fd = socket(candidate->ai_family, candidate->ai_socktype | SOCK_NONBLOCK | SOCK_CLOEXEC, candidate->ai_protocol);
    if (fd < 0) continue;
    const int on = 1;
    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &on, sizeof on);
    if (bind(fd, candidate->ai_addr, candidate->ai_addrlen) == 0 && listen(fd, backlog) == 0) break;
    close(fd);
    fd = -1;
  }
  freeaddrinfo(found);
  if (fd < 0) return Status::Unavailable("cannot listen on " + where + " (in use, or not an address of this machine)");
  sockaddr_storage address{};
  socklen_t length = sizeof address;
  getsockname(fd, reinterpret_cast<sockaddr*>(&address), &length);
  AddressText(address, bound_port);
  return fd;
}

// Worker threads kept while idle: one per core, at most 4 (an idle service
// stays small on a large machine; more start as soon as requests wait).
std::size_t KeptWorkers(std::size_t max_workers) {
  const std::size_t cores = std::clamp<std::size_t>(std::thread::hardware_concurrency(), 1, 4);
  return std::min(max_workers, cores);
}

}  // namespace

class HttpListener::Loop {
 public:
  Loop(const HttpListenerOptions& options, HttpRequestHandler& handler, int listen_fd, std::size_t max_connections)
      : options_(options),
        handler_(handler),
        listen_fd_(listen_fd),
        max_connections_(max_connections),
        workers_(options.workers, KeptWorkers(options.workers)) {
    epoll_fd_ = epoll_create1(EPOLL_CLOEXEC);
    wake_fd_ = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
    Watch(listen_fd_, kListenId, EPOLLIN, EPOLL_CTL_ADD);
    Watch(wake_fd_, kWakeId, EPOLLIN, EPOLL_CTL_ADD);
  }
  ~Loop() {
    workers_.Stop();
    for (auto& [id, connection] : connections_) {
      if (connection->ssl != nullptr) SSL_free(connection->ssl);
      close(connection->fd);
    }
    if (listen_fd_ >= 0) close(listen_fd_);
    close(wake_fd_);
    close(epoll_fd_);
  }

  void Run();
  void RequestStop() {
    stop_requested_ = true;
    Wake();
  }
  void StopWorkers() { workers_.Stop(); }

 private:
  enum class Phase { kReading, kHandling, kWriting, kLingering };

  struct Connection {
    Connection(std::uint64_t id, int fd, std::string address, int port, const HttpReaderLimits& limits,
               HttpRequestReader::HeadCheck check, HttpRequestReader::SinkFor sink_for)
        : id(id), fd(fd), address(std::move(address)), port(port), reader(limits, std::move(check), std::move(sink_for)) {}
    std::uint64_t id;
    int fd;
    std::string address;
    int port;
    HttpRequestReader reader;
    Phase phase = Phase::kReading;
    std::string in;          // read, not yet parsed (a pipelined request waits here)
    std::string out;         // to write
    std::size_t written = 0;
    // A body streamed after `out` (a file download): its provider holds the
    // open file, released when the answer is written or the connection closes.
    httplib::ContentProvider body;
    std::size_t body_offset = 0;
    std::size_t body_length = 0;
    bool close_after_write = false;
    bool linger_after_write = false;
    bool request_open = false;  // bytes of a request arrived, and it is not complete
    bool gone = false;          // the peer hung up while its request was being handled
    std::uint32_t events = 0;
    SSL* ssl = nullptr;  // with TLS
    SteadyClock::time_point request_started;
    SteadyClock::time_point last_activity;
  };

  struct Completion {
    std::uint64_t id;
    std::string bytes;
    bool keep_alive;
    httplib::ContentProvider body;  // streamed after `bytes`; empty when none
    std::size_t body_length = 0;
  };

  void Watch(int fd, std::uint64_t id, std::uint32_t events, int op) {
    epoll_event event{};
    event.events = events;
    event.data.u64 = id;
    epoll_ctl(epoll_fd_, op, fd, &event);
  }
  void SetEvents(Connection& c, std::uint32_t events) {
    if (c.gone || c.events == events) return;
    c.events = events;
    Watch(c.fd, c.id, events, EPOLL_CTL_MOD);
  }
  void Wake() {
    const std::uint64_t one = 1;
    [[maybe_unused]] ssize_t ignored = write(wake_fd_, &one, sizeof one);
  }

  // Reads or writes through TLS when on: > 0 bytes, 0 the peer closed, -1
  // with `would_block` set (wait for the socket), or -1 an error.
  ssize_t Receive(Connection& c, char* buffer, std::size_t size, bool& would_block);
  ssize_t Transmit(Connection& c, const char* data, std::size_t size, bool& would_block);

  void Accept();
  void OnEvent(Connection& c, std::uint32_t events);
  void Read(Connection& c);
  void Parse(Connection& c);
  void Dispatch(Connection& c);
  void Refuse(Connection& c, const HttpRefusal& refusal);
  void Write(Connection& c);
  bool NextBodyChunk(Connection& c);
  void Finished(Connection& c);
  void DeliverCompletions();
  void Sweep(SteadyClock::time_point now);
  bool Overdue(const Connection& c, SteadyClock::time_point now) const;
  SteadyClock::duration UploadDeadline(const Connection& c) const;
  void Close(std::uint64_t id);
  Connection* Find(std::uint64_t id) {
    auto it = connections_.find(id);
    return it == connections_.end() ? nullptr : it->second.get();
  }

  const HttpListenerOptions options_;
  HttpRequestHandler& handler_;
  int listen_fd_;
  const std::size_t max_connections_;
  int epoll_fd_ = -1;
  int wake_fd_ = -1;
  std::atomic<bool> stop_requested_{false};
  bool stopping_ = false;
  bool accept_paused_ = false;  // out of descriptors: the listening socket is out of epoll until the next sweep
  SteadyClock::time_point stop_deadline_;
  std::uint64_t next_id_ = 2;
  std::unordered_map<std::uint64_t, std::unique_ptr<Connection>> connections_;
  std::unordered_map<std::string, std::size_t> per_address_;
  std::mutex completions_mu_;
  std::vector<Completion> completions_;
  WorkerPool workers_;
};

void HttpListener::Loop::Run() {
  std::vector<epoll_event> events(256);
  SteadyClock::time_point last_sweep = SteadyClock::now();
  for (;;) {
    if (stop_requested_ && !stopping_) {
      stopping_ = true;
      stop_deadline_ = SteadyClock::now() + kStopGrace;
      epoll_ctl(epoll_fd_, EPOLL_CTL_DEL, listen_fd_, nullptr);
      close(listen_fd_);
      listen_fd_ = -1;
      Sweep(SteadyClock::now());
    }
    if (stopping_ && (connections_.empty() || SteadyClock::now() > stop_deadline_)) return;

    // The sweep looks for deadlines (request, idle, write, linger) and resumes
    // a paused accept; with no connection and accepting, there is nothing to
    // look for, so an idle server sleeps until a connection or a wake-up.
    const bool nothing_to_sweep = connections_.empty() && !accept_paused_ && !stopping_;
    const int ready = epoll_wait(epoll_fd_, events.data(), static_cast<int>(events.size()),
                                 nothing_to_sweep ? -1 : static_cast<int>(kSweepInterval.count()));
    for (int i = 0; i < ready; ++i) {
      const std::uint64_t id = events[i].data.u64;
      if (id == kListenId) {
        Accept();
      } else if (id == kWakeId) {
        std::uint64_t count = 0;
        [[maybe_unused]] ssize_t ignored = read(wake_fd_, &count, sizeof count);
        DeliverCompletions();
      } else if (Connection* c = Find(id)) {
        OnEvent(*c, events[i].events);
      }
    }
    const SteadyClock::time_point now = SteadyClock::now();
    if (now - last_sweep >= kSweepInterval || stopping_) {
      last_sweep = now;
      Sweep(now);
    }
  }
}

void HttpListener::Loop::Accept() {
  for (;;) {
    sockaddr_storage address{};
    socklen_t length = sizeof address;
    const int fd = accept4(listen_fd_, reinterpret_cast<sockaddr*>(&address), &length, SOCK_NONBLOCK | SOCK_CLOEXEC);
    if (fd < 0) {
      // EAGAIN: all accepted. Out of descriptors (EMFILE, ENFILE, ENOBUFS):
      // the rest stay queued; accepting pauses until the next sweep, so the
      // loop does not spin on a listening socket it cannot serve.
      if (errno == EMFILE || errno == ENFILE || errno == ENOBUFS || errno == ENOMEM) {
        epoll_ctl(epoll_fd_, EPOLL_CTL_DEL, listen_fd_, nullptr);
        accept_paused_ = true;
      }
      return;
    }
    int port = 0;
    std::string text = AddressText(address, port);
    std::size_t& from_address = per_address_[text];
    if (connections_.size() >= max_connections_ || from_address >= options_.max_connections_per_address) {
      if (from_address == 0) per_address_.erase(text);
      handler_.OnConnectionRefused();
      if (options_.tls != nullptr) {  // no handshake, no answer
        close(fd);
        continue;
      }
      HttpRefusal refusal{503, "too_many_connections",
                          "this address has too many connections open to the server; close some and retry", {}, "",
                          "connection"};
      const std::string bytes = SerializeResponse(RefusalResponse(refusal), false, false);
      [[maybe_unused]] ssize_t ignored = send(fd, bytes.data(), bytes.size(), MSG_NOSIGNAL | MSG_DONTWAIT);
      close(fd);
      continue;
    }
    ++from_address;
    const int on = 1;
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &on, sizeof on);
    const std::uint64_t id = next_id_++;
    auto check = [this, id](const HttpRequestHead& head) -> std::optional<HttpRefusal> {
      std::optional<HttpRefusal> refusal = handler_.CheckHead(head);
      if (!refusal && head.expects_continue) {
        // The body may come: say so now (curl waits a second for this otherwise).
        if (Connection* c = Find(id)) {
          static constexpr std::string_view kContinue = "HTTP/1.1 100 Continue\r\n\r\n";
          bool would_block = false;
          [[maybe_unused]] ssize_t ignored = Transmit(*c, kContinue.data(), kContinue.size(), would_block);
        }
      }
      return refusal;
    };
    auto sink_for = [this](const HttpRequestHead& head) { return handler_.BodySinkFor(head); };
    auto connection = std::make_unique<Connection>(id, fd, std::move(text), port, options_.limits, std::move(check),
                                                   std::move(sink_for));
    connection->last_activity = SteadyClock::now();
    connection->events = EPOLLIN;
    if (options_.tls != nullptr) {
      connection->ssl = SSL_new(options_.tls->native());
      SSL_set_fd(connection->ssl, fd);
      SSL_set_accept_state(connection->ssl);  // the handshake runs inside the first reads
    }
    Watch(fd, id, EPOLLIN, EPOLL_CTL_ADD);
    connections_.emplace(id, std::move(connection));
    handler_.OnConnectionOpened();
  }
}

void HttpListener::Loop::OnEvent(Connection& c, std::uint32_t events) {
  const std::uint64_t id = c.id;
  if ((events & (EPOLLERR | EPOLLHUP)) != 0 && c.phase == Phase::kHandling) {
    // Nothing to answer to; the worker's answer will be dropped.
    epoll_ctl(epoll_fd_, EPOLL_CTL_DEL, c.fd, nullptr);
    c.gone = true;
    return;
  }
  if ((events & (EPOLLERR | EPOLLHUP)) != 0 && c.phase == Phase::kWriting) {
    Close(id);
    return;
  }
  if ((events & EPOLLOUT) != 0 && c.phase == Phase::kWriting) Write(c);
  Connection* still = Find(id);
  if (still == nullptr) return;
  if ((events & (EPOLLIN | EPOLLERR | EPOLLHUP)) != 0 &&
      (still->phase == Phase::kReading || still->phase == Phase::kLingering)) {
    Read(*still);
  }
}

void HttpListener::Loop::Read(Connection& c) {
  char buffer[kReadChunk];
  // A few reads per wake-up, so one fast sender cannot hold the loop.
  // TLS may hold decrypted bytes the socket no longer signals: read them too.
  for (int round = 0; round < 8 || (c.ssl != nullptr && SSL_pending(c.ssl) > 0); ++round) {
    bool would_block = false;
    const ssize_t n = c.phase == Phase::kLingering ? recv(c.fd, buffer, sizeof buffer, 0)
                                                   : Receive(c, buffer, sizeof buffer, would_block);
    const bool lingering_would_block =
        c.phase == Phase::kLingering && n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR);
    if (n < 0 && (would_block || lingering_would_block)) return;
    if (n <= 0) {
      Close(c.id);
      return;
    }
    c.last_activity = SteadyClock::now();
    if (c.phase == Phase::kLingering) continue;  // dropped unread
    c.in.append(buffer, static_cast<std::size_t>(n));
    const std::uint64_t id = c.id;
    Parse(c);
    Connection* still = Find(id);
    if (still == nullptr || still->phase != Phase::kReading) return;
  }
}

void HttpListener::Loop::Parse(Connection& c) {
  while (c.phase == Phase::kReading && !c.in.empty()) {
    if (!c.request_open) {
      c.request_open = true;
      c.request_started = SteadyClock::now();
    }
    const HttpRequestReader::Outcome outcome = c.reader.Feed(c.in);
    c.in.erase(0, outcome.consumed);
    switch (outcome.state) {
      case HttpRequestReader::State::kNeedMore:
        // Only blank lines so far (allowed between requests): not a request yet.
        if (!c.reader.in_request()) c.request_open = false;
        return;
      case HttpRequestReader::State::kComplete:
        Dispatch(c);
        return;
      case HttpRequestReader::State::kRefused:
        Refuse(c, c.reader.refusal());
        return;
    }
  }
}

void HttpListener::Loop::Dispatch(Connection& c) {
  c.phase = Phase::kHandling;
  c.request_open = false;
  SetEvents(c, 0);
  HttpRequestData request = c.reader.TakeRequest();
  const bool head_only = request.head.method == "HEAD";
  const bool keep_alive = request.head.keep_alive;
  workers_.Submit([this, id = c.id, address = c.address, port = c.port, head_only, keep_alive,
                   request = std::move(request)]() mutable {
    httplib::Response response = handler_.Handle(std::move(request), address, port);
    AddSecurityHeaders(response, options_.tls != nullptr);
    std::string bytes = SerializeResponse(response, head_only, keep_alive);
    // A file body: the head now, the file in chunks as the client drains it (HEAD: the head only).
    const bool streamed = response.content_provider_ && !head_only && response.status >= 200 &&
                          response.status != 204 && response.status != 304;
    httplib::ContentProvider body = streamed ? std::move(response.content_provider_) : nullptr;
    const std::size_t body_length = streamed ? response.content_length_ : 0;
    bool first = false;
    {
      std::lock_guard lock(completions_mu_);
      first = completions_.empty();
      completions_.push_back({id, std::move(bytes), keep_alive, std::move(body), body_length});
    }
    // One wake-up per batch of answers: the I/O thread takes the whole list
    // after each wake-up, so only the answer that finds it empty must wake it
    // (128 writes finishing in one group commit cost one eventfd write, not 128).
    if (first) Wake();
  });
}

void HttpListener::Loop::Refuse(Connection& c, const HttpRefusal& refusal) {
  handler_.OnRefused(refusal, c.reader.partial_head(), c.address);
  c.reader.DropSink();
  httplib::Response response = RefusalResponse(refusal);
  AddSecurityHeaders(response, options_.tls != nullptr);
  c.out = SerializeResponse(response, false, false);
  c.written = 0;
  c.close_after_write = true;
  c.linger_after_write = true;
  c.request_open = false;
  c.phase = Phase::kWriting;
  Write(c);
}

void HttpListener::Loop::Write(Connection& c) {
  // A fast reader of a large file gets a few chunks per wake-up, then waits
  // its turn (EPOLLOUT is level-triggered), so it cannot hold the loop.
  int chunks = 0;
  for (;;) {
    if (c.written == c.out.size()) {
      if (c.body_offset >= c.body_length) break;
      if (++chunks > kBodyChunksPerWake) {
        SetEvents(c, EPOLLOUT);
        return;
      }
      if (!NextBodyChunk(c)) {
        // The head is sent: a file that fails mid-way can only end the connection.
        Close(c.id);
        return;
      }
    }
    bool would_block = false;
    const ssize_t n = Transmit(c, c.out.data() + c.written, c.out.size() - c.written, would_block);
    if (n < 0 && would_block) {
      SetEvents(c, EPOLLOUT);
      return;
    }
    if (n <= 0) {
      Close(c.id);
      return;
    }
    c.written += static_cast<std::size_t>(n);
    c.last_activity = SteadyClock::now();
  }
  Finished(c);
}

// The next piece of a streamed body into the (sent) buffer; false when the file fails.
bool HttpListener::Loop::NextBodyChunk(Connection& c) {
  c.out.clear();
  c.written = 0;
  const std::size_t length = std::min(kBodyChunk, c.body_length - c.body_offset);
  httplib::DataSink sink;
  sink.write = [&c](const char* data, std::size_t size) {
    c.out.append(data, size);
    return true;
  };
  sink.is_writable = [] { return true; };
  sink.done = [] {};
  if (!c.body(c.body_offset, length, sink) || c.out.size() != length) return false;
  c.body_offset += length;
  return true;
}

// The answer is written: close, linger, or read the next request.
void HttpListener::Loop::Finished(Connection& c) {
  c.out.clear();
  c.out.shrink_to_fit();
  c.written = 0;
  c.body = nullptr;  // closes a streamed file
  c.body_offset = 0;
  c.body_length = 0;
  if (c.linger_after_write) {
    if (c.ssl != nullptr) SSL_shutdown(c.ssl);  // close_notify; its answer is not awaited
    shutdown(c.fd, SHUT_WR);
    c.phase = Phase::kLingering;
    c.in.clear();
    c.request_started = SteadyClock::now();
    SetEvents(c, EPOLLIN);
    return;
  }
  if (c.close_after_write || stopping_) {
    Close(c.id);
    return;
  }
  c.phase = Phase::kReading;
  c.last_activity = SteadyClock::now();
  SetEvents(c, EPOLLIN);
  const std::uint64_t id = c.id;
  Parse(c);  // a pipelined request may be waiting already
  Connection* still = Find(id);
  if (still != nullptr && still->phase == Phase::kReading && still->ssl != nullptr && SSL_pending(still->ssl) > 0) {
    Read(*still);
  }
}

ssize_t HttpListener::Loop::Receive(Connection& c, char* buffer, std::size_t size, bool& would_block) {
  would_block = false;
  if (c.ssl == nullptr) {
    const ssize_t n = recv(c.fd, buffer, size, 0);
    would_block = n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR);
    return n;
  }
  ERR_clear_error();
  const int n = SSL_read(c.ssl, buffer, static_cast<int>(size));
  if (n > 0) return n;
  const int error = SSL_get_error(c.ssl, n);
  if (error == SSL_ERROR_WANT_READ || error == SSL_ERROR_WANT_WRITE) {
    would_block = true;
    return -1;
  }
  return error == SSL_ERROR_ZERO_RETURN ? 0 : -1;
}

ssize_t HttpListener::Loop::Transmit(Connection& c, const char* data, std::size_t size, bool& would_block) {
  would_block = false;
  if (c.ssl == nullptr) {
    const ssize_t n = send(c.fd, data, size, MSG_NOSIGNAL);
    would_block = n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR);
    return n;
  }
  ERR_clear_error();
  const int n = SSL_write(c.ssl, data, static_cast<int>(std::min<std::size_t>(size, 1 << 30)));
  if (n > 0) return n;
  const int error = SSL_get_error(c.ssl, n);
  if (error == SSL_ERROR_WANT_READ || error == SSL_ERROR_WANT_WRITE) {
    would_block = true;
    return -1;
  }
  return -1;
}

void HttpListener::Loop::DeliverCompletions() {
  std::vector<Completion> done;
  {
    std::lock_guard lock(completions_mu_);
    done.swap(completions_);
  }
  for (Completion& completion : done) {
    Connection* c = Find(completion.id);
    if (c == nullptr) continue;
    if (c->gone) {
      Close(c->id);
      continue;
    }
    c->out = std::move(completion.bytes);
    c->written = 0;
    c->body = std::move(completion.body);
    c->body_offset = 0;
    c->body_length = completion.body_length;
    c->close_after_write = !completion.keep_alive;
    c->phase = Phase::kWriting;
    Write(*c);
  }
}

void HttpListener::Loop::Sweep(SteadyClock::time_point now) {
  if (accept_paused_ && !stopping_ && listen_fd_ >= 0) {
    accept_paused_ = false;
    Watch(listen_fd_, kListenId, EPOLLIN, EPOLL_CTL_ADD);
  }
  std::vector<std::uint64_t> to_close;
  std::vector<std::uint64_t> to_time_out;
  for (auto& [id, connection] : connections_) {
    Connection& c = *connection;
    switch (c.phase) {
      case Phase::kReading:
        if (stopping_) {
          to_close.push_back(id);
        } else if (c.request_open && Overdue(c, now)) {
          to_time_out.push_back(id);
        } else if (!c.request_open && now - c.last_activity > options_.idle_timeout) {
          to_close.push_back(id);
        }
        break;
      case Phase::kWriting:
        if (now - c.last_activity > options_.write_timeout) to_close.push_back(id);
        break;
      case Phase::kLingering:
        if (stopping_ || now - c.request_started > kLinger) to_close.push_back(id);
        break;
      case Phase::kHandling:
        break;
    }
  }
  for (std::uint64_t id : to_close) Close(id);
  const auto seconds = [](auto duration) {
    return std::to_string(std::chrono::duration_cast<std::chrono::seconds>(duration).count()) + " s";
  };
  for (std::uint64_t id : to_time_out) {
    Connection* c = Find(id);
    if (c == nullptr) continue;
    const bool head_read = !c->reader.partial_head().method.empty();
    std::string why;
    if (!c->reader.streaming()) {
      why = "the request's head and body did not arrive within " + seconds(options_.request_timeout);
    } else if (now - c->last_activity > options_.upload_idle_timeout) {
      why = "the upload made no progress for " + seconds(options_.upload_idle_timeout);
    } else {
      why = "the upload did not arrive within " + seconds(UploadDeadline(*c)) + " (slower than " +
            std::to_string(options_.upload_min_bytes_per_second / 1024) + " KiB/s on average)";
    }
    Refuse(*c, HttpRefusal{408, "request_timeout", why, {}, "", head_read ? "body" : "headers"});
  }
}

SteadyClock::duration HttpListener::Loop::UploadDeadline(const Connection& c) const {
  const std::uint64_t rate = std::max<std::uint64_t>(1, options_.upload_min_bytes_per_second);
  return options_.request_timeout + std::chrono::seconds(c.reader.body_limit() / rate);
}

// Whether the request being read is past its deadline: a whole-request one,
// or, for a body streamed to a sink (an upload on a slow county line), one of
// progress plus a generous whole that a trickle cannot stretch.
bool HttpListener::Loop::Overdue(const Connection& c, SteadyClock::time_point now) const {
  if (!c.reader.streaming()) return now - c.request_started > options_.request_timeout;
  return now - c.last_activity > options_.upload_idle_timeout || now - c.request_started > UploadDeadline(c);
}

void HttpListener::Loop::Close(std::uint64_t id) {
  auto it = connections_.find(id);
  if (it == connections_.end()) return;
  Connection& c = *it->second;
  if (!c.gone) epoll_ctl(epoll_fd_, EPOLL_CTL_DEL, c.fd, nullptr);
  if (c.ssl != nullptr) SSL_free(c.ssl);
  close(c.fd);
  auto count = per_address_.find(c.address);
  if (count != per_address_.end() && --count->second == 0) per_address_.erase(count);
  connections_.erase(it);
  handler_.OnConnectionClosed();
}

Result<std::unique_ptr<HttpListener>> HttpListener::Start(const HttpListenerOptions& options,
                                                          HttpRequestHandler& handler) {
  const std::size_t file_limit = RaiseOpenFileLimit();
  // OpenSSL writes to sockets with write(2): a peer gone mid-answer must be
  // an error to handle, not a signal that ends the process.
  if (options.tls != nullptr) std::signal(SIGPIPE, SIG_IGN);
  int port = 0;
  ASSIGN_OR_RETURN(int fd, Bind(options.host, options.port, options.backlog, port));
  // Keep some descriptors for the store, Kafka and the log.
  const std::size_t max_connections =
      std::max<std::size_t>(16, std::min(options.max_connections, file_limit > 256 ? file_limit - 256 : 16));
  HttpListenerOptions resolved = options;
  // Handlers mostly wait (a write waits for its group commit's fsync, a
  // backup for its copy), so more workers than cores keep the writes batched
  // and a slow export from holding up /healthz. The pool starts with one
  // thread per core and grows to this only while requests wait for a thread.
  if (resolved.workers == 0) resolved.workers = std::max(64u, 32 * std::thread::hardware_concurrency());
  std::unique_ptr<HttpListener> listener(new HttpListener());
  listener->port_ = port;
  listener->loop_ = std::make_unique<Loop>(resolved, handler, fd, max_connections);
  listener->thread_ = std::thread([loop = listener->loop_.get()] {
    NameThisThread("http-io");
    loop->Run();
  });
  return listener;
}

HttpListener::~HttpListener() { Stop(); }

void HttpListener::Stop() {
  if (!thread_.joinable()) return;
  loop_->RequestStop();
  thread_.join();
  // Jobs still running finish before the handler may go away.
  loop_->StopWorkers();
}

}  // namespace kuimen
