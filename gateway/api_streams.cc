// Routes of the plan and its streams: the catalog, the tasks and major items
// as the supervision view shows them, their histories, and the write path.
#include <algorithm>
#include <charconv>

#include "domain/calendar.h"
#include "domain/supervised_item.h"
#include "domain/task_rules.h"
#include "eventstore/catalog_codec.h"
#include "eventstore/envelope_json.h"
#include "eventstore/event_codec.h"
#include "eventstore/event_id.h"
#include "gateway/api_files.h"
#include "gateway/api_routes.h"
#include "gateway/file_citations.h"
#include "gateway/api_views.h"
#include "gateway/envelope_text.h"
#include "gateway/gateway_metrics.h"
#include "gateway/notice_numbers.h"
#include "gateway/principal_registry.h"
#include "gateway/request_parsing.h"
#include "gateway/supervision_json.h"
#include "gateway/write_admission.h"
#include "projections/supervision_view.h"

namespace kuimen {

namespace {

constexpr std::uint64_t kDefaultPageSize = 100;
constexpr std::uint64_t kMaxPageSize = 1000;

// The kind of supervised item a route family serves.
struct ItemKind {
  const char* collection;  // "tasks" or "majors"
  const char* noun;        // for messages
  std::size_t count;
};

ItemKind TaskKind(const Catalog& catalog) { return {"tasks", "重点任务", catalog.tasks.size()}; }
ItemKind MajorKind(const Catalog& catalog) { return {"majors", "重大事项", catalog.major_items.size()}; }

// "7" -> "task-07"; kNotFound for a number the plan does not have.
Result<StreamId> ItemStream(const Catalog& catalog, const ItemKind& kind, const std::string& text) {
  int no = 0;
  auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), no);
  if (error != std::errc() || end != text.data() + text.size() || no < 1 ||
      static_cast<std::size_t>(no) > kind.count) {
    return Status::NotFound(std::string("方案中没有这项") + kind.noun + "，编号应为1至" + std::to_string(kind.count),
                            "item_not_found");
  }
  StreamId stream = std::string(kind.collection) == "tasks" ? TaskStream(TaskNo(no)) : MajorStream(MajorNo(no));
  RETURN_IF_ERROR(ResolveStream(catalog, stream).status());
  return stream;
}

Result<std::uint64_t> PageSize(const httplib::Request& request) {
  ASSIGN_OR_RETURN(std::optional<std::uint64_t> limit, UintParam(request, "limit"));
  if (!limit) return kDefaultPageSize;
  if (*limit < 1 || *limit > kMaxPageSize) {
    return Status::InvalidArgument("每页条数应在1至" + std::to_string(kMaxPageSize) + "之间", "limit", "out_of_range");
  }
  return *limit;
}

// The codec and the domain's validation name a field inside the event's data
// ("percent"); the client sent it as "data.percent", so that is the name it
// gets back. Other refusals pass through unchanged.
Status InBody(const Status& status) {
  if (status.code() != StatusCode::kInvalidArgument) return status;
  for (const char* own : {"type", "expected_version", "event_id", "stream"}) {
    if (status.field() == own) return status;  // the body's own fields, not the data's
  }
  if (status.field().empty()) return Status::InvalidArgument(status.message(), "data", status.reason());
  return status.WithFieldPrefix("data.");
}

// The write path shared by task, major and assessment streams:
// {type, data, expected_version?, event_id?} -> 201 {"event": envelope}.
Result<ApiReply> SubmitEvent(ApiContext& api, const ApiCall& call, const StreamId& stream) {
  ASSIGN_OR_RETURN(nlohmann::json body, ParseJsonObjectBody(call.http));
  RETURN_IF_ERROR(RejectUnknownFields(body, {"type", "data", "expected_version", "event_id"}));
  if (!body.contains("type") || !body["type"].is_string()) {
    return Status::InvalidArgument("缺少办理事项类型", "type", body.contains("type") ? "wrong_type" : "required");
  }
  if (!body.contains("data") || !body["data"].is_object()) {
    return Status::InvalidArgument("缺少填报内容", "data", body.contains("data") ? "wrong_type" : "required");
  }
  Result<EventData> decoded = EventFromJson(body["type"].get<std::string>(), body["data"]);
  if (!decoded.ok()) return InBody(decoded.status());
  EventData event = std::move(decoded).value();
  RETURN_IF_ERROR(InBody(StampFreezeRules(event, api.view_settings.assessment)));
  RETURN_IF_ERROR(InBody(CheckAttachments(api, event)));
  const std::vector<Attachment> cited = AttachmentsOf(event);
  // A 批示 is signed with the leader's registered name, whatever the client sent.
  if (auto* instruction = std::get_if<InstructionGiven>(&event)) {
    instruction->leader_name.clear();
    for (const PrincipalInfo& principal : api.principals.List()) {
      if (principal.id == call.actor.principal) instruction->leader_name = principal.name;
    }
  }
  Submission submission{stream, call.actor, std::move(event), std::nullopt, std::nullopt};
  if (body.contains("expected_version")) {
    const nlohmann::json& version = body["expected_version"];
    if (!version.is_number_unsigned()) {
      return Status::InvalidArgument("版本号应为整数", "expected_version", "wrong_type");
    }
    submission.expected_version = StreamVersion(version.get<std::uint64_t>());
  }
  if (body.contains("event_id")) {
    std::optional<EventId> id = body["event_id"].is_string() ? EventId::Parse(body["event_id"].get<std::string>())
                                                              : std::nullopt;
    if (!id) {
      return Status::InvalidArgument("请求编号的格式不对，应为通用唯一识别码", "event_id", "invalid_format");
    }
    submission.event_id = id;
  }
  RETURN_IF_ERROR(AdmitSubmission(api));  // bounded view lag: refuses before anything is appended
  Result<RecordedEvent> stored = Status::Internal("not submitted");
  if (std::holds_alternative<NoticeIssued>(submission.event)) {
    // Request-time rules of a new notice: its due date (in the county's
    // calendar) and its 文号, which the server assigns.
    const Timestamp now = api.clock.Now();
    const std::chrono::year_month_day today(LocalDay(now, api.view_settings.supervision.utc_offset_minutes));
    RETURN_IF_ERROR(InBody(RefuseDueInPast(submission.event, today)));
    stored = api.notice_numbers.Submit(std::move(submission), now);
  } else {
    stored = api.commands.Submit(submission);
  }
  api.metrics.CountSubmission(stored.status());
  if (!stored.ok()) return InBody(stored.status());
  NoteCitations(api, stream, cited);
  ApiReply reply;
  reply.status = 201;
  reply.content_type = "application/json; charset=utf-8";
  reply.bytes = SubmittedEventJson(*stored);  // {"event": envelope}, written without a JSON tree
  return reply;
}

// A page of at most `limit` events from an iterator that starts at `from`,
// and where the next page starts (also when this one is the last so far: a
// client following the log asks from there again).
Result<nlohmann::ordered_json> EventPage(EventIterator& events, std::uint64_t from, std::uint64_t limit,
                                         bool by_position) {
  nlohmann::ordered_json page;
  page["events"] = nlohmann::ordered_json::array();
  std::uint64_t next = from;
  for (; events.Valid() && page["events"].size() < limit; events.Next()) {
    const RecordedEvent& event = events.event();
    page["events"].push_back(EnvelopeToJson(event));
    next = (by_position ? event.position.value : event.version.value) + 1;
  }
  RETURN_IF_ERROR(events.status());
  page[by_position ? "next_position" : "next_version"] = next;
  return page;
}

std::vector<Route> ItemRoutes(const std::string& collection, ItemKind (*kind_of)(const Catalog&)) {
  const std::string base = "/api/v1/" + collection;
  std::vector<Route> routes;
  routes.push_back({"GET", base, Access::kAnyPrincipal, [collection](ApiContext& api, const ApiCall& call) -> Result<ApiReply> {
    SupervisionBoard board;
    ASSIGN_OR_RETURN(std::uint64_t through,
                     ReadViewWith(api, call.http, "supervision", [&board](const View& view, const ViewQuery& query) {
                       board = dynamic_cast<const SupervisionView&>(view).Board(query.now);
                       return Status::Ok();
                     }));
    nlohmann::json items = nlohmann::json::array();
    for (const ItemBoard& item : collection == "tasks" ? board.tasks : board.major_items) {
      items.push_back(ItemBoardJson(item));
    }
    ApiReply reply;
    reply.json["through_position"] = through;
    reply.json["as_of"] = FormatTimestamp(board.as_of);
    reply.json[collection] = std::move(items);
    return reply;
  }});
  routes.push_back({"GET", base + "/{no}", Access::kAnyPrincipal, [kind_of](ApiContext& api, const ApiCall& call) -> Result<ApiReply> {
    ASSIGN_OR_RETURN(StreamId stream, ItemStream(api.catalog, kind_of(api.catalog), call.Param("no")));
    // ?period=YYYY-MM: the figures as of that period (with as_of: as known then).
    std::optional<std::chrono::year_month> period;
    if (call.http.has_param("period")) {
      period = ParseMonth(call.http.get_param_value("period"));
      if (!period.has_value()) {
        return Status::InvalidArgument("报送期间的写法应为“年-月”，如2024-11", "period", "invalid_format");
      }
    }
    std::optional<ItemBoard> item;
    ASSIGN_OR_RETURN(std::uint64_t through,
                     ReadViewWith(api, call.http, "supervision", [&](const View& view, const ViewQuery& query) -> Status {
                       ASSIGN_OR_RETURN(item, dynamic_cast<const SupervisionView&>(view).Item(stream, query.now, period));
                       return Status::Ok();
                     }));
    ApiReply reply;
    reply.json["through_position"] = through;
    reply.json["stream"] = stream.value;
    reply.json["stream_version"] = api.store.StreamHead(stream).value;
    reply.json["item"] = ItemBoardJson(*item);
    return reply;
  }});
  routes.push_back({"GET", base + "/{no}/events", Access::kAnyPrincipal, [kind_of](ApiContext& api, const ApiCall& call) -> Result<ApiReply> {
    ASSIGN_OR_RETURN(StreamId stream, ItemStream(api.catalog, kind_of(api.catalog), call.Param("no")));
    ASSIGN_OR_RETURN(std::optional<std::uint64_t> from, UintParam(call.http, "from_version"));
    ASSIGN_OR_RETURN(std::uint64_t limit, PageSize(call.http));
    const std::uint64_t first = std::max<std::uint64_t>(from.value_or(1), 1);
    std::unique_ptr<EventIterator> events = api.store.ReadStream(stream, StreamVersion(first));
    ApiReply reply;
    reply.json["stream"] = stream.value;
    ASSIGN_OR_RETURN(nlohmann::ordered_json page, EventPage(*events, first, limit, /*by_position=*/false));
    reply.json.update(page);
    return reply;
  }});
  routes.push_back({"POST", base + "/{no}/events", Access::kAnyPrincipal, [kind_of](ApiContext& api, const ApiCall& call) -> Result<ApiReply> {
    ASSIGN_OR_RETURN(StreamId stream, ItemStream(api.catalog, kind_of(api.catalog), call.Param("no")));
    return SubmitEvent(api, call, stream);
  }});
  return routes;
}

}  // namespace

std::vector<Route> StreamRoutes() {
  std::vector<Route> routes;
  routes.push_back({"GET", "/api/v1/catalog", Access::kAnyPrincipal, [](ApiContext& api, const ApiCall&) -> Result<ApiReply> {
    ApiReply reply;
    reply.json = nlohmann::ordered_json::parse(CatalogToJson(api.catalog));
    return reply;
  }});
  for (Route& route : ItemRoutes("tasks", TaskKind)) routes.push_back(std::move(route));
  for (Route& route : ItemRoutes("majors", MajorKind)) routes.push_back(std::move(route));
  // The year-end assessment's own stream: adjustments and the year's freeze (年终定格).
  routes.push_back({"POST", "/api/v1/assessment/{year}/events", Access::kAnyPrincipal,
                    [](ApiContext& api, const ApiCall& call) -> Result<ApiReply> {
    const std::string& year = call.Param("year");
    if (year.size() != 4 || year.find_first_not_of("0123456789") != std::string::npos) {
      return Status::NotFound("没有这个考核年度，年度应写作四位数字，如2024", "year_not_found");
    }
    return SubmitEvent(api, call, StreamId{"assessment-" + year});
  }});
  routes.push_back({"GET", "/api/v1/events", Access::kTaskForceOrAuditor, [](ApiContext& api, const ApiCall& call) -> Result<ApiReply> {
    ASSIGN_OR_RETURN(std::optional<std::uint64_t> from, UintParam(call.http, "from_position"));
    ASSIGN_OR_RETURN(std::uint64_t limit, PageSize(call.http));
    const std::uint64_t first = std::max<std::uint64_t>(from.value_or(1), 1);
    std::unique_ptr<EventIterator> events = api.store.ReadAll(GlobalPosition(first));
    ApiReply reply;
    ASSIGN_OR_RETURN(reply.json, EventPage(*events, first, limit, /*by_position=*/true));
    return reply;
  }});
  return routes;
}

}  // namespace kuimen
