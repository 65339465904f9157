// Routes of outbound notifications: each unit's webhook (registered and
// removed by the task force, as events on the principals stream) and the
// delivery log of gateway/webhook_deliveries.h.
#include "domain/event_validation.h"
#include "domain/stream_kind.h"
#include "eventstore/envelope_json.h"
#include "gateway/api_routes.h"
#include "gateway/request_parsing.h"
#include "gateway/webhook_deliveries.h"
#include "gateway/webhook_targets.h"

namespace kuimen {

namespace {

constexpr std::size_t kMaxSecretBytes = 256;
constexpr std::uint64_t kDefaultDeliveries = 200;
constexpr std::uint64_t kMaxDeliveries = 1000;


Result<WebhookDeliveries*> Deliveries(ApiContext& api) {
  if (api.webhooks == nullptr) return Status::Unavailable("webhook deliveries are not run by this server");
  return api.webhooks;
}

// The signing secret as the robot's platform gives it ("SEC…"): printable ASCII.
Status CheckSecret(const std::string& secret) {
  if (secret.empty()) return Status::Ok();
  if (secret.size() > kMaxSecretBytes) {
    return Status::InvalidArgument("签名密钥不能超过" + std::to_string(kMaxSecretBytes) + "个字符", "secret", "too_long");
  }
  for (char c : secret) {
    if (static_cast<unsigned char>(c) <= 0x20 || static_cast<unsigned char>(c) >= 0x7F) {
      return Status::InvalidArgument("签名密钥只能含英文字母、数字和符号", "secret", "invalid_format");
    }
  }
  return Status::Ok();
}

}  // namespace

std::vector<Route> WebhookRoutes() {
  std::vector<Route> routes;
  routes.push_back({"PUT", "/api/v1/units/{unit}/webhook", Access::kAnyPrincipal,
                    [](ApiContext& api, const ApiCall& call) -> Result<ApiReply> {
    ASSIGN_OR_RETURN(WebhookDeliveries * deliveries, Deliveries(api));
    ASSIGN_OR_RETURN(nlohmann::json body, ParseJsonObjectBody(call.http));
    RETURN_IF_ERROR(RejectUnknownFields(body, {"url", "secret"}));
    if (!body.contains("url")) return Status::InvalidArgument("接收地址不能为空", "url", "required");
    if (!body["url"].is_string()) return Status::InvalidArgument("此项应填写文字", "url", "wrong_type");
    if (body.contains("secret") && !body["secret"].is_string()) {
      return Status::InvalidArgument("此项应填写文字", "secret", "wrong_type");
    }
    const std::string secret = body.value("secret", "");
    RETURN_IF_ERROR(CheckSecret(secret));
    // The query string (a robot's access token) is sealed with the secret; the
    // event keeps the address without it. The whole URL is checked as one first.
    const std::string url = body["url"].get<std::string>();
    RETURN_IF_ERROR(ValidateEventData(WebhookRegistered{call.Param("unit"), url.substr(0, url.find('?')), ""}));
    // No user:password, no loopback/private/link-local/... host as written
    // (a name is resolved and checked again at every delivery).
    RETURN_IF_ERROR(CheckWebhookTarget(url, deliveries->options().allow_hosts));
    const std::size_t query_at = url.find('?');
    const std::string query = query_at == std::string::npos ? "" : url.substr(query_at + 1);
    for (char c : query) {
      if (static_cast<unsigned char>(c) <= 0x20 || static_cast<unsigned char>(c) >= 0x7F) {
        return Status::InvalidArgument("接收地址只能含英文字母、数字和符号，不能有空格或汉字", "url", "invalid_format");
      }
    }
    ASSIGN_OR_RETURN(std::string sealed, SealWebhook(deliveries->sealer(), {query, secret}));
    WebhookRegistered event{call.Param("unit"), url.substr(0, query_at), std::move(sealed)};
    ASSIGN_OR_RETURN(RecordedEvent stored,
                     api.commands.Submit(Submission{PrincipalsStream(), call.actor, event, std::nullopt, std::nullopt}));
    ApiReply reply;
    reply.json["unit"] = event.unit;
    reply.json["url"] = event.url;
    reply.json["signed"] = !secret.empty();
    reply.json["position"] = stored.position.value;
    return reply;
  }});
  routes.push_back({"DELETE", "/api/v1/units/{unit}/webhook", Access::kAnyPrincipal,
                    [](ApiContext& api, const ApiCall& call) -> Result<ApiReply> {
    WebhookRemoved event{call.Param("unit")};
    ASSIGN_OR_RETURN(RecordedEvent stored,
                     api.commands.Submit(Submission{PrincipalsStream(), call.actor, event, std::nullopt, std::nullopt}));
    ApiReply reply;
    reply.json["unit"] = event.unit;
    reply.json["position"] = stored.position.value;
    return reply;
  }});
  routes.push_back({"GET", "/api/v1/webhooks", Access::kTaskForceOrAuditor,
                    [](ApiContext& api, const ApiCall&) -> Result<ApiReply> {
    ASSIGN_OR_RETURN(PrincipalDirectory directory, api.commands.LoadPrincipals());
    std::map<std::string, std::string> sorted(directory.webhook_urls().begin(), directory.webhook_urls().end());
    ApiReply reply;
    reply.json["webhooks"] = nlohmann::ordered_json::array();
    for (const auto& [unit, url] : sorted) {
      // A URL registered before userinfo was refused is shown without it.
      reply.json["webhooks"].push_back({{"unit", unit}, {"url", WithoutUserinfo(url)}});
    }
    return reply;
  }});
  routes.push_back({"GET", "/api/v1/deliveries", Access::kTaskForceOrAuditor,
                    [](ApiContext& api, const ApiCall& call) -> Result<ApiReply> {
    ASSIGN_OR_RETURN(WebhookDeliveries * deliveries, Deliveries(api));
    ASSIGN_OR_RETURN(std::optional<std::uint64_t> limit, UintParam(call.http, "limit"));
    if (limit && (*limit == 0 || *limit > kMaxDeliveries)) {
      return Status::InvalidArgument("条数应在1至" + std::to_string(kMaxDeliveries) + "之间", "limit", "out_of_range");
    }
    ApiReply reply;
    reply.json["checkpoint"] = deliveries->checkpoint().value;
    reply.json["deliveries"] = nlohmann::ordered_json::array();
    for (const DeliveryRecord& r : deliveries->Deliveries(limit.value_or(kDefaultDeliveries))) {
      nlohmann::ordered_json row;
      row["position"] = r.position.value;
      row["unit"] = r.unit;
      row["url_host"] = r.url_host;
      row["attempts"] = r.attempts;
      row["last_status"] = r.last_status;
      row["last_error"] = r.last_error;
      row["state"] = DeliveryStateName(r.state);
      row["state_text"] = DeliveryStateText(r.state);
      row["reason"] = r.reason;
      row["delivered_at"] = r.delivered_at ? nlohmann::ordered_json(FormatTimestamp(*r.delivered_at)) : nullptr;
      reply.json["deliveries"].push_back(std::move(row));
    }
    return reply;
  }});
  return routes;
}

}  // namespace kuimen
