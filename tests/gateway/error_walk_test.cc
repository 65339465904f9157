// Issue 10 item 9: every refusal carries a stable code listed in openapi.json,
// the field as the form names it, and a Chinese message for the clerk; and a
// refused request appends nothing. A table of bad requests walked against the
// real server (HTTP client and raw sockets for what a client library will not
// send).
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <regex>
#include <set>
#include <vector>

#include <gtest/gtest.h>

#include "gateway/openapi.h"
#include "tests/gateway/api_server.h"

namespace kuimen::testing {
namespace {

// 县林业局 cooperates on task 3 and has nothing to do with task 1.
constexpr const char* kForestry = "县林业局";

struct BadRequest {
  std::string name;     // what the clerk (or client) did
  std::string method;   // GET, POST, DELETE, or RAW (then `body` is the whole request)
  std::string path;
  std::string who;      // "admin", "forestry", "auditor", "none", "malformed", "unknown"
  std::string body;
  int status;
  std::string code;
  std::string field;    // empty: the body names no field
};

nlohmann::json OpenApi() { return nlohmann::json::parse(kOpenApiJson); }

// True when `message` holds Chinese and no English word (4 latin letters in a row).
bool ReadsAsChinese(const std::string& message) {
  static const std::regex kLatinWord("[A-Za-z]{4,}");
  const bool cjk = message.find("\xE4") != std::string::npos || message.find("\xE5") != std::string::npos ||
                   message.find("\xE6") != std::string::npos || message.find("\xE7") != std::string::npos ||
                   message.find("\xE8") != std::string::npos || message.find("\xE9") != std::string::npos;
  return cjk && !std::regex_search(message, kLatinWord);
}

class ErrorWalk : public ApiServerTest {
 protected:
  void SetUp() override {
    request_timeout_ = std::chrono::seconds(1);  // so a 408 comes within the test's seconds
    ApiServerTest::SetUp();
  }

  std::uint64_t Head() { return service_->store().Head().position.value; }

  // Sends `bytes` on a new connection and returns the status and body of the
  // answer (the server closes after a refusal of the HTTP layer).
  Reply Raw(const std::string& bytes) {
    int fd = Connect();
    Reply reply;
    if (fd < 0) return reply;
    if (!bytes.empty()) {
      [[maybe_unused]] ssize_t sent = send(fd, bytes.data(), bytes.size(), MSG_NOSIGNAL);
    }
    std::string answer;
    char buffer[4096];
    for (ssize_t n; (n = recv(fd, buffer, sizeof buffer, 0)) > 0;) {
      answer.append(buffer, static_cast<std::size_t>(n));
      if (Complete(answer)) break;
    }
    close(fd);
    return Parse(answer);
  }

  int Connect() {
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_port = htons(static_cast<std::uint16_t>(gateway_->port()));
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    timeval timeout{10, 0};
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof timeout);
    if (connect(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0) {
      ADD_FAILURE() << "cannot connect";
      close(fd);
      return -1;
    }
    return fd;
  }

  static bool Complete(const std::string& answer) {
    const std::size_t end = answer.find("\r\n\r\n");
    if (end == std::string::npos) return false;
    std::smatch length;
    const std::string head = answer.substr(0, end);
    if (!std::regex_search(head, length, std::regex("Content-Length: (\\d+)", std::regex::icase))) return false;
    return answer.size() >= end + 4 + std::stoul(length[1]);
  }

  static Reply Parse(const std::string& answer) {
    Reply reply;
    if (answer.size() < 12) return reply;
    reply.status = std::stoi(answer.substr(9, 3));
    const std::size_t end = answer.find("\r\n\r\n");
    reply.body = end == std::string::npos ? "" : answer.substr(end + 4);
    reply.json = nlohmann::json::parse(reply.body, nullptr, /*allow_exceptions=*/false);
    return reply;
  }

  // Checks one refusal's body against the issue's promise and openapi.json.
  void ExpectExplained(const std::string& name, const Reply& reply, int status, const std::string& code,
                       const std::string& field) {
    SCOPED_TRACE(name);
    static const nlohmann::json codes = OpenApi()["components"]["schemas"]["ErrorCode"];
    EXPECT_EQ(reply.status, status) << reply.body;
    ASSERT_TRUE(reply.json.is_object() && reply.json.contains("error")) << reply.body;
    const nlohmann::json& error = reply.json["error"];
    const std::string got = error.value("code", "");
    EXPECT_EQ(got, code) << reply.body;
    const std::vector<std::string> listed = codes["enum"];
    EXPECT_NE(std::find(listed.begin(), listed.end(), got), listed.end()) << got << " is not in openapi.json";
    if (codes["x-http-status"].contains(got)) {
      EXPECT_EQ(codes["x-http-status"][got], reply.status) << got;
    }
    EXPECT_EQ(error.value("field", ""), field) << reply.body;
    const std::string message = error.value("message", "");
    EXPECT_TRUE(ReadsAsChinese(message)) << "not a clerk's Chinese sentence: " << message;
  }
};

TEST_F(ErrorWalk, EveryRefusalHasAListedCodeItsFieldAndAChineseMessageAndAppendsNothing) {
  const std::string forestry = Principal("department", kForestry);
  const std::string auditor = Principal("auditor");
  // A report to review twice, and a notice closed once (state for the 409s).
  ASSERT_EQ(Post("/api/v1/tasks/3/events", forestry, Report(20)).status, 201);
  ASSERT_EQ(Post("/api/v1/tasks/3/events", admin_token_,
                 {{"type", "ReportReviewed"}, {"data", {{"report_version", 1}, {"decision", "approved"}}}})
                .status,
            201);
  ASSERT_EQ(Post("/api/v1/tasks/3/events", admin_token_,
                 {{"type", "NoticeIssued"}, {"data", {{"notice_id", "n-1"}, {"due", "2025-01-15"}, {"reason", "进度滞后"}}}})
                .status,
            201);
  const std::string event_id = "3f2504e0-4f89-41d3-9a0c-0305e82c3301";
  nlohmann::json with_id = Report(30);
  with_id["event_id"] = event_id;
  ASSERT_EQ(Post("/api/v1/tasks/3/events", forestry, with_id).status, 201);

  auto report = [](auto edit) {
    nlohmann::json body = Report(20);
    edit(body["data"]);
    return body.dump();
  };
  auto event = [](const std::string& type, const nlohmann::json& data) {
    return nlohmann::json{{"type", type}, {"data", data}}.dump();
  };
  nlohmann::json reused = Report(31);
  reused["event_id"] = event_id;
  nlohmann::json bad_id = Report(20);
  bad_id["event_id"] = "x";
  nlohmann::json stale = Report(20);
  stale["expected_version"] = 1;

  // A signed-in browser's cookie (kuimen_session=…), for the Origin rows.
  httplib::Client browser("127.0.0.1", gateway_->port());
  httplib::Result signed_in = browser.Post("/api/v1/session", nlohmann::json{{"token", forestry}}.dump(), "application/json");
  ASSERT_TRUE(signed_in && signed_in->status == 201);
  const std::string set_cookie = signed_in->get_header_value("Set-Cookie");
  const std::string cookie = set_cookie.substr(0, set_cookie.find(';'));

  const std::string tasks3 = "/api/v1/tasks/3/events";
  const std::vector<BadRequest> table = {
      // domain validation: the field as the form names it
      {"an empty summary", "POST", tasks3, "forestry", report([](auto& d) { d["summary"] = " "; }), 400, "required", "data.summary"},
      {"a percent above 100", "POST", tasks3, "forestry", report([](auto& d) { d["percent"] = 140; }), 400, "out_of_range", "data.percent"},
      {"a percent of 1e400", "POST", tasks3, "forestry",
       R"({"type":"ProgressReported","data":{"period":"2024-11","summary":"进展","percent":1e400}})", 400, "out_of_range", "data.percent"},
      {"a negative indicator value", "POST", tasks3, "forestry",
       report([](auto& d) { d["indicators"] = {{{"indicator", "x"}, {"value", -1}, {"unit", "万亩"}}}; }), 400,
       "out_of_range", "data.indicators[0].value"},
      {"an indicator the task does not have", "POST", tasks3, "forestry",
       report([](auto& d) { d["indicators"] = {{{"indicator", "不存在的指标"}, {"value", 1}, {"unit", "万亩"}}}; }), 400,
       "unknown_indicator", "data.indicators[0].indicator"},
      {"a control character in the summary", "POST", tasks3, "forestry",
       report([](auto& d) { d["summary"] = "完成\x1b[2J"; }), 400, "control_character", "data.summary"},
      {"a summary of 4001 characters", "POST", tasks3, "forestry",
       report([](auto& d) { d["summary"] = std::string(4001, 'x'); }), 400, "too_long", "data.summary"},
      {"a period written wrongly", "POST", tasks3, "forestry", report([](auto& d) { d["period"] = "2024/11"; }), 400,
       "invalid_format", "data.period"},
      {"a period after this month", "POST", tasks3, "forestry", report([](auto& d) { d["period"] = "2025-01"; }), 400,
       "period_in_future", "data.period"},
      {"a percent as text", "POST", tasks3, "forestry", report([](auto& d) { d["percent"] = "二十"; }), 400,
       "wrong_type", "data.percent"},
      {"a missing summary", "POST", tasks3, "forestry", report([](auto& d) { d.erase("summary"); }), 400, "required",
       "data.summary"},
      {"a field the report does not take", "POST", tasks3, "forestry", report([](auto& d) { d["colour"] = "红"; }), 400,
       "unknown_field", "data.colour"},
      {"an unknown event type", "POST", tasks3, "forestry", event("ProgressTeleported", nlohmann::json::object()), 400, "unknown_value", "type"},
      {"no type", "POST", tasks3, "forestry", R"({"data":{}})", 400, "required", "type"},
      {"no data", "POST", tasks3, "forestry", R"({"type":"ProgressReported"})", 400, "required", "data"},
      {"a misspelt request field", "POST", tasks3, "forestry", R"({"type":"ProgressReported","data":{},"expected_versoin":0})",
       400, "unknown_field", "expected_versoin"},
      {"a body that is not JSON", "POST", tasks3, "forestry", "{not json", 400, "invalid_json", "body"},
      {"an empty body", "POST", tasks3, "forestry", "", 400, "required", "body"},
      {"a body that is an array", "POST", tasks3, "forestry", "[1]", 400, "wrong_type", "body"},
      {"an event_id that is no UUID", "POST", tasks3, "forestry", bad_id.dump(), 400, "invalid_format", "event_id"},
      {"a returned report without a comment", "POST", tasks3, "admin",
       event("ReportReviewed", {{"report_version", 2}, {"decision", "returned"}, {"comment", ""}}), 400, "required",
       "data.comment"},
      {"a review of a report that does not exist", "POST", tasks3, "admin",
       event("ReportReviewed", {{"report_version", 99}, {"decision", "approved"}}), 400, "report_not_found",
       "data.report_version"},
      {"a notice due yesterday", "POST", tasks3, "admin",
       event("NoticeIssued", {{"notice_id", "n-2"}, {"due", "2024-11-19"}, {"reason", "滞后"}}), 400, "due_in_past",
       "data.due"},
      {"an empty answer to a notice", "POST", tasks3, "forestry",
       event("NoticeAnswered", {{"notice_id", "n-1"}, {"summary", ""}}), 400, "required", "data.summary"},
      {"an answer to a notice that does not exist", "POST", tasks3, "forestry",
       event("NoticeAnswered", {{"notice_id", "n-9"}, {"summary", "已整改"}}), 400, "notice_not_found", "data.notice_id"},
      {"an adjustment of 30 points", "POST", "/api/v1/assessment/2024/events", "admin",
       event("AssessmentAdjusted", {{"unit", kForestry}, {"year", 2024}, {"points", 30}, {"reason", "表彰"}}), 400,
       "out_of_range", "data.points"},
      {"an adjustment to a unit not in the plan", "POST", "/api/v1/assessment/2024/events", "admin",
       event("AssessmentAdjusted", {{"unit", "县外单位"}, {"year", 2024}, {"points", 2}, {"reason", "表彰"}}), 400,
       "unknown_unit", "data.unit"},
      {"an early freeze without a reason", "POST", "/api/v1/assessment/2024/events", "admin",
       event("YearFrozen", {{"year", 2024}, {"early", true}}), 400, "required", "data.reason"},
      {"a task event on the assessment", "POST", "/api/v1/assessment/2024/events", "admin", Report(20).dump(), 400,
       "wrong_stream", "type"},
      {"a principal without a role", "POST", "/api/v1/principals", "admin", R"({"name":"张三"})", 400, "required", "role"},
      {"a principal of an unknown role", "POST", "/api/v1/principals", "admin", R"({"name":"张三","role":"mayor"})", 400,
       "unknown_value", "role"},
      {"a department principal of no unit", "POST", "/api/v1/principals", "admin", R"({"name":"张三","role":"department"})",
       400, "required", "unit"},
      {"a page size of 0", "GET", "/api/v1/events?limit=0", "auditor", "", 400, "out_of_range", "limit"},
      {"an as_of that is no time", "GET", "/api/v1/views/supervision?as_of=yesterday", "admin", "", 400, "invalid_format",
       "as_of"},
      // who may act
      // authentication names the header it read (issue 11 hardening, item 5)
      {"no token", "GET", "/api/v1/views/supervision", "none", "", 401, "token_missing", "Authorization"},
      {"a token without Bearer", "GET", "/api/v1/views/supervision", "malformed", "", 401, "token_malformed",
       "Authorization"},
      {"an unknown token", "GET", "/api/v1/views/supervision", "unknown", "", 401, "token_unknown", "Authorization"},
      {"a session cookie that is unknown or expired", "RAW", "", "",
       "GET /api/v1/views/supervision HTTP/1.1\r\nHost: x\r\nCookie: kuimen_session=" + std::string(64, 'f') +
           "\r\nConnection: close\r\n\r\n",
       401, "session_expired", "Cookie"},
      {"a sign-out by cookie without Origin", "RAW", "", "",
       "DELETE /api/v1/session HTTP/1.1\r\nHost: x\r\nCookie: " + cookie + "\r\nConnection: close\r\n\r\n", 403,
       "origin_mismatch", "Origin"},
      {"an upload by cookie from another site", "RAW", "", "",
       "POST /api/v1/files?name=a.pdf HTTP/1.1\r\nHost: x\r\nOrigin: http://evil.example\r\nCookie: " + cookie +
           "\r\nContent-Length: 8\r\nConnection: close\r\n\r\n%PDF-1.7",
       403, "origin_mismatch", "Origin"},
      {"an unknown token on a body, refused from the head", "RAW", "", "",
       "POST /api/v1/tasks/3/events HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer " + std::string(64, 'a') +
           "\r\nContent-Type: application/json\r\nContent-Length: 2\r\n\r\n{}",
       401, "token_unknown", "Authorization"},
      {"a report sent as a form (a cross-site page's simple request)", "RAW", "", "",
       "POST /api/v1/tasks/3/events HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer " + forestry +
           "\r\nContent-Type: text/plain\r\nContent-Length: " + std::to_string(Report(20).dump().size()) +
           "\r\nConnection: close\r\n\r\n" + Report(20).dump(),
       415, "content_type_not_json", "Content-Type"},
      {"a report naming its percent twice", "POST", tasks3, "forestry",
       R"({"type":"ProgressReported","data":{"period":"2024-11","summary":"进展","percent":20,"percent":90}})", 400,
       "repeated_field", "data.percent"},
      {"a report on a task of another unit", "POST", "/api/v1/tasks/1/events", "forestry", Report(20).dump(), 403,
       "unit_not_involved", ""},
      {"an auditor reporting", "POST", tasks3, "auditor", Report(20).dump(), 403, "auditor_read_only", ""},
      {"a department reviewing", "POST", tasks3, "forestry",
       event("ReportReviewed", {{"report_version", 2}, {"decision", "approved"}}), 403, "taskforce_only", ""},
      {"a department reading the audit", "GET", "/api/v1/audit/verify", "forestry", "", 403, "taskforce_or_auditor", ""},
      // what does not exist
      {"task 99", "GET", "/api/v1/tasks/99", "forestry", "", 404, "item_not_found", ""},
      {"an assessment year of two digits", "POST", "/api/v1/assessment/24/events", "admin", Report(20).dump(), 404,
       "year_not_found", ""},
      {"an unknown route", "GET", "/api/v1/nothing-here", "admin", "", 404, "route_not_found", "path"},
      // the state forbids it
      {"a report reviewed twice", "POST", tasks3, "admin",
       event("ReportReviewed", {{"report_version", 1}, {"decision", "approved"}}), 409, "report_already_reviewed", ""},
      {"a notice closed unanswered without a reason", "POST", tasks3, "admin",
       event("NoticeClosed", {{"notice_id", "n-1"}, {"comment", ""}}), 409, "notice_unanswered", ""},
      {"a freeze before the year is over", "POST", "/api/v1/assessment/2024/events", "admin",
       event("YearFrozen", {{"year", 2024}}), 409, "year_not_over", ""},
      {"a stale expected_version", "POST", tasks3, "forestry", stale.dump(), 409, "version_conflict", "expected_version"},
      {"an event_id reused for another report", "POST", tasks3, "forestry", reused.dump(), 409, "event_id_reused",
       "event_id"},
      // the HTTP layer: each names the part of the request it refused
      {"PUT on a route", "RAW", "", "", "PUT /api/v1/tasks HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n", 405,
       "method_not_allowed", "method"},
      {"a method the server does not know", "RAW", "", "", "PROPFIND /api/v1/nothing HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n",
       501, "not_implemented", "method"},
      {"a body over 64 KiB", "RAW", "", "",
       "POST /api/v1/tasks/3/events HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 70000\r\n\r\n",
       413, "payload_too_large", "body"},
      {"a gzip body", "RAW", "", "",
       "POST /api/v1/tasks/3/events HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Encoding: gzip\r\n"
       "Content-Length: 2\r\n\r\n{}",
       415, "unsupported_media_type", "Content-Encoding"},
      {"a head of 101 headers", "RAW", "", "", [] {
         std::string head = "GET /api/v1/tasks HTTP/1.1\r\nHost: x\r\n";
         for (int i = 0; i < 101; ++i) head += "X-Filler-" + std::to_string(i) + ": 1\r\n";
         return head + "\r\n";
       }(), 431, "too_many_headers", "headers"},
      {"a head of 40 KiB", "RAW", "", "",
       "GET /api/v1/tasks HTTP/1.1\r\nHost: x\r\nX-Filler: " + std::string(40 * 1024, 'x') + "\r\n\r\n", 431,
       "headers_too_large", "headers"},
      {"a head that never ends", "RAW", "", "", "GET /api/v1/tasks HTTP/1.1\r\nHost: x\r\n", 408, "request_timeout",
       "headers"},
      {"a body that never ends", "RAW", "", "",
       "POST /api/v1/tasks/3/events HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer " + forestry +
           "\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{\"type\":",
       408, "request_timeout", "body"},
      {"a path that is not UTF-8", "RAW", "", "", "GET /%ff HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n", 400,
       "bad_request", "path"},
      {"a query parameter that is not UTF-8", "RAW", "", "",
       "GET /api/v1/events?limit=%ff HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n", 400, "bad_request", "limit"},
      {"a Content-Length that is no number", "RAW", "", "",
       "POST /api/v1/tasks/3/events HTTP/1.1\r\nHost: x\r\nContent-Length: ten\r\n\r\n", 400, "bad_request",
       "request"},
      {"an Expect other than 100-continue", "RAW", "", "",
       "POST /api/v1/tasks/3/events HTTP/1.1\r\nHost: x\r\nExpect: 200-ok\r\nContent-Length: 2\r\n\r\n{}", 417,
       "expectation_failed", "Expect"},
  };

  const std::uint64_t head = Head();
  std::set<std::string> codes;
  for (const BadRequest& c : table) {
    Reply reply;
    if (c.method == "RAW") {
      reply = Raw(c.body);
    } else {
      const std::string token = c.who == "admin"      ? admin_token_
                                : c.who == "forestry" ? forestry
                                : c.who == "auditor"  ? auditor
                                : c.who == "unknown"  ? std::string(64, 'a')
                                                      : "";
      if (c.who == "malformed") {
        httplib::Client client("127.0.0.1", gateway_->port());
        httplib::Result result = client.Get(c.path, {{"Authorization", "Basic dXNlcjpwdw=="}});
        ASSERT_TRUE(result);
        reply.status = result->status;
        reply.body = result->body;
        reply.json = nlohmann::json::parse(result->body, nullptr, false);
      } else {
        reply = Send(c.method, c.path, token, c.body);
      }
    }
    ExpectExplained(c.name, reply, c.status, c.code, c.field);
    codes.insert(c.code);
  }
  EXPECT_EQ(Head(), head) << "a refused request appended something";
  std::printf("[ figure ] %zu bad requests, %zu distinct codes, each with a Chinese message; 0 events appended\n",
              table.size(), codes.size());
}

// The walk's fixture with the default request deadline, so the held
// connections stay open however slowly the machine runs.
class ConnectionLimit : public ErrorWalk {
 protected:
  void SetUp() override { ApiServerTest::SetUp(); }
};

// 64 connections from one address are the limit: the 65th is told why, in Chinese.
TEST_F(ConnectionLimit, TooManyConnectionsIsExplainedInChinese) {
  std::vector<int> held;
  for (int i = 0; i < 64; ++i) held.push_back(Connect());
  // A request on the last held connection proves the server has accepted them all.
  const std::string ping = "GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n";
  [[maybe_unused]] ssize_t sent = send(held.back(), ping.data(), ping.size(), MSG_NOSIGNAL);
  char buffer[4096];
  ASSERT_GT(recv(held.back(), buffer, sizeof buffer, 0), 0);
  Reply refused = Raw("");
  ExpectExplained("the 65th connection", refused, 503, "too_many_connections", "connection");
  for (int fd : held) close(fd);
}

}  // namespace
}  // namespace kuimen::testing
