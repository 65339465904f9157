// Routes of 待办 and 催办: what each unit owes (projections/todo_list.h),
// the task force's 催办 list by unit, and sending a 催办 (UrgeSent on the
// "urges" stream).
#include <optional>
#include <string>
#include <vector>

#include "domain/calendar.h"
#include "domain/stream_kind.h"
#include "eventstore/envelope_json.h"
#include "eventstore/event_codec.h"
#include "eventstore/event_id.h"
#include "gateway/api_routes.h"
#include "gateway/api_views.h"
#include "gateway/gateway_metrics.h"
#include "gateway/request_parsing.h"
#include "gateway/text_safety.h"
#include "gateway/write_admission.h"
#include "projections/supervision_view.h"
#include "projections/todo_list.h"

namespace kuimen {

namespace {

// Every 催办 stored, oldest first. The stream holds only the task force's
// urges (a few a week), so reading it whole per request is cheap.
Result<std::vector<UrgeRecord>> ReadUrges(EventStore& store) {
  std::vector<UrgeRecord> urges;
  std::unique_ptr<EventIterator> it = store.ReadStream(UrgesStream(), StreamVersion(1));
  for (; it->Valid(); it->Next()) {
    const RecordedEvent& stored = it->event();
    Result<EventData> event = DecodeEvent(stored.type, stored.schema_version, stored.data);
    if (!event.ok()) return Status::DataLoss("stored urge at position " + std::to_string(stored.position.value) +
                                             " cannot be read: " + event.status().message());
    if (const UrgeSent* urge = std::get_if<UrgeSent>(&*event)) {
      urges.push_back(UrgeRecord{stored.position, stored.recorded_at, stored.actor.principal, *urge});
    }
  }
  RETURN_IF_ERROR(it->status());
  return urges;
}

bool IsPlanUnit(const Catalog& catalog, const std::string& name) {
  for (const Unit& unit : catalog.units) {
    if (unit.name == name) return true;
  }
  return false;
}

nlohmann::json CountsJson(const UnitTodo& todo) {
  nlohmann::json counts = nlohmann::json::object();
  for (const auto& [kind, n] : todo.counts) counts[std::string(TodoKindName(kind))] = n;
  return counts;
}

nlohmann::json TodoItemJson(const TodoItem& row) {
  auto text_or_null = [](const std::string& s) { return s.empty() ? nlohmann::json(nullptr) : nlohmann::json(s); };
  return {{"kind", TodoKindName(row.kind)},
          {"kind_label", TodoKindLabel(row.kind)},
          {"stream", text_or_null(row.stream)},
          {"item", text_or_null(row.item)},
          {"period", row.period ? nlohmann::json(FormatMonth(*row.period)) : nlohmann::json(nullptr)},
          {"notice_id", text_or_null(row.notice_id)},
          {"notice_number", text_or_null(row.notice_number)},
          {"milestone", text_or_null(row.milestone)},
          {"due", row.due ? nlohmann::json(FormatDate(*row.due)) : nlohmann::json(nullptr)},
          {"overdue", row.overdue},
          {"reason", row.reason},
          {"urged_at", row.urged_at ? nlohmann::json(FormatTimestamp(*row.urged_at)) : nlohmann::json(nullptr)},
          {"urged_by", text_or_null(row.urged_by)},
          {"urge_text", text_or_null(row.urge_text)}};
}

nlohmann::json UnitTodoJson(const UnitTodo& todo) {
  nlohmann::json items = nlohmann::json::array();
  for (const TodoItem& row : todo.items) items.push_back(TodoItemJson(row));
  return {{"unit", todo.unit}, {"counts", CountsJson(todo)}, {"total", todo.items.size()},
          {"overdue", todo.overdue}, {"items", std::move(items)}};
}

// The unit whose 待办 is asked for: a department's own (a township's: the
// group it acts for, whose items it works on); the task force and auditors
// name one with ?unit=.
Result<std::string> TodoUnit(const ApiContext& api, const ApiCall& call) {
  std::string asked;
  if (call.http.has_param("unit")) {
    asked = call.http.get_param_value("unit");
    if (!IsValidUtf8(asked)) return Status::InvalidArgument("查询条件含有无法识别的文字编码", "unit", "invalid_encoding");
  }
  if (call.actor.role == Role::kDepartment) {
    const std::string own = call.actor.group.empty() ? call.actor.unit : call.actor.group;
    if (!asked.empty() && asked != call.actor.unit && asked != own) {
      return Status::PermissionDenied("只能查看本单位的待办", "own_unit_only");
    }
    return own;
  }
  if (asked.empty()) return Status::InvalidArgument("请选择要查看待办的单位", "unit", "required");
  if (!IsPlanUnit(api.catalog, asked)) return Status::InvalidArgument("“" + asked + "”不是方案中的单位", "unit", "unknown_unit");
  return asked;
}

// GET /api/v1/todo[?unit=]: the unit's 待办 with counts by kind.
Result<ApiReply> GetTodo(ApiContext& api, const ApiCall& call) {
  ASSIGN_OR_RETURN(std::string unit, TodoUnit(api, call));
  ASSIGN_OR_RETURN(std::vector<UrgeRecord> urges, ReadUrges(api.store));
  ASSIGN_OR_RETURN(RenderedView view,
                   ReadView(api, call.http, "supervision",
                            [&](const View& v, const ViewQuery& q) -> Result<nlohmann::json> {
                              const auto& supervision = dynamic_cast<const SupervisionView&>(v);
                              nlohmann::json json = UnitTodoJson(ComputeUnitTodo(supervision, unit, urges, q.now));
                              json["today"] = FormatDate(std::chrono::year_month_day(
                                  LocalDay(q.now, supervision.Options().utc_offset_minutes)));
                              return json;
                            }));
  ApiReply reply;
  reply.json = nlohmann::ordered_json::parse(view.json.dump());
  reply.json["through_position"] = view.through_position;
  return reply;
}

// GET /api/v1/urge: per unit of the plan that owes something, what it owes.
Result<ApiReply> GetUrgeList(ApiContext& api, const ApiCall& call) {
  ASSIGN_OR_RETURN(std::vector<UrgeRecord> urges, ReadUrges(api.store));
  ASSIGN_OR_RETURN(RenderedView view,
                   ReadView(api, call.http, "supervision",
                            [&](const View& v, const ViewQuery& q) -> Result<nlohmann::json> {
                              const auto& supervision = dynamic_cast<const SupervisionView&>(v);
                              nlohmann::json units = nlohmann::json::array();
                              for (const UnitTodo& todo : ComputeOwingUnits(supervision, urges, q.now)) {
                                units.push_back(UnitTodoJson(todo));
                              }
                              return nlohmann::json{
                                  {"today", FormatDate(std::chrono::year_month_day(
                                                LocalDay(q.now, supervision.Options().utc_offset_minutes)))},
                                  {"units", std::move(units)}};
                            }));
  ApiReply reply;
  reply.json = nlohmann::ordered_json::parse(view.json.dump());
  reply.json["through_position"] = view.through_position;
  return reply;
}

// A refusal of the UrgeSent, naming the body's field: units[i] is the "unit" sent.
Status InUrgeBody(const Status& status) {
  if (status.ok() || status.subject().empty()) return status;
  if (status.code() != StatusCode::kInvalidArgument) return status;
  const std::string field = status.subject().rfind("units", 0) == 0 ? "unit" : status.subject();
  return Status::InvalidArgument(status.message(), field, status.rule());
}

// POST /api/v1/urge {unit: "县农业农村委" | "all", text?, event_id?} -> 201
// {event, units}. "all" is expanded to every unit that owes something now,
// from the live view; 409 nothing_owed when none does.
Result<ApiReply> SendUrge(ApiContext& api, const ApiCall& call) {
  ASSIGN_OR_RETURN(nlohmann::json body, ParseJsonObjectBody(call.http));
  RETURN_IF_ERROR(RejectUnknownFields(body, {"unit", "text", "event_id"}));
  if (call.actor.role != Role::kTaskForce) {
    // The aggregate says the same; refused before the view is read.
    RETURN_IF_ERROR(NewUrgeAggregate(api.catalog).Decide(call.actor, UrgeSent{{"-"}, false, ""}));
  }
  if (!body.contains("unit") || !body["unit"].is_string() || body["unit"].get<std::string>().empty()) {
    return Status::InvalidArgument("请选择要催办的单位，或选择催办全部", "unit", "required");
  }
  UrgeSent urge;
  if (body.contains("text")) {
    if (!body["text"].is_string()) return Status::InvalidArgument("催办内容应为文字", "text", "wrong_type");
    urge.text = body["text"].get<std::string>();
  }
  std::optional<EventId> event_id;
  if (body.contains("event_id")) {
    event_id = body["event_id"].is_string() ? EventId::Parse(body["event_id"].get<std::string>()) : std::nullopt;
    if (!event_id) return Status::InvalidArgument("请求编号的格式不对，应为通用唯一识别码", "event_id", "invalid_format");
  }
  const std::string unit = body["unit"].get<std::string>();
  if (unit == "all") {
    urge.all = true;
    ASSIGN_OR_RETURN(std::vector<UrgeRecord> urges, ReadUrges(api.store));
    ASSIGN_OR_RETURN(RenderedView view,
                     ReadView(api, call.http, "supervision",
                              [&](const View& v, const ViewQuery& q) -> Result<nlohmann::json> {
                                const auto& supervision = dynamic_cast<const SupervisionView&>(v);
                                for (const UnitTodo& todo : ComputeOwingUnits(supervision, urges, q.now)) {
                                  urge.units.push_back(todo.unit);
                                }
                                return nlohmann::json(nullptr);
                              }));
    (void)view;
    if (urge.units.empty()) {
      return Status::FailedPrecondition("目前没有单位有待办事项，无需催办", "nothing_owed");
    }
  } else {
    urge.units.push_back(unit);
  }
  RETURN_IF_ERROR(AdmitSubmission(api));  // bounded view lag: refuses before anything is appended
  Submission submission{UrgesStream(), call.actor, urge, std::nullopt, event_id};
  Result<RecordedEvent> stored = api.commands.Submit(submission);
  api.metrics.CountSubmission(stored.status());
  if (!stored.ok()) return InUrgeBody(stored.status());
  ApiReply reply;
  reply.status = 201;
  reply.json["event"] = EnvelopeToJson(*stored);
  reply.json["units"] = urge.units;
  return reply;
}

}  // namespace

std::vector<Route> TodoRoutes() {
  return {
      {"GET", "/api/v1/todo", Access::kAnyPrincipal, GetTodo},
      {"GET", "/api/v1/urge", Access::kTaskForceOrAuditor, GetUrgeList},
      {"POST", "/api/v1/urge", Access::kAnyPrincipal, SendUrge},
  };
}

}  // namespace kuimen
