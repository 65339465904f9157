// Routes of the auditors: is the log intact, and a signed statement of its
// head to keep outside the system and check the log against later.
#include "eventstore/recorded_event.h"
#include "gateway/api_routes.h"
#include "gateway/digest_signer.h"
#include "gateway/request_parsing.h"

namespace kuimen {

std::vector<Route> AuditRoutes() {
  std::vector<Route> routes;
  routes.push_back({"GET", "/api/v1/audit/verify", Access::kTaskForceOrAuditor, [](ApiContext& api, const ApiCall&) -> Result<ApiReply> {
    const VerifyReport report = api.store.Verify();
    ApiReply reply;
    reply.json["ok"] = report.ok;
    reply.json["events"] = report.events;
    reply.json["head_position"] = report.head.position.value;
    reply.json["head_hash"] = ToHex(report.head.hash);
    if (!report.ok) {
      reply.json["bad_position"] = report.bad_position.value;
      reply.json["problem"] = report.problem;
    }
    return reply;
  }});
  routes.push_back({"GET", "/api/v1/audit/digest", Access::kTaskForceOrAuditor, [](ApiContext& api, const ApiCall&) -> Result<ApiReply> {
    ApiReply reply;
    ASSIGN_OR_RETURN(nlohmann::json digest, api.signer.SignHead(api.store, api.clock));
    reply.json = nlohmann::ordered_json(digest);
    return reply;
  }});
  routes.push_back({"GET", "/api/v1/audit/public-key", Access::kTaskForceOrAuditor, [](ApiContext& api, const ApiCall&) -> Result<ApiReply> {
    ApiReply reply;
    reply.json["algorithm"] = "Ed25519";
    reply.json["key_id"] = api.signer.KeyId();
    reply.json["public_key_pem"] = api.signer.PublicKeyPem();
    return reply;
  }});
  routes.push_back({"POST", "/api/v1/audit/digest/check", Access::kTaskForceOrAuditor, [](ApiContext& api, const ApiCall& call) -> Result<ApiReply> {
    ASSIGN_OR_RETURN(nlohmann::json digest, ParseJsonObjectBody(call.http));
    ASSIGN_OR_RETURN(nlohmann::json result, api.signer.Check(api.store, digest));
    ApiReply reply;
    reply.json = nlohmann::ordered_json(result);
    return reply;
  }});
  return routes;
}

}  // namespace kuimen
