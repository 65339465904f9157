// Outbound notifications end to end: the whole service in this process, a real
// cpp-httplib receiver on loopback standing in for a county messaging robot,
// and the manual clock for the retry backoff. Nothing leaves the machine.
#include "tests/gateway/webhook_fixture.h"

namespace kuimen::testing {
namespace {

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
