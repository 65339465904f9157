// A receiver's answer costs the service little (an attack run: a robot
// answering 200 with a 600 MB body pushed the server's RSS past 1 GB for one
// delivery). The status counts; at most 64 KiB of the head and of the body are read, none
// kept. A real receiver on loopback (a raw socket, so it can answer what no
// well-behaved server would), the whole service in this process.
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <fstream>

#include "tests/gateway/webhook_fixture.h"

namespace kuimen::testing {
namespace {

// The process's peak resident set (VmHWM), in bytes.
std::size_t PeakRss() {
  std::ifstream status("/proc/self/status");
  std::string line;
  while (std::getline(status, line)) {
    if (line.rfind("VmHWM:", 0) == 0) return std::stoull(line.substr(6)) * 1024;
  }
  return 0;
}

// How a FloodingReceiver answers after its status line.
enum class Flood {
  kLongBody,       // Content-Length 600 MB, then zeros
  kEndlessChunks,  // chunked, chunks of zeros without end
  kEndlessHead,    // header lines without end: the head never finishes
};

// Answers every request with its status and then a flood of zeros, until
// the client hangs up. Counts the requests it answered.
class FloodingReceiver {
 public:
  FloodingReceiver(int status, Flood flood) : status_(status), flood_(flood) {
    listener_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    address.sin_port = 0;
    EXPECT_EQ(::bind(listener_, reinterpret_cast<sockaddr*>(&address), sizeof address), 0);
    EXPECT_EQ(::listen(listener_, 8), 0);
    socklen_t size = sizeof address;
    ::getsockname(listener_, reinterpret_cast<sockaddr*>(&address), &size);
    port_ = ntohs(address.sin_port);
    thread_ = std::thread([this] { Serve(); });
  }
  ~FloodingReceiver() {
    ::shutdown(listener_, SHUT_RDWR);  // wakes accept()
    thread_.join();
    ::close(listener_);
  }
  std::string Url() const { return "http://127.0.0.1:" + std::to_string(port_) + "/robot/flood"; }
  int answered() const { return answered_; }
  // Bytes of body written before the client hung up (over all requests).
  std::uint64_t body_written() const { return body_written_; }

 private:
  void Serve() {
    for (;;) {
      const int connection = ::accept4(listener_, nullptr, nullptr, SOCK_CLOEXEC);
      if (connection < 0) return;
      // Reads the request's head and body (the body's length is in the head).
      std::string request;
      char buffer[16384];
      std::size_t need = std::string::npos;
      while (need == std::string::npos || request.size() < need) {
        const ssize_t got = ::recv(connection, buffer, sizeof buffer, 0);
        if (got <= 0) break;
        request.append(buffer, static_cast<std::size_t>(got));
        const std::size_t end = request.find("\r\n\r\n");
        if (end != std::string::npos && need == std::string::npos) {
          std::size_t length = 0;
          const std::size_t at = request.find("Content-Length: ");
          if (at != std::string::npos) length = std::stoull(request.substr(at + 16));
          need = end + 4 + length;
        }
      }
      const std::uint64_t body_bytes = 600ull * 1024 * 1024;
      const bool chunked = flood_ == Flood::kEndlessChunks;
      std::string head = "HTTP/1.1 " + std::to_string(status_) + " X\r\nContent-Type: application/octet-stream\r\n";
      if (flood_ != Flood::kEndlessHead) {
        head += chunked ? "Transfer-Encoding: chunked\r\n\r\n" : "Content-Length: " + std::to_string(body_bytes) + "\r\n\r\n";
      }
      bool open = ::send(connection, head.data(), head.size(), MSG_NOSIGNAL) == static_cast<ssize_t>(head.size());
      ++answered_;
      const std::string zeros(65536, '0');
      const std::string chunk = "10000\r\n" + zeros + "\r\n";
      std::string header_lines;  // 64 lines "X-Pad: 000…" of 1 KiB each
      for (int i = 0; i < 64; ++i) header_lines += "X-Pad: " + std::string(1015, '0') + "\r\n";
      const std::string& piece = chunked ? chunk : flood_ == Flood::kEndlessHead ? header_lines : zeros;
      const bool endless = flood_ != Flood::kLongBody;
      for (std::uint64_t sent = 0; open && (endless || sent < body_bytes); sent += zeros.size()) {
        open = ::send(connection, piece.data(), piece.size(), MSG_NOSIGNAL) == static_cast<ssize_t>(piece.size());
        if (open) body_written_ += zeros.size();
      }
      ::close(connection);
    }
  }

  int status_;
  Flood flood_;
  int listener_ = -1;
  int port_ = 0;
  std::thread thread_;
  std::atomic<int> answered_{0};
  std::atomic<std::uint64_t> body_written_{0};
};

json Row(const json& log, std::uint64_t position) {
  for (const json& row : log["deliveries"]) {
    if (row["position"] == position) return row;
  }
  return json::object();
}

class WebhookAnswerTest : public WebhookDeliveryTest {};

// Generous: the test process with the whole service runs in well under
// this; the unbounded read grew by the body's 600 MB.
constexpr std::size_t kPeakGrowthBound = 128ull * 1024 * 1024;

TEST_F(WebhookAnswerTest, A200WithA600MbBodyIsDeliveredWithoutReadingTheBody) {
  FloodingReceiver robot(200, Flood::kLongBody);
  RegisterWebhook(lead_unit_, robot.Url());
  const std::size_t before = PeakRss();
  const std::uint64_t position = IssueNotice("DB-flood-1");
  const json row = Row(DeliveriesWhen([&](const json& l) { return Row(l, position).value("state", "") == "delivered"; }),
                       position);
  EXPECT_EQ(row["state"], "delivered") << row.dump();
  EXPECT_EQ(row["last_status"], 200);
  EXPECT_EQ(row["attempts"], 1);
  EXPECT_LT(PeakRss() - before, kPeakGrowthBound) << "peak RSS before " << before << ", after " << PeakRss();
  // The connection was dropped long before the body's end.
  EXPECT_LT(robot.body_written(), 600ull * 1024 * 1024);
  std::printf("peak RSS %zu -> %zu bytes; the receiver wrote %llu body bytes before the hang-up\n", before, PeakRss(),
              static_cast<unsigned long long>(robot.body_written()));
}

TEST_F(WebhookAnswerTest, AnEndlessChunkedBodyIsCutShortAndTheDeliveryCompletes) {
  FloodingReceiver robot(200, Flood::kEndlessChunks);
  RegisterWebhook(lead_unit_, robot.Url());
  const std::size_t before = PeakRss();
  const std::uint64_t position = IssueNotice("DB-flood-2");
  const json row = Row(DeliveriesWhen([&](const json& l) { return Row(l, position).value("state", "") == "delivered"; }),
                       position);
  EXPECT_EQ(row["state"], "delivered") << row.dump();
  EXPECT_EQ(row["last_status"], 200);
  EXPECT_LT(PeakRss() - before, kPeakGrowthBound);
}

TEST_F(WebhookAnswerTest, A500WithAnEndlessBodyCountsAsAFailedAttemptByItsStatus) {
  FloodingReceiver robot(500, Flood::kEndlessChunks);
  RegisterWebhook(lead_unit_, robot.Url());
  const std::uint64_t position = IssueNotice("DB-flood-3");
  const json row = Row(DeliveriesWhen([&](const json& l) { return Row(l, position).value("attempts", 0) >= 1; }),
                       position);
  EXPECT_EQ(row["state"], "pending") << row.dump();  // its retry waits for the manual clock
  EXPECT_EQ(row["last_status"], 500);
  EXPECT_EQ(row["last_error"], "HTTP 500");
}

// cpp-httplib, which sent the webhooks before libcurl, kept every header
// line of an answer whose head never ends, for as long as it came.
TEST_F(WebhookAnswerTest, AnAnswerWhoseHeadNeverEndsIsAFailedAttemptThatCostsNoMemory) {
  FloodingReceiver robot(200, Flood::kEndlessHead);
  RegisterWebhook(lead_unit_, robot.Url());
  const std::size_t before = PeakRss();
  const std::uint64_t position = IssueNotice("DB-flood-4");
  const json row = Row(DeliveriesWhen([&](const json& l) { return Row(l, position).value("attempts", 0) >= 1; }),
                       position);
  EXPECT_EQ(row["state"], "pending") << row.dump();  // retried later, like any failed attempt
  EXPECT_EQ(row["last_status"], 0);
  EXPECT_EQ(row["last_error"], "the answer's head is over 64 KiB");
  EXPECT_LT(PeakRss() - before, kPeakGrowthBound);
}

}  // namespace
}  // namespace kuimen::testing
