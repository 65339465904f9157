// Routes of identity: who may act (principals and their tokens), the
// townships the task force registers, and who the caller is.
#include "gateway/api_routes.h"
#include "gateway/principal_registry.h"
#include "gateway/request_parsing.h"

namespace kuimen {

namespace {

nlohmann::ordered_json PrincipalJson(const PrincipalInfo& principal) {
  nlohmann::ordered_json out;
  out["id"] = principal.id;
  out["name"] = principal.name;
  out["role"] = RoleName(principal.role);
  out["unit"] = principal.unit;
  out["revoked"] = principal.revoked;
  return out;
}

// A required string member; kInvalidArgument naming it otherwise.
Result<std::string> StringField(const nlohmann::json& body, const std::string& name, bool required) {
  if (!body.contains(name)) {
    if (!required) return std::string();
    return Status::InvalidArgument("此项为必填项，请填写", name, "required");
  }
  if (!body[name].is_string()) return Status::InvalidArgument("此项应填写文字", name, "wrong_type");
  return body[name].get<std::string>();
}

}  // namespace

std::vector<Route> PrincipalRoutes() {
  std::vector<Route> routes;
  routes.push_back({"POST", "/api/v1/principals", Access::kAnyPrincipal, [](ApiContext& api, const ApiCall& call) -> Result<ApiReply> {
    ASSIGN_OR_RETURN(nlohmann::json body, ParseJsonObjectBody(call.http));
    RETURN_IF_ERROR(RejectUnknownFields(body, {"name", "role", "unit"}));
    ASSIGN_OR_RETURN(std::string name, StringField(body, "name", true));
    ASSIGN_OR_RETURN(std::string role, StringField(body, "role", true));
    ASSIGN_OR_RETURN(std::string unit, StringField(body, "unit", false));
    ASSIGN_OR_RETURN(IssuedPrincipal issued, api.principals.Register(call.actor, name, role, unit));
    ApiReply reply;
    reply.status = 201;
    reply.json = PrincipalJson(issued.principal);
    reply.json["token"] = issued.token;  // shown this once; only its hash is kept
    return reply;
  }});
  routes.push_back({"GET", "/api/v1/principals", Access::kTaskForceOrAuditor, [](ApiContext& api, const ApiCall&) -> Result<ApiReply> {
    ApiReply reply;
    reply.json["principals"] = nlohmann::ordered_json::array();
    for (const PrincipalInfo& principal : api.principals.List()) reply.json["principals"].push_back(PrincipalJson(principal));
    return reply;
  }});
  routes.push_back({"DELETE", "/api/v1/principals/{id}", Access::kAnyPrincipal, [](ApiContext& api, const ApiCall& call) -> Result<ApiReply> {
    ASSIGN_OR_RETURN(PrincipalInfo revoked, api.principals.Revoke(call.actor, call.Param("id")));
    ApiReply reply;
    reply.json = PrincipalJson(revoked);
    return reply;
  }});
  routes.push_back({"POST", "/api/v1/townships", Access::kAnyPrincipal, [](ApiContext& api, const ApiCall& call) -> Result<ApiReply> {
    ASSIGN_OR_RETURN(nlohmann::json body, ParseJsonObjectBody(call.http));
    RETURN_IF_ERROR(RejectUnknownFields(body, {"name"}));
    ASSIGN_OR_RETURN(std::string name, StringField(body, "name", true));
    RETURN_IF_ERROR(api.principals.RegisterTownship(call.actor, name));
    ApiReply reply;
    reply.status = 201;
    reply.json["name"] = name;
    return reply;
  }});
  routes.push_back({"GET", "/api/v1/townships", Access::kAnyPrincipal, [](ApiContext& api, const ApiCall&) -> Result<ApiReply> {
    ApiReply reply;
    reply.json["townships"] = api.principals.Townships();
    return reply;
  }});
  routes.push_back({"GET", "/api/v1/me", Access::kAnyPrincipal, [](ApiContext& api, const ApiCall& call) -> Result<ApiReply> {
    ApiReply reply;
    reply.json["principal"] = call.actor.principal;
    reply.json["name"] = "";
    for (const PrincipalInfo& principal : api.principals.List()) {
      if (principal.id == call.actor.principal) reply.json["name"] = principal.name;
    }
    reply.json["role"] = RoleName(call.actor.role);
    reply.json["unit"] = call.actor.unit;
    // A township acts for the plan's group unit (各乡镇人民政府、街道办事处).
    if (!call.actor.group.empty()) reply.json["group"] = call.actor.group;
    return reply;
  }});
  return routes;
}

}  // namespace kuimen
