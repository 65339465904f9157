// Routes of the review queue (审核督办): the queue as the supervision view
// keeps it, filtered and paged, and batch approval (批量通过).
#include <charconv>
#include <set>

#include "domain/calendar.h"
#include "domain/message_text.h"
#include "domain/stream_kind.h"
#include "domain/supervised_item.h"
#include "eventstore/envelope_json.h"
#include "eventstore/event_codec.h"
#include "eventstore/event_id.h"
#include "eventstore/sha256.h"
#include "gateway/api_routes.h"
#include "gateway/api_views.h"
#include "gateway/gateway_metrics.h"
#include "gateway/http_error.h"
#include "gateway/request_parsing.h"
#include "gateway/text_safety.h"
#include "gateway/write_admission.h"
#include "projections/supervision_view.h"

namespace kuimen {

namespace {

constexpr std::size_t kDefaultQueuePage = 50;
constexpr std::size_t kMaxQueuePage = 100;
// One batch approves at most this many reports: one request stays well inside
// the body limit and the request deadline (each approval is one synced append).
constexpr std::size_t kMaxBatch = 100;

Result<std::optional<std::string>> TextParam(const httplib::Request& request, const std::string& name) {
  if (!request.has_param(name)) return std::optional<std::string>();
  std::string text = request.get_param_value(name);
  if (!IsValidUtf8(text)) return Status::InvalidArgument("查询条件含有无法识别的文字编码", name, "invalid_encoding");
  if (text.empty()) return std::optional<std::string>();
  return std::optional<std::string>(std::move(text));
}

// "7", "task-07" or "major-3" -> the stream of a task or major item of the plan.
Result<StreamId> QueueStream(const Catalog& catalog, const std::string& text, const std::string& field) {
  StreamId stream{text};
  int no = 0;
  auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), no);
  if (error == std::errc() && end == text.data() + text.size() && no >= 1) stream = TaskStream(TaskNo(no));
  const Result<StreamKind> kind = ClassifyStream(stream);
  if (!kind.ok() || (*kind != StreamKind::kTask && *kind != StreamKind::kMajor) || !ResolveStream(catalog, stream).ok()) {
    return Status::InvalidArgument("方案中没有这项任务，请填写任务序号，如 7", field, "unknown_value");
  }
  return stream;
}

Result<ReviewQueueQuery> QueueQueryOf(const Catalog& catalog, const httplib::Request& request) {
  ReviewQueueQuery query;
  ASSIGN_OR_RETURN(query.unit, TextParam(request, "unit"));
  ASSIGN_OR_RETURN(std::optional<std::string> task, TextParam(request, "task"));
  if (task) {
    ASSIGN_OR_RETURN(StreamId stream, QueueStream(catalog, *task, "task"));
    query.stream = stream.value;
  }
  ASSIGN_OR_RETURN(std::optional<std::string> period, TextParam(request, "period"));
  if (period) {
    query.period = ParseMonth(*period);
    if (!query.period) return Status::InvalidArgument("报送期间应写作年-月，如 2024-11", "period", "invalid_format");
  }
  ASSIGN_OR_RETURN(std::optional<std::string> state, TextParam(request, "state"));
  if (state && *state == "all") {
    query.state.reset();
  } else if (state) {
    query.state = ParseReviewState(*state);
    if (!query.state) {
      return Status::InvalidArgument("审核状态应为待审核、已通过、已退回、已被替代或全部", "state", "unknown_value");
    }
  }
  ASSIGN_OR_RETURN(std::optional<std::string> order, TextParam(request, "order"));
  if (order && *order == "due") {
    query.order = ReviewOrder::kDue;
  } else if (order && *order != "newest") {
    return Status::InvalidArgument("排序应为最新在前或报送期限在前", "order", "unknown_value");
  }
  ASSIGN_OR_RETURN(std::optional<std::uint64_t> offset, UintParam(request, "offset"));
  query.offset = offset.value_or(0);
  ASSIGN_OR_RETURN(std::optional<std::uint64_t> limit, UintParam(request, "limit"));
  if (limit && (*limit < 1 || *limit > kMaxQueuePage)) {
    return Status::InvalidArgument("每页应为1到" + std::to_string(kMaxQueuePage) + "条", "limit", "out_of_range");
  }
  query.limit = limit.value_or(kDefaultQueuePage);
  return query;
}

nlohmann::json QueueItemJson(const ReviewQueueItem& item) {
  const ReviewEntry& e = item.entry;
  nlohmann::json indicators = nlohmann::json::array();
  for (const IndicatorValue& v : e.indicators) {
    indicators.push_back(
        {{"indicator", v.indicator}, {"value", v.value}, {"unit", v.unit}, {"scope", IndicatorScopeName(v.scope)}});
  }
  const ReviewState state = e.state();
  return {{"stream", item.stream},
          {"report_version", e.version.value},
          {"period", FormatMonth(e.period)},
          {"unit", e.unit},
          {"principal", e.principal},
          {"recorded_at", FormatTimestamp(e.recorded_at)},
          {"percent", e.percent},
          {"summary", e.summary},
          {"indicators", std::move(indicators)},
          {"due", FormatDate(item.due)},
          {"late", item.late},
          {"state", ReviewStateName(state)},
          {"state_label", ReviewStateLabel(state)},
          {"superseded_by", e.superseded_by ? nlohmann::json(e.superseded_by->value) : nlohmann::json(nullptr)},
          {"reviewed_at", e.reviewed_at ? nlohmann::json(FormatTimestamp(*e.reviewed_at)) : nlohmann::json(nullptr)},
          {"comment", e.comment}};
}

Result<ApiReply> GetQueue(ApiContext& api, const ApiCall& call) {
  ASSIGN_OR_RETURN(ReviewQueueQuery query, QueueQueryOf(api.catalog, call.http));
  ASSIGN_OR_RETURN(RenderedView view,
                   ReadView(api, call.http, "supervision", [&query](const View& view, const ViewQuery&) -> Result<nlohmann::json> {
                     const ReviewQueuePage page = dynamic_cast<const SupervisionView&>(view).ReviewQueue(query);
                     nlohmann::json items = nlohmann::json::array();
                     for (const ReviewQueueItem& item : page.items) items.push_back(QueueItemJson(item));
                     return nlohmann::json{{"total", page.total}, {"items", std::move(items)}};
                   }));
  ApiReply reply;
  reply.json["through_position"] = view.through_position;
  reply.json["total"] = view.json["total"];
  reply.json["offset"] = query.offset;
  reply.json["limit"] = query.limit;
  reply.json["items"] = std::move(view.json["items"]);
  return reply;
}

// The event id of one approval in a batch: derived from the client's batch id,
// the stream and the report, so a retried batch appends nothing twice.
EventId ApprovalEventId(const EventId& batch, const StreamId& stream, StreamVersion report) {
  const Sha256Digest digest =
      Sha256(std::string(batch.AsBytes()) + "\n" + stream.value + "\n" + std::to_string(report.value));
  std::array<std::uint8_t, 16> bytes{};
  std::copy_n(digest.begin(), bytes.size(), bytes.begin());
  bytes[6] = static_cast<std::uint8_t>((bytes[6] & 0x0f) | 0x50);  // version 5: name-based (SHA)
  bytes[8] = static_cast<std::uint8_t>((bytes[8] & 0x3f) | 0x80);  // RFC 4122 variant
  return EventId(bytes);
}

// A refusal of the batch's i-th item, saying which item in the clerk's terms
// and naming the field inside the body.
Status OfItem(const Status& status, std::size_t i, const StreamId& stream, StreamVersion version) {
  const std::string where = "items[" + std::to_string(i) + "]";
  const std::string prefix = "第" + std::to_string(i + 1) + "项（" + StreamDisplayName(stream) + "第" +
                             std::to_string(version.value) + "版报送）：";
  if (status.code() == StatusCode::kInvalidArgument) {
    const std::string field = status.subject().empty() ? where : where + "." + status.subject();
    return Status::InvalidArgument(prefix + status.message(), field, status.rule());
  }
  switch (status.code()) {
    case StatusCode::kPermissionDenied: return Status::PermissionDenied(prefix + status.message(), status.subject());
    case StatusCode::kFailedPrecondition: return Status::FailedPrecondition(prefix + status.message(), status.subject());
    case StatusCode::kAborted: return Status::Aborted(prefix + status.message(), status.subject());
    default: return status;
  }
}

struct BatchItem {
  StreamId stream;
  StreamVersion version;
  EventData event;
  EventId id;
};

Result<std::vector<BatchItem>> ParseBatch(const ApiContext& api, const nlohmann::json& body, EventId& batch_id) {
  RETURN_IF_ERROR(RejectUnknownFields(body, {"batch_id", "comment", "items"}));
  std::optional<EventId> id =
      body.contains("batch_id") && body["batch_id"].is_string() ? EventId::Parse(body["batch_id"].get<std::string>())
                                                                : std::nullopt;
  if (!id) {
    return Status::InvalidArgument("请附上本批次的编号（如 3f2504e0-4f89-41d3-9a0c-0305e82c3301），重试时用同一编号",
                                   "batch_id", "required");
  }
  batch_id = *id;
  std::string comment;
  if (body.contains("comment")) {
    if (!body["comment"].is_string()) return Status::InvalidArgument("审核意见应为文字", "comment", "wrong_type");
    comment = body["comment"].get<std::string>();
  }
  if (!body.contains("items") || !body["items"].is_array() || body["items"].empty()) {
    return Status::InvalidArgument("请至少选择一份报送", "items", "required");
  }
  const nlohmann::json& items = body["items"];
  if (items.size() > kMaxBatch) {
    return Status::InvalidArgument("一次最多批量通过" + std::to_string(kMaxBatch) + "份报送，本次选了" +
                                       std::to_string(items.size()) + "份",
                                   "items", "batch_too_large");
  }
  std::vector<BatchItem> batch;
  std::set<std::pair<std::string, std::uint64_t>> seen;
  for (std::size_t i = 0; i < items.size(); ++i) {
    const std::string where = "items[" + std::to_string(i) + "]";
    const std::string nth = "第" + std::to_string(i + 1) + "项";
    const nlohmann::json& item = items[i];
    if (!item.is_object()) return Status::InvalidArgument(nth + "的格式不对", where, "wrong_type");
    RETURN_IF_ERROR(RejectUnknownFields(item, {"stream", "report_version"}, where));
    if (!item.contains("stream") || !item["stream"].is_string()) {
      return Status::InvalidArgument(nth + "未写明任务", where + ".stream", "required");
    }
    ASSIGN_OR_RETURN(StreamId stream, QueueStream(api.catalog, item["stream"].get<std::string>(), where + ".stream"));
    if (!item.contains("report_version") || !item["report_version"].is_number_unsigned() ||
        item["report_version"].get<std::uint64_t>() < 1) {
      return Status::InvalidArgument(nth + "未写明报送版本（正整数）", where + ".report_version", "required");
    }
    const StreamVersion version(item["report_version"].get<std::uint64_t>());
    if (!seen.emplace(stream.value, version.value).second) {
      return Status::InvalidArgument(nth + "与前面选的报送重复", where, "duplicate");
    }
    nlohmann::json data = {{"report_version", version.value}, {"decision", "approved"}, {"comment", comment}};
    Result<EventData> event = EventFromJson("ReportReviewed", data);
    if (!event.ok()) {
      const Status& s = event.status();
      return Status::InvalidArgument(s.message(), s.subject() == "comment" ? "comment" : where, s.rule());
    }
    batch.push_back(BatchItem{stream, version, std::move(event).value(), ApprovalEventId(*id, stream, version)});
  }
  return batch;
}

// POST /api/v1/reviews/approve: {batch_id, comment?, items: [{stream, report_version}]}.
// Every item is decided first, on the streams' current state; one refusal
// refuses the whole batch and appends nothing. Then each approval is appended
// to its own stream (the store appends atomically per stream only), with an
// event id derived from the batch id: a retry of the same batch returns the
// approvals already stored and appends the rest.
Result<ApiReply> ApproveBatch(ApiContext& api, const ApiCall& call) {
  ASSIGN_OR_RETURN(nlohmann::json body, ParseJsonObjectBody(call.http));
  EventId batch_id;
  ASSIGN_OR_RETURN(std::vector<BatchItem> batch, ParseBatch(api, body, batch_id));

  const Timestamp now = api.clock.Now();
  for (std::size_t i = 0; i < batch.size(); ++i) {
    const BatchItem& item = batch[i];
    ASSIGN_OR_RETURN(std::optional<RecordedEvent> stored, api.store.FindById(item.id));
    if (stored.has_value()) continue;  // approved by an earlier try of this batch; Submit checks it is the same
    ASSIGN_OR_RETURN(TaskAggregate aggregate, api.commands.Load(item.stream));
    Status decided = aggregate.Decide(call.actor, item.event, now);
    if (!decided.ok()) return OfItem(decided, i, item.stream, item.version);
  }

  RETURN_IF_ERROR(AdmitSubmission(api));  // bounded view lag: refuses before anything is appended
  ApiReply reply;
  reply.json["batch_id"] = batch_id.ToString();
  nlohmann::json results = nlohmann::json::array();
  bool complete = true;
  for (std::size_t i = 0; i < batch.size(); ++i) {
    const BatchItem& item = batch[i];
    Submission submission{item.stream, call.actor, item.event, std::nullopt, item.id};
    Result<RecordedEvent> stored = api.commands.Submit(submission);
    api.metrics.CountSubmission(stored.status());
    nlohmann::json result = {{"stream", item.stream.value}, {"report_version", item.version.value}};
    if (stored.ok()) {
      result["status"] = "approved";
      result["event_id"] = stored->id.ToString();
      result["position"] = stored->position.value;
    } else {
      // Only a review recorded between the check and the append, or a store
      // fault, gets here; the same batch_id finishes the batch.
      complete = false;
      const Status status = OfItem(stored.status(), i, item.stream, item.version);
      result["status"] = "failed";
      result["error"] = ErrorBody(status)["error"];
    }
    results.push_back(std::move(result));
  }
  reply.json["complete"] = complete;
  reply.json["results"] = nlohmann::ordered_json::parse(results.dump());
  return reply;
}

}  // namespace

std::vector<Route> ReviewRoutes() {
  return {
      {"GET", "/api/v1/reviews", Access::kTaskForceOrAuditor, GetQueue},
      {"POST", "/api/v1/reviews/approve", Access::kTaskForce, ApproveBatch},
  };
}

}  // namespace kuimen
