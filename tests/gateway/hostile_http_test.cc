// `kuimen serve` as a hostile or careless client meets it (issue 9, items 1,
// 4, 5, 6, 9 and 12's HTTP part): a real server process, raw sockets for what
// no well-behaved client library would send. Each test prints its figure.
#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>
#include <zlib.h>

#include <chrono>
#include <cstdio>
#include <fstream>
#include <memory>
#include <optional>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include <gtest/gtest.h>
#include <httplib.h>
#include <nlohmann/json.hpp>

#include "tests/projections/wait.h"
#include "tests/support/child_process.h"
#include "tests/support/kuimen_binary.h"
#include "tests/support/temp_dir.h"

namespace kuimen::testing {
namespace {

using Clock = std::chrono::steady_clock;

double MillisecondsSince(Clock::time_point start) {
  return std::chrono::duration<double, std::milli>(Clock::now() - start).count();
}

// One HTTP response as read off a socket.
struct RawResponse {
  int status = 0;
  std::string head;  // status line and headers
  std::string body;
  nlohmann::json json;  // discarded when the body is not JSON

  std::string Header(const std::string& name) const {
    std::istringstream lines(head);
    std::string line;
    while (std::getline(lines, line)) {
      if (line.size() > name.size() && strncasecmp(line.c_str(), name.c_str(), name.size()) == 0 &&
          line[name.size()] == ':') {
        std::string value = line.substr(name.size() + 1);
        value.erase(0, value.find_first_not_of(' '));
        if (!value.empty() && value.back() == '\r') value.pop_back();
        return value;
      }
    }
    return "";
  }
};

// Takes the responses complete in `buffer` off its front.
std::vector<RawResponse> TakeResponses(std::string& buffer) {
  std::vector<RawResponse> responses;
  for (;;) {
    const std::size_t end = buffer.find("\r\n\r\n");
    if (end == std::string::npos) return responses;
    RawResponse response;
    response.head = buffer.substr(0, end + 2);
    response.status = std::atoi(response.head.c_str() + 9);
    const std::string length = response.Header("Content-Length");
    const std::size_t size = length.empty() ? 0 : std::stoul(length);
    if (buffer.size() < end + 4 + size) return responses;
    response.body = buffer.substr(end + 4, size);
    response.json = nlohmann::json::parse(response.body, nullptr, false);
    buffer.erase(0, end + 4 + size);
    if (response.status == 100) continue;
    responses.push_back(std::move(response));
  }
}

// A TCP connection to the server from `source` (any of 127.0.0.0/8), raw bytes.
class RawConnection {
 public:
  RawConnection(int port, const std::string& source = "127.0.0.1") {
    fd_ = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in local{};
    local.sin_family = AF_INET;
    inet_pton(AF_INET, source.c_str(), &local.sin_addr);
    bind(fd_, reinterpret_cast<sockaddr*>(&local), sizeof local);
    sockaddr_in server{};
    server.sin_family = AF_INET;
    server.sin_port = htons(static_cast<std::uint16_t>(port));
    inet_pton(AF_INET, "127.0.0.1", &server.sin_addr);
    connected_ = connect(fd_, reinterpret_cast<sockaddr*>(&server), sizeof server) == 0;
  }
  ~RawConnection() {
    if (fd_ >= 0) close(fd_);
  }
  RawConnection(const RawConnection&) = delete;
  RawConnection& operator=(const RawConnection&) = delete;

  bool connected() const { return connected_; }
  int fd() const { return fd_; }

  bool Send(const std::string& bytes) {
    std::size_t sent = 0;
    while (sent < bytes.size()) {
      const ssize_t n = send(fd_, bytes.data() + sent, bytes.size() - sent, MSG_NOSIGNAL);
      if (n <= 0) return false;
      sent += static_cast<std::size_t>(n);
    }
    return true;
  }

  // Reads until `count` responses are complete, the server closes, or `limit` passes.
  std::vector<RawResponse> Read(std::size_t count, std::chrono::milliseconds limit = std::chrono::seconds(20)) {
    std::vector<RawResponse> responses;
    const Clock::time_point deadline = Clock::now() + limit;
    while (responses.size() < count) {
      for (RawResponse& response : TakeResponses(buffer_)) responses.push_back(std::move(response));
      if (responses.size() >= count) break;
      const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now()).count();
      if (left <= 0) break;
      pollfd ready{fd_, POLLIN, 0};
      if (poll(&ready, 1, static_cast<int>(left)) <= 0) break;
      char chunk[65536];
      const ssize_t n = recv(fd_, chunk, sizeof chunk, 0);
      if (n <= 0) {
        closed_ = true;
        break;
      }
      buffer_.append(chunk, static_cast<std::size_t>(n));
    }
    return responses;
  }
  std::optional<RawResponse> ReadOne(std::chrono::milliseconds limit = std::chrono::seconds(20)) {
    std::vector<RawResponse> responses = Read(1, limit);
    if (responses.empty()) return std::nullopt;
    return std::move(responses.front());
  }

  // True when the server has closed the connection (EOF or reset), waiting up to `limit`.
  bool ClosedByServer(std::chrono::milliseconds limit) {
    const Clock::time_point deadline = Clock::now() + limit;
    while (!closed_) {
      const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now()).count();
      if (left <= 0) return false;
      pollfd ready{fd_, POLLIN, 0};
      if (poll(&ready, 1, static_cast<int>(left)) <= 0) return false;
      char chunk[65536];
      const ssize_t n = recv(fd_, chunk, sizeof chunk, 0);
      if (n <= 0) closed_ = true;
    }
    return true;
  }

  // Sends `head`, then `body_bytes` of body made by `chunk` pieces, as fast as
  // the server takes them, while collecting whatever the server answers;
  // stops when all is sent or the server stops reading. Returns the bytes sent.
  std::uint64_t Flood(const std::string& head, const std::string& piece, std::uint64_t body_bytes) {
    if (!Send(head)) return 0;
    fcntl(fd_, F_SETFL, fcntl(fd_, F_GETFL) | O_NONBLOCK);
    std::uint64_t sent = 0;
    std::size_t offset = 0;
    bool read_closed = false;
    const Clock::time_point deadline = Clock::now() + std::chrono::seconds(30);
    while (sent < body_bytes && Clock::now() < deadline) {
      pollfd ready{fd_, static_cast<short>(read_closed ? POLLOUT : POLLIN | POLLOUT), 0};
      if (poll(&ready, 1, 1000) <= 0) break;
      if ((ready.revents & POLLIN) != 0 && !read_closed) {
        char chunk[65536];
        const ssize_t n = recv(fd_, chunk, sizeof chunk, 0);
        // The server has answered and shut its side; go on sending as an attacker would.
        if (n <= 0) read_closed = true;
        if (n > 0) buffer_.append(chunk, static_cast<std::size_t>(n));
      }
      if ((ready.revents & (POLLERR | POLLHUP)) != 0) break;
      if ((ready.revents & POLLOUT) != 0) {
        const ssize_t n = send(fd_, piece.data() + offset, piece.size() - offset, MSG_NOSIGNAL);
        if (n < 0 && errno != EAGAIN) break;
        if (n > 0) {
          sent += static_cast<std::uint64_t>(n);
          offset = (offset + static_cast<std::size_t>(n)) % piece.size();
        }
      }
    }
    fcntl(fd_, F_SETFL, fcntl(fd_, F_GETFL) & ~O_NONBLOCK);
    return sent;
  }

 private:
  int fd_ = -1;
  bool connected_ = false;
  bool closed_ = false;
  std::string buffer_;
};

// `kB` from /proc/<pid>/status: "VmRSS" (now) or "VmHWM" (the peak).
long ProcStatusKb(pid_t pid, const std::string& field) {
  std::ifstream status("/proc/" + std::to_string(pid) + "/status");
  std::string line;
  while (std::getline(status, line)) {
    if (line.rfind(field + ":", 0) == 0) return std::atol(line.c_str() + field.size() + 1);
  }
  return -1;
}

std::string Get(const std::string& path, const std::string& extra_headers = "") {
  return "GET " + path + " HTTP/1.1\r\nHost: kuimen\r\n" + extra_headers + "\r\n";
}

class HostileHttp : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    // Hundreds of client sockets in this process.
    rlimit limit{};
    getrlimit(RLIMIT_NOFILE, &limit);
    limit.rlim_cur = limit.rlim_max;
    setrlimit(RLIMIT_NOFILE, &limit);
  }

  void Start(std::vector<std::string> extra = {}) {
    std::vector<std::string> argv = {KUIMEN_BINARY, "serve", "--data", (dir_.path() / "data").string(), "--listen",
                                     "127.0.0.1:0"};
    argv.insert(argv.end(), extra.begin(), extra.end());
    log_ = dir_.path() / "serve.log";
    server_ = std::make_unique<ChildProcess>(argv, log_.string());
    WaitUntil([&] { return std::filesystem::exists(dir_.path() / "data" / "server.json"); });
    std::ifstream server_file(dir_.path() / "data" / "server.json");
    const nlohmann::json server = nlohmann::json::parse(server_file, nullptr, false);
    ASSERT_TRUE(server.is_object());
    const std::string listen = server["listen"];
    port_ = std::stoi(listen.substr(listen.rfind(':') + 1));
    std::ifstream token(dir_.path() / "data" / "admin.token");
    std::getline(token, admin_token_);
  }

  // One request on a new connection, its answer.
  RawResponse Exchange(const std::string& bytes, const std::string& source = "127.0.0.1") {
    RawConnection connection(port_, source);
    EXPECT_TRUE(connection.connected());
    EXPECT_TRUE(connection.Send(bytes));
    std::optional<RawResponse> response = connection.ReadOne();
    EXPECT_TRUE(response.has_value()) << "no answer to " << bytes.substr(0, 80);
    return response.value_or(RawResponse{});
  }

  void ExpectHealthy() {
    RawResponse health = Exchange(Get("/healthz"));
    EXPECT_EQ(health.status, 200) << health.body;
  }

  std::string Auth() const { return "Authorization: Bearer " + admin_token_ + "\r\n"; }

  std::string Log() const {
    std::ifstream in(log_, std::ios::binary);
    return std::string((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  }

  TempDir dir_;
  std::filesystem::path log_;
  std::unique_ptr<ChildProcess> server_;
  int port_ = 0;
  std::string admin_token_;
};

void ExpectJsonError(const RawResponse& response, int status, const std::string& what) {
  EXPECT_EQ(response.status, status) << what << ": " << response.body;
  EXPECT_TRUE(response.json.contains("error")) << what << ": " << response.body;
  EXPECT_EQ(response.Header("Content-Type"), "application/json; charset=utf-8") << what;
}

TEST_F(HostileHttp, BytesThatAreNotUtf8AnywhereGetAJsonErrorAndTheServiceGoesOn) {
  Start();
  ExpectJsonError(Exchange(Get("/%ff")), 400, "path /%ff");
  ExpectHealthy();
  ExpectJsonError(Exchange(Get("/api/v1/tasks/%e4%b8")), 400, "truncated UTF-8 in a path parameter");
  ExpectJsonError(Exchange(Get("/api/v1/tasks/%C3%A9", Auth())), 404, "UTF-8 path parameter that is no task");
  ExpectJsonError(Exchange(Get("/api/v1/events?from_position=%ff", Auth())), 400, "query");
  ExpectJsonError(Exchange(Get("/healthz", "X-Note: \xff\xfe\r\n")), 400, "header");
  const std::string body = "{\"type\":\"ProgressReported\",\"data\":{\"summary\":\"\xff\"}}";
  RawResponse bad_body = Exchange("POST /api/v1/tasks/7/events HTTP/1.1\r\nHost: k\r\n" + Auth() +
                                  "Content-Type: application/json\r\nContent-Length: " + std::to_string(body.size()) +
                                  "\r\n\r\n" + body);
  ExpectJsonError(bad_body, 400, "body");
  EXPECT_EQ(bad_body.json["error"].value("field", ""), "body") << bad_body.body;
  ExpectHealthy();
  std::printf("[ figure ] 6 requests with bytes that are not UTF-8: 6 JSON errors, service up\n");
}

TEST_F(HostileHttp, ChunkedBodyWithoutTokenIsRefusedBeforeItIsRead) {
  Start();
  ExpectHealthy();
  const long rss_before = ProcStatusKb(server_->pid(), "VmRSS");
  const long peak_before = ProcStatusKb(server_->pid(), "VmHWM");
  const std::string chunk = "10000\r\n" + std::string(0x10000, 'a') + "\r\n";
  const std::string head = "POST /api/v1/tasks/7/events HTTP/1.1\r\nHost: k\r\nContent-Type: application/json\r\n"
                           "Transfer-Encoding: chunked\r\n";
  constexpr std::uint64_t kFlood = 200ull * 1024 * 1024;

  RawConnection anonymous(port_);
  const std::uint64_t sent_anonymous = anonymous.Flood(head + "\r\n", chunk, kFlood);
  std::optional<RawResponse> unauthenticated = anonymous.ReadOne();
  ASSERT_TRUE(unauthenticated.has_value());
  EXPECT_EQ(unauthenticated->status, 401) << unauthenticated->body;
  EXPECT_EQ(unauthenticated->Header("WWW-Authenticate"), "Bearer");

  RawConnection authenticated(port_);
  const std::uint64_t sent_authenticated = authenticated.Flood(head + Auth() + "\r\n", chunk, kFlood);
  std::optional<RawResponse> too_large = authenticated.ReadOne();
  ASSERT_TRUE(too_large.has_value());
  EXPECT_EQ(too_large->status, 413) << too_large->body;
  EXPECT_EQ(too_large->json["error"]["code"], "payload_too_large");

  const long rss_growth = ProcStatusKb(server_->pid(), "VmRSS") - rss_before;
  const long peak_growth = ProcStatusKb(server_->pid(), "VmHWM") - peak_before;
  std::printf("[ figure ] chunked flood: %.1f MB sent without a token -> 401, %.1f MB with one -> 413; "
              "server RSS grew %ld kB, peak RSS %ld kB\n",
              sent_anonymous / 1048576.0, sent_authenticated / 1048576.0, rss_growth, peak_growth);
  RecordProperty("chunked_flood_peak_rss_growth_kb", std::to_string(peak_growth));
  EXPECT_LT(peak_growth, 8 * 1024);
  ExpectHealthy();
}

TEST_F(HostileHttp, GzipBodyIsRefusedUninflated) {
  Start();
  // 60 MB of zeros gzipped to about 60 KB.
  const std::string zeros(60 * 1024 * 1024, '0');
  z_stream stream{};
  ASSERT_EQ(deflateInit2(&stream, 9, Z_DEFLATED, 31, 9, Z_DEFAULT_STRATEGY), Z_OK);
  std::string bomb(deflateBound(&stream, zeros.size()), '\0');
  stream.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(zeros.data()));
  stream.avail_in = static_cast<uInt>(zeros.size());
  stream.next_out = reinterpret_cast<Bytef*>(bomb.data());
  stream.avail_out = static_cast<uInt>(bomb.size());
  ASSERT_EQ(deflate(&stream, Z_FINISH), Z_STREAM_END);
  bomb.resize(stream.total_out);
  deflateEnd(&stream);
  ExpectHealthy();
  const long peak_before = ProcStatusKb(server_->pid(), "VmHWM");
  RawResponse refused = Exchange("POST /api/v1/tasks/7/events HTTP/1.1\r\nHost: k\r\n" + Auth() +
                                 "Content-Type: application/json\r\nContent-Encoding: gzip\r\nContent-Length: " +
                                 std::to_string(bomb.size()) + "\r\n\r\n" + bomb);
  ExpectJsonError(refused, 415, "gzip body");
  const long peak_growth = ProcStatusKb(server_->pid(), "VmHWM") - peak_before;
  std::printf("[ figure ] gzip bomb of %zu bytes (60 MB inflated): %d, peak RSS grew %ld kB\n", bomb.size(),
              refused.status, peak_growth);
  EXPECT_LT(peak_growth, 8 * 1024);
  ExpectHealthy();
}

// 500 clients from ten addresses (50 each, under the per-address cap) send a
// header line a second; a normal client is answered all the same, and the
// slow ones are closed once their request deadline passes.
TEST_F(HostileHttp, SlowClientsDoNotStarveANormalOne) {
  constexpr int kTimeoutSeconds = 4;
  Start({"--request-timeout", std::to_string(kTimeoutSeconds)});
  ExpectHealthy();
  std::vector<std::unique_ptr<RawConnection>> slow;
  const Clock::time_point opened = Clock::now();
  for (int i = 0; i < 500; ++i) {
    slow.push_back(std::make_unique<RawConnection>(port_, "127.0.0." + std::to_string(2 + i % 10)));
    ASSERT_TRUE(slow.back()->connected()) << i;
    ASSERT_TRUE(slow.back()->Send("GET /healthz HTTP/1.1\r\nHost: k\r\n"));
  }
  std::atomic<bool> trickling{true};
  std::thread trickle([&] {
    for (int line = 0; trickling; ++line) {
      std::this_thread::sleep_for(std::chrono::seconds(1));
      for (auto& connection : slow) connection->Send("X-Slow-" + std::to_string(line) + ": 1\r\n");
    }
  });
  std::this_thread::sleep_for(std::chrono::milliseconds(1500));  // the attack is under way
  const Clock::time_point asked = Clock::now();
  RawResponse health = Exchange(Get("/healthz"));
  const double latency_ms = MillisecondsSince(asked);
  EXPECT_EQ(health.status, 200);
  // "Answered at all before the slow clients' deadline"; the figure is printed.
  EXPECT_LT(latency_ms, (kTimeoutSeconds - 1) * 1000.0);

  int closed = 0;
  int timed_out = 0;
  for (auto& connection : slow) {
    std::optional<RawResponse> answer = connection->ReadOne(std::chrono::seconds(kTimeoutSeconds + 5));
    if (answer && answer->status == 408) ++timed_out;
    if (connection->ClosedByServer(std::chrono::seconds(3))) ++closed;
  }
  const double closed_after_ms = MillisecondsSince(opened);
  trickling = false;
  trickle.join();
  std::printf("[ figure ] 500 slow clients: /healthz answered in %.1f ms; %d got 408 and %d were closed "
              "%.1f s after they connected (deadline %d s)\n",
              latency_ms, timed_out, closed, closed_after_ms / 1000, kTimeoutSeconds);
  RecordProperty("healthz_ms_under_500_slow_clients", std::to_string(latency_ms));
  EXPECT_EQ(timed_out, 500);
  EXPECT_EQ(closed, 500);
  ExpectHealthy();
}

TEST_F(HostileHttp, ConnectionsOverThePerAddressCapAreRefused) {
  Start({"--max-connections-per-address", "8"});
  std::vector<std::unique_ptr<RawConnection>> held;
  for (int i = 0; i < 8; ++i) held.push_back(std::make_unique<RawConnection>(port_, "127.0.0.20"));
  // The server has accepted all eight once one of them is answered.
  ASSERT_TRUE(held.back()->Send(Get("/healthz")));
  ASSERT_TRUE(held.back()->ReadOne().has_value());
  RawConnection ninth(port_, "127.0.0.20");
  std::optional<RawResponse> refused = ninth.ReadOne();
  ASSERT_TRUE(refused.has_value());
  ExpectJsonError(*refused, 503, "ninth connection");
  EXPECT_TRUE(ninth.ClosedByServer(std::chrono::seconds(5)));
  ExpectHealthy();  // another address is served
  RawResponse metrics = Exchange(Get("/metrics"));
  EXPECT_NE(metrics.body.find("kuimen_http_connections_refused_total 1"), std::string::npos) << metrics.body;
  EXPECT_NE(metrics.body.find("kuimen_http_open_connections"), std::string::npos);
}

TEST_F(HostileHttp, BurstOfThreeHundredConnectionsIsAllAnswered) {
  Start();
  ExpectHealthy();
  const Clock::time_point start = Clock::now();
  std::vector<std::unique_ptr<RawConnection>> burst;
  for (int i = 0; i < 300; ++i) {
    burst.push_back(std::make_unique<RawConnection>(port_, "127.0.0." + std::to_string(30 + i % 6)));
  }
  for (auto& connection : burst) EXPECT_TRUE(connection->Send(Get("/healthz")));
  int answered = 0;
  for (auto& connection : burst) {
    std::optional<RawResponse> response = connection->ReadOne();
    if (response && response->status == 200) ++answered;
  }
  const double ms = MillisecondsSince(start);
  std::printf("[ figure ] burst of 300 connections: %d answered 200 in %.1f ms\n", answered, ms);
  RecordProperty("burst_300_ms", std::to_string(ms));
  EXPECT_EQ(answered, 300);
}

TEST_F(HostileHttp, PipelinedRequestsAreAnsweredInOrder) {
  Start();
  RawConnection connection(port_);
  ASSERT_TRUE(connection.Send(Get("/healthz") + Get("/api/v1/openapi.json") + Get("/api/v1/nothing-here")));
  std::vector<RawResponse> responses = connection.Read(3);
  ASSERT_EQ(responses.size(), 3u);
  EXPECT_EQ(responses[0].status, 200);
  EXPECT_TRUE(responses[0].json.contains("head_position")) << responses[0].body.substr(0, 200);
  EXPECT_EQ(responses[1].status, 200);
  EXPECT_TRUE(responses[1].json.contains("openapi")) << responses[1].body.substr(0, 200);
  ExpectJsonError(responses[2], 404, "third pipelined request");
  // The connection stays open for a fourth.
  ASSERT_TRUE(connection.Send(Get("/healthz")));
  std::optional<RawResponse> fourth = connection.ReadOne();
  ASSERT_TRUE(fourth.has_value());
  EXPECT_EQ(fourth->status, 200);
  std::printf("[ figure ] 3 pipelined requests in one write: %zu answers, in order\n", responses.size());
}

TEST_F(HostileHttp, ControlCharactersFromARequestAreEscapedInTheLog) {
  Start();
  // A path that decodes to ESC [31m, a line break and a forged line; an id with a C1 control.
  RawResponse forged = Exchange(Get("/api/v1/tasks/%1b%5b31m%0a%5b2024%5d%20FORGED", "X-Request-Id: id\xc2\x9b" "7\r\n"));
  ExpectJsonError(forged, 401, "forged path");
  EXPECT_EQ(forged.Header("X-Request-Id"), "id\\xc2\\x9b7");
  // A raw ESC in the X-Request-Id header: echoed and logged escaped.
  RawResponse escape = Exchange(Get("/api/v1/me", "X-Request-Id: \x1b[2J\r\n"));
  ExpectJsonError(escape, 401, "ESC in X-Request-Id");
  EXPECT_EQ(escape.Header("X-Request-Id"), "\\x1b[2J");
  ExpectHealthy();
  server_->Stop(SIGTERM);
  const std::string log = Log();
  EXPECT_EQ(log.find('\x1b'), std::string::npos) << "a raw ESC reached the log";
  EXPECT_EQ(log.find("\n[2024] FORGED"), std::string::npos) << "a forged line reached the log";
  EXPECT_EQ(log.find("\xc2\x9b"), std::string::npos) << "a raw C1 control reached the log";
  EXPECT_NE(log.find("/api/v1/tasks/\\x1b[31m\\n[2024] FORGED"), std::string::npos) << log;
  EXPECT_NE(log.find("id=id\\xc2\\x9b7"), std::string::npos) << log;
  EXPECT_NE(log.find("id=\\x1b[2J"), std::string::npos) << log;
}

TEST_F(HostileHttp, UnknownMethodsAndOversizedHeadsAreRefusedWithTheirStatus) {
  Start();
  RawResponse put = Exchange("PUT /api/v1/tasks/7 HTTP/1.1\r\nHost: k\r\nContent-Length: 2\r\n\r\n{}");
  ExpectJsonError(put, 405, "PUT");
  EXPECT_EQ(put.Header("Allow"), "GET, HEAD");
  RawResponse trace = Exchange("TRACE / HTTP/1.1\r\nHost: k\r\n\r\n");
  ExpectJsonError(trace, 405, "TRACE");
  ExpectJsonError(Exchange("DELETE /api/v1/tasks HTTP/1.1\r\nHost: k\r\n\r\n"), 405, "DELETE on a GET route");
  ExpectJsonError(Exchange("BREW / HTTP/1.1\r\nHost: k\r\n\r\n"), 501, "a method no one knows");
  std::string many;
  for (int i = 0; i < 200; ++i) many += "X-Header-" + std::to_string(i) + ": " + std::to_string(i) + "\r\n";
  ExpectJsonError(Exchange(Get("/healthz", many)), 431, "200 headers");
  ExpectJsonError(Exchange(Get("/healthz", "X-Long: " + std::string(40000, 'x') + "\r\n")), 431, "a 40 KB header");
  // A 30 KB path once overflowed std::regex's recursion and ended the process.
  ExpectJsonError(Exchange(Get("/api/v1/tasks/" + std::string(30000, 'a'), Auth())), 404, "a 30 KB path");
  ExpectJsonError(Exchange(Get("/" + std::string(30000, 'a'))), 404, "a 30 KB unknown path");
  ExpectJsonError(Exchange("POST /api/v1/tasks/7/events HTTP/1.1\r\nHost: k\r\n" + Auth() +
                           "Content-Length: 100000000\r\n\r\n"),
                  413, "declared Content-Length over --max-body");
  ExpectHealthy();
}

TEST_F(HostileHttp, DashboardFilesAreServedSafelyAndCached) {
  Start();
  RawResponse page = Exchange(Get("/"));
  ASSERT_EQ(page.status, 200);
  EXPECT_EQ(page.Header("Content-Type"), "text/html; charset=utf-8");
  EXPECT_NE(page.Header("Content-Security-Policy").find("frame-ancestors 'none'"), std::string::npos);
  EXPECT_EQ(page.Header("X-Content-Type-Options"), "nosniff");
  EXPECT_FALSE(page.Header("Referrer-Policy").empty());
  const std::string etag = page.Header("ETag");
  ASSERT_FALSE(etag.empty());
  EXPECT_EQ(Exchange(Get("/index.html", "If-None-Match: " + etag + "\r\n")).status, 304);
  RawResponse script = Exchange(Get("/app.js", "Accept-Encoding: gzip, deflate\r\n"));
  EXPECT_EQ(script.status, 200);
  EXPECT_EQ(script.Header("Content-Type"), "text/javascript; charset=utf-8");
  EXPECT_EQ(script.Header("Content-Encoding"), "gzip");
  for (const char* path : {"/../../../etc/passwd", "/%2e%2e/%2e%2e/etc/passwd", "/..%2f..%2fetc%2fpasswd"}) {
    EXPECT_EQ(Exchange(Get(path)).status, 404) << path;
  }
  // The API's answers carry the same headers.
  RawResponse health = Exchange(Get("/healthz"));
  EXPECT_EQ(health.Header("X-Content-Type-Options"), "nosniff");
  EXPECT_EQ(health.Header("Cache-Control"), "no-store");
}

TEST_F(HostileHttp, SelfSignedTlsServesHttpsWithHsts) {
  Start({"--tls-self-signed"});
  std::ifstream server_file(dir_.path() / "data" / "server.json");
  const nlohmann::json server = nlohmann::json::parse(server_file, nullptr, false);
  EXPECT_EQ(server.value("scheme", ""), "https");
  const std::filesystem::path cert = dir_.path() / "data" / "tls" / "cert.pem";
  const std::filesystem::path key = dir_.path() / "data" / "tls" / "key.pem";
  ASSERT_TRUE(std::filesystem::exists(cert));
  EXPECT_EQ(std::filesystem::status(key).permissions() & std::filesystem::perms::all, std::filesystem::perms::owner_read |
                                                                                      std::filesystem::perms::owner_write);

  httplib::SSLClient client("127.0.0.1", port_);
  client.set_ca_cert_path(cert.c_str());
  client.enable_server_certificate_verification(true);
  client.set_read_timeout(10, 0);
  httplib::Result health = client.Get("/healthz");
  ASSERT_TRUE(health) << httplib::to_string(health.error());
  EXPECT_EQ(health->status, 200);
  EXPECT_EQ(health->get_header_value("Strict-Transport-Security"), "max-age=31536000");
  httplib::Result me = client.Get("/api/v1/me", {{"Authorization", "Bearer " + admin_token_}});
  ASSERT_TRUE(me);
  EXPECT_EQ(me->status, 200) << me->body;
  // Plain HTTP on the TLS port gets no HTTP answer.
  RawConnection plain(port_);
  ASSERT_TRUE(plain.Send(Get("/healthz")));
  EXPECT_FALSE(plain.ReadOne(std::chrono::seconds(6)).has_value());
}

TEST_F(HostileHttp, SigtermStopsPromptlyWhileClientsHoldHalfSentRequests) {
  Start();
  std::vector<std::unique_ptr<RawConnection>> half;
  for (int i = 0; i < 50; ++i) {
    half.push_back(std::make_unique<RawConnection>(port_, "127.0.0.40"));
    ASSERT_TRUE(half.back()->Send("POST /api/v1/tasks/7/events HTTP/1.1\r\nHost: k\r\n"));
  }
  ExpectHealthy();
  const Clock::time_point stopping = Clock::now();
  EXPECT_EQ(server_->Stop(SIGTERM), 0);
  const double ms = MillisecondsSince(stopping);
  std::printf("[ figure ] SIGTERM with 50 half-sent requests open: stopped in %.1f ms\n", ms);
  EXPECT_LT(ms, 10000.0);  // not held for the requests' deadline
  for (auto& connection : half) EXPECT_TRUE(connection->ClosedByServer(std::chrono::seconds(1)));
}

TEST(HostileHttpListen, PlainHttpOnANonLoopbackAddressIsRefusedUnlessAllowed) {
  TempDir dir;
  KuimenRun run = RunKuimen("serve --data " + ShellQuote((dir.path() / "data").string()) + " --listen 0.0.0.0:0",
                            /*with_stderr=*/true);
  EXPECT_NE(run.exit_code, 0);
  EXPECT_NE(run.out.find("--allow-plain-http"), std::string::npos) << run.out;
}

}  // namespace
}  // namespace kuimen::testing
