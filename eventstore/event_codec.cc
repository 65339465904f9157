#include "eventstore/event_codec.h"

#include <cstdio>
#include <initializer_list>
#include <optional>
#include <utility>

#include <nlohmann/json.hpp>

#include "domain/calendar.h"
#include "domain/message_text.h"
#include "eventstore/hot_event_decode.h"
#include "eventstore/json_reader.h"

namespace kuimen {

using nlohmann::json;

namespace {

// Wire name and schema version per type. A type added to EventData without a
// Wire specialisation fails to compile.
template <typename T> struct Wire;
// ProgressReported 2: each indicator's "scope", own or county; 3: milestones_met;
// 4: attachments (UpcastProgressReportedV1, V2 and V3 read the older ones).
template <> struct Wire<ProgressReported> { static constexpr std::string_view kName = "ProgressReported"; static constexpr std::uint32_t kSchema = 4; };
// DeadlineSet 2: reason (UpcastDeadlineSetV1 reads 1).
template <> struct Wire<DeadlineSet> { static constexpr std::string_view kName = "DeadlineSet"; static constexpr std::uint32_t kSchema = 2; };
template <> struct Wire<MilestoneMet> { static constexpr std::string_view kName = "MilestoneMet"; static constexpr std::uint32_t kSchema = 1; };
template <> struct Wire<MilestoneCancelled> { static constexpr std::string_view kName = "MilestoneCancelled"; static constexpr std::uint32_t kSchema = 1; };
// InstructionGiven 2: attachments (UpcastInstructionGivenV1 reads 1).
template <> struct Wire<InstructionGiven> { static constexpr std::string_view kName = "InstructionGiven"; static constexpr std::uint32_t kSchema = 2; };
template <> struct Wire<ReportReviewed> { static constexpr std::string_view kName = "ReportReviewed"; static constexpr std::uint32_t kSchema = 1; };
template <> struct Wire<NoticeIssued> { static constexpr std::string_view kName = "NoticeIssued"; static constexpr std::uint32_t kSchema = 2; };
// NoticeAnswered 2: attachments (UpcastNoticeAnsweredV1 reads 1).
template <> struct Wire<NoticeAnswered> { static constexpr std::string_view kName = "NoticeAnswered"; static constexpr std::uint32_t kSchema = 2; };
template <> struct Wire<NoticeClosed> { static constexpr std::string_view kName = "NoticeClosed"; static constexpr std::uint32_t kSchema = 2; };
template <> struct Wire<NoticeSigned> { static constexpr std::string_view kName = "NoticeSigned"; static constexpr std::uint32_t kSchema = 1; };
template <> struct Wire<TaskCompleted> { static constexpr std::string_view kName = "TaskCompleted"; static constexpr std::uint32_t kSchema = 1; };
template <> struct Wire<TaskReopened> { static constexpr std::string_view kName = "TaskReopened"; static constexpr std::uint32_t kSchema = 1; };
template <> struct Wire<AssessmentAdjusted> { static constexpr std::string_view kName = "AssessmentAdjusted"; static constexpr std::uint32_t kSchema = 1; };
// YearFrozen 2: early, reason, rules_version, rules (UpcastYearFrozenV1 reads 1).
template <> struct Wire<YearFrozen> { static constexpr std::string_view kName = "YearFrozen"; static constexpr std::uint32_t kSchema = 2; };
template <> struct Wire<PrincipalRegistered> { static constexpr std::string_view kName = "PrincipalRegistered"; static constexpr std::uint32_t kSchema = 1; };
template <> struct Wire<PrincipalRevoked> { static constexpr std::string_view kName = "PrincipalRevoked"; static constexpr std::uint32_t kSchema = 1; };
template <> struct Wire<TownshipRegistered> { static constexpr std::string_view kName = "TownshipRegistered"; static constexpr std::uint32_t kSchema = 1; };
template <> struct Wire<UrgeSent> { static constexpr std::string_view kName = "UrgeSent"; static constexpr std::uint32_t kSchema = 1; };
template <> struct Wire<WebhookRegistered> { static constexpr std::string_view kName = "WebhookRegistered"; static constexpr std::uint32_t kSchema = 1; };
template <> struct Wire<WebhookRemoved> { static constexpr std::string_view kName = "WebhookRemoved"; static constexpr std::uint32_t kSchema = 1; };

Result<std::chrono::year_month> ReadMonth(const JsonReader& r, const char* key) {
  ASSIGN_OR_RETURN(std::string text, r.String(key));
  std::optional<std::chrono::year_month> month = ParseMonth(text);
  if (!month) {
    return Status::InvalidArgument("年月的写法应为“年-月”，如2024-11", r.PathOf(key), "invalid_format");
  }
  return *month;
}

Result<std::chrono::year_month_day> ReadDate(const JsonReader& r, const char* key) {
  ASSIGN_OR_RETURN(std::string text, r.String(key));
  std::optional<std::chrono::year_month_day> date = ParseDate(text);
  if (!date) {
    return Status::InvalidArgument("日期的写法应为“年-月-日”，如2024-12-31", r.PathOf(key), "invalid_format");
  }
  return *date;
}

// --- to JSON ---------------------------------------------------------------

}  // namespace

json AttachmentsJson(const std::vector<Attachment>& attachments) {
  json list = json::array();
  for (const Attachment& a : attachments) {
    list.push_back({{"sha256", a.sha256}, {"name", a.name}, {"size", a.size}, {"media_type", a.media_type}});
  }
  return list;
}

namespace {

json ToJson(const ProgressReported& e) {
  json indicators = json::array();
  for (const IndicatorValue& v : e.indicators) {
    indicators.push_back({{"indicator", v.indicator}, {"value", NumberJson<json>(v.value)}, {"unit", v.unit},
                          {"scope", IndicatorScopeName(v.scope)}});
  }
  json evidence = json::array();
  for (const Evidence& item : e.evidence) evidence.push_back({{"title", item.title}, {"uri", item.uri}});
  return {{"period", FormatMonth(e.period)}, {"summary", e.summary}, {"percent", NumberJson<json>(e.percent)},
          {"indicators", indicators}, {"evidence", evidence}, {"milestones_met", e.milestones_met},
          {"attachments", AttachmentsJson(e.attachments)}};
}
json ToJson(const DeadlineSet& e) {
  return {{"milestone", e.milestone}, {"due", FormatDate(e.due)}, {"reason", e.reason}};
}
json ToJson(const MilestoneMet& e) { return {{"milestone", e.milestone}, {"note", e.note}}; }
json ToJson(const MilestoneCancelled& e) { return {{"milestone", e.milestone}, {"reason", e.reason}}; }
json ToJson(const InstructionGiven& e) {
  return {{"text", e.text},
          {"notice_id", e.notice_id},
          {"leader_name", e.leader_name},
          {"attachments", AttachmentsJson(e.attachments)}};
}
json ToJson(const ReportReviewed& e) {
  return {{"report_version", e.report_version.value},
          {"decision", ReviewDecisionName(e.decision)},
          {"comment", e.comment}};
}
json ToJson(const NoticeIssued& e) {
  return {{"notice_id", e.notice_id}, {"reason", e.reason}, {"due", FormatDate(e.due)}, {"number", e.number}};
}
json ToJson(const NoticeAnswered& e) {
  return {{"notice_id", e.notice_id}, {"summary", e.summary}, {"attachments", AttachmentsJson(e.attachments)}};
}
json ToJson(const NoticeClosed& e) {
  return {{"notice_id", e.notice_id}, {"comment", e.comment}, {"unanswered_reason", e.unanswered_reason}};
}
json ToJson(const NoticeSigned& e) { return {{"notice_id", e.notice_id}}; }
json ToJson(const TaskCompleted& e) { return {{"summary", e.summary}}; }
json ToJson(const TaskReopened& e) { return {{"reason", e.reason}}; }
json ToJson(const AssessmentAdjusted& e) {
  return {{"unit", e.unit}, {"year", e.year}, {"points", NumberJson<json>(e.points)}, {"reason", e.reason}};
}
json ToJson(const YearFrozen& e) {
  return {{"year", e.year},          {"comment", e.comment},
          {"early", e.early},        {"reason", e.reason},
          {"rules_version", e.rules_version}, {"rules", e.rules}};
}
json ToJson(const PrincipalRegistered& e) {
  return {{"principal_id", e.principal_id}, {"name", e.name}, {"role", std::string(RoleName(e.role))},
          {"unit", e.unit}, {"token_sha256", e.token_sha256}};
}
json ToJson(const PrincipalRevoked& e) { return {{"principal_id", e.principal_id}}; }
json ToJson(const TownshipRegistered& e) { return {{"name", e.name}}; }
json ToJson(const UrgeSent& e) { return {{"units", e.units}, {"all", e.all}, {"text", e.text}}; }
json ToJson(const WebhookRegistered& e) {
  return {{"unit", e.unit}, {"url", e.url}, {"sealed", e.sealed}};
}
json ToJson(const WebhookRemoved& e) { return {{"unit", e.unit}}; }

// --- from JSON -------------------------------------------------------------

template <typename T> Result<T> FromJson(const JsonReader& r);

}  // namespace

// "attachments": optional for a client; each names a stored file by its
// SHA-256 (whether it is stored, and its size and type, the gateway checks).
Result<std::vector<Attachment>> ReadAttachments(const JsonReader& r) {
  std::vector<Attachment> attachments;
  ASSIGN_OR_RETURN(const json* list, r.Array("attachments", /*required=*/false));
  for (size_t i = 0; i < list->size(); ++i) {
    JsonReader item((*list)[i], JsonReader::Element(r.PathOf("attachments"), i), r.voice());
    RETURN_IF_ERROR(item.ExpectObject());
    RETURN_IF_ERROR(item.RejectUnknown({"sha256", "name", "size", "media_type"}));
    Attachment a;
    ASSIGN_OR_RETURN(a.sha256, item.String("sha256"));
    if (a.sha256.size() != 64 || a.sha256.find_first_not_of("0123456789abcdef") != std::string::npos) {
      return Status::InvalidArgument("文件摘要应为64位小写十六进制数字", item.PathOf("sha256"), "invalid_format");
    }
    ASSIGN_OR_RETURN(a.name, item.String("name"));
    ASSIGN_OR_RETURN(double size, item.Number("size"));
    if (size < 0 || size > 9.0e15 || size != static_cast<double>(static_cast<std::uint64_t>(size))) {
      return Status::InvalidArgument("文件大小应为字节数（非负整数）", item.PathOf("size"), "out_of_range");
    }
    a.size = static_cast<std::uint64_t>(size);
    ASSIGN_OR_RETURN(a.media_type, item.String("media_type"));
    attachments.push_back(std::move(a));
  }
  return attachments;
}

namespace {

template <> Result<ProgressReported> FromJson(const JsonReader& r) {
  RETURN_IF_ERROR(
      r.RejectUnknown({"period", "summary", "percent", "indicators", "evidence", "milestones_met", "attachments"}));
  ProgressReported e;
  ASSIGN_OR_RETURN(e.period, ReadMonth(r, "period"));
  ASSIGN_OR_RETURN(e.summary, r.String("summary"));
  ASSIGN_OR_RETURN(e.percent, r.Number("percent"));
  ASSIGN_OR_RETURN(const json* indicators, r.Array("indicators", /*required=*/false));
  for (size_t i = 0; i < indicators->size(); ++i) {
    JsonReader item((*indicators)[i], JsonReader::Element(r.PathOf("indicators"), i), r.voice());
    RETURN_IF_ERROR(item.ExpectObject());
    RETURN_IF_ERROR(item.RejectUnknown({"indicator", "value", "unit", "scope"}));
    IndicatorValue v;
    ASSIGN_OR_RETURN(v.indicator, item.String("indicator"));
    ASSIGN_OR_RETURN(v.value, item.Number("value"));
    ASSIGN_OR_RETURN(v.unit, item.String("unit"));
    // Optional for a client: a figure is the unit's own unless it says "county".
    ASSIGN_OR_RETURN(std::string scope, item.OptionalString("scope"));
    if (scope == "county") {
      v.scope = IndicatorScope::kCounty;
    } else if (!scope.empty() && scope != "own") {
      return Status::InvalidArgument(item.PathOf("scope") + ": must be \"own\" (本单位) or \"county\" (全县数)",
                                     item.PathOf("scope"));
    }
    e.indicators.push_back(std::move(v));
  }
  ASSIGN_OR_RETURN(const json* evidence, r.Array("evidence", /*required=*/false));
  for (size_t i = 0; i < evidence->size(); ++i) {
    JsonReader item((*evidence)[i], JsonReader::Element(r.PathOf("evidence"), i), r.voice());
    RETURN_IF_ERROR(item.ExpectObject());
    RETURN_IF_ERROR(item.RejectUnknown({"title", "uri"}));
    Evidence link;
    ASSIGN_OR_RETURN(link.title, item.String("title"));
    ASSIGN_OR_RETURN(link.uri, item.String("uri"));
    e.evidence.push_back(std::move(link));
  }
  // Schema 2: optional; a client that names no milestone leaves it out.
  ASSIGN_OR_RETURN(const json* milestones, r.Array("milestones_met", /*required=*/false));
  for (size_t i = 0; i < milestones->size(); ++i) {
    const std::string path = JsonReader::Element(r.PathOf("milestones_met"), i);
    if (!(*milestones)[i].is_string()) {
      return Status::InvalidArgument(path + ": must be a milestone's name (a string)", path);
    }
    e.milestones_met.push_back((*milestones)[i].get<std::string>());
  }
  ASSIGN_OR_RETURN(e.attachments, ReadAttachments(r));
  return e;
}

template <> Result<DeadlineSet> FromJson(const JsonReader& r) {
  RETURN_IF_ERROR(r.RejectUnknown({"milestone", "due", "reason"}));
  DeadlineSet e;
  ASSIGN_OR_RETURN(e.milestone, r.String("milestone"));
  ASSIGN_OR_RETURN(e.due, ReadDate(r, "due"));
  // Schema 2: optional; the domain requires it when the milestone exists.
  ASSIGN_OR_RETURN(e.reason, r.OptionalString("reason"));
  return e;
}

template <> Result<MilestoneMet> FromJson(const JsonReader& r) {
  RETURN_IF_ERROR(r.RejectUnknown({"milestone", "note"}));
  MilestoneMet e;
  ASSIGN_OR_RETURN(e.milestone, r.String("milestone"));
  ASSIGN_OR_RETURN(e.note, r.OptionalString("note"));
  return e;
}

template <> Result<MilestoneCancelled> FromJson(const JsonReader& r) {
  RETURN_IF_ERROR(r.RejectUnknown({"milestone", "reason"}));
  MilestoneCancelled e;
  ASSIGN_OR_RETURN(e.milestone, r.String("milestone"));
  ASSIGN_OR_RETURN(e.reason, r.String("reason"));
  return e;
}

template <> Result<InstructionGiven> FromJson(const JsonReader& r) {
  RETURN_IF_ERROR(r.RejectUnknown({"text", "notice_id", "leader_name", "attachments"}));
  InstructionGiven e;
  ASSIGN_OR_RETURN(e.text, r.String("text"));
  ASSIGN_OR_RETURN(e.notice_id, r.OptionalString("notice_id"));
  ASSIGN_OR_RETURN(e.leader_name, r.OptionalString("leader_name"));
  ASSIGN_OR_RETURN(e.attachments, ReadAttachments(r));
  return e;
}

template <> Result<ReportReviewed> FromJson(const JsonReader& r) {
  RETURN_IF_ERROR(r.RejectUnknown({"report_version", "decision", "comment"}));
  ReportReviewed e;
  ASSIGN_OR_RETURN(std::int64_t version, r.Integer("report_version"));
  if (version < 1) {
    return Status::InvalidArgument("报告版本应为1或更大的整数", r.PathOf("report_version"), "out_of_range");
  }
  e.report_version = StreamVersion(static_cast<std::uint64_t>(version));
  ASSIGN_OR_RETURN(std::string decision, r.String("decision"));
  std::optional<ReviewDecision> parsed = ParseReviewDecision(decision);
  if (!parsed) return Status::InvalidArgument("审核结论应为“通过”或“退回”", r.PathOf("decision"), "unknown_value");
  e.decision = *parsed;
  ASSIGN_OR_RETURN(e.comment, r.OptionalString("comment"));
  return e;
}

template <> Result<NoticeIssued> FromJson(const JsonReader& r) {
  RETURN_IF_ERROR(r.RejectUnknown({"notice_id", "reason", "due", "number"}));
  NoticeIssued e;
  ASSIGN_OR_RETURN(e.notice_id, r.String("notice_id"));
  ASSIGN_OR_RETURN(e.reason, r.String("reason"));
  ASSIGN_OR_RETURN(e.due, ReadDate(r, "due"));
  ASSIGN_OR_RETURN(e.number, r.OptionalString("number"));
  return e;
}

template <> Result<NoticeAnswered> FromJson(const JsonReader& r) {
  RETURN_IF_ERROR(r.RejectUnknown({"notice_id", "summary", "attachments"}));
  NoticeAnswered e;
  ASSIGN_OR_RETURN(e.notice_id, r.String("notice_id"));
  ASSIGN_OR_RETURN(e.summary, r.String("summary"));
  ASSIGN_OR_RETURN(e.attachments, ReadAttachments(r));
  return e;
}

template <> Result<NoticeClosed> FromJson(const JsonReader& r) {
  RETURN_IF_ERROR(r.RejectUnknown({"notice_id", "comment", "unanswered_reason"}));
  NoticeClosed e;
  ASSIGN_OR_RETURN(e.notice_id, r.String("notice_id"));
  ASSIGN_OR_RETURN(e.comment, r.OptionalString("comment"));
  ASSIGN_OR_RETURN(e.unanswered_reason, r.OptionalString("unanswered_reason"));
  return e;
}

template <> Result<NoticeSigned> FromJson(const JsonReader& r) {
  RETURN_IF_ERROR(r.RejectUnknown({"notice_id"}));
  NoticeSigned e;
  ASSIGN_OR_RETURN(e.notice_id, r.String("notice_id"));
  return e;
}

template <> Result<TaskCompleted> FromJson(const JsonReader& r) {
  RETURN_IF_ERROR(r.RejectUnknown({"summary"}));
  TaskCompleted e;
  ASSIGN_OR_RETURN(e.summary, r.String("summary"));
  return e;
}

template <> Result<TaskReopened> FromJson(const JsonReader& r) {
  RETURN_IF_ERROR(r.RejectUnknown({"reason"}));
  TaskReopened e;
  ASSIGN_OR_RETURN(e.reason, r.String("reason"));
  return e;
}

// A year as a whole number; the range 2000..2100 is the domain's to check.
Result<int> ReadYear(const JsonReader& r) {
  ASSIGN_OR_RETURN(std::int64_t year, r.Integer("year"));
  if (year < 0 || year > 9999) {
    return Status::InvalidArgument("年度应写作四位数字，如2024", r.PathOf("year"), "invalid_format");
  }
  return static_cast<int>(year);
}

template <> Result<AssessmentAdjusted> FromJson(const JsonReader& r) {
  RETURN_IF_ERROR(r.RejectUnknown({"unit", "year", "points", "reason"}));
  AssessmentAdjusted e;
  ASSIGN_OR_RETURN(e.unit, r.String("unit"));
  ASSIGN_OR_RETURN(e.year, ReadYear(r));
  ASSIGN_OR_RETURN(e.points, r.Number("points"));
  ASSIGN_OR_RETURN(e.reason, r.String("reason"));
  return e;
}

// Schema 2. The fields it added are optional, as a client leaves them out
// (the server stamps the rules; early and reason only for an early freeze).
template <> Result<YearFrozen> FromJson(const JsonReader& r) {
  RETURN_IF_ERROR(r.RejectUnknown({"year", "comment", "early", "reason", "rules_version", "rules"}));
  YearFrozen e;
  ASSIGN_OR_RETURN(e.year, ReadYear(r));
  ASSIGN_OR_RETURN(e.comment, r.OptionalString("comment"));
  ASSIGN_OR_RETURN(std::optional<bool> early, r.OptionalBool("early"));
  e.early = early.value_or(false);
  ASSIGN_OR_RETURN(e.reason, r.OptionalString("reason"));
  ASSIGN_OR_RETURN(e.rules_version, r.OptionalString("rules_version"));
  ASSIGN_OR_RETURN(e.rules, r.OptionalString("rules"));
  return e;
}

// --- upcasting -----------------------------------------------------------------

// Adds the fields a newer schema version introduced, with the values an
// event written before them means; refuses a payload that already has one
// (it was not written by that older version).
Status AddFields(json& data, std::string_view type, std::initializer_list<std::pair<const char*, json>> added) {
  if (!data.is_object()) return Status::InvalidArgument("data: must be a JSON object", "data");
  for (const auto& [name, value] : added) {
    if (data.contains(name)) {
      return Status::InvalidArgument(std::string(name) + ": is not a field of " + std::string(type) + " version 1",
                                     name);
    }
  }
  for (const auto& [name, value] : added) data[name] = value;
  return Status::Ok();
}

// YearFrozen 1 -> 2: {"year","comment"} becomes a freeze that was not early
// and recorded no rules (the view scores it with the rules it runs under).
Status UpcastYearFrozenV1(json& data) {
  return AddFields(data, "YearFrozen", {{"early", false}, {"reason", ""}, {"rules_version", ""}, {"rules", ""}});
}

// NoticeIssued 1 -> 2: 2 added "number" (文号, assigned by the server); a
// version-1 notice has none and reads as "".
Status UpcastNoticeIssuedV1(json& data) { return AddFields(data, "NoticeIssued", {{"number", ""}}); }

// NoticeClosed 1 -> 2: 2 added "unanswered_reason" (未整改销号); a version-1
// close carries none, so it reads as "" (the projections tell an unanswered
// close by the notice's state, not by this field).
Status UpcastNoticeClosedV1(json& data) { return AddFields(data, "NoticeClosed", {{"unanswered_reason", ""}}); }

// ProgressReported 1 -> 2: 2 added each indicator's "scope". A version-1
// figure reads as "own", the reporting unit's own contribution. That is the
// safe reading: before scopes existed only the lead unit was expected to
// report, and with only the lead reporting the county figure (the sum of each
// unit's own contribution, projections/county_figure.h) equals the lead's
// figure, as before; where a township did report, its figure is no longer
// mistaken for the county's.
Status UpcastProgressReportedV1(json& data) {
  if (!data.is_object()) return Status::InvalidArgument("data: must be a JSON object", "data");
  auto indicators = data.find("indicators");
  if (indicators == data.end() || !indicators->is_array()) return Status::Ok();  // FromJson names the problem
  for (json& item : *indicators) {
    if (item.is_object()) RETURN_IF_ERROR(AddFields(item, "ProgressReported indicator", {{"scope", "own"}}));
  }
  return Status::Ok();
}

// ProgressReported 2 -> 3: 3 added "milestones_met"; an older report named no
// milestone, so it meets none.
Status UpcastProgressReportedV2(json& data) {
  return AddFields(data, "ProgressReported", {{"milestones_met", json::array()}});
}

// ProgressReported 3 -> 4 and NoticeAnswered 1 -> 2: "attachments" (uploaded
// 佐证材料) was added; an older event cites no file.
Status UpcastProgressReportedV3(json& data) {
  return AddFields(data, "ProgressReported", {{"attachments", json::array()}});
}
Status UpcastNoticeAnsweredV1(json& data) { return AddFields(data, "NoticeAnswered", {{"attachments", json::array()}}); }
// InstructionGiven 1 -> 2: a 批示 cites files too, like a report or an answer.
Status UpcastInstructionGivenV1(json& data) {
  return AddFields(data, "InstructionGiven", {{"attachments", json::array()}});
}

// DeadlineSet 1 -> 2: 2 added "reason" (调整理由). A version-1 event carries
// none, also when it moved a milestone (moves needed no reason then): "".
Status UpcastDeadlineSetV1(json& data) { return AddFields(data, "DeadlineSet", {{"reason", ""}}); }

// An older schema version this build still reads, and how it becomes the
// next; DecodeEvent applies them in turn, one version at a time.
struct Upcast {
  std::string_view type;
  std::uint32_t from;  // becomes from + 1
  Status (*upcast)(json& data);
};
constexpr Upcast kUpcasts[] = {
    {"YearFrozen", 1, UpcastYearFrozenV1},
    {"NoticeIssued", 1, UpcastNoticeIssuedV1},
    {"NoticeClosed", 1, UpcastNoticeClosedV1},
    {"ProgressReported", 1, UpcastProgressReportedV1},
    {"ProgressReported", 2, UpcastProgressReportedV2},
    {"ProgressReported", 3, UpcastProgressReportedV3},
    {"NoticeAnswered", 1, UpcastNoticeAnsweredV1},
    {"InstructionGiven", 1, UpcastInstructionGivenV1},
    {"DeadlineSet", 1, UpcastDeadlineSetV1},
};

const Upcast* FindUpcast(std::string_view type, std::uint32_t from) {
  for (const Upcast& step : kUpcasts) {
    if (step.type == type && step.from == from) return &step;
  }
  return nullptr;
}

// The oldest version of `type` this build reads: the current one less every
// consecutive upcast below it.
std::uint32_t OldestReadable(std::string_view type, std::uint32_t current) {
  std::uint32_t oldest = current;
  while (oldest > 1 && FindUpcast(type, oldest - 1) != nullptr) --oldest;
  return oldest;
}

template <> Result<PrincipalRegistered> FromJson(const JsonReader& r) {
  RETURN_IF_ERROR(r.RejectUnknown({"principal_id", "name", "role", "unit", "token_sha256"}));
  PrincipalRegistered e;
  ASSIGN_OR_RETURN(e.principal_id, r.String("principal_id"));
  ASSIGN_OR_RETURN(e.name, r.String("name"));
  ASSIGN_OR_RETURN(std::string role, r.String("role"));
  std::optional<Role> parsed = RoleFromName(role);
  if (!parsed) {
    return Status::InvalidArgument("账号角色应为工作专班、责任单位或审计人员之一", r.PathOf("role"), "unknown_value");
  }
  e.role = *parsed;
  ASSIGN_OR_RETURN(e.unit, r.OptionalString("unit"));
  ASSIGN_OR_RETURN(e.token_sha256, r.String("token_sha256"));
  return e;
}

template <> Result<PrincipalRevoked> FromJson(const JsonReader& r) {
  RETURN_IF_ERROR(r.RejectUnknown({"principal_id"}));
  PrincipalRevoked e;
  ASSIGN_OR_RETURN(e.principal_id, r.String("principal_id"));
  return e;
}

template <> Result<TownshipRegistered> FromJson(const JsonReader& r) {
  RETURN_IF_ERROR(r.RejectUnknown({"name"}));
  TownshipRegistered e;
  ASSIGN_OR_RETURN(e.name, r.String("name"));
  return e;
}

template <> Result<UrgeSent> FromJson(const JsonReader& r) {
  RETURN_IF_ERROR(r.RejectUnknown({"units", "all", "text"}));
  UrgeSent e;
  ASSIGN_OR_RETURN(const json* units, r.Array("units"));
  for (size_t i = 0; i < units->size(); ++i) {
    const std::string path = JsonReader::Element(r.PathOf("units"), i);
    if (!(*units)[i].is_string()) return Status::InvalidArgument("催办单位应为单位名称", path, "wrong_type");
    e.units.push_back((*units)[i].get<std::string>());
  }
  ASSIGN_OR_RETURN(std::optional<bool> all, r.OptionalBool("all"));
  e.all = all.value_or(false);
  ASSIGN_OR_RETURN(e.text, r.OptionalString("text"));
  return e;
}

template <> Result<WebhookRegistered> FromJson(const JsonReader& r) {
  RETURN_IF_ERROR(r.RejectUnknown({"unit", "url", "sealed"}));
  WebhookRegistered e;
  ASSIGN_OR_RETURN(e.unit, r.String("unit"));
  ASSIGN_OR_RETURN(e.url, r.String("url"));
  ASSIGN_OR_RETURN(e.sealed, r.String("sealed"));
  return e;
}

template <> Result<WebhookRemoved> FromJson(const JsonReader& r) {
  RETURN_IF_ERROR(r.RejectUnknown({"unit"}));
  WebhookRemoved e;
  ASSIGN_OR_RETURN(e.unit, r.String("unit"));
  return e;
}

// Tries each alternative of EventData in turn for the one named `type`.
template <size_t... I>
Result<EventData> DecodeByName(std::string_view type, const JsonReader& r, std::index_sequence<I...>) {
  std::optional<Result<EventData>> result;
  auto try_one = [&]<size_t Index>() {
    using T = std::variant_alternative_t<Index, EventData>;
    if (Wire<T>::kName != type) return false;
    Result<T> decoded = FromJson<T>(r);
    result = decoded.ok() ? Result<EventData>(EventData(std::move(decoded).value())) : Result<EventData>(decoded.status());
    return true;
  };
  (try_one.template operator()<I>() || ...);
  if (result.has_value()) return *std::move(result);
  // Written only on a miss: every replayed event passes here. The type may
  // come from a damaged record: quoted, so the message stays UTF-8.
  return r.voice() == ReaderVoice::kClerk
             ? Status::InvalidArgument("不能识别的办理事项类型", "type", "unknown_value")
             : Status::InvalidArgument("type: " + QuoteForMessage(type) + " is not an event type", "type", "unknown_value");
}

template <size_t... I>
std::uint32_t SchemaByName(std::string_view type, std::index_sequence<I...>) {
  std::uint32_t schema = 0;
  ((Wire<std::variant_alternative_t<I, EventData>>::kName == type
        ? (schema = Wire<std::variant_alternative_t<I, EventData>>::kSchema, true)
        : false) || ...);
  return schema;
}

constexpr auto kAlternatives = std::make_index_sequence<std::variant_size_v<EventData>>();

}  // namespace

EncodedEvent EncodeEvent(const EventData& event) {
  return std::visit(
      [](const auto& e) {
        using T = std::decay_t<decltype(e)>;
        // Strings reach here validated as UTF-8 by the adapters; replace rather than throw if not.
        return EncodedEvent{std::string(Wire<T>::kName), Wire<T>::kSchema,
                            ToJson(e).dump(-1, ' ', false, json::error_handler_t::replace)};
      },
      event);
}

json EventToJson(const EventData& event) {
  return std::visit([](const auto& e) { return ToJson(e); }, event);
}

std::string_view EventTypeName(const EventData& event) {
  return std::visit([](const auto& e) { return Wire<std::decay_t<decltype(e)>>::kName; }, event);
}

std::vector<std::string_view> EventTypeNames() {
  return []<size_t... I>(std::index_sequence<I...>) {
    return std::vector<std::string_view>{Wire<std::variant_alternative_t<I, EventData>>::kName...};
  }(kAlternatives);
}

namespace {

// A client's request is refused in the clerk's words; a stored event in the log's.
Result<EventData> FromJson(std::string_view type, const nlohmann::json& data, ReaderVoice voice) {
  JsonReader r(data, "", voice);
  if (!data.is_object()) return Status::InvalidArgument("填报内容的格式不对，应为一组字段", "data", "wrong_type");
  return DecodeByName(type, r, kAlternatives);
}

}  // namespace

Result<EventData> EventFromJson(std::string_view type, const nlohmann::json& data) {
  return FromJson(type, data, ReaderVoice::kClerk);
}

Result<EventData> DecodeEvent(std::string_view type, std::uint32_t schema_version, std::string_view data_json) {
  const std::uint32_t known = SchemaByName(type, kAlternatives);
  const std::uint32_t oldest = known == 0 ? 0 : OldestReadable(type, known);
  if (known != 0 && (schema_version < oldest || schema_version > known)) {
    return Status::InvalidArgument("schema_version: " + std::string(type) + " version " +
                                       std::to_string(schema_version) + " is not readable by this build (reads " +
                                       (oldest == known ? std::to_string(known)
                                                        : std::to_string(oldest) + " to " + std::to_string(known)) +
                                       ")",
                                   "schema_version");
  }
  // The log's most frequent events are read without a JSON tree when their
  // payload is plainly the codec's own (eventstore/hot_event_decode.h).
  if (schema_version == known) {
    if (type == Wire<ProgressReported>::kName) {
      if (std::optional<ProgressReported> e = DecodeHotProgressReported(data_json)) return EventData(std::move(*e));
    } else if (type == Wire<ReportReviewed>::kName) {
      if (std::optional<ReportReviewed> e = DecodeHotReportReviewed(data_json)) return EventData(std::move(*e));
    }
  }
  json data = json::parse(data_json, nullptr, /*allow_exceptions=*/false);
  if (data.is_discarded()) return Status::InvalidArgument("填报内容的格式不对，无法读取", "data", "invalid_json");
  for (std::uint32_t v = schema_version; known != 0 && v < known; ++v) {
    RETURN_IF_ERROR(FindUpcast(type, v)->upcast(data));
  }
  return FromJson(type, data, ReaderVoice::kLog);
}

}  // namespace kuimen
