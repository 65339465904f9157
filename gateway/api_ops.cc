// Routes for those who run the service: liveness, metrics, the API's own
// description, and backups.
#include "eventstore/envelope_json.h"
#include "gateway/api_routes.h"
#include "gateway/backup.h"
#include "gateway/gateway_metrics.h"
#include "gateway/openapi.h"
#include "gateway/request_parsing.h"
#include "projections/projector.h"

namespace kuimen {

std::vector<Route> OpsRoutes() {
  std::vector<Route> routes;
  routes.push_back({"GET", "/healthz", Access::kPublic, [](ApiContext& api, const ApiCall&) -> Result<ApiReply> {
    ApiReply reply;
    reply.json["status"] = "ok";
    reply.json["head_position"] = api.store.Head().position.value;
    // The store's own condition: a full disk, a failed write, a failed scrub.
    const StoreHealth store = api.store.Health();
    nlohmann::ordered_json& store_json = reply.json["store"];
    store_json["status"] = store.state == StoreHealth::State::kOk ? "ok" : "degraded";
    if (store.state != StoreHealth::State::kOk) {
      reply.json["status"] = "degraded";
      store_json["reason"] = store.reason;
      if (store.since) store_json["since"] = FormatTimestamp(*store.since);
    }
    if (store.last_scrub) {
      store_json["last_scrub"] = FormatTimestamp(*store.last_scrub);
      store_json["scrub_ok"] = store.scrub_ok;
    }
    // Writing that came back by itself after a failed write (a full disk).
    store_json["resumes"] = store.resumes;
    store_json["reopens"] = store.reopens;
    if (store.last_reopen) {
      store_json["last_reopen"] = FormatTimestamp(*store.last_reopen);
      store_json["last_reopen_reason"] = store.last_reopen_reason;
    }
    for (const ViewHealth& view : api.views_health ? api.views_health() : std::vector<ViewHealth>()) {
      nlohmann::ordered_json& entry = reply.json["views"][view.view];
      entry["status"] = view.ok() ? "ok" : "degraded";
      if (!view.ok()) entry["reason"] = ViewProblemName(view.problem);
      if (!view.error.empty()) entry["error"] = view.error;
      entry["applied_through"] = view.applied_through.value;
      entry["lag"] = view.lag;
      entry["lag_seconds"] = view.lag_seconds;
      if (api.max_view_lag) entry["max_lag"] = api.max_view_lag;
      entry["untrusted_messages"] = view.untrusted_messages;
      if (!view.ok()) reply.json["status"] = "degraded";
    }
    return reply;
  }});
  routes.push_back({"GET", "/metrics", Access::kPublic, [](ApiContext& api, const ApiCall&) -> Result<ApiReply> {
    ApiReply reply;
    reply.bytes = api.metrics.RenderText();
    reply.content_type = "text/plain; version=0.0.4; charset=utf-8";
    return reply;
  }});
  routes.push_back({"GET", "/api/v1/openapi.json", Access::kPublic, [](ApiContext&, const ApiCall&) -> Result<ApiReply> {
    ApiReply reply;
    reply.bytes = std::string(kOpenApiJson);
    reply.content_type = "application/json; charset=utf-8";
    return reply;
  }});
  routes.push_back({"POST", "/api/v1/backups", Access::kTaskForce, [](ApiContext& api, const ApiCall& call) -> Result<ApiReply> {
    ASSIGN_OR_RETURN(nlohmann::json body, ParseJsonObjectBody(call.http));
    RETURN_IF_ERROR(RejectUnknownFields(body, {"to"}));
    if (!body.contains("to") || !body["to"].is_string() || body["to"].get<std::string>().empty()) {
      return Status::InvalidArgument("请填写服务器上存放备份的目录", "to", "required");
    }
    const std::filesystem::path dest = body["to"].get<std::string>();
    if (!dest.is_absolute()) {
      return Status::InvalidArgument("备份目录应为服务器上的完整路径，以“/”开头", "to", "invalid_format");
    }
    RETURN_IF_ERROR(BackupDataDir(api.store, api.data_dir, dest, api.clock));
    ASSIGN_OR_RETURN(BackupManifest manifest, ReadBackupManifest(dest));
    ApiReply reply;
    reply.status = 201;
    reply.json = nlohmann::ordered_json::parse(BackupManifestToJson(manifest));
    return reply;
  }});
  return routes;
}

std::vector<Route> AllRoutes() {
  std::vector<Route> routes;
  for (auto group : {StreamRoutes, ViewRoutes, ReviewRoutes, ExportRoutes, AuditRoutes, PrincipalRoutes, SessionRoutes,
                     FileRoutes, TodoRoutes, WebhookRoutes, PrintRoutes, StatsRoutes, SearchRoutes, OpsRoutes}) {
    for (Route& route : group()) routes.push_back(std::move(route));
  }
  return routes;
}

}  // namespace kuimen
