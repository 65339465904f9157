// Webhooks hardened (issue 11, item 2, after an attack run): a message that
// keeps failing is given up and holds back nothing; pending messages follow
// the unit's current webhook; URLs that would make the server a port scanner
// of its own network are refused at registration and at delivery. The whole
// service in this process, a real receiver on loopback, the manual clock.
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "gateway/webhook_targets.h"
#include "tests/gateway/webhook_fixture.h"

namespace kuimen::testing {
namespace {

// The delivery log's row for a message (the event at `position`).
json Row(const json& log, std::uint64_t position) {
  for (const json& row : log["deliveries"]) {
    if (row["position"] == position) return row;
  }
  return json::object();  // not in the log yet: a poll reads no fields
}

std::map<std::string, std::vector<int>> AnswersByPosition(const std::vector<Receiver::Hit>& hits) {
  std::map<std::string, std::vector<int>> out;
  for (const Receiver::Hit& hit : hits) out[hit.position].push_back(hit.answered);
  return out;
}

class WebhookHardeningTest : public WebhookDeliveryTest {
 protected:
  // Restarts the server with other options (the data directory stays).
  void RestartWith(std::vector<std::string> allow_hosts, int max_attempts) {
    Stop();
    allow_hosts_ = std::move(allow_hosts);
    max_attempts_ = max_attempts;
    StartWithWebhooks();
  }
  // Waits until the message at `position` has made `attempts` attempts.
  json AfterAttempts(std::uint64_t position, int attempts) {
    return DeliveriesWhen([&](const json& l) { return Row(l, position).value("attempts", 0) >= attempts; });
  }
  json InState(std::uint64_t position, const std::string& state) {
    return DeliveriesWhen([&](const json& l) { return Row(l, position).value("state", "") == state; });
  }
  // ... and the checkpoint past it (it moves just after the journal records the outcome).
  json DoneInState(std::uint64_t position, const std::string& state) {
    return DeliveriesWhen([&](const json& l) {
      return Row(l, position).value("state", "") == state && l["checkpoint"].get<std::uint64_t>() >= position;
    });
  }
};

TEST_F(WebhookHardeningTest, AFailingMessageHoldsBackNoLaterOneAndIsGivenUpAfterItsAttempts) {
  receiver_.Answer({500});
  RegisterWebhook(lead_unit_, receiver_.Url("lead"));
  const std::uint64_t failing = IssueNotice("DB-1");
  AfterAttempts(failing, 1);

  // A later message to the same unit goes while the first waits for its retry.
  const std::uint64_t later = IssueNotice("DB-2");
  json log = InState(later, "delivered");
  EXPECT_EQ(Row(log, failing)["state"], "pending");

  receiver_.Answer({500, 500});
  clock_.Advance(std::chrono::seconds(11));  // first backoff 10 s
  AfterAttempts(failing, 2);
  clock_.Advance(std::chrono::seconds(21));  // then 20 s; the third attempt is the last (max_attempts 3)
  log = InState(failing, "given_up");
  const json row = Row(log, failing);
  EXPECT_EQ(row["state_text"], "已放弃");
  EXPECT_EQ(row["reason"], "attempts");
  EXPECT_EQ(row["attempts"], 3);
  EXPECT_EQ(row["last_status"], 500);
  EXPECT_EQ(row["last_error"], "HTTP 500");

  // Nothing more is owed: the checkpoint passes both, and the next message goes at once.
  const std::uint64_t next = IssueNotice("DB-3");
  log = DeliveriesWhen([&](const json& l) { return l["checkpoint"].get<std::uint64_t>() >= next; });
  EXPECT_EQ(Row(log, next)["state"], "delivered");
  std::map<std::string, std::vector<int>> answers = AnswersByPosition(receiver_.Hits());
  EXPECT_EQ(answers[std::to_string(failing)], (std::vector<int>{500, 500, 500}));
  EXPECT_EQ(answers[std::to_string(later)], (std::vector<int>{200}));
  EXPECT_EQ(answers[std::to_string(next)], (std::vector<int>{200}));
}

TEST_F(WebhookHardeningTest, AMessageStillFailingADayAfterItsEventIsGivenUpWithItsLastError) {
  RestartWith({"127.0.0.1"}, /*max_attempts=*/100);
  receiver_.Answer({503, 503});
  RegisterWebhook(lead_unit_, receiver_.Url("lead"));
  const std::uint64_t position = IssueNotice("DB-1");
  AfterAttempts(position, 1);

  clock_.Advance(std::chrono::hours(25));  // past the give-up age (24 h): one last attempt, then given up
  const json log = DoneInState(position, "given_up");
  const json row = Row(log, position);
  EXPECT_EQ(row["reason"], "ttl");
  EXPECT_EQ(row["attempts"], 2);
  EXPECT_EQ(row["last_error"], "HTTP 503");
  EXPECT_GE(log["checkpoint"].get<std::uint64_t>(), position);
}

TEST_F(WebhookHardeningTest, ReRegisteringTheWebhookSendsAPendingMessageToTheNewAddressWithTheNewSecret) {
  const std::string new_secret = "SEC-the-robot-was-recreated-2";
  receiver_.Answer({500});
  RegisterWebhook(lead_unit_, receiver_.Url("old"));
  const std::uint64_t position = IssueNotice("DB-1");
  AfterAttempts(position, 1);

  // No clock advance: the new address is tried at once, not after the backoff.
  RegisterWebhook(lead_unit_, receiver_.Url("new"), new_secret);
  const json log = InState(position, "delivered");
  EXPECT_EQ(Row(log, position)["attempts"], 2);
  const std::vector<Receiver::Hit> hits = receiver_.Hits();
  ASSERT_EQ(hits.size(), 2u);
  EXPECT_EQ(hits[0].path, "/robot/old");
  EXPECT_EQ(hits[0].answered, 500);
  EXPECT_EQ(hits[1].path, "/robot/new");
  EXPECT_EQ(hits[1].answered, 200);
  EXPECT_EQ(hits[1].body, hits[0].body);
  EXPECT_EQ(hits[1].signature, "sha256=" + HmacHex(new_secret, hits[1].body));
}

TEST_F(WebhookHardeningTest, AnAttemptOutWhenTheWebhookIsReRegisteredIsRetriedAtTheNewAddressAtOnce) {
  receiver_.Answer({500});
  RegisterWebhook(lead_unit_, receiver_.Url("slow"));
  const std::uint64_t position = IssueNotice("DB-1");
  ASSERT_TRUE(receiver_.WaitForHeldRequest());  // the old robot holds the first attempt
  RegisterWebhook(lead_unit_, receiver_.Url("new"));
  receiver_.Release();  // ... and then fails it

  InState(position, "delivered");  // no clock advance: no backoff before the new address
  const std::vector<Receiver::Hit> hits = receiver_.Hits();
  ASSERT_EQ(hits.size(), 2u);
  EXPECT_EQ(hits[0].path, "/robot/slow");
  EXPECT_EQ(hits[1].path, "/robot/new");
}

TEST_F(WebhookHardeningTest, RemovingTheWebhookCancelsItsPendingMessageAndARestartKeepsItCancelled) {
  receiver_.Answer({500});
  RegisterWebhook(lead_unit_, receiver_.Url("lead"));
  const std::uint64_t position = IssueNotice("DB-1");
  AfterAttempts(position, 1);

  Reply removed = Send("DELETE", WebhookPath(lead_unit_), admin_token_);
  ASSERT_EQ(removed.status, 200) << removed.body;
  json log = InState(position, "cancelled");
  EXPECT_EQ(Row(log, position)["reason"], "webhook_removed");
  EXPECT_EQ(Row(log, position)["state_text"], "已取消");
  EXPECT_EQ(Row(log, position)["last_error"], "HTTP 500");

  RestartWith({"127.0.0.1"}, 3);
  clock_.Advance(std::chrono::seconds(11));
  const std::uint64_t after = IssueNotice("DB-2");
  log = DeliveriesWhen([&](const json& l) { return l["checkpoint"].get<std::uint64_t>() >= after; });
  EXPECT_EQ(Row(log, position)["state"], "cancelled");
  EXPECT_EQ(receiver_.Hits().size(), 1u);  // the one failed attempt, nothing after
}

TEST_F(WebhookHardeningTest, RefusesUserPasswordAndLoopbackPrivateLinkLocalOrMulticastHosts) {
  struct Case {
    std::string url;
    std::string code;
    std::string says;
  };
  const std::vector<Case> cases = {
      {"https://robot:pa55@oapi.dingtalk.com/robot/send", "webhook_userinfo", "用户名或密码"},
      {"http://admin@example.org/robot", "webhook_userinfo", "用户名或密码"},
      {"http://10.1.2.3/robot", "webhook_host_forbidden", "内网地址"},
      {"http://172.20.0.1/robot", "webhook_host_forbidden", "内网地址"},
      {"http://192.168.1.10:8080/robot", "webhook_host_forbidden", "内网地址"},
      {"http://[fd00::1]/robot", "webhook_host_forbidden", "内网地址"},
      {"http://[::ffff:10.0.0.1]/robot", "webhook_host_forbidden", "内网地址"},
      {"http://169.254.169.254/latest/meta-data", "webhook_host_forbidden", "链路本地地址"},
      {"http://[fe80::1]/robot", "webhook_host_forbidden", "链路本地地址"},
      {"http://localhost:8080/robot", "webhook_host_forbidden", "本机（回环地址）"},
      {"http://LOCALHOST./robot", "webhook_host_forbidden", "本机（回环地址）"},
      {"http://127.0.0.2/robot", "webhook_host_forbidden", "本机（回环地址）"},  // only 127.0.0.1 is allowed
      {"http://2130706433/robot", "webhook_host_forbidden", "本机（回环地址）"},  // 127.0.0.1 in decimal
      {"http://0x7f.1/robot", "webhook_host_forbidden", "本机（回环地址）"},
      {"http://[::1]:9000/robot", "webhook_host_forbidden", "本机（回环地址）"},
      {"http://0.0.0.0/robot", "webhook_host_forbidden", "未指定地址"},
      {"http://[::]/robot", "webhook_host_forbidden", "未指定地址"},
      {"http://224.0.0.251/robot", "webhook_host_forbidden", "组播或广播地址"},
      {"http://[ff02::1]/robot", "webhook_host_forbidden", "组播或广播地址"},
  };
  for (const Case& c : cases) {
    Reply refused = Put(WebhookPath(lead_unit_), admin_token_, {{"url", c.url}, {"secret", kSecret}});
    EXPECT_EQ(refused.status, 400) << c.url << ": " << refused.body;
    EXPECT_EQ(refused.json["error"]["code"], c.code) << c.url;
    EXPECT_EQ(refused.json["error"]["field"], "url") << c.url;
    EXPECT_NE(refused.json["error"]["message"].get<std::string>().find(c.says), std::string::npos)
        << c.url << ": " << refused.body;
  }
  // A refusal appends nothing: no webhook is registered, the log shows no userinfo.
  EXPECT_TRUE(Get("/api/v1/webhooks", admin_token_).json["webhooks"].empty());
  EXPECT_EQ(Get("/api/v1/events", admin_token_).body.find("pa55"), std::string::npos);
  // A public name is accepted (it is resolved and checked at each delivery).
  Reply accepted = Put(WebhookPath(lead_unit_), admin_token_,
                       {{"url", "https://oapi.dingtalk.com/robot/send?access_token=abc"}, {"secret", kSecret}});
  EXPECT_EQ(accepted.status, 200) << accepted.body;
}

TEST_F(WebhookHardeningTest, WithoutTheOperatorsAllowHostALoopbackReceiverIsRefused) {
  RestartWith({}, 3);  // `kuimen serve` without --webhook-allow-host
  Reply refused = Put(WebhookPath(lead_unit_), admin_token_, {{"url", receiver_.Url("lead")}});
  EXPECT_EQ(refused.status, 400) << refused.body;
  EXPECT_EQ(refused.json["error"]["code"], "webhook_host_forbidden");
  EXPECT_EQ(refused.json["error"]["field"], "url");
  EXPECT_EQ(refused.json["error"]["message"], "接收地址不能指向本机（回环地址），只能填写政务消息平台的外网地址");
}

TEST_F(WebhookHardeningTest, ANameThatResolvesToALoopbackOrPrivateAddressIsGivenUpAtDeliveryAndNothingIsSent) {
  // This machine's own name: not refused as written, but it resolves to this
  // machine (127.0.x.1 in /etc/hosts, or a container's private address).
  char name[256] = {};
  ASSERT_EQ(::gethostname(name, sizeof name - 1), 0);
  const std::string host = name;
  if (HostKind(host) != AddressKind::kPublic) GTEST_SKIP() << host << " is refused as written already";
  Result<std::string> resolved = ResolveWebhookHost(host, {});
  if (resolved.status().code() != StatusCode::kFailedPrecondition) {
    GTEST_SKIP() << host << " does not resolve to a refused address here: " << resolved.status().message();
  }
  RegisterWebhook(lead_unit_, receiver_.UrlVia(host, "lead"));
  const std::uint64_t position = IssueNotice("DB-1");

  const json log = DoneInState(position, "given_up");
  const json row = Row(log, position);
  EXPECT_EQ(row["reason"], "address_refused");
  EXPECT_EQ(row["attempts"], 1);
  EXPECT_EQ(row["last_status"], 0);
  EXPECT_NE(row["last_error"].get<std::string>().find("refused: the host resolves to a"), std::string::npos)
      << row.dump();
  EXPECT_GE(log["checkpoint"].get<std::uint64_t>(), position);
  EXPECT_TRUE(receiver_.Hits().empty());  // the receiver on 127.0.0.1 was never reached
}

TEST_F(WebhookHardeningTest, AHostTheOperatorAllowsByNameIsDeliveredToTheAddressItResolvesTo) {
  char name[256] = {};
  ASSERT_EQ(::gethostname(name, sizeof name - 1), 0);
  const std::string host = name;
  Result<std::string> resolved = ResolveWebhookHost(host, {host});
  if (!resolved.ok() || *resolved != "127.0.0.1") GTEST_SKIP() << host << " does not resolve to 127.0.0.1 here";
  RestartWith({"127.0.0.1", host}, 3);  // --webhook-allow-host 127.0.0.1 --webhook-allow-host <host>
  RegisterWebhook(lead_unit_, receiver_.UrlVia(host, "lead"));
  const std::uint64_t position = IssueNotice("DB-1");

  const json log = DoneInState(position, "delivered");
  EXPECT_EQ(Row(log, position)["url_host"], host);
  ASSERT_EQ(receiver_.Hits().size(), 1u);
}

TEST_F(WebhookHardeningTest, AJournalWrittenBeforeGiveUpsHadReasonsReadsFailedAsGivenUpAndShowsNoUserinfo) {
  Stop();
  {
    std::filesystem::create_directories(dir_.path() / "webhooks");
    std::ofstream journal(dir_.path() / "webhooks" / "deliveries.jsonl", std::ios::app);
    journal << R"({"position":999,"unit":"县农业农村委","url_host":"robot:pa55@10.0.0.8","attempts":20,)"
            << R"("last_status":0,"last_error":"Connection","state":"failed","next_attempt_at_us":0})" << "\n";
  }
  StartWithWebhooks();
  const Reply reply = Get("/api/v1/deliveries", admin_token_);
  ASSERT_EQ(reply.status, 200) << reply.body;
  const json row = Row(reply.json, 999);
  EXPECT_EQ(row["state"], "given_up");
  EXPECT_EQ(row["state_text"], "已放弃");
  EXPECT_EQ(row["reason"], "attempts");
  EXPECT_EQ(row["url_host"], "10.0.0.8");
  EXPECT_EQ(reply.body.find("pa55"), std::string::npos);
}

TEST(WebhookTargets, ClassifiesHostsAsWrittenWithoutDns) {
  EXPECT_EQ(HostKind("oapi.dingtalk.com"), AddressKind::kPublic);
  EXPECT_EQ(HostKind("93.184.216.34"), AddressKind::kPublic);
  EXPECT_EQ(HostKind("2400:3200::1"), AddressKind::kPublic);
  EXPECT_EQ(HostKind("127.1"), AddressKind::kLoopback);
  EXPECT_EQ(HostKind("017700000001"), AddressKind::kLoopback);  // octal
  EXPECT_EQ(HostKind("a.b.localhost"), AddressKind::kLoopback);
  EXPECT_EQ(HostKind("100.64.0.1"), AddressKind::kPrivate);
  EXPECT_EQ(HostKind("172.31.255.255"), AddressKind::kPrivate);
  EXPECT_EQ(HostKind("172.32.0.1"), AddressKind::kPublic);
  EXPECT_EQ(HostKind("fc00::1"), AddressKind::kPrivate);
  EXPECT_EQ(HostKind("::ffff:169.254.1.1"), AddressKind::kLinkLocal);
  EXPECT_EQ(HostKind("255.255.255.255"), AddressKind::kMulticast);
  EXPECT_EQ(HostKind("240.0.0.1"), AddressKind::kReserved);
  // Forms an attack registered before they were classified (session 7).
  EXPECT_EQ(HostKind("::ffff:0:7f00:1"), AddressKind::kLoopback);  // SIIT
  EXPECT_EQ(HostKind("2002:7f00:1::"), AddressKind::kLoopback);     // 6to4 of 127.0.0.1
  EXPECT_EQ(HostKind("2002:5db8:d822::1"), AddressKind::kPublic);  // 6to4 of 93.184.216.34
  EXPECT_EQ(HostKind("2001:0:4136:e378::1"), AddressKind::kReserved);  // Teredo
}

TEST(WebhookTargets, RefusesHostsWithZoneIdsPercentEncodingOrWhitespace) {
  for (const char* url : {"http://[::1%25lo]:18082/", "http://[::1%lo]/", "http://[fe80::1%eth0]/",
                          "http://127.0.0.1%09/", "http://%31%32%37.0.0.1/", "http://exa mple.org/"}) {
    const Result<WebhookUrlParts> parts = ParseWebhookUrl(url);
    EXPECT_FALSE(parts.ok()) << url;
    if (!parts.ok()) {
      EXPECT_EQ(parts.status().field(), "url") << url;
    }
  }
  EXPECT_TRUE(ParseWebhookUrl("https://oapi.dingtalk.com/robot/send?access_token=x").ok());
  EXPECT_TRUE(ParseWebhookUrl("https://[2400:3200::1]:8443/robot").ok());
}

TEST(WebhookTargets, ParsesUserinfoIpv6AndPortsAndShowsUrlsWithoutUserinfo) {
  Result<WebhookUrlParts> parts = ParseWebhookUrl("https://u:p@[2400:3200::1]:8443/robot?token=x#frag");
  ASSERT_TRUE(parts.ok()) << parts.status().message();
  EXPECT_EQ(parts->scheme, "https");
  EXPECT_EQ(parts->userinfo, "u:p");
  EXPECT_EQ(parts->host, "2400:3200::1");
  EXPECT_EQ(parts->port, 8443);
  EXPECT_EQ(parts->path, "/robot?token=x");
  EXPECT_EQ(ParseWebhookUrl("http://Robot.Example.ORG./x")->host, "robot.example.org");
  EXPECT_EQ(ParseWebhookUrl("http://example.org:99999/").status().error_code(), "invalid_format");
  EXPECT_EQ(WithoutUserinfo("http://user:secret@example.org/robot?a=b@c"), "http://example.org/robot?a=b@c");
  EXPECT_EQ(WithoutUserinfo("http://example.org/robot?a=b@c"), "http://example.org/robot?a=b@c");
}

}  // namespace
}  // namespace kuimen::testing
