// Outbound notifications end to end: the whole service in this process, a real
// cpp-httplib receiver on loopback standing in for a county messaging robot,
// and the manual clock for the retry backoff. Nothing leaves the machine.
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
namespace {

using nlohmann::json;

constexpr const char* kSecret = "SECd0c4f1e2a9b8-test-secret";

std::string HmacHex(const std::string& key, const std::string& body) {
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

  std::string Url(const std::string& robot) const {
    return "http://127.0.0.1:" + std::to_string(port_) + "/robot/" + robot + "?access_token=tok123";
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
};

TEST_F(WebhookDeliveryTest, DeliversANoticeToTheLeadUnitsRobotSignedWithItsSecret) {
  RegisterWebhook(lead_unit_, receiver_.Url("lead"));
  const std::uint64_t position = IssueNotice("DB-1");

  std::vector<Receiver::Hit> hits = receiver_.WaitFor(1);
  ASSERT_EQ(hits.size(), 1u);
  EXPECT_EQ(hits[0].path, "/robot/lead");
  EXPECT_EQ(hits[0].signature, "sha256=" + HmacHex(kSecret, hits[0].body));
  EXPECT_EQ(hits[0].position, std::to_string(position));
  const json message = json::parse(hits[0].body);
  EXPECT_EQ(message["msgtype"], "text");
  const std::string content = message["text"]["content"];
  EXPECT_NE(content.find("【督办通知】"), std::string::npos) << content;
  EXPECT_NE(content.find("第7项重点任务"), std::string::npos) << content;
  EXPECT_NE(content.find("2024-12-31"), std::string::npos) << content;

  const json log = DeliveriesWhen([](const json& l) { return AllDelivered(l, 1); });
  const json& row = log["deliveries"][0];
  EXPECT_EQ(row["position"], position);
  EXPECT_EQ(row["unit"], lead_unit_);
  EXPECT_EQ(row["url_host"], "127.0.0.1");
  EXPECT_EQ(row["attempts"], 1);
  EXPECT_EQ(row["last_status"], 200);
  EXPECT_TRUE(row["delivered_at"].is_string());
}

TEST_F(WebhookDeliveryTest, NoReadShowsTheSecretOrTheRobotsToken) {
  RegisterWebhook(lead_unit_, receiver_.Url("lead"));
  for (const std::string path : {"/api/v1/webhooks", "/api/v1/events", "/api/v1/deliveries"}) {
    Reply reply = Get(path, admin_token_);
    ASSERT_EQ(reply.status, 200) << path;
    EXPECT_EQ(reply.body.find(kSecret), std::string::npos) << path << ": " << reply.body;
    EXPECT_EQ(reply.body.find("tok123"), std::string::npos) << path << ": " << reply.body;
  }
  const json listed = Get("/api/v1/webhooks", admin_token_).json;
  ASSERT_EQ(listed["webhooks"].size(), 1u);
  EXPECT_EQ(listed["webhooks"][0]["unit"], lead_unit_);
  EXPECT_EQ(listed["webhooks"][0]["url"], receiver_.Url("lead").substr(0, receiver_.Url("lead").find('?')));
}

TEST_F(WebhookDeliveryTest, RetriesAfterTheReceiverFailsAndDeliversOnTheNextAttempt) {
  receiver_.Answer({500});
  RegisterWebhook(lead_unit_, receiver_.Url("lead"));
  const std::uint64_t position = IssueNotice("DB-1");

  json log = DeliveriesWhen([](const json& l) { return l["deliveries"].size() == 1 && l["deliveries"][0]["attempts"] == 1; });
  EXPECT_EQ(log["deliveries"][0]["state"], "pending");
  EXPECT_EQ(log["deliveries"][0]["last_status"], 500);
  EXPECT_EQ(log["deliveries"][0]["last_error"], "HTTP 500");
  EXPECT_LT(log["checkpoint"].get<std::uint64_t>(), position);  // not past a message still owed

  clock_.Advance(std::chrono::seconds(11));  // past the first backoff
  // Delivered, and then the checkpoint moves past it.
  log = DeliveriesWhen([&](const json& l) { return AllDelivered(l, 1) && l["checkpoint"] >= position; });
  EXPECT_EQ(log["deliveries"][0]["attempts"], 2);
  EXPECT_EQ(log["deliveries"][0]["last_status"], 200);
  const std::vector<Receiver::Hit> hits = receiver_.Hits();
  ASSERT_EQ(hits.size(), 2u);
  EXPECT_EQ(hits[0].body, hits[1].body);  // the same message again
  EXPECT_EQ(hits[1].signature, "sha256=" + HmacHex(kSecret, hits[1].body));
  EXPECT_GE(log["checkpoint"].get<std::uint64_t>(), position);
}

TEST_F(WebhookDeliveryTest, ARestartLosesNoMessageAndResendsNoneAlreadyDelivered) {
  RegisterWebhook(lead_unit_, receiver_.Url("lead"));
  const std::uint64_t delivered = IssueNotice("DB-1");
  receiver_.WaitFor(1);
  DeliveriesWhen([](const json& l) { return AllDelivered(l, 1); });
  receiver_.Answer({500});
  const std::uint64_t owed = IssueNotice("DB-2");
  DeliveriesWhen([](const json& l) { return l["deliveries"].size() == 2 && l["deliveries"][1]["attempts"] == 1; });

  Stop();
  StartWithWebhooks();
  const std::uint64_t after = IssueNotice("DB-3");
  clock_.Advance(std::chrono::seconds(11));
  const json log = DeliveriesWhen([&](const json& l) { return AllDelivered(l, 3) && l["checkpoint"] >= after; });

  std::map<std::string, int> received_ok;
  for (const Receiver::Hit& hit : receiver_.Hits()) {
    if (hit.answered == 200) ++received_ok[hit.position];
  }
  // Each message reached the robot; none delivered before the restart came again.
  EXPECT_EQ(received_ok[std::to_string(delivered)], 1);
  EXPECT_EQ(received_ok[std::to_string(owed)], 1);
  EXPECT_EQ(received_ok[std::to_string(after)], 1);
  EXPECT_EQ(receiver_.Hits().size(), 4u);  // 3 messages, one of them twice (500, then 200)
  EXPECT_EQ(log["deliveries"][1]["attempts"], 2);
  EXPECT_GE(log["checkpoint"].get<std::uint64_t>(), after);
}

TEST_F(WebhookDeliveryTest, SendsNothingToAUnitWithoutAWebhookOrAfterItsRemoval) {
  const std::uint64_t before = IssueNotice("DB-1");  // no webhook at all
  RegisterWebhook(lead_unit_, receiver_.Url("lead"));
  Reply removed = Send("DELETE", WebhookPath(lead_unit_), admin_token_);
  ASSERT_EQ(removed.status, 200) << removed.body;
  const std::uint64_t after = IssueNotice("DB-2");

  const json log = DeliveriesWhen([&](const json& l) { return l["checkpoint"].get<std::uint64_t>() >= after; });
  EXPECT_TRUE(log["deliveries"].empty()) << log.dump();
  EXPECT_TRUE(receiver_.Hits().empty());
  EXPECT_LT(before, after);
}

TEST_F(WebhookDeliveryTest, ASlowReceiverDoesNotHoldUpAnotherUnitsMessages) {
  Result<SupervisedItem> task8 = ResolveStream(catalog_, TaskStream(TaskNo(8)));
  ASSERT_TRUE(task8.ok());
  const std::string other_unit = task8->lead_units.at(0);
  ASSERT_NE(other_unit, lead_unit_);
  RegisterWebhook(lead_unit_, receiver_.Url("slow"));
  RegisterWebhook(other_unit, receiver_.Url("other"));
  IssueNotice("DB-1");  // to task 7's lead unit, whose robot does not answer yet
  ASSERT_TRUE(receiver_.WaitForHeldRequest());
  Reply notice = Post("/api/v1/tasks/8/events", admin_token_,
                      {{"type", "NoticeIssued"},
                       {"data", {{"notice_id", "DB-8"}, {"due", "2024-12-31"}, {"reason", "进度滞后于序时"}}}});
  ASSERT_EQ(notice.status, 201) << notice.body;

  // The other unit's message arrives while the first robot still holds its request.
  const std::vector<Receiver::Hit> hits = receiver_.WaitFor(1);
  ASSERT_EQ(hits.size(), 1u);
  EXPECT_EQ(hits[0].path, "/robot/other");
  receiver_.Release();
}

TEST_F(WebhookDeliveryTest, TellsTheReportingUnitItsReportWasReturned) {
  RegisterWebhook(lead_unit_, receiver_.Url("lead"));
  const std::string department = Principal("department", lead_unit_);
  ASSERT_EQ(Post("/api/v1/tasks/7/events", department, Report(15)).status, 201);
  Reply review = Post("/api/v1/tasks/7/events", admin_token_,
                      {{"type", "ReportReviewed"},
                       {"data", {{"report_version", 1}, {"decision", "returned"}, {"comment", "缺少佐证材料"}}}});
  ASSERT_EQ(review.status, 201) << review.body;

  std::vector<Receiver::Hit> hits = receiver_.WaitFor(1);
  ASSERT_EQ(hits.size(), 1u);
  const std::string content = json::parse(hits[0].body)["text"]["content"];
  EXPECT_NE(content.find("【报送退回】"), std::string::npos) << content;
  EXPECT_NE(content.find("2024-11"), std::string::npos) << content;
  EXPECT_NE(content.find("缺少佐证材料"), std::string::npos) << content;
  EXPECT_EQ(hits[0].position, std::to_string(review.json["event"]["position"].get<std::uint64_t>()));
}

TEST_F(WebhookDeliveryTest, TellsTheUrgedUnitOfA催办WithItsText) {
  RegisterWebhook(lead_unit_, receiver_.Url("lead"));
  Reply urge = Post("/api/v1/urge", admin_token_, {{"unit", lead_unit_}, {"text", "请于12月10日前报送11月进展"}});
  ASSERT_EQ(urge.status, 201) << urge.body;

  std::vector<Receiver::Hit> hits = receiver_.WaitFor(1);
  ASSERT_EQ(hits.size(), 1u);
  const std::string content = json::parse(hits[0].body)["text"]["content"];
  EXPECT_NE(content.find("【催办】"), std::string::npos) << content;
  EXPECT_NE(content.find("请于12月10日前报送11月进展"), std::string::npos) << content;
  EXPECT_EQ(hits[0].position, std::to_string(urge.json["event"]["position"].get<std::uint64_t>()));
}

TEST_F(WebhookDeliveryTest, TellsTheLeadUnitOfALeadersInstructionSignedWithTheLeadersName) {
  RegisterWebhook(lead_unit_, receiver_.Url("lead"));
  const std::string leader = Principal("leader", "", "县委副书记 李四");
  Reply given = Post("/api/v1/tasks/7/events", leader,
                     {{"type", "InstructionGiven"}, {"data", {{"text", "请月底前拿出整改方案"}}}});
  ASSERT_EQ(given.status, 201) << given.body;

  std::vector<Receiver::Hit> hits = receiver_.WaitFor(1);
  ASSERT_EQ(hits.size(), 1u);
  const std::string content = json::parse(hits[0].body)["text"]["content"];
  EXPECT_NE(content.find("【领导批示】县委副书记 李四"), std::string::npos) << content;
  EXPECT_NE(content.find("第7项重点任务"), std::string::npos) << content;
  EXPECT_NE(content.find("请月底前拿出整改方案"), std::string::npos) << content;
}

TEST_F(WebhookDeliveryTest, OnlyTheTaskForceRegistersAndTheUrlMustBeHttp) {
  const std::string department = Principal("department", lead_unit_);
  Reply denied = Put(WebhookPath(lead_unit_), department, {{"url", receiver_.Url("lead")}});
  EXPECT_EQ(denied.status, 403) << denied.body;
  EXPECT_EQ(denied.json["error"]["code"], "taskforce_only");

  Reply ftp = Put(WebhookPath(lead_unit_), admin_token_, {{"url", "ftp://127.0.0.1/robot"}});
  EXPECT_EQ(ftp.status, 400) << ftp.body;
  EXPECT_EQ(ftp.json["error"]["code"], "invalid_format");
  EXPECT_EQ(ftp.json["error"]["field"], "url");
  EXPECT_EQ(ftp.json["error"]["message"], "接收地址须以http://或https://开头");

  Reply unknown = Put(WebhookPath("不存在的单位"), admin_token_, {{"url", receiver_.Url("x")}});
  EXPECT_EQ(unknown.status, 400) << unknown.body;
  EXPECT_EQ(unknown.json["error"]["code"], "unknown_unit");

  Reply none = Send("DELETE", WebhookPath(lead_unit_), admin_token_);
  EXPECT_EQ(none.status, 404) << none.body;
  EXPECT_EQ(none.json["error"]["code"], "webhook_not_found");
}

}  // namespace
}  // namespace kuimen::testing
