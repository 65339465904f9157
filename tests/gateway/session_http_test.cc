// Browser sign-in sessions end to end: the real server in this process, a
// real HTTP client sending the cookie and Origin as a browser would.
#include <string>

#include <gtest/gtest.h>

#include "tests/gateway/api_server.h"

namespace kuimen::testing {
namespace {

class SessionHttpTest : public ApiServerTest {
 protected:
  std::string origin() const { return "http://127.0.0.1:" + std::to_string(gateway_->port()); }

  // A request authorized by `cookie` only (no Authorization header).
  Reply WithCookie(const std::string& method, const std::string& path, const std::string& cookie,
                   const std::string& origin_header, const std::string& body = "") {
    httplib::Client client("127.0.0.1", gateway_->port());
    client.set_read_timeout(10, 0);
    httplib::Headers headers;
    if (!cookie.empty()) headers.emplace("Cookie", "theme=dark; kuimen_session=" + cookie);
    if (!origin_header.empty()) headers.emplace("Origin", origin_header);
    httplib::Result result = method == "GET"    ? client.Get(path, headers)
                             : method == "POST" ? client.Post(path, headers, body, "application/json")
                                                : client.Delete(path, headers);
    Reply reply;
    if (!result) {
      ADD_FAILURE() << method << " " << path << ": " << httplib::to_string(result.error());
      return reply;
    }
    reply.status = result->status;
    reply.body = result->body;
    reply.headers = result->headers;
    reply.json = nlohmann::json::parse(result->body, nullptr, false);
    return reply;
  }

  // Signs in with `token` and returns the session id from Set-Cookie.
  std::string SignIn(const std::string& token) {
    Reply reply = WithCookie("POST", "/api/v1/session", "", origin(), nlohmann::json{{"token", token}}.dump());
    EXPECT_EQ(reply.status, 201) << reply.body;
    const std::string set_cookie = reply.headers.count("Set-Cookie") ? reply.headers.find("Set-Cookie")->second : "";
    const std::string prefix = "kuimen_session=";
    EXPECT_EQ(set_cookie.rfind(prefix, 0), 0u) << set_cookie;
    return set_cookie.substr(prefix.size(), set_cookie.find(';') - prefix.size());
  }

  static std::string Code(const Reply& reply) { return reply.json["error"].value("code", ""); }
};

TEST_F(SessionHttpTest, SignInSetsAnHttpOnlyStrictCookieForTwelveHours) {
  Reply reply = WithCookie("POST", "/api/v1/session", "", origin(), nlohmann::json{{"token", admin_token_}}.dump());
  ASSERT_EQ(reply.status, 201) << reply.body;
  const std::string cookie = reply.headers.find("Set-Cookie")->second;
  EXPECT_NE(cookie.find("HttpOnly"), std::string::npos) << cookie;
  EXPECT_NE(cookie.find("SameSite=Strict"), std::string::npos) << cookie;
  EXPECT_NE(cookie.find("Max-Age=43200"), std::string::npos) << cookie;
  EXPECT_NE(cookie.find("Path=/"), std::string::npos) << cookie;
  EXPECT_EQ(cookie.find("Secure"), std::string::npos) << "plain HTTP: a Secure cookie would never come back";
  EXPECT_EQ(cookie.find(admin_token_), std::string::npos) << "the cookie must not carry the token";
  EXPECT_EQ(reply.json["principal"], "admin");
  EXPECT_EQ(reply.json["expires"], "2024-11-20T14:00:00.000000Z");
}

TEST_F(SessionHttpTest, TheCookieActsAsTheTokensPrincipal) {
  const std::string dept = Principal("department", "县农业农村委", "农业农村委联络员");
  const std::string session = SignIn(dept);
  Reply me = WithCookie("GET", "/api/v1/me", session, "");
  ASSERT_EQ(me.status, 200) << me.body;
  EXPECT_EQ(me.json["name"], "农业农村委联络员");
  EXPECT_EQ(me.json["unit"], "县农业农村委");
  Reply report = WithCookie("POST", "/api/v1/tasks/7/events", session, origin(), Report(15).dump());
  EXPECT_EQ(report.status, 201) << report.body;
  EXPECT_EQ(report.json["event"]["actor"]["principal"], me.json["principal"]) << report.body;
}

TEST_F(SessionHttpTest, AWriteByCookieFromAnotherOriginOrWithoutOriginIsRefused) {
  const std::string session = SignIn(admin_token_);
  Reply foreign = WithCookie("POST", "/api/v1/townships", session, "https://evil.example",
                             nlohmann::json{{"name", "永乐镇"}}.dump());
  EXPECT_EQ(foreign.status, 403) << foreign.body;
  EXPECT_EQ(Code(foreign), "origin_mismatch");
  Reply none = WithCookie("POST", "/api/v1/townships", session, "", nlohmann::json{{"name", "永乐镇"}}.dump());
  EXPECT_EQ(none.status, 403) << none.body;
  EXPECT_EQ(Code(none), "origin_mismatch");
  EXPECT_EQ(Get("/api/v1/townships", admin_token_).json["townships"].size(), 0u) << "a refused write appends nothing";
  Reply own = WithCookie("POST", "/api/v1/townships", session, origin(), nlohmann::json{{"name", "永乐镇"}}.dump());
  EXPECT_EQ(own.status, 201) << own.body;
}

TEST_F(SessionHttpTest, SignOutEndsTheSession) {
  const std::string session = SignIn(admin_token_);
  Reply out = WithCookie("DELETE", "/api/v1/session", session, origin());
  ASSERT_EQ(out.status, 200) << out.body;
  EXPECT_NE(out.headers.find("Set-Cookie")->second.find("Max-Age=0"), std::string::npos);
  Reply after = WithCookie("GET", "/api/v1/me", session, "");
  EXPECT_EQ(after.status, 401);
  EXPECT_EQ(Code(after), "session_expired");
}

TEST_F(SessionHttpTest, RevokingTheTokenEndsItsSessions) {
  Reply created = Post("/api/v1/principals", admin_token_, {{"name", "审计员"}, {"role", "auditor"}});
  ASSERT_EQ(created.status, 201);
  const std::string session = SignIn(created.json["token"]);
  ASSERT_EQ(WithCookie("GET", "/api/v1/me", session, "").status, 200);
  ASSERT_EQ(Send("DELETE", "/api/v1/principals/" + created.json["id"].get<std::string>(), admin_token_).status, 200);
  Reply after = WithCookie("GET", "/api/v1/me", session, "");
  EXPECT_EQ(after.status, 401);
  EXPECT_EQ(Code(after), "token_unknown");
}

TEST_F(SessionHttpTest, ASessionEndsAfterTwelveHours) {
  const std::string session = SignIn(admin_token_);
  clock_.Advance(std::chrono::hours(11));
  EXPECT_EQ(WithCookie("GET", "/api/v1/me", session, "").status, 200);
  clock_.Advance(std::chrono::hours(1));
  Reply after = WithCookie("GET", "/api/v1/me", session, "");
  EXPECT_EQ(after.status, 401);
  EXPECT_EQ(Code(after), "session_expired");
}

TEST_F(SessionHttpTest, AnUnknownTokenGetsNoSession) {
  Reply reply = WithCookie("POST", "/api/v1/session", "", origin(), nlohmann::json{{"token", "kmt_nothing"}}.dump());
  EXPECT_EQ(reply.status, 401);
  EXPECT_EQ(Code(reply), "token_unknown");
  EXPECT_EQ(reply.headers.count("Set-Cookie"), 0u);
  Reply forged = WithCookie("GET", "/api/v1/me", "made-up-session-id", "");
  EXPECT_EQ(Code(forged), "session_expired");
}

TEST_F(SessionHttpTest, EverySignedInReaderGetsThePeoplesNames) {
  const std::string dept = Principal("department", "县农业农村委", "农业农村委联络员");
  Reply people = WithCookie("GET", "/api/v1/people", SignIn(dept), "");
  ASSERT_EQ(people.status, 200) << people.body;
  ASSERT_EQ(people.json["people"].size(), 2u);
  EXPECT_EQ(people.json["people"][0]["name"], "管理员");
  EXPECT_EQ(people.json["people"][1]["name"], "农业农村委联络员");
  EXPECT_FALSE(people.json["people"][1].contains("token"));
}

}  // namespace
}  // namespace kuimen::testing
