#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "domain/actor.h"
#include "domain/ids.h"

// The closed set of events the log holds: those of a supervised item's stream
// (task-07, major-3), those of a year's assessment stream (assessment-2024) and
// those of the one "principals" stream (who may act, and the townships).
// Each is a plain value; wire names and schema versions live only in
// eventstore/event_codec.h. Adding a type here makes every std::visit that
// misses it fail to compile.
namespace kuimen {

// Whose figure a reported quantity is (issue 10 item 2).
enum class IndicatorScope {
  kOwn,     // 本单位: the reporting unit's own contribution (the default)
  kCounty,  // 全县数: the county-wide figure; only a lead unit of the item may say so
};

// "own", "county": the wire and API names.
inline std::string_view IndicatorScopeName(IndicatorScope scope) {
  return scope == IndicatorScope::kCounty ? "county" : "own";
}
// "本单位", "全县数": what a clerk reads.
inline std::string_view IndicatorScopeLabel(IndicatorScope scope) {
  return scope == IndicatorScope::kCounty ? "全县数" : "本单位";
}

// A quantity reported against one of the item's targets (指标).
struct IndicatorValue {
  std::string indicator;  // must name one of the item's targets
  double value = 0;
  std::string unit;       // must equal that target's unit
  // The county figure of a period is formed from these by one rule,
  // projections/county_figure.h. Schema 2 of ProgressReported added it; an
  // older report reads as kOwn (eventstore/event_codec.cc says why).
  IndicatorScope scope = IndicatorScope::kOwn;
  bool operator==(const IndicatorValue&) const = default;
};

// A link to supporting material (佐证材料).
struct Evidence {
  std::string title;
  std::string uri;
  bool operator==(const Evidence&) const = default;
};

// An uploaded file (佐证材料) an event cites: the file itself lives in the
// data directory under its SHA-256 (gateway/file_store.h); the event carries
// its metadata, so the hash chain covers the file's bytes.
struct Attachment {
  std::string sha256;      // 64 lowercase hex digits
  std::string name;        // as the clerk named it, e.g. "托管服务台账.xlsx"
  std::uint64_t size = 0;  // bytes
  std::string media_type;  // as the server found it by magic bytes, e.g. "application/pdf"
  bool operator==(const Attachment&) const = default;
};

// 进度报送: a unit reports progress for a month.
struct ProgressReported {
  std::chrono::year_month period;
  std::string summary;  // 1..4000 characters
  double percent = 0;   // 0..100, the unit's own estimate of completion
  std::vector<IndicatorValue> indicators;
  std::vector<Evidence> evidence;
  // The item's milestones (时限, by name) this report says it meets. They are
  // met only once the report is approved; a returned report meets nothing.
  // Schema 2 added it; a schema-1 report meets none.
  std::vector<std::string> milestones_met = {};
  // Uploaded files (佐证材料). Schema 4 added them; an older report cites none.
  std::vector<Attachment> attachments = {};
  bool operator==(const ProgressReported&) const = default;
};

// 时限: the task force sets a milestone's due date. Setting it again on a
// milestone that exists moves it (调整), which needs `reason`. Schema 2 added
// the reason; a schema-1 event reads with it empty.
struct DeadlineSet {
  std::string milestone;
  std::chrono::year_month_day due;
  std::string reason = {};  // 调整理由: required when the milestone exists, optional when new
  bool operator==(const DeadlineSet&) const = default;
};

// The task force marks a milestone met (专班确认完成). A milestone is also met
// by an approved report that names it (ProgressReported::milestones_met).
struct MilestoneMet {
  std::string milestone;
  std::string note;  // optional
  bool operator==(const MilestoneMet&) const = default;
};

// The task force cancels a milestone (取消时限), with its reason; a cancelled
// milestone is never overdue and takes no further change.
struct MilestoneCancelled {
  std::string milestone;
  std::string reason;
  bool operator==(const MilestoneCancelled&) const = default;
};

enum class ReviewDecision { kApproved, kReturned };

// "approved", "returned": the wire, row and API names, read back by
// ParseReviewDecision (nullopt for anything else). The one reader and writer.
inline std::string_view ReviewDecisionName(ReviewDecision decision) {
  return decision == ReviewDecision::kApproved ? "approved" : "returned";
}
inline std::optional<ReviewDecision> ParseReviewDecision(std::string_view name) {
  if (name == ReviewDecisionName(ReviewDecision::kApproved)) return ReviewDecision::kApproved;
  if (name == ReviewDecisionName(ReviewDecision::kReturned)) return ReviewDecision::kReturned;
  return std::nullopt;
}

// 审核: the task force approves or returns a report.
struct ReportReviewed {
  StreamVersion report_version;  // version of the ProgressReported event in this stream
  ReviewDecision decision = ReviewDecision::kApproved;
  std::string comment;
  bool operator==(const ReportReviewed&) const = default;
};

// 督办: the task force issues a supervision notice.
struct NoticeIssued {
  std::string notice_id;
  std::string reason;
  std::chrono::year_month_day due;
  // 文号, e.g. "奉三位一体督〔2026〕7号" (domain/notice_number.h): assigned by
  // the server when the notice is issued, whatever the client sent. Schema 2
  // added it; a notice stored with schema 1 reads with it empty.
  std::string number;
  bool operator==(const NoticeIssued&) const = default;
};

// 整改: the responsible unit answers a notice.
struct NoticeAnswered {
  std::string notice_id;
  std::string summary;
  // Uploaded files (佐证材料). Schema 2 added them; an older answer cites none.
  std::vector<Attachment> attachments = {};
  bool operator==(const NoticeAnswered&) const = default;
};

// 签收: the responsible unit signs for a notice, acknowledging it received it.
// Who and when are the envelope's actor and recorded time.
struct NoticeSigned {
  std::string notice_id;
  bool operator==(const NoticeSigned&) const = default;
};

// The task force closes a notice (销号). Closing a notice the unit has not
// answered is 未整改销号: it needs `unanswered_reason` and counts against the
// unit. Schema 2 added the reason; a schema-1 close reads with it empty.
struct NoticeClosed {
  std::string notice_id;
  std::string comment;
  std::string unanswered_reason;  // 未整改销号的理由: required iff the notice has no answer
  bool operator==(const NoticeClosed&) const = default;
};

// 批示: a county leader (县领导) writes an instruction on a task or major item,
// or on one of its 督办 notices (notice_id set). Only a leader writes it; it
// changes no status and no score. Who and when are the envelope's actor and
// recorded time.
struct InstructionGiven {
  std::string text;               // 1..4000 characters; newlines allowed, other control characters not
  std::string notice_id = {};     // the notice it is written on; empty: on the item itself
  // The leader's registered name ("县委副书记 李四"), stamped by the server
  // (the gateway) from the principal directory, never taken from the client:
  // a 批示 is signed as it was given.
  std::string leader_name = {};
  std::vector<Attachment> attachments = {};  // uploaded files cited (佐证材料), as on a report
  bool operator==(const InstructionGiven&) const = default;
};

// The task force declares the task done.
struct TaskCompleted {
  std::string summary;
  bool operator==(const TaskCompleted&) const = default;
};

// The task force reopens a completed task.
struct TaskReopened {
  std::string reason;
  bool operator==(const TaskReopened&) const = default;
};

// 加减分: the task force adds (加分) or deducts (减分) points of a unit's
// year-end assessment (年终综合考核), with its reason.
struct AssessmentAdjusted {
  std::string unit;    // one of the catalog's units (a lead or a cooperating unit)
  int year = 0;        // the assessment year; equals the stream's (assessment-YYYY)
  double points = 0;   // -20..+20, not 0
  std::string reason;  // 1..4000 characters
  bool operator==(const AssessmentAdjusted&) const = default;
};

// 年终定格: the task force freezes a year's assessment at this event's
// position; the year's result never changes afterwards. Last on its stream.
//
// Schema 2 adds the early freeze and the rules. A schema-1 event reads as
// early = false with no reason and no rules (eventstore/event_codec.cc).
struct YearFrozen {
  int year = 0;         // equals the stream's
  std::string comment;  // optional, up to 4000 characters
  // Frozen before the year's last day (China time) on purpose; refused
  // (year_not_over) unless set, and then `reason` (1..4000 characters) says why.
  bool early = false;
  std::string reason = {};  // "= {}": YearFrozen{year, comment} stays free of missing-initializer warnings
  // The assessment rules the year is frozen with, stamped by the server (the
  // gateway), never given by the client: the version and the rules file's
  // JSON text (opaque here; projections/assessment_rules.h reads it). Empty in
  // a freeze recorded before rules were recorded: the view then scores with
  // the rules it runs under.
  std::string rules_version = {};
  std::string rules = {};
  bool operator==(const YearFrozen&) const = default;
};

// The task force registers a principal (a user of the platform). Its bearer
// token is never stored, only the token's SHA-256.
struct PrincipalRegistered {
  std::string principal_id;  // unique on the stream: "admin", "p-3f2a9c01"
  std::string name;          // who it is, e.g. "县农业农村委 张三"
  Role role = Role::kAuditor;
  std::string unit;          // required for a department: a catalog department or a registered township
  std::string token_sha256;  // 64 lower-case hex digits
  bool operator==(const PrincipalRegistered&) const = default;
};

// The task force revokes a principal; its token stops working.
struct PrincipalRevoked {
  std::string principal_id;
  bool operator==(const PrincipalRevoked&) const = default;
};

// The task force registers a township (乡镇/街道, e.g. "永安街道"), which then
// may be a department principal's unit and acts for the catalog's township group.
struct TownshipRegistered {
  std::string name;
  bool operator==(const TownshipRegistered&) const = default;
};

// 催办: the task force urges one unit, or every unit that owes something at
// that moment, to do what its 待办 lists (reports due, notices to sign or
// answer, milestones due or overdue). Lives on the one "urges" stream
// (domain/stream_kind.h), decided by domain/urge_aggregate.h.
//
// Shape (wire "UrgeSent", schema 1; also what outbound notifications read):
//   {"units": ["县农业农村委", ...], "all": false, "text": "请于本周内报送11月进展"}
// - units: the units urged, 1..200, each a unit of the plan, no repeats, in
//   the order chosen. With "all" the gateway expanded "every unit that owes
//   something" to this list when the task force sent it, so a replay never
//   recomputes who was urged.
// - all: true when the task force chose 催办全部 (units is then that expansion).
// - text: optional, up to 200 characters, no control characters.
// Who and when are the envelope's actor and recorded time.
struct UrgeSent {
  std::vector<std::string> units;
  bool all = false;
  std::string text;
  bool operator==(const UrgeSent&) const = default;
};

// The task force registers (or replaces) a unit's outbound webhook: the URL of
// the county messaging robot (渝快政 / 政务钉钉 / 企业微信) that receives the
// unit's notifications (gateway/webhook_deliveries.h). The signing secret is
// needed to sign, so it is kept, but sealed, and so is the URL's query string
// (robots carry their access token there): `sealed` is both, encrypted by the
// gateway under a key of the data directory (keys/), opaque here, so the log
// (GET /api/v1/events, `kuimen log`) never shows them.
struct WebhookRegistered {
  std::string unit;    // a catalog unit or a registered township
  std::string url;     // http:// or https://, without its query string
  std::string sealed;  // base64 of the sealed query string and secret
  bool operator==(const WebhookRegistered&) const = default;
};

// The task force removes a unit's webhook; nothing is sent to it afterwards.
struct WebhookRemoved {
  std::string unit;
  bool operator==(const WebhookRemoved&) const = default;
};

using EventData = std::variant<ProgressReported, DeadlineSet, ReportReviewed, NoticeIssued,
                               NoticeAnswered, NoticeClosed, TaskCompleted, TaskReopened,
                               AssessmentAdjusted, YearFrozen, PrincipalRegistered, PrincipalRevoked,
                               TownshipRegistered, NoticeSigned, MilestoneMet, MilestoneCancelled,
                               InstructionGiven, UrgeSent, WebhookRegistered, WebhookRemoved>;

// Which kind of stream an event belongs on, and so which aggregate decides it.
enum class EventFamily {
  kTask,        // task-NN and major-N streams (domain/task_aggregate.h)
  kAssessment,  // assessment-YYYY streams (domain/assessment_aggregate.h)
  kPrincipals,  // the "principals" stream (domain/principal_directory.h)
  kUrges,       // the "urges" stream (domain/urge_aggregate.h)
};

inline EventFamily FamilyOf(const EventData& event) {
  struct Visitor {
    EventFamily operator()(const ProgressReported&) const { return EventFamily::kTask; }
    EventFamily operator()(const DeadlineSet&) const { return EventFamily::kTask; }
    EventFamily operator()(const MilestoneMet&) const { return EventFamily::kTask; }
    EventFamily operator()(const MilestoneCancelled&) const { return EventFamily::kTask; }
    EventFamily operator()(const ReportReviewed&) const { return EventFamily::kTask; }
    EventFamily operator()(const NoticeIssued&) const { return EventFamily::kTask; }
    EventFamily operator()(const NoticeAnswered&) const { return EventFamily::kTask; }
    EventFamily operator()(const NoticeClosed&) const { return EventFamily::kTask; }
    EventFamily operator()(const NoticeSigned&) const { return EventFamily::kTask; }
    EventFamily operator()(const TaskCompleted&) const { return EventFamily::kTask; }
    EventFamily operator()(const TaskReopened&) const { return EventFamily::kTask; }
    EventFamily operator()(const InstructionGiven&) const { return EventFamily::kTask; }
    EventFamily operator()(const AssessmentAdjusted&) const { return EventFamily::kAssessment; }
    EventFamily operator()(const YearFrozen&) const { return EventFamily::kAssessment; }
    EventFamily operator()(const PrincipalRegistered&) const { return EventFamily::kPrincipals; }
    EventFamily operator()(const PrincipalRevoked&) const { return EventFamily::kPrincipals; }
    EventFamily operator()(const TownshipRegistered&) const { return EventFamily::kPrincipals; }
    EventFamily operator()(const UrgeSent&) const { return EventFamily::kUrges; }
    EventFamily operator()(const WebhookRegistered&) const { return EventFamily::kPrincipals; }
    EventFamily operator()(const WebhookRemoved&) const { return EventFamily::kPrincipals; }
  };
  return std::visit(Visitor{}, event);
}

}  // namespace kuimen
