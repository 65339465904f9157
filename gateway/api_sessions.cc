// Routes of browser sign-in: a token presented once becomes a session cookie
// (HttpOnly, SameSite=Strict, Secure over TLS) for the working day, so the
// dashboard keeps no token in the page. Scripts keep using the bearer token.
// Also the names the signed-in page shows for the people in the timeline.
#include "eventstore/envelope_json.h"
#include "gateway/api_routes.h"
#include "gateway/principal_registry.h"
#include "gateway/request_parsing.h"
#include "gateway/session_cookie.h"
#include "gateway/session_table.h"

namespace kuimen {

namespace {

Result<ApiReply> SignIn(ApiContext& api, const ApiCall& call) {
  // A sign-in from another site's page is refused too (login CSRF).
  RETURN_IF_ERROR(CheckSameOrigin(call.http, api.https, /*required=*/false));
  ASSIGN_OR_RETURN(nlohmann::json body, ParseJsonObjectBody(call.http));
  RETURN_IF_ERROR(RejectUnknownFields(body, {"token"}));
  if (!body.contains("token") || !body["token"].is_string() || body["token"].get<std::string>().empty()) {
    return Status::InvalidArgument("请粘贴账号令牌", "token", "required");
  }
  const std::string digest = PrincipalRegistry::TokenDigest(body["token"].get<std::string>());
  const std::optional<Actor> actor = api.principals.AuthenticateDigest(digest);
  if (!actor) {
    return Status::Unauthenticated("账号令牌无效或已注销，请向工作专班申请新的令牌", "token_unknown").WithFieldPrefix("token");
  }
  const Timestamp now = api.clock.Now();
  ASSIGN_OR_RETURN(std::string id, api.sessions.Create(digest, now));
  ApiReply reply;
  reply.status = 201;
  reply.headers.emplace_back("Set-Cookie", SessionCookie(id, api.https));
  reply.json["principal"] = actor->principal;
  reply.json["role"] = RoleName(actor->role);
  reply.json["unit"] = actor->unit;
  reply.json["expires"] = FormatTimestamp(now + std::chrono::duration_cast<std::chrono::microseconds>(SessionTable::kLifetime));
  return reply;
}

Result<ApiReply> SignOut(ApiContext& api, const ApiCall& call) {
  // Signing out is a write the cookie authorizes: like every other one it
  // must come from our own page (Origin required), or another site could
  // sign a clerk out. Without a session cookie there is nothing to end.
  const std::optional<std::string> id = SessionIdFromCookie(call.http);
  RETURN_IF_ERROR(CheckSameOrigin(call.http, api.https, /*required=*/id.has_value()));
  if (id) api.sessions.Drop(*id);
  ApiReply reply;
  reply.json["signed_out"] = true;
  reply.headers.emplace_back("Set-Cookie", ClearedSessionCookie(api.https));
  return reply;
}

}  // namespace

std::vector<Route> SessionRoutes() {
  std::vector<Route> routes;
  routes.push_back({"POST", "/api/v1/session", Access::kPublic, SignIn});
  routes.push_back({"DELETE", "/api/v1/session", Access::kPublic, SignOut});
  // Every principal's id and name (no role changes, no tokens): the timeline
  // shows 农业农村委联络员, not p-7ad1fed7. Any signed-in reader may see who acted.
  routes.push_back({"GET", "/api/v1/people", Access::kAnyPrincipal, [](ApiContext& api, const ApiCall&) -> Result<ApiReply> {
    ApiReply reply;
    reply.json["people"] = nlohmann::ordered_json::array();
    for (const PrincipalInfo& principal : api.principals.List()) {
      reply.json["people"].push_back({{"id", principal.id}, {"name", principal.name}});
    }
    return reply;
  }});
  return routes;
}

}  // namespace kuimen
