// 检索 (issue 11 item 5): GET /api/v1/search?q= over report summaries, notice
// answers (整改情况), 领导批示 and evidence file names, in the task and major-item
// streams only (every principal may read those; principals, the assessment
// and anything else in the log are never searched). A substring match:
// Chinese as written, Latin letters case-insensitive. Newest first, paged.
// A scan of the log: fine for the plan's thousands of events.
#include <algorithm>
#include <cctype>

#include "eventstore/envelope_json.h"
#include "gateway/api_routes.h"
#include "gateway/api_views.h"
#include "gateway/request_parsing.h"

namespace kuimen {

namespace {

using nlohmann::json;
using nlohmann::ordered_json;

constexpr std::uint64_t kDefaultLimit = 20;
constexpr std::uint64_t kMaxLimit = 100;
constexpr std::size_t kMaxQueryBytes = 200;

std::string FoldLatin(std::string text) {
  for (char& c : text) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return text;
}

bool Searchable(const StreamId& stream) {
  return stream.value.rfind("task-", 0) == 0 || stream.value.rfind("major-", 0) == 0;
}

struct Hit {
  std::string field;  // "summary", "answer", "instruction", "file"
  std::string label;  // 报送摘要, 整改情况, 领导批示, 佐证材料
  std::string text;
  std::string by = {};  // who wrote it, when not the acting unit: a 批示's leader
};

// The texts of an event that a search reads, each with what it is.
std::vector<Hit> TextsOf(const RecordedEvent& event) {
  std::vector<Hit> texts;
  const json data = json::parse(event.data, nullptr, false);
  if (!data.is_object()) return texts;
  const auto text = [&](const char* key) -> std::string {
    const auto it = data.find(key);
    return it != data.end() && it->is_string() ? it->get<std::string>() : std::string();
  };
  if (event.type == "ProgressReported") texts.push_back({"summary", "报送摘要", text("summary")});
  if (event.type == "NoticeAnswered") texts.push_back({"answer", "整改情况", text("summary")});
  if (event.type == "InstructionGiven") {
    texts.push_back({"instruction", "领导批示", text("text"), text("leader_name")});
  }
  for (const char* list : {"evidence", "files", "attachments"}) {
    const auto it = data.find(list);
    if (it == data.end() || !it->is_array()) continue;
    for (const json& file : *it) {
      if (!file.is_object()) continue;
      for (const char* key : {"name", "title", "uri"}) {
        const auto value = file.find(key);
        if (value != file.end() && value->is_string() && !value->get<std::string>().empty()) {
          texts.push_back({"file", "佐证材料", value->get<std::string>()});
        }
      }
    }
  }
  return texts;
}

}  // namespace

std::vector<Route> SearchRoutes() {
  std::vector<Route> routes;
  routes.push_back({"GET", "/api/v1/search", Access::kAnyPrincipal,
                    [](ApiContext& api, const ApiCall& call) -> Result<ApiReply> {
    const std::string q = call.http.has_param("q") ? call.http.get_param_value("q") : std::string();
    if (std::all_of(q.begin(), q.end(), [](unsigned char c) { return std::isspace(c) != 0; })) {
      return Status::InvalidArgument("请输入要检索的文字", "q", "required");
    }
    if (q.size() > kMaxQueryBytes) return Status::InvalidArgument("检索文字太长，请缩短后再试", "q", "too_long");
    ASSIGN_OR_RETURN(std::optional<std::uint64_t> limit_param, UintParam(call.http, "limit"));
    ASSIGN_OR_RETURN(std::optional<std::uint64_t> offset_param, UintParam(call.http, "offset"));
    const std::uint64_t limit = limit_param.value_or(kDefaultLimit);
    if (limit < 1 || limit > kMaxLimit) {
      return Status::InvalidArgument("每页条数应在1至" + std::to_string(kMaxLimit) + "之间", "limit", "out_of_range");
    }
    const std::uint64_t offset = offset_param.value_or(0);
    const std::string needle = FoldLatin(q);

    ASSIGN_OR_RETURN(std::optional<ReplayGate::Ticket> slot, EnterReplay(api));
    std::vector<std::vector<ordered_json>> by_event;  // oldest event first while scanning
    std::unique_ptr<EventIterator> events = api.store.ReadAll(GlobalPosition(1));
    for (; events->Valid(); events->Next()) {
      const RecordedEvent& event = events->event();
      if (!Searchable(event.stream)) continue;
      std::vector<ordered_json> hits;
      for (const Hit& hit : TextsOf(event)) {
        if (FoldLatin(hit.text).find(needle) == std::string::npos) continue;
        hits.push_back({{"stream", event.stream.value},
                        {"version", event.version.value},
                        {"position", event.position.value},
                        {"type", event.type},
                        {"recorded_at", FormatTimestamp(event.recorded_at)},
                        {"unit", event.actor.unit},
                        {"by", hit.by.empty() ? event.actor.unit : hit.by},
                        {"field", hit.field},
                        {"field_label", hit.label},
                        {"text", hit.text}});
      }
      if (!hits.empty()) by_event.push_back(std::move(hits));
    }
    // Newest event first; an event's own texts in their order (summary, then files).
    std::vector<ordered_json> hits;
    for (auto it = by_event.rbegin(); it != by_event.rend(); ++it) {
      for (ordered_json& hit : *it) hits.push_back(std::move(hit));
    }
    RETURN_IF_ERROR(events->status());
    ApiReply reply;
    reply.json["q"] = q;
    reply.json["total"] = hits.size();
    reply.json["offset"] = offset;
    reply.json["limit"] = limit;
    reply.json["hits"] = ordered_json::array();
    for (std::uint64_t i = offset; i < hits.size() && i < offset + limit; ++i) {
      reply.json["hits"].push_back(std::move(hits[i]));
    }
    return reply;
  }});
  return routes;
}

}  // namespace kuimen
