#pragma once
// A messaging robot on loopback (a real cpp-httplib server) and the fixture
// of the webhook tests: the whole service in this process, the manual clock
// for the retry backoff. Nothing leaves the machine.
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <chrono>
#include <condition_variable>
#include <deque>
#include <functional>
#include <mutex>
#include <thread>

#include "domain/supervised_item.h"
#include "tests/gateway/api_server.h"

namespace kuimen::testing {

using nlohmann::json;

inline constexpr const char* kSecret = "SECd0c4f1e2a9b8-test-secret";

inline std::string HmacHex(const std::string& key, const std::string& body) {
  unsigned char mac[EVP_MAX_MD_SIZE];
  unsigned int size = 0;
  HMAC(EVP_sha256(), key.data(), static_cast<int>(key.size()), reinterpret_cast<const unsigned char*>(body.data()),
       body.size(), mac, &size);
  std::string hex;
  for (unsigned int i = 0; i < size; ++i) {
    static constexpr char kDigits[] = "0123456789abcdef";
    hex += kDigits[mac[i] >> 4];
    hex += kDigits[mac[i] & 0xF];
  }
  return hex;
}

// A messaging robot on loopback: records every request, answers each with the
// next scripted status (200 once the script is used up).
class Receiver {
 public:
  struct Hit {
    std::string path;
    std::string body;
    std::string signature;
    std::string position;
    int answered = 0;
  };

  Receiver() {
    server_.Post(R"(/robot/(\w+))", [this](const httplib::Request& request, httplib::Response& response) {
      std::unique_lock lock(mu_);
      if (request.path == "/robot/slow") {
        ++slow_waiting_;
        changed_.notify_all();
        changed_.wait(lock, [&] { return slow_released_; });
      }
      int status = 200;
      if (!script_.empty()) {
        status = script_.front();
        script_.pop_front();
      }
      hits_.push_back({request.path, request.body, request.get_header_value("X-Kuimen-Signature"),
                       request.get_header_value("X-Kuimen-Event-Position"), status});
      response.status = status;
      response.set_content(R"({"errcode":0,"errmsg":"ok"})", "application/json");
      changed_.notify_all();
    });
    port_ = server_.bind_to_any_port("127.0.0.1");
    // Bound and listening already: requests wait in the backlog until the loop accepts them.
    thread_ = std::thread([this] { server_.listen_after_bind(); });
  }
  ~Receiver() {
    Release();
    server_.stop();
    thread_.join();
  }

  std::string Url(const std::string& robot) const { return UrlVia("127.0.0.1", robot); }
  // The same robot, named by another host (which may or may not reach it).
  std::string UrlVia(const std::string& host, const std::string& robot) const {
    return "http://" + host + ":" + std::to_string(port_) + "/robot/" + robot + "?access_token=tok123";
  }
  void Answer(std::initializer_list<int> statuses) {
    std::lock_guard lock(mu_);
    script_.insert(script_.end(), statuses);
  }
  // Lets the requests held at /robot/slow answer.
  void Release() {
    std::lock_guard lock(mu_);
    slow_released_ = true;
    changed_.notify_all();
  }
  // Waits until a request is being held at /robot/slow.
  bool WaitForHeldRequest() {
    std::unique_lock lock(mu_);
    return changed_.wait_for(lock, std::chrono::seconds(20), [&] { return slow_waiting_ > 0; });
  }
  std::vector<Hit> Hits() const {
    std::lock_guard lock(mu_);
    return hits_;
  }
  // Waits (at most 20 s, a bound for a broken build, not a timing) for `count` requests.
  std::vector<Hit> WaitFor(std::size_t count) {
    std::unique_lock lock(mu_);
    changed_.wait_for(lock, std::chrono::seconds(20), [&] { return hits_.size() >= count; });
    return hits_;
  }

 private:
  httplib::Server server_;
  int port_ = 0;
  std::thread thread_;
  mutable std::mutex mu_;
  std::condition_variable changed_;
  std::deque<int> script_;
  int slow_waiting_ = 0;
  bool slow_released_ = false;
  std::vector<Hit> hits_;
};

class WebhookDeliveryTest : public ApiServerTest {
 protected:
  void SetUp() override {
    Result<Catalog> catalog = LoadDefaultCatalog();
    ASSERT_TRUE(catalog.ok()) << catalog.status().message();
    catalog_ = std::move(catalog).value();
    Result<SupervisedItem> item = ResolveStream(catalog_, TaskStream(TaskNo(7)));
    ASSERT_TRUE(item.ok());
    lead_unit_ = item->lead_units.at(0);
    StartWithWebhooks();
  }

  void StartWithWebhooks() {
    ServiceOptions options;
    options.data_dir = dir_.path();
    Result<std::unique_ptr<Service>> service = Service::Start(catalog_, options, clock_);
    ASSERT_TRUE(service.ok()) << service.status().message();
    service_ = std::move(service).value();
    HttpServerOptions http;
    http.port = 0;
    http.threads = 4;
    WebhookDeliveryOptions hooks;
    hooks.poll_interval = std::chrono::milliseconds(20);
    hooks.first_retry = std::chrono::seconds(10);  // by the manual clock: a retry waits until the test advances it
    hooks.max_retry = std::chrono::seconds(60);
    hooks.connect_timeout = std::chrono::seconds(2);
    hooks.read_timeout = std::chrono::seconds(2);
    hooks.max_attempts = max_attempts_;
    hooks.allow_hosts = allow_hosts_;  // as `kuimen serve --webhook-allow-host 127.0.0.1`
    Result<std::unique_ptr<Gateway>> gateway =
        Gateway::Start(catalog_, *service_, ViewSettings{}, dir_.path(), clock_, http, hooks);
    ASSERT_TRUE(gateway.ok()) << gateway.status().message();
    gateway_ = std::move(gateway).value();
    std::ifstream token(dir_.path() / "admin.token");
    std::getline(token, admin_token_);
  }

  Reply Put(const std::string& path, const std::string& token, const json& body) {
    httplib::Client client("127.0.0.1", gateway_->port());
    httplib::Result result =
        client.Put(path, {{"Authorization", "Bearer " + token}}, body.dump(), "application/json");
    Reply reply;
    if (!result) {
      ADD_FAILURE() << "PUT " << path << ": " << httplib::to_string(result.error());
      return reply;
    }
    reply.status = result->status;
    reply.body = result->body;
    reply.json = json::parse(result->body, nullptr, false);
    return reply;
  }

  static std::string WebhookPath(const std::string& unit) {
    std::string encoded;
    for (unsigned char c : unit) {
      static constexpr char kDigits[] = "0123456789ABCDEF";
      encoded += std::string("%") + kDigits[c >> 4] + kDigits[c & 0xF];
    }
    return "/api/v1/units/" + encoded + "/webhook";
  }

  void RegisterWebhook(const std::string& unit, const std::string& url, const std::string& secret = kSecret) {
    Reply reply = Put(WebhookPath(unit), admin_token_, {{"url", url}, {"secret", secret}});
    ASSERT_EQ(reply.status, 200) << reply.body;
  }

  std::uint64_t IssueNotice(const std::string& id) {
    Reply reply = Post("/api/v1/tasks/7/events", admin_token_,
                       {{"type", "NoticeIssued"},
                        {"data", {{"notice_id", id}, {"due", "2024-12-31"}, {"reason", "进度滞后于序时"}}}});
    EXPECT_EQ(reply.status, 201) << reply.body;
    return reply.json["event"]["position"].get<std::uint64_t>();
  }

  // The delivery log once `done` holds for it (polled; at most 20 s for a broken build).
  json DeliveriesWhen(const std::function<bool(const json&)>& done) {
    json log;
    for (int i = 0; i < 2000; ++i) {
      log = Get("/api/v1/deliveries", admin_token_).json;
      if (done(log)) return log;
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    ADD_FAILURE() << "the delivery log never reached the expected state: " << log.dump();
    return log;
  }
  static bool AllDelivered(const json& log, std::size_t count) {
    if (log["deliveries"].size() != count) return false;
    for (const json& row : log["deliveries"]) {
      if (row["state"] != "delivered") return false;
    }
    return true;
  }

  Receiver receiver_;
  std::string lead_unit_;
  // Read by StartWithWebhooks: the receiver's host is allowed; a few attempts.
  std::vector<std::string> allow_hosts_{"127.0.0.1"};
  int max_attempts_ = 3;
};

}  // namespace kuimen::testing
