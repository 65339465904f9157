#include "projections/supervision_view.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <deque>
#include <limits>

#include "domain/calendar.h"
#include "domain/supervised_item.h"
#include "domain/task_aggregate.h"
#include "eventstore/envelope_json.h"
#include "eventstore/event_codec.h"
#include "eventstore/json_reader.h"
#include "projections/county_figure.h"
#include "projections/report_period.h"

namespace kuimen {

using nlohmann::json;
using LastReport = SupervisionView::LastReport;
using PendingReport = SupervisionView::PendingReport;
using FigureKey = SupervisionView::FigureKey;
using Figure = SupervisionView::Figure;
using Notice = SupervisionView::Notice;
using StreamState = SupervisionView::StreamState;
using Milestone = SupervisionView::Milestone;
using MilestoneChange = SupervisionView::MilestoneChange;
using MilestoneChangeKind = SupervisionView::MilestoneChangeKind;
using Instruction = SupervisionView::Instruction;

Status ValidateSupervisionOptions(const SupervisionOptions& options) {
  const std::pair<const char*, int> day_counts[] = {{"blue_deadline_days", options.blue_deadline_days},
                                                    {"yellow_silence_days", options.yellow_silence_days},
                                                    {"yellow_return_days", options.yellow_return_days}};
  for (const auto& [name, value] : day_counts) {
    if (value < 0 || value > 366) {
      return Status::InvalidArgument(std::string(name) + ": must be 0..366 days", name);
    }
  }
  // UTC-12:00 .. UTC+14:00, the zones in use.
  if (options.utc_offset_minutes < -720 || options.utc_offset_minutes > 840) {
    return Status::InvalidArgument("utc_offset_minutes: must be -720..840", "utc_offset_minutes");
  }
  if (options.report_due_day < 1 || options.report_due_day > 28) {
    return Status::InvalidArgument("report_due_day: must be 1..28", "report_due_day");
  }
  return Status::Ok();
}

std::string_view WarningLevelName(WarningLevel level) {
  switch (level) {
    case WarningLevel::kNone: return "none";
    case WarningLevel::kBlue: return "blue";
    case WarningLevel::kYellow: return "yellow";
    case WarningLevel::kRed: return "red";
  }
  return "unknown";
}

std::string_view WarningLevelLabel(WarningLevel level) {
  switch (level) {
    case WarningLevel::kNone: return "无";
    case WarningLevel::kBlue: return "蓝";
    case WarningLevel::kYellow: return "黄";
    case WarningLevel::kRed: return "红";
  }
  return "未知";
}

namespace {

// Bumped whenever the row's shape changes; older rows are refused, not guessed at.
// 2: bounded state (last report, pending reports, approved figures) instead of every report.
// Rows of format 2 written before figures were kept per period (and before
// pending reports kept their percent) are read as they are: see StateFromJson.
// 3: pending reports in rows of their own, not in the stream's row. A stream
// row of format 2 (its pending reports inline) still reads.
constexpr std::int64_t kRowFormat = 3;
constexpr std::int64_t kInlinePendingRowFormat = 2;
// The row holding when the store was created; not a stream name.
constexpr std::string_view kStoreRow = "~store";
// The prefixes of a report's rows ("~reviews/task-07/00000000000000000012"):
// its review-queue entry, and while it awaits review its pending report.
// Not stream names (streams never start with '~').
constexpr std::string_view kReviewRowPrefix = "~reviews/";
constexpr std::string_view kPendingRowPrefix = "~pending/";
// Versions in keys: fixed width, so a stream's report rows sort by version.
constexpr std::size_t kVersionDigits = 20;

std::string ReportRowKey(std::string_view prefix, const std::string& stream, StreamVersion version) {
  char digits[kVersionDigits + 1];
  std::snprintf(digits, sizeof digits, "%020llu", static_cast<unsigned long long>(version.value));
  std::string key;
  key.reserve(prefix.size() + stream.size() + 1 + kVersionDigits);
  key.append(prefix).append(stream).append("/").append(digits, kVersionDigits);
  return key;
}

// The stream and version of a report row's key (its prefix already removed);
// nullopt for a key of another shape (e.g. a format-2 "~reviews/task-07").
std::optional<std::pair<std::string, StreamVersion>> ParseReportRowKey(std::string_view rest) {
  const std::size_t slash = rest.rfind('/');
  if (slash == std::string_view::npos || slash == 0 || rest.size() - slash - 1 != kVersionDigits) return std::nullopt;
  std::uint64_t version = 0;
  for (char c : rest.substr(slash + 1)) {
    if (c < '0' || c > '9') return std::nullopt;
    const std::uint64_t digit = static_cast<std::uint64_t>(c - '0');
    if (version > (std::numeric_limits<std::uint64_t>::max() - digit) / 10) return std::nullopt;
    version = version * 10 + digit;
  }
  if (version == 0) return std::nullopt;
  return std::pair<std::string, StreamVersion>(std::string(rest.substr(0, slash)), StreamVersion(version));
}

// --- dates -------------------------------------------------------------------

std::chrono::year_month MonthOf(std::chrono::sys_days day) {
  const std::chrono::year_month_day date(day);
  return date.year() / date.month();
}

json TimestampJson(const std::optional<Timestamp>& time) {
  return time.has_value() ? json(FormatTimestamp(*time)) : json(nullptr);
}

// --- folding events ----------------------------------------------------------

// Each event type explicitly, so a type added to EventData fails to compile here.
// Every case is O(log n) in the size of the (bounded) state, never in the stream's length.
struct Fold {
  StreamState& state;
  const RecordedEvent& envelope;

  void operator()(const ProgressReported& e) const {
    state.started = true;
    state.last_report = LastReport{envelope.version, e.period, e.percent, envelope.recorded_at,
                                   envelope.actor.principal, envelope.actor.unit, std::nullopt, std::nullopt};
    state.pending_reports[envelope.version] =
        PendingReport{envelope.version, envelope.actor.unit, e.period, envelope.recorded_at, e.indicators, e.percent};
    state.pending_reports[envelope.version].milestones_met = e.milestones_met;
  }
  // A deadline on a new milestone sets it; on an existing one it moves it.
  void operator()(const DeadlineSet& e) const {
    MilestoneChange change = Change(MilestoneChangeKind::kSet);
    change.due = e.due;
    change.text = e.reason;
    auto [it, added] = state.milestones.try_emplace(e.milestone);
    if (!added) {
      change.kind = MilestoneChangeKind::kMoved;
      change.from = it->second.due;
    }
    it->second.due = e.due;
    it->second.history.push_back(std::move(change));
  }
  void operator()(const MilestoneMet& e) const {
    auto it = state.milestones.find(e.milestone);
    if (it == state.milestones.end() || it->second.met_at || it->second.cancelled_at) return;
    MilestoneChange change = Change(MilestoneChangeKind::kMet);
    change.text = e.note;
    it->second.met_at = envelope.recorded_at;
    it->second.history.push_back(std::move(change));
  }
  void operator()(const MilestoneCancelled& e) const {
    auto it = state.milestones.find(e.milestone);
    if (it == state.milestones.end() || it->second.met_at || it->second.cancelled_at) return;
    MilestoneChange change = Change(MilestoneChangeKind::kCancelled);
    change.text = e.reason;
    it->second.cancelled_at = envelope.recorded_at;
    it->second.history.push_back(std::move(change));
  }
  void operator()(const ReportReviewed& e) const {
    if (state.last_report.has_value() && state.last_report->version == e.report_version) {
      state.last_report->decision = e.decision;
      state.last_report->reviewed_at = envelope.recorded_at;
    }
    // A report is reviewed once (the write model refuses a second review), so a
    // review of a report no longer pending has nothing left to change.
    auto it = state.pending_reports.find(e.report_version);
    if (it == state.pending_reports.end()) return;
    // A returned report's figures do not count: dropping it undoes them. Nor
    // does it meet the milestones it named; an approved one meets them.
    if (e.decision == ReviewDecision::kApproved) {
      ApproveFigures(it->second);
      MeetMilestones(it->second);
    }
    state.pending_reports.erase(it);
  }
  void operator()(const NoticeIssued& e) const {
    Notice notice{e.notice_id, e.reason, e.due, std::nullopt, envelope.recorded_at, std::nullopt, "", "", e.number};
    state.open_notices[e.notice_id] = std::move(notice);
  }
  void operator()(const NoticeAnswered& e) const {
    auto it = state.open_notices.find(e.notice_id);
    if (it == state.open_notices.end()) return;
    // Only the first answer's time matters: was the notice answered by its due
    // date? The latest answer's text is what the task force reads before 销号.
    if (!it->second.answered_at.has_value()) it->second.answered_at = envelope.recorded_at;
    it->second.answer = e.summary;
  }
  void operator()(const NoticeSigned& e) const {
    auto it = state.open_notices.find(e.notice_id);
    if (it == state.open_notices.end() || it->second.signed_at.has_value()) return;
    it->second.signed_at = envelope.recorded_at;
    it->second.signed_by = envelope.actor.unit;
  }
  void operator()(const NoticeClosed& e) const { state.open_notices.erase(e.notice_id); }
  void operator()(const InstructionGiven& e) const {
    state.instructions.push_back(Instruction{envelope.version, envelope.recorded_at, envelope.actor.principal,
                                             e.leader_name, e.notice_id, e.text, e.attachments});
  }
  void operator()(const TaskCompleted&) const { state.completed_at = envelope.recorded_at; }
  void operator()(const TaskReopened&) const {
    state.completed_at.reset();
    state.started = true;
  }
  // Assessment and principals streams' events; a task or major stream never carries them.
  void operator()(const AssessmentAdjusted&) const {}
  void operator()(const YearFrozen&) const {}
  void operator()(const PrincipalRegistered&) const {}
  void operator()(const PrincipalRevoked&) const {}
  void operator()(const TownshipRegistered&) const {}
  void operator()(const UrgeSent&) const {}
  void operator()(const WebhookRegistered&) const {}
  void operator()(const WebhookRemoved&) const {}

  // The change this event makes to a milestone, by its actor, now.
  MilestoneChange Change(MilestoneChangeKind kind) const {
    MilestoneChange change;
    change.kind = kind;
    change.version = envelope.version;
    change.at = envelope.recorded_at;
    change.principal = envelope.actor.principal;
    change.unit = envelope.actor.unit;
    return change;
  }

  // An approved report meets the open milestones it names, as of when it was
  // recorded; the reviewer who approved it is who made the change.
  void MeetMilestones(const PendingReport& report) const {
    for (const std::string& name : report.milestones_met) {
      auto it = state.milestones.find(name);
      if (it == state.milestones.end() || it->second.met_at || it->second.cancelled_at) continue;
      MilestoneChange change = Change(MilestoneChangeKind::kMet);
      change.report_version = report.version;
      it->second.met_at = report.recorded_at;
      it->second.met_by_report = report.version;
      it->second.history.push_back(std::move(change));
    }
  }

  // Keeps, per indicator, unit and period, the figure of the approved report
  // of the highest version. Within one report the first value of an indicator
  // wins, as it did when readings were searched report by report.
  void ApproveFigures(const PendingReport& report) const {
    std::set<std::pair<std::string_view, std::string_view>> seen;
    for (const IndicatorValue& v : report.indicators) {
      if (!seen.emplace(v.indicator, v.unit).second) continue;
      Figure& figure = state.approved_figures[FigureKey{v.indicator, v.unit, report.reporter, report.period}];
      // A default Figure has version 0, below every report's.
      if (figure.version < report.version) {
        figure = Figure{report.version, report.period, report.recorded_at, v.value, v.scope};
      }
    }
    if (report.percent.has_value()) {
      Figure& figure = state.approved_percents[{report.period, report.reporter}];
      if (figure.version < report.version) {
        figure = Figure{report.version, report.period, report.recorded_at, *report.percent};
      }
    }
  }
};

// --- rows ----------------------------------------------------------------------

json MicrosJson(const std::optional<Timestamp>& time) {
  return time.has_value() ? json(time->time_since_epoch().count()) : json(nullptr);
}

std::string_view DecisionName(ReviewDecision decision) {
  return decision == ReviewDecision::kApproved ? "approved" : "returned";
}

json IndicatorValuesJson(const std::vector<IndicatorValue>& values) {
  json out = json::array();
  for (const IndicatorValue& v : values) {
    out.push_back({{"indicator", v.indicator}, {"value", NumberJson<json>(v.value)}, {"unit", v.unit},
                   {"scope", IndicatorScopeName(v.scope)}});
  }
  return out;
}

// Rows written before figures kept their scope read as the unit's own, as
// the codec reads a schema-1 report.
Result<IndicatorScope> ReadScope(const JsonReader& r) {
  ASSIGN_OR_RETURN(std::string scope, r.OptionalString("scope"));
  if (scope.empty() || scope == IndicatorScopeName(IndicatorScope::kOwn)) return IndicatorScope::kOwn;
  if (scope == IndicatorScopeName(IndicatorScope::kCounty)) return IndicatorScope::kCounty;
  return Status::InvalidArgument(r.PathOf("scope") + ": must be \"own\" or \"county\"", r.PathOf("scope"));
}

// --- milestone rows ------------------------------------------------------------

std::string_view ChangeKindName(MilestoneChangeKind kind) {
  switch (kind) {
    case MilestoneChangeKind::kSet: return "set";
    case MilestoneChangeKind::kMoved: return "moved";
    case MilestoneChangeKind::kMet: return "met";
    case MilestoneChangeKind::kCancelled: return "cancelled";
  }
  return "unknown";
}

std::optional<MilestoneChangeKind> ChangeKindFromName(std::string_view name) {
  for (MilestoneChangeKind kind : {MilestoneChangeKind::kSet, MilestoneChangeKind::kMoved, MilestoneChangeKind::kMet,
                                   MilestoneChangeKind::kCancelled}) {
    if (ChangeKindName(kind) == name) return kind;
  }
  return std::nullopt;
}

json OptionalDateJson(const std::optional<std::chrono::year_month_day>& date) {
  return date.has_value() ? json(FormatDate(*date)) : json(nullptr);
}

json OptionalVersionJson(const std::optional<StreamVersion>& version) {
  return version.has_value() ? json(version->value) : json(nullptr);
}

json MilestonesToJson(const std::map<std::string, Milestone>& milestones) {
  json out = json::array();
  for (const auto& [name, milestone] : milestones) {
    json history = json::array();
    for (const MilestoneChange& change : milestone.history) {
      history.push_back({{"kind", ChangeKindName(change.kind)},
                         {"version", change.version.value},
                         {"at_us", MicrosJson(change.at)},
                         {"principal", change.principal},
                         {"unit", change.unit},
                         {"due", OptionalDateJson(change.due)},
                         {"from", OptionalDateJson(change.from)},
                         {"text", change.text},
                         {"report_version", OptionalVersionJson(change.report_version)}});
    }
    out.push_back({{"milestone", name},
                   {"due", FormatDate(milestone.due)},
                   {"met_at_us", MicrosJson(milestone.met_at)},
                   {"met_by_report", OptionalVersionJson(milestone.met_by_report)},
                   {"cancelled_at_us", MicrosJson(milestone.cancelled_at)},
                   {"history", std::move(history)}});
  }
  return out;
}

// A pending report's own row (~pending/<stream>/<version>).
json PendingReportToJson(const PendingReport& report) {
  json entry = {{"version", report.version.value},
                {"reporter", report.reporter},
                {"period", FormatMonth(report.period)},
                {"recorded_at_us", MicrosJson(report.recorded_at)},
                {"indicators", IndicatorValuesJson(report.indicators)}};
  if (report.percent.has_value()) entry["percent"] = NumberJson<json>(*report.percent);
  if (!report.milestones_met.empty()) entry["milestones_met"] = report.milestones_met;
  return entry;
}

// The stream's row: its bounded state, without the pending reports (rows of
// their own). nlohmann::json keeps object keys sorted, and every collection
// comes from an ordered map, so equal states dump to equal bytes.
json StateToJson(const StreamState& state) {
  json last_report = nullptr;
  if (state.last_report.has_value()) {
    const LastReport& last = *state.last_report;
    last_report = {{"version", last.version.value},
                   {"period", FormatMonth(last.period)},
                   {"percent", NumberJson<json>(last.percent)},
                   {"recorded_at_us", MicrosJson(last.recorded_at)},
                   {"principal", last.principal},
                   {"unit", last.unit},
                   {"decision", last.decision ? json(DecisionName(*last.decision)) : json(nullptr)},
                   {"reviewed_at_us", MicrosJson(last.reviewed_at)}};
  }
  json figures = json::array();
  for (const auto& [key, figure] : state.approved_figures) {
    figures.push_back({{"indicator", key.indicator},
                       {"unit", key.unit},
                       {"reporter", key.reporter},
                       {"scope", IndicatorScopeName(figure.scope)},
                       {"year", static_cast<int>(key.period.year())},
                       {"version", figure.version.value},
                       {"period", FormatMonth(figure.period)},
                       {"recorded_at_us", MicrosJson(figure.recorded_at)},
                       {"value", NumberJson<json>(figure.value)}});
  }
  json percents = json::array();
  for (const auto& [key, figure] : state.approved_percents) {
    percents.push_back({{"version", figure.version.value},
                        {"reporter", key.second},
                        {"period", FormatMonth(key.first)},
                        {"recorded_at_us", MicrosJson(figure.recorded_at)},
                        {"value", NumberJson<json>(figure.value)}});
  }
  json notices = json::array();
  for (const auto& [id, notice] : state.open_notices) {
    notices.push_back({{"id", id},
                       {"reason", notice.reason},
                       {"due", FormatDate(notice.due)},
                       {"answered_at_us", MicrosJson(notice.answered_at)},
                       {"issued_at_us", MicrosJson(notice.issued_at)},
                       {"signed_at_us", MicrosJson(notice.signed_at)},
                       {"signed_by", notice.signed_by},
                       {"answer", notice.answer},
                       {"number", notice.number}});
  }
  json row = {{"format", kRowFormat},
          {"version", state.version.value},
          {"started", state.started},
          {"completed_at_us", MicrosJson(state.completed_at)},
          {"last_report", std::move(last_report)},
          {"approved_figures", std::move(figures)},
          {"approved_percents", std::move(percents)},
          {"milestones", MilestonesToJson(state.milestones)},
          {"open_notices", std::move(notices)}};
  // Written only when there are any, so rows of items without 批示 stay as they were.
  if (!state.instructions.empty()) {
    json instructions = json::array();
    for (const Instruction& i : state.instructions) {
      instructions.push_back({{"version", i.version.value},
                              {"given_at_us", MicrosJson(i.given_at)},
                              {"principal", i.principal},
                              {"leader_name", i.leader_name},
                              {"notice_id", i.notice_id},
                              {"text", i.text}});
      // Only when there are any, so stored rows of 批示 without files stay as they were.
      if (!i.attachments.empty()) instructions.back()["attachments"] = AttachmentsJson(i.attachments);
    }
    row["instructions"] = std::move(instructions);
  }
  return row;
}

Status Malformed(const std::string& field, const char* expected) {
  return Status::InvalidArgument(field + ": " + expected, field);
}

Result<std::optional<Timestamp>> ReadOptionalMicros(const JsonReader& r, const char* key) {
  ASSIGN_OR_RETURN(std::optional<std::int64_t> micros, r.OptionalInteger(key));
  if (!micros.has_value()) return std::optional<Timestamp>();
  return std::optional<Timestamp>(Timestamp(std::chrono::microseconds(*micros)));
}

Result<Timestamp> ReadMicros(const JsonReader& r, const char* key) {
  ASSIGN_OR_RETURN(std::optional<Timestamp> time, ReadOptionalMicros(r, key));
  if (!time.has_value()) return Malformed(r.PathOf(key), "is required");
  return *time;
}

Result<std::chrono::year_month_day> ReadDate(const JsonReader& r, const char* key) {
  ASSIGN_OR_RETURN(std::string text, r.String(key));
  std::optional<std::chrono::year_month_day> date = ParseDate(text);
  if (!date.has_value()) return Malformed(r.PathOf(key), "must be a date written YYYY-MM-DD");
  return *date;
}

Result<std::chrono::year_month> ReadMonth(const JsonReader& r, const char* key) {
  ASSIGN_OR_RETURN(std::string text, r.String(key));
  std::optional<std::chrono::year_month> month = ParseMonth(text);
  if (!month.has_value()) return Malformed(r.PathOf(key), "must be a month written YYYY-MM");
  return *month;
}

Result<StreamVersion> ReadVersion(const JsonReader& r, const char* key) {
  ASSIGN_OR_RETURN(std::int64_t version, r.Integer(key));
  if (version < 0) return Malformed(r.PathOf(key), "must not be negative");
  return StreamVersion(static_cast<std::uint64_t>(version));
}

// An optional array of strings (absent: empty).
Result<std::vector<std::string>> ReadNames(const JsonReader& r, const char* key) {
  ASSIGN_OR_RETURN(const json* names, r.Array(key, /*required=*/false));
  std::vector<std::string> out;
  for (size_t i = 0; i < names->size(); ++i) {
    if (!(*names)[i].is_string()) return Malformed(JsonReader::Element(r.PathOf(key), i), "must be a string");
    out.push_back((*names)[i].get<std::string>());
  }
  return out;
}

Result<std::optional<std::chrono::year_month_day>> ReadOptionalDate(const JsonReader& r, const json& object,
                                                                    const char* key) {
  auto it = object.find(key);
  if (it == object.end() || it->is_null()) return std::optional<std::chrono::year_month_day>();
  ASSIGN_OR_RETURN(std::chrono::year_month_day date, ReadDate(r, key));
  return std::optional<std::chrono::year_month_day>(date);
}

Result<std::optional<StreamVersion>> ReadOptionalVersion(const JsonReader& r, const char* key) {
  ASSIGN_OR_RETURN(std::optional<std::int64_t> version, r.OptionalInteger(key));
  if (!version.has_value()) return std::optional<StreamVersion>();
  if (*version < 0) return Malformed(r.PathOf(key), "must not be negative");
  return std::optional<StreamVersion>(StreamVersion(static_cast<std::uint64_t>(*version)));
}

Result<MilestoneChange> MilestoneChangeFromJson(const json& value, const std::string& path) {
  JsonReader r(value, path);
  RETURN_IF_ERROR(r.ExpectObject());
  RETURN_IF_ERROR(
      r.RejectUnknown({"kind", "version", "at_us", "principal", "unit", "due", "from", "text", "report_version"}));
  MilestoneChange change;
  ASSIGN_OR_RETURN(std::string kind, r.String("kind"));
  std::optional<MilestoneChangeKind> parsed = ChangeKindFromName(kind);
  if (!parsed.has_value()) return Malformed(r.PathOf("kind"), "must be set, moved, met or cancelled");
  change.kind = *parsed;
  ASSIGN_OR_RETURN(change.version, ReadVersion(r, "version"));
  ASSIGN_OR_RETURN(change.at, ReadMicros(r, "at_us"));
  ASSIGN_OR_RETURN(change.principal, r.String("principal"));
  ASSIGN_OR_RETURN(change.unit, r.OptionalString("unit"));
  ASSIGN_OR_RETURN(change.due, ReadOptionalDate(r, value, "due"));
  ASSIGN_OR_RETURN(change.from, ReadOptionalDate(r, value, "from"));
  ASSIGN_OR_RETURN(change.text, r.OptionalString("text"));
  ASSIGN_OR_RETURN(change.report_version, ReadOptionalVersion(r, "report_version"));
  return change;
}

// The row's milestones. A row written before milestones were kept with their
// state and history has "deadlines" ({milestone, due}) instead: each reads as
// an open milestone with no recorded history (a rebuild from the log, e.g.
// `kuimen view`, recovers it).
Result<std::map<std::string, Milestone>> MilestonesFromRow(const json& row, const JsonReader& r) {
  std::map<std::string, Milestone> out;
  if (!row.contains("milestones")) {
    ASSIGN_OR_RETURN(const json* deadlines, r.Array("deadlines"));
    for (size_t i = 0; i < deadlines->size(); ++i) {
      JsonReader d((*deadlines)[i], JsonReader::Element("deadlines", i));
      RETURN_IF_ERROR(d.ExpectObject());
      ASSIGN_OR_RETURN(std::string milestone, d.String("milestone"));
      ASSIGN_OR_RETURN(out[milestone].due, ReadDate(d, "due"));
    }
    return out;
  }
  ASSIGN_OR_RETURN(const json* milestones, r.Array("milestones"));
  for (size_t i = 0; i < milestones->size(); ++i) {
    const std::string path = JsonReader::Element("milestones", i);
    JsonReader m((*milestones)[i], path);
    RETURN_IF_ERROR(m.ExpectObject());
    RETURN_IF_ERROR(m.RejectUnknown({"milestone", "due", "met_at_us", "met_by_report", "cancelled_at_us", "history"}));
    ASSIGN_OR_RETURN(std::string name, m.String("milestone"));
    Milestone& milestone = out[name];
    ASSIGN_OR_RETURN(milestone.due, ReadDate(m, "due"));
    ASSIGN_OR_RETURN(milestone.met_at, ReadOptionalMicros(m, "met_at_us"));
    ASSIGN_OR_RETURN(milestone.met_by_report, ReadOptionalVersion(m, "met_by_report"));
    ASSIGN_OR_RETURN(milestone.cancelled_at, ReadOptionalMicros(m, "cancelled_at_us"));
    ASSIGN_OR_RETURN(const json* history, m.Array("history"));
    for (size_t j = 0; j < history->size(); ++j) {
      ASSIGN_OR_RETURN(MilestoneChange change,
                       MilestoneChangeFromJson((*history)[j], JsonReader::Element(m.PathOf("history"), j)));
      milestone.history.push_back(std::move(change));
    }
  }
  return out;
}

Result<LastReport> LastReportFromJson(const json& value, const std::string& path) {
  JsonReader r(value, path);
  RETURN_IF_ERROR(r.ExpectObject());
  RETURN_IF_ERROR(r.RejectUnknown(
      {"version", "period", "percent", "recorded_at_us", "principal", "unit", "decision", "reviewed_at_us"}));
  LastReport report;
  ASSIGN_OR_RETURN(report.version, ReadVersion(r, "version"));
  ASSIGN_OR_RETURN(report.period, ReadMonth(r, "period"));
  ASSIGN_OR_RETURN(report.percent, r.Number("percent"));
  ASSIGN_OR_RETURN(report.recorded_at, ReadMicros(r, "recorded_at_us"));
  ASSIGN_OR_RETURN(report.principal, r.String("principal"));
  ASSIGN_OR_RETURN(report.unit, r.String("unit"));
  ASSIGN_OR_RETURN(std::string decision, r.OptionalString("decision"));
  if (decision == "approved") {
    report.decision = ReviewDecision::kApproved;
  } else if (decision == "returned") {
    report.decision = ReviewDecision::kReturned;
  } else if (!decision.empty()) {
    return Malformed(r.PathOf("decision"), "must be \"approved\", \"returned\" or null");
  }
  ASSIGN_OR_RETURN(report.reviewed_at, ReadOptionalMicros(r, "reviewed_at_us"));
  return report;
}

Result<PendingReport> PendingReportFromJson(const json& value, const std::string& path) {
  JsonReader r(value, path);
  RETURN_IF_ERROR(r.ExpectObject());
  RETURN_IF_ERROR(
      r.RejectUnknown({"version", "reporter", "period", "recorded_at_us", "indicators", "percent", "milestones_met"}));
  PendingReport report;
  ASSIGN_OR_RETURN(report.version, ReadVersion(r, "version"));
  ASSIGN_OR_RETURN(report.reporter, r.OptionalString("reporter"));
  ASSIGN_OR_RETURN(report.period, ReadMonth(r, "period"));
  ASSIGN_OR_RETURN(report.recorded_at, ReadMicros(r, "recorded_at_us"));
  ASSIGN_OR_RETURN(const json* indicators, r.Array("indicators"));
  for (size_t i = 0; i < indicators->size(); ++i) {
    JsonReader v((*indicators)[i], JsonReader::Element(r.PathOf("indicators"), i));
    RETURN_IF_ERROR(v.ExpectObject());
    IndicatorValue indicator;
    ASSIGN_OR_RETURN(indicator.indicator, v.String("indicator"));
    ASSIGN_OR_RETURN(indicator.value, v.Number("value"));
    ASSIGN_OR_RETURN(indicator.unit, v.String("unit"));
    ASSIGN_OR_RETURN(indicator.scope, ReadScope(v));
    report.indicators.push_back(std::move(indicator));
  }
  if (value.contains("percent")) {
    ASSIGN_OR_RETURN(double percent, r.Number("percent"));
    report.percent = percent;
  }
  ASSIGN_OR_RETURN(report.milestones_met, ReadNames(r, "milestones_met"));
  return report;
}

Result<std::pair<FigureKey, Figure>> FigureFromJson(const json& value, const std::string& path) {
  JsonReader r(value, path);
  RETURN_IF_ERROR(r.ExpectObject());
  RETURN_IF_ERROR(r.RejectUnknown(
      {"indicator", "unit", "reporter", "scope", "year", "version", "period", "recorded_at_us", "value"}));
  FigureKey key;
  Figure figure;
  ASSIGN_OR_RETURN(key.indicator, r.String("indicator"));
  ASSIGN_OR_RETURN(key.unit, r.String("unit"));
  ASSIGN_OR_RETURN(key.reporter, r.OptionalString("reporter"));
  ASSIGN_OR_RETURN(figure.scope, ReadScope(r));
  ASSIGN_OR_RETURN(std::int64_t year, r.Integer("year"));
  ASSIGN_OR_RETURN(figure.version, ReadVersion(r, "version"));
  ASSIGN_OR_RETURN(figure.period, ReadMonth(r, "period"));
  ASSIGN_OR_RETURN(figure.recorded_at, ReadMicros(r, "recorded_at_us"));
  ASSIGN_OR_RETURN(figure.value, r.Number("value"));
  // The year is the period's, written for rows of older builds.
  if (year != static_cast<int>(figure.period.year())) return Malformed(r.PathOf("year"), "must be the period's year");
  key.period = figure.period;
  return std::pair<FigureKey, Figure>(std::move(key), figure);
}

Result<StreamState> StateFromJson(const json& row) {
  JsonReader r(row, "");
  RETURN_IF_ERROR(r.ExpectObject());
  RETURN_IF_ERROR(r.RejectUnknown({"format", "version", "started", "completed_at_us", "last_report",
                                   "pending_reports", "approved_figures", "approved_percents", "deadlines",
                                   "milestones", "open_notices", "instructions"}));
  ASSIGN_OR_RETURN(std::int64_t format, r.Integer("format"));
  if (format != kRowFormat && format != kInlinePendingRowFormat) {
    return Malformed("format", "is not a row format this build reads");
  }
  StreamState state;
  ASSIGN_OR_RETURN(state.version, ReadVersion(r, "version"));
  auto started = row.find("started");
  if (started == row.end() || !started->is_boolean()) return Malformed("started", "must be true or false");
  state.started = started->get<bool>();
  ASSIGN_OR_RETURN(state.completed_at, ReadOptionalMicros(r, "completed_at_us"));

  auto last_report = row.find("last_report");
  if (last_report == row.end()) return Malformed("last_report", "is required (null when never reported)");
  if (!last_report->is_null()) {
    ASSIGN_OR_RETURN(LastReport last, LastReportFromJson(*last_report, "last_report"));
    state.last_report = std::move(last);
  }
  // Inline only in rows of format 2; a row of format 3 has none.
  if (format == kRowFormat && row.contains("pending_reports")) {
    return Malformed("pending_reports", "is kept in rows of its own in this row format");
  }
  ASSIGN_OR_RETURN(const json* pending, r.Array("pending_reports", format == kInlinePendingRowFormat));
  for (size_t i = 0; i < pending->size(); ++i) {
    ASSIGN_OR_RETURN(PendingReport report,
                     PendingReportFromJson((*pending)[i], JsonReader::Element("pending_reports", i)));
    const StreamVersion version = report.version;
    state.pending_reports[version] = std::move(report);
  }
  ASSIGN_OR_RETURN(const json* figures, r.Array("approved_figures"));
  for (size_t i = 0; i < figures->size(); ++i) {
    ASSIGN_OR_RETURN(auto figure, FigureFromJson((*figures)[i], JsonReader::Element("approved_figures", i)));
    state.approved_figures[std::move(figure.first)] = figure.second;
  }
  if (row.contains("approved_percents")) {
    ASSIGN_OR_RETURN(const json* percents, r.Array("approved_percents"));
    for (size_t i = 0; i < percents->size(); ++i) {
      JsonReader p((*percents)[i], JsonReader::Element("approved_percents", i));
      RETURN_IF_ERROR(p.ExpectObject());
      RETURN_IF_ERROR(p.RejectUnknown({"version", "reporter", "period", "recorded_at_us", "value"}));
      Figure figure;
      ASSIGN_OR_RETURN(std::string reporter, p.OptionalString("reporter"));
      ASSIGN_OR_RETURN(figure.version, ReadVersion(p, "version"));
      ASSIGN_OR_RETURN(figure.period, ReadMonth(p, "period"));
      ASSIGN_OR_RETURN(figure.recorded_at, ReadMicros(p, "recorded_at_us"));
      ASSIGN_OR_RETURN(figure.value, p.Number("value"));
      state.approved_percents[{figure.period, std::move(reporter)}] = figure;
    }
  } else if (state.last_report.has_value() && state.last_report->decision == ReviewDecision::kApproved) {
    // A row written before percents were kept: the latest report's stands in.
    const LastReport& last = *state.last_report;
    state.approved_percents[{last.period, last.unit}] = Figure{last.version, last.period, last.recorded_at, last.percent};
  }
  ASSIGN_OR_RETURN(state.milestones, MilestonesFromRow(row, r));
  ASSIGN_OR_RETURN(const json* notices, r.Array("open_notices"));
  for (size_t i = 0; i < notices->size(); ++i) {
    JsonReader n((*notices)[i], JsonReader::Element("open_notices", i));
    RETURN_IF_ERROR(n.ExpectObject());
    Notice notice;
    ASSIGN_OR_RETURN(notice.id, n.String("id"));
    ASSIGN_OR_RETURN(notice.reason, n.String("reason"));
    ASSIGN_OR_RETURN(notice.due, ReadDate(n, "due"));
    ASSIGN_OR_RETURN(notice.answered_at, ReadOptionalMicros(n, "answered_at_us"));
    // Rows written before signing was kept lack these; they read as unsigned.
    ASSIGN_OR_RETURN(notice.issued_at, ReadOptionalMicros(n, "issued_at_us"));
    ASSIGN_OR_RETURN(notice.signed_at, ReadOptionalMicros(n, "signed_at_us"));
    ASSIGN_OR_RETURN(notice.signed_by, n.OptionalString("signed_by"));
    ASSIGN_OR_RETURN(notice.answer, n.OptionalString("answer"));
    ASSIGN_OR_RETURN(notice.number, n.OptionalString("number"));
    state.open_notices[notice.id] = std::move(notice);
  }
  ASSIGN_OR_RETURN(const json* instructions, r.Array("instructions", false));
  for (size_t i = 0; instructions != nullptr && i < instructions->size(); ++i) {
    JsonReader n((*instructions)[i], JsonReader::Element("instructions", i));
    RETURN_IF_ERROR(n.ExpectObject());
    Instruction instruction;
    ASSIGN_OR_RETURN(instruction.version, ReadVersion(n, "version"));
    ASSIGN_OR_RETURN(std::optional<Timestamp> given_at, ReadOptionalMicros(n, "given_at_us"));
    if (!given_at.has_value()) return Malformed("instructions.given_at_us", "is required");
    instruction.given_at = *given_at;
    ASSIGN_OR_RETURN(instruction.principal, n.String("principal"));
    ASSIGN_OR_RETURN(instruction.leader_name, n.OptionalString("leader_name"));
    ASSIGN_OR_RETURN(instruction.notice_id, n.OptionalString("notice_id"));
    ASSIGN_OR_RETURN(instruction.text, n.String("text"));
    ASSIGN_OR_RETURN(instruction.attachments, ReadAttachments(n));
    state.instructions.push_back(std::move(instruction));
  }
  return state;
}

// --- judging at render time ------------------------------------------------------

// "Today" and "this month" where the plan is supervised, plus the thresholds.
struct Calendar {
  SupervisionOptions options;
  std::chrono::sys_days plan_date;
  std::chrono::sys_days today;
  std::chrono::year_month month;
  int sign_working_days = 2;  // the catalog's notice_sign_working_days (逾期未签收)
  std::optional<std::chrono::year_month> start;  // the supervision start; empty while unknown

  unsigned DueDay() const { return static_cast<unsigned>(options.report_due_day); }
  bool Late(std::chrono::year_month period, Timestamp recorded_at) const {
    return IsLateReport(period, recorded_at, DueDay(), options.utc_offset_minutes);
  }

  std::chrono::sys_days Day(Timestamp time) const { return LocalDay(time, options.utc_offset_minutes); }
  std::int64_t DaysSince(std::chrono::sys_days day) const { return (today - day).count(); }
};

Calendar MakeCalendar(const SupervisionOptions& options, std::chrono::sys_days plan_date, int sign_working_days,
                      Timestamp now, std::optional<std::chrono::year_month> start) {
  const std::chrono::sys_days today = LocalDay(now, options.utc_offset_minutes);
  return Calendar{options, plan_date, today, MonthOf(today), sign_working_days, start};
}

// The item's reports as the status rule (domain/item_status.h, shared with the
// write model) reads them: the review queue's ledger of the stream, in recorded
// order. A view row written before the ledger was kept has only the pending
// reports and the last report; those stand in.
std::vector<ReportForStatus> StatusReports(const std::map<std::string, ReviewLedger>& reviews,
                                           const std::string& stream, const StreamState& state) {
  std::vector<ReportForStatus> out;
  auto ledger = reviews.find(stream);
  if (ledger != reviews.end() && !ledger->second.entries().empty()) {
    for (const auto& [version, entry] : ledger->second.entries()) {
      out.push_back({entry.unit, entry.decision, !entry.decision.has_value() && entry.superseded_by.has_value()});
    }
    return out;
  }
  for (const auto& [version, report] : state.pending_reports) out.push_back({report.reporter, std::nullopt});
  if (state.last_report.has_value() && state.last_report->decision.has_value()) {
    out.push_back({state.last_report->unit, state.last_report->decision});
  }
  return out;
}

// Past its due date and not answered by then (a late answer does not undo the lateness).
bool NoticeOverdue(const Notice& notice, const Calendar& calendar) {
  const std::chrono::sys_days due(notice.due);
  if (calendar.today <= due) return false;
  return !notice.answered_at.has_value() || calendar.Day(*notice.answered_at) > due;
}

// The last day a notice may stay unsigned (签收), or nullopt when its issue
// time is unknown (a row written before it was kept).
std::optional<std::chrono::sys_days> SignBy(const Notice& notice, const Calendar& calendar) {
  if (!notice.issued_at.has_value()) return std::nullopt;
  return AddWorkingDays(calendar.Day(*notice.issued_at), calendar.sign_working_days);
}

// 逾期未签收: past its sign-by day, neither signed for nor answered (an answer
// shows the unit has it).
bool NoticeSignOverdue(const Notice& notice, const Calendar& calendar) {
  if (notice.signed_at.has_value() || notice.answered_at.has_value()) return false;
  std::optional<std::chrono::sys_days> sign_by = SignBy(notice, calendar);
  return sign_by.has_value() && calendar.today > *sign_by;
}

struct Evaluation {
  TaskStatus status = TaskStatus::kNotStarted;
  bool status_from_related_tasks = false;  // a major item's 据关联任务
  // Units other than the leads whose own latest report was returned (their own
  // 退回, which the item's status leaves out).
  std::vector<std::string> returned_units;
  // Units other than the leads with a report awaiting review: shown beside the
  // status (配合单位待审核：…), never as it.
  std::vector<std::string> pending_units;
  // The lead units' latest report (not superseded): what 最近报送 shows (A1).
  std::optional<ReviewEntry> lead_report;
  WarningLevel level = WarningLevel::kNone;
  std::vector<std::pair<WarningLevel, std::string>> reasons;  // Evaluate sorts them most severe first

  void Warn(WarningLevel reason_level, std::string reason) {
    level = std::max(level, reason_level);
    reasons.emplace_back(reason_level, std::move(reason));
  }
};

std::string Quoted(const std::string& text) { return "“" + text + "”"; }

// --- milestones at render time ----------------------------------------------------

// A milestone's state as of the calendar's today. Only an unmet, uncancelled
// milestone past its due date is overdue (and so red).
enum class MilestoneStatus { kNotDue, kApproaching, kOverdue, kMet, kCancelled, kTaskCompleted };

std::string_view MilestoneStatusName(MilestoneStatus status) {
  switch (status) {
    case MilestoneStatus::kNotDue: return "not_due";
    case MilestoneStatus::kApproaching: return "approaching";
    case MilestoneStatus::kOverdue: return "overdue";
    case MilestoneStatus::kMet: return "met";
    case MilestoneStatus::kCancelled: return "cancelled";
    case MilestoneStatus::kTaskCompleted: return "task_completed";
  }
  return "unknown";
}

std::string_view MilestoneStatusLabel(MilestoneStatus status) {
  switch (status) {
    case MilestoneStatus::kNotDue: return "未到期";
    case MilestoneStatus::kApproaching: return "临近";
    case MilestoneStatus::kOverdue: return "逾期未完成";
    case MilestoneStatus::kMet: return "已完成";
    case MilestoneStatus::kCancelled: return "已取消";
    case MilestoneStatus::kTaskCompleted: return "随任务完成";
  }
  return "未知";
}

std::int64_t DaysLeft(const Milestone& milestone, const Calendar& calendar) {
  return -calendar.DaysSince(std::chrono::sys_days(milestone.due));
}

// `task_completed`: the item stands completed, which settles every open milestone.
MilestoneStatus JudgeMilestone(const Milestone& milestone, const Calendar& calendar, bool task_completed) {
  if (milestone.cancelled_at.has_value()) return MilestoneStatus::kCancelled;
  if (milestone.met_at.has_value()) return MilestoneStatus::kMet;
  if (task_completed) return MilestoneStatus::kTaskCompleted;
  const std::int64_t days_left = DaysLeft(milestone, calendar);
  if (days_left < 0) return MilestoneStatus::kOverdue;
  if (days_left <= calendar.options.blue_deadline_days) return MilestoneStatus::kApproaching;
  return MilestoneStatus::kNotDue;
}

// The latest move (调整) of a milestone, if it was ever moved.
const MilestoneChange* LastMove(const Milestone& milestone) {
  for (auto it = milestone.history.rbegin(); it != milestone.history.rend(); ++it) {
    if (it->kind == MilestoneChangeKind::kMoved) return &*it;
  }
  return nullptr;
}

// The first due date the milestone was set with (its own for a row without history).
std::chrono::year_month_day OriginalDue(const Milestone& milestone) {
  for (const MilestoneChange& change : milestone.history) {
    if (change.due.has_value()) return *change.due;
  }
  return milestone.due;
}

void JudgeDeadlines(const StreamState& state, const Calendar& calendar, Evaluation& out) {
  const bool reported_this_month =
      state.last_report.has_value() && MonthOf(calendar.Day(state.last_report->recorded_at)) == calendar.month;
  for (const auto& [name, milestone] : state.milestones) {
    const MilestoneStatus status = JudgeMilestone(milestone, calendar, /*task_completed=*/false);
    const std::string due = FormatDate(milestone.due);
    if (status == MilestoneStatus::kOverdue) {
      const MilestoneChange* move = LastMove(milestone);
      out.Warn(WarningLevel::kRed, "时限" + Quoted(name) + "已于" + due + "到期，尚未完成" +
                                       (move != nullptr ? "（原定" + FormatDate(OriginalDue(milestone)) + "，已调整）"
                                                        : std::string()));
    } else if (status == MilestoneStatus::kApproaching && !reported_this_month) {
      out.Warn(WarningLevel::kBlue, "时限" + Quoted(name) + "将于" + due + "到期（还剩" +
                                        std::to_string(DaysLeft(milestone, calendar)) + "天），本月尚未报送进度");
    }
  }
}

void JudgeNotices(const StreamState& state, const Calendar& calendar, Evaluation& out) {
  for (const auto& [id, notice] : state.open_notices) {
    if (NoticeSignOverdue(notice, calendar)) {
      out.Warn(WarningLevel::kYellow, "督办" + Quoted(id) + "下发后超过" +
                                          std::to_string(calendar.sign_working_days) +
                                          "个工作日未签收（应于" + FormatDate(*SignBy(notice, calendar)) + "前签收）");
    }
    if (!NoticeOverdue(notice, calendar)) continue;
    out.Warn(WarningLevel::kRed, "督办" + Quoted(id) + "已于" + FormatDate(notice.due) + "到期，未按期整改反馈且未销号");
  }
}

void JudgeSilence(const StreamState& state, const Calendar& calendar, Evaluation& out) {
  if (!state.last_report.has_value()) {
    // Nothing is due before supervision starts: the first report, for the
    // start's month, is due by the due day of the month after. Until that day
    // passes a task never reported is not behind (day one is not all yellow).
    if (!calendar.start.has_value()) return;
    const std::chrono::sys_days first_due(ReportDueDate(*calendar.start, calendar.DueDay()));
    const std::int64_t overdue = calendar.DaysSince(first_due);
    if (overdue > 0) {
      out.Warn(WarningLevel::kYellow, "自督办起始月份（" + FormatMonth(*calendar.start) + "）起未报送进度，" +
                                          FormatMonth(*calendar.start) + "的进度应于" +
                                          FormatDate(std::chrono::year_month_day(first_due)) + "前报送，已逾期" +
                                          std::to_string(overdue) + "天");
    }
    return;
  }
  const LastReport& last = *state.last_report;
  const std::chrono::sys_days last_day = calendar.Day(last.recorded_at);
  const std::int64_t silent = calendar.DaysSince(last_day);
  if (silent > calendar.options.yellow_silence_days) {
    out.Warn(WarningLevel::kYellow,
             "已" + std::to_string(silent) + "天未报送进度（上次报送于" + FormatDate(last_day) + "）");
  }
  // Returned and not resent: the latest report is the returned one.
  if (last.decision == ReviewDecision::kReturned && last.reviewed_at.has_value()) {
    const std::chrono::sys_days returned_day = calendar.Day(*last.reviewed_at);
    const std::int64_t waiting = calendar.DaysSince(returned_day);
    if (waiting > calendar.options.yellow_return_days) {
      // A cooperating unit's own 退回 names that unit: the item's status is not 已退回.
      const bool own_return = std::find(out.returned_units.begin(), out.returned_units.end(), last.unit) !=
                              out.returned_units.end();
      out.Warn(WarningLevel::kYellow, (own_return ? last.unit : std::string()) + FormatMonth(last.period) +
                                          "的报送于" + FormatDate(returned_day) + "被退回，已" +
                                          std::to_string(waiting) + "天未重新报送");
    }
  }
}

// `status` is the item's by the rule of domain/item_status.h (ItemStatus, and
// MajorItemStatus for a major item), which the caller forms.
Evaluation Evaluate(const StreamState& state, const Calendar& calendar, MajorItemStatusResult status,
                    std::vector<std::string> returned_units, std::vector<std::string> pending_units) {
  Evaluation out;
  out.pending_units = std::move(pending_units);
  out.status = status.status;
  out.status_from_related_tasks = status.from_related_tasks;
  out.returned_units = std::move(returned_units);
  if (out.status == TaskStatus::kCompleted) return out;  // a completed item carries no warning
  JudgeDeadlines(state, calendar, out);
  JudgeNotices(state, calendar, out);
  JudgeSilence(state, calendar, out);
  std::stable_sort(out.reasons.begin(), out.reasons.end(),
                   [](const auto& a, const auto& b) { return a.first > b.first; });
  return out;
}

// --- rendering -----------------------------------------------------------------

struct Reading {
  StreamVersion version;  // of the report it comes from
  double value = 0;
  std::chrono::year_month period;
  Timestamp recorded_at;
};

// Keeps the later of the readings by period, then stream version (the one
// rule of projections/report_period.h, which the assessment follows too).
void ConsiderReading(std::optional<Reading>& best, const Reading& candidate) {
  if (!best.has_value() ||
      IsLaterFigure(candidate.period, candidate.version.value, best->period, best->version.value)) {
    best = candidate;
  }
}

// Every figure of `indicator` in `unit` that counts, one per reporting unit,
// period and report: the approved figures, and those of reports not reviewed
// yet (a returned report's figures do not count: the fold dropped them).
std::vector<UnitFigure> FiguresOf(const StreamState& state, const std::string& indicator, const std::string& unit) {
  std::vector<UnitFigure> out;
  const std::chrono::year_month first = std::chrono::year::min() / std::chrono::January;
  for (auto it = state.approved_figures.lower_bound(FigureKey{indicator, unit, "", first});
       it != state.approved_figures.end() && it->first.indicator == indicator && it->first.unit == unit; ++it) {
    const Figure& f = it->second;
    out.push_back(UnitFigure{it->first.reporter, f.scope, f.value, f.period, f.version.value, f.recorded_at, true});
  }
  for (const auto& [version, report] : state.pending_reports) {
    for (const IndicatorValue& v : report.indicators) {
      if (v.indicator != indicator || v.unit != unit) continue;
      out.push_back(UnitFigure{report.reporter, v.scope, v.value, report.period, version.value, report.recorded_at,
                               false});
      break;  // within one report the first value counts
    }
  }
  return out;
}

// The approved county figure and, beside it, the figure awaiting review
// (projections/county_figure.h, rule 4).
struct CountyReading {
  std::optional<CountyFigure> county;   // approved figures only
  std::optional<CountyFigure> pending;  // with the unreviewed ones, when any is a unit's latest
};

CountyReading CountyReadingIn(const StreamState& state, const std::string& indicator, const std::string& unit,
                              const std::vector<std::string>& lead_units,
                              std::optional<std::chrono::year_month> up_to = std::nullopt) {
  // A late report for an earlier period never replaces a later period's
  // figure, and one unit's figure never replaces another's.
  const std::vector<UnitFigure> figures = FiguresOf(state, indicator, unit);
  return {FormCountyFigure(figures, lead_units, up_to), PendingCountyFigure(figures, lead_units, up_to)};
}

// The overall percent (总体进度) by the same rule: the latest period's, up to
// `up_to` when given, of the approved reports (only approved figures count,
// as for indicators: clerk review A5), or with `with_pending` of the approved
// and the pending ones together (what it would be once those are approved).
// It is the lead units' estimate: a cooperating unit's or a township's percent
// is of its own share, and stands in only while no lead unit has given one.
std::optional<Reading> LatestProgress(const StreamState& state, const std::vector<std::string>& lead_units,
                                      std::optional<std::chrono::year_month> up_to, bool with_pending = false) {
  const auto leads = [&](const std::string& unit) {
    return std::find(lead_units.begin(), lead_units.end(), unit) != lead_units.end();
  };
  std::optional<Reading> best, best_of_lead;
  for (const auto& [key, figure] : state.approved_percents) {
    if (up_to.has_value() && key.first > *up_to) break;
    const Reading reading{figure.version, figure.value, figure.period, figure.recorded_at};
    ConsiderReading(leads(key.second) ? best_of_lead : best, reading);
  }
  for (const auto& [version, report] : state.pending_reports) {
    if (!with_pending) break;
    if (!report.percent.has_value() || (up_to.has_value() && report.period > *up_to)) continue;
    const Reading reading{version, *report.percent, report.period, report.recorded_at};
    ConsiderReading(leads(report.reporter) ? best_of_lead : best, reading);
  }
  return best_of_lead.has_value() ? best_of_lead : best;
}

// value / target * 100, to one decimal place; null without both.
json ProgressJson(const std::optional<double>& target, const std::optional<Reading>& reading) {
  if (!target.has_value() || *target == 0 || !reading.has_value()) return nullptr;
  return NumberJson<json>(std::round(reading->value / *target * 1000) / 10);
}

// A target against its county figure: latest_value is the county figure,
// "basis" says how it was formed.
json ReadingJson(const Target& target, const std::optional<CountyFigure>& county, const Calendar& calendar) {
  std::optional<Reading> reading;
  if (county.has_value()) {
    reading = Reading{StreamVersion(county->latest.position), county->value, county->latest.period,
                      county->latest.recorded_at};
  }
  return {{"target", target.value ? NumberJson<json>(*target.value) : json(nullptr)},
          {"unit", target.unit},
          {"latest_value", reading ? NumberJson<json>(reading->value) : json(nullptr)},
          {"progress_percent", ProgressJson(target.value, reading)},
          {"period", reading ? json(FormatMonth(reading->period)) : json(nullptr)},
          {"reported_at", reading ? json(FormatTimestamp(reading->recorded_at)) : json(nullptr)},
          {"late", reading ? json(calendar.Late(reading->period, reading->recorded_at)) : json(nullptr)},
          {"basis", county ? json(CountyBasisName(county->basis)) : json(nullptr)},
          {"basis_label", county ? json(CountyBasisLabel(county->basis)) : json(nullptr)}};
}

// ReadingJson of the approved figure, with "pending": what the figure would be
// once the reports awaiting review are approved (待审核), or null.
json ReadingJson(const Target& target, const CountyReading& reading, const Calendar& calendar) {
  json out = ReadingJson(target, reading.county, calendar);
  out["pending"] = nullptr;
  if (reading.pending.has_value()) {
    const CountyFigure& p = *reading.pending;
    const Reading r{StreamVersion(p.latest.position), p.value, p.latest.period, p.latest.recorded_at};
    // "amount": only what awaits review (另有待审核 2 万亩次), beside the total
    // it would make (审核通过后全县 22 万亩次; clerk review A4).
    const double approved = reading.county.has_value() ? reading.county->value : 0;
    out["pending"] = {{"value", NumberJson<json>(p.value)},
                      {"amount", NumberJson<json>(std::round((p.value - approved) * 1e6) / 1e6)},
                      {"progress_percent", ProgressJson(target.value, r)},
                      {"period", FormatMonth(p.latest.period)},
                      {"label", "待审核"}};
  }
  return out;
}

// 单位分解: per target of the item, each unit's latest figure and whether it
// forms the county figure, beside the county figure and how it was formed.
//
// A unit whose latest report of the indicator was returned keeps a row (clerk
// review B2): review "returned", 已退回, not counted, after its other rows; its
// earlier approved figure, if any, still counts. The returned reports come from
// the stream's review ledger (`ledger`; none in a view row written before it).
json UnitBreakdownJson(const StreamState& state, const std::vector<Target>& targets,
                       const std::vector<std::string>& lead_units, const Calendar& calendar,
                       std::optional<std::chrono::year_month> up_to, const ReviewLedger* ledger) {
  json out = json::array();
  for (const Target& target : targets) {
    const CountyReading reading = CountyReadingIn(state, target.indicator, target.unit, lead_units, up_to);
    const std::optional<CountyFigure>& county = reading.county;
    // Each unit's counted (approved) figure, then the figures awaiting review
    // that are a unit's latest: shown, not counted (rule 4).
    std::vector<CountyFigure::Contribution> rows;
    if (county.has_value()) rows = county->units;
    if (reading.pending.has_value()) {
      for (CountyFigure::Contribution c : reading.pending->units) {
        if (c.figure.approved) continue;
        c.counted = false;
        rows.push_back(std::move(c));
      }
    }
    // Each unit's latest report carrying this indicator, by version; a returned one gets a row.
    std::map<std::string, std::pair<const ReviewEntry*, const IndicatorValue*>> latest_report;
    static const std::map<StreamVersion, ReviewEntry> kNoReports;
    for (const auto& [version, entry] : ledger != nullptr ? ledger->entries() : kNoReports) {
      if (entry.superseded_by.has_value() && !entry.decision.has_value()) continue;
      if (up_to.has_value() && entry.period > *up_to) continue;
      for (const IndicatorValue& v : entry.indicators) {
        if (v.indicator != target.indicator || v.unit != target.unit) continue;
        latest_report[entry.unit] = {&entry, &v};
        break;
      }
    }
    std::vector<std::pair<const ReviewEntry*, const IndicatorValue*>> returned;
    for (const auto& [unit, report] : latest_report) {
      if (report.first->decision == ReviewDecision::kReturned) returned.push_back(report);
    }
    std::sort(returned.begin(), returned.end(), [](const auto& a, const auto& b) {
      return a.first->version.value < b.first->version.value;
    });
    json units = json::array();
    {
      for (const CountyFigure::Contribution& c : rows) {
        const UnitFigure& f = c.figure;
        units.push_back({{"unit", f.unit},
                         {"lead", c.lead},
                         {"value", NumberJson<json>(f.value)},
                         {"period", FormatMonth(f.period)},
                         {"scope", IndicatorScopeName(f.scope)},
                         {"scope_label", IndicatorScopeLabel(f.scope)},
                         {"review", f.approved ? "approved" : "pending"},
                         {"review_label", f.approved ? "审核通过" : "待审核"},
                         {"counted", c.counted},
                         {"version", f.position},
                         {"reported_at", FormatTimestamp(f.recorded_at)},
                         {"late", calendar.Late(f.period, f.recorded_at)}});
      }
      for (const auto& [entry, v] : returned) {
        const bool lead = std::find(lead_units.begin(), lead_units.end(), entry->unit) != lead_units.end();
        units.push_back({{"unit", entry->unit},
                         {"lead", lead},
                         {"value", NumberJson<json>(v->value)},
                         {"period", FormatMonth(entry->period)},
                         {"scope", IndicatorScopeName(v->scope)},
                         {"scope_label", IndicatorScopeLabel(v->scope)},
                         {"review", "returned"},
                         {"review_label", "已退回"},
                         {"counted", false},
                         {"counted_label", "已退回，不计入"},
                         {"version", entry->version.value},
                         {"reported_at", FormatTimestamp(entry->recorded_at)},
                         {"late", calendar.Late(entry->period, entry->recorded_at)}});
      }
    }
    json entry = ReadingJson(target, reading, calendar);
    entry["indicator"] = target.indicator;
    entry["units"] = std::move(units);
    out.push_back(std::move(entry));
  }
  return out;
}

// The report recorded last (whatever its period): what "上次报送" and the
// silence warnings read. Its "late" says whether it was 补报.
json LastReportJson(const StreamState& state, const Calendar& calendar) {
  if (!state.last_report.has_value()) return nullptr;
  const LastReport& last = *state.last_report;
  return {{"version", last.version.value},
          {"recorded_at", FormatTimestamp(last.recorded_at)},
          {"principal", last.principal},
          {"unit", last.unit},
          {"period", FormatMonth(last.period)},
          {"percent", NumberJson<json>(last.percent)},
          {"late", calendar.Late(last.period, last.recorded_at)},
          {"decision", last.decision ? json(DecisionName(*last.decision)) : json(nullptr)},
          {"reviewed_at", TimestampJson(last.reviewed_at)}};
}

// The overall percent as of its period: the latest period's (not the latest
// recorded report's), from a report not returned; null when there is none.
json ProgressOfJson(const StreamState& state, const std::vector<std::string>& lead_units, const Calendar& calendar,
                    std::optional<std::chrono::year_month> up_to) {
  const std::optional<Reading> progress = LatestProgress(state, lead_units, up_to);
  if (!progress.has_value()) return nullptr;
  return {{"percent", NumberJson<json>(progress->value)},
          {"period", FormatMonth(progress->period)},
          {"version", progress->version.value},
          {"reported_at", FormatTimestamp(progress->recorded_at)},
          {"late", calendar.Late(progress->period, progress->recorded_at)}};
}

// The 总体进度 awaiting review (待审核), shown beside the approved one: the
// percent once the pending reports are approved, when that is a pending
// report's; null otherwise.
json PendingProgressJson(const StreamState& state, const std::vector<std::string>& lead_units,
                         std::optional<std::chrono::year_month> up_to) {
  const std::optional<Reading> progress = LatestProgress(state, lead_units, up_to, true);
  if (!progress.has_value() || !state.pending_reports.contains(progress->version)) return nullptr;
  return {{"percent", NumberJson<json>(progress->value)},
          {"period", FormatMonth(progress->period)},
          {"version", progress->version.value},
          {"label", "待审核"}};
}

// Every target of the item, reported or not, in the catalog's order.
json IndicatorsJson(const StreamState& state, const std::vector<Target>& targets,
                    const std::vector<std::string>& lead_units, const Calendar& calendar,
                    std::optional<std::chrono::year_month> up_to) {
  json out = json::array();
  for (const Target& target : targets) {
    json entry =
        ReadingJson(target, CountyReadingIn(state, target.indicator, target.unit, lead_units, up_to), calendar);
    entry["indicator"] = target.indicator;
    out.push_back(std::move(entry));
  }
  return out;
}

std::string_view ChangeLabel(MilestoneChangeKind kind) {
  switch (kind) {
    case MilestoneChangeKind::kSet: return "设定";
    case MilestoneChangeKind::kMoved: return "调整";
    case MilestoneChangeKind::kMet: return "完成";
    case MilestoneChangeKind::kCancelled: return "取消";
  }
  return "未知";
}

// Who made a change, as a clerk reads it: the actor's unit, or 工作专班.
std::string ChangedBy(const MilestoneChange& change) { return change.unit.empty() ? "工作专班" : change.unit; }

json MilestoneHistoryJson(const Milestone& milestone) {
  json out = json::array();
  for (const MilestoneChange& change : milestone.history) {
    out.push_back({{"kind", ChangeKindName(change.kind)},
                   {"label", ChangeLabel(change.kind)},
                   {"version", change.version.value},
                   {"at", FormatTimestamp(change.at)},
                   {"principal", change.principal},
                   {"by", ChangedBy(change)},
                   {"due", OptionalDateJson(change.due)},
                   {"from", OptionalDateJson(change.from)},
                   {"text", change.text},
                   {"report_version", OptionalVersionJson(change.report_version)}});
  }
  return out;
}

// How a met milestone was met: when, by which report or by the task force,
// and whether by its due date.
json MetJson(const Milestone& milestone, const Calendar& calendar) {
  if (!milestone.met_at.has_value()) return nullptr;
  const std::chrono::sys_days day = calendar.Day(*milestone.met_at);
  const bool by_report = milestone.met_by_report.has_value();
  return {{"at", FormatTimestamp(*milestone.met_at)},
          {"date", FormatDate(std::chrono::year_month_day(day))},
          {"by", by_report ? "report" : "taskforce"},
          {"report_version", OptionalVersionJson(milestone.met_by_report)},
          {"by_label", by_report ? "报告v" + std::to_string(milestone.met_by_report->value) : std::string("专班")},
          {"on_time", day <= std::chrono::sys_days(milestone.due)}};
}

json CancelledJson(const Milestone& milestone) {
  if (!milestone.cancelled_at.has_value()) return nullptr;
  std::string reason;
  for (const MilestoneChange& change : milestone.history) {
    if (change.kind == MilestoneChangeKind::kCancelled) reason = change.text;
  }
  return {{"at", FormatTimestamp(*milestone.cancelled_at)}, {"reason", reason}};
}

// 已调整: the latest move, from -> to, with its reason; null if never moved.
json AdjustedJson(const Milestone& milestone) {
  const MilestoneChange* move = LastMove(milestone);
  if (move == nullptr) return nullptr;
  std::int64_t moves = 0;
  for (const MilestoneChange& change : milestone.history) moves += change.kind == MilestoneChangeKind::kMoved;
  return {{"from", OptionalDateJson(move->from)},
          {"to", OptionalDateJson(move->due)},
          {"reason", move->text},
          {"at", FormatTimestamp(move->at)},
          {"times", moves}};
}

// Reports awaiting review that say they meet `name`: they meet it once approved.
json PendingClaimsJson(const StreamState& state, const std::string& name) {
  json out = json::array();
  for (const auto& [version, report] : state.pending_reports) {
    if (std::find(report.milestones_met.begin(), report.milestones_met.end(), name) != report.milestones_met.end()) {
      out.push_back(version.value);
    }
  }
  return out;
}

// The item's milestones (时限), by due date: each one's state as of today,
// how it was met, moved or cancelled, and its history.
json DeadlinesJson(const StreamState& state, const Calendar& calendar, bool completed) {
  std::vector<std::pair<std::chrono::sys_days, const std::string*>> by_due;
  for (const auto& [name, milestone] : state.milestones) by_due.emplace_back(std::chrono::sys_days(milestone.due), &name);
  std::sort(by_due.begin(), by_due.end(),
            [](const auto& a, const auto& b) { return a.first != b.first ? a.first < b.first : *a.second < *b.second; });
  json out = json::array();
  for (const auto& [due, name] : by_due) {
    const Milestone& milestone = state.milestones.at(*name);
    const MilestoneStatus status = JudgeMilestone(milestone, calendar, completed);
    out.push_back({{"milestone", *name},
                   {"due", FormatDate(milestone.due)},
                   {"original_due", FormatDate(OriginalDue(milestone))},
                   {"days_left", DaysLeft(milestone, calendar)},
                   {"overdue", status == MilestoneStatus::kOverdue},
                   {"state", MilestoneStatusName(status)},
                   {"state_label", MilestoneStatusLabel(status)},
                   {"met", MetJson(milestone, calendar)},
                   {"adjusted", AdjustedJson(milestone)},
                   {"cancelled", CancelledJson(milestone)},
                   {"pending_claims", PendingClaimsJson(state, *name)},
                   {"history", MilestoneHistoryJson(milestone)}});
  }
  return out;
}

json OpenNoticesJson(const StreamState& state, const Calendar& calendar) {
  json out = json::array();
  for (const auto& [id, notice] : state.open_notices) {
    const std::optional<std::chrono::sys_days> sign_by = SignBy(notice, calendar);
    out.push_back({{"id", id},
                   {"number", notice.number},
                   {"reason", notice.reason},
                   {"due", FormatDate(notice.due)},
                   {"answered", notice.answered_at.has_value()},
                   {"answered_at", TimestampJson(notice.answered_at)},
                   {"answer", notice.answer},
                   {"issued_at", TimestampJson(notice.issued_at)},
                   {"signed", notice.signed_at.has_value()},
                   {"signed_at", TimestampJson(notice.signed_at)},
                   {"signed_by", notice.signed_by},
                   {"sign_by", sign_by ? json(FormatDate(std::chrono::year_month_day(*sign_by))) : json(nullptr)},
                   {"sign_overdue", NoticeSignOverdue(notice, calendar)},
                   {"overdue", NoticeOverdue(notice, calendar)}});
  }
  return out;
}

// 批示 on the item, oldest first; one on a notice names it and, while the
// notice is open, its 文号.
json InstructionsJson(const StreamState& state) {
  json out = json::array();
  for (const Instruction& i : state.instructions) {
    auto notice = i.notice_id.empty() ? state.open_notices.end() : state.open_notices.find(i.notice_id);
    out.push_back({{"version", i.version.value},
                   {"given_at", FormatTimestamp(i.given_at)},
                   {"principal", i.principal},
                   {"leader_name", i.leader_name.empty() ? i.principal : i.leader_name},
                   {"notice_id", i.notice_id.empty() ? json(nullptr) : json(i.notice_id)},
                   {"notice_number", notice != state.open_notices.end() ? json(notice->second.number) : json(nullptr)},
                   {"text", i.text},
                   {"attachments", AttachmentsJson(i.attachments)}});
  }
  return out;
}

// The fields tasks and major items share.
void AddSupervision(json& out, const StreamState& state, const std::vector<Target>& targets,
                    const std::vector<std::string>& lead_units, const Evaluation& evaluation, const Calendar& calendar,
                    std::optional<std::chrono::year_month> up_to) {
  json reasons = json::array();
  for (const auto& [level, reason] : evaluation.reasons) reasons.push_back(reason);
  out["status"] = TaskStatusName(evaluation.status);
  out["status_label"] = TaskStatusLabel(evaluation.status);
  // 据关联任务: a major item's status derived from its linked tasks.
  out["status_basis"] = evaluation.status_from_related_tasks ? "related_tasks" : "own_reports";
  out["returned_units"] = evaluation.returned_units;
  out["pending_units"] = evaluation.pending_units;
  out["lead_report"] = nullptr;
  if (const std::optional<ReviewEntry>& lead = evaluation.lead_report) {
    out["lead_report"] = {{"version", lead->version.value},
                          {"recorded_at", FormatTimestamp(lead->recorded_at)},
                          {"unit", lead->unit},
                          {"period", FormatMonth(lead->period)},
                          {"late", calendar.Late(lead->period, lead->recorded_at)},
                          {"decision", lead->decision ? json(DecisionName(*lead->decision)) : json(nullptr)}};
  }
  out["version"] = state.version.value;
  out["completed_at"] = TimestampJson(state.completed_at);
  out["last_report"] = LastReportJson(state, calendar);
  out["progress"] = ProgressOfJson(state, lead_units, calendar, up_to);
  out["progress_pending"] = PendingProgressJson(state, lead_units, up_to);
  out["indicators"] = IndicatorsJson(state, targets, lead_units, calendar, up_to);
  if (up_to.has_value()) out["period"] = FormatMonth(*up_to);
  out["deadlines"] = DeadlinesJson(state, calendar, evaluation.status == TaskStatus::kCompleted);
  out["open_notices"] = OpenNoticesJson(state, calendar);
  out["instructions"] = InstructionsJson(state);
  out["warning"] = WarningLevelName(evaluation.level);
  out["warning_label"] = WarningLevelLabel(evaluation.level);
  out["warning_reasons"] = std::move(reasons);
}

json TaskJson(const TaskSpec& task, const StreamState& state, const Evaluation& evaluation,
              const Calendar& calendar, std::optional<std::chrono::year_month> up_to = std::nullopt) {
  json out = {{"no", task.no.value},
              {"stream", TaskStream(task.no).value},
              {"category", task.category},
              {"item", task.item},
              {"lead_unit", task.lead_unit},
              {"cooperating_units", task.cooperating_units}};
  AddSupervision(out, state, task.targets, {task.lead_unit}, evaluation, calendar, up_to);
  return out;
}

json MajorJson(const MajorItem& item, const StreamState& state, const Evaluation& evaluation,
               const Calendar& calendar, std::optional<std::chrono::year_month> up_to = std::nullopt) {
  json related = json::array();
  for (TaskNo no : item.related_tasks) related.push_back(no.value);
  json out = {{"no", item.no.value},
              {"stream", MajorStream(item.no).value},
              {"kind", item.kind},
              {"name", item.name},
              {"units", item.units},
              {"related_tasks", related}};
  AddSupervision(out, state, item.targets, item.units, evaluation, calendar, up_to);
  return out;
}

const StreamState& Find(const std::map<std::string, StreamState>& streams, const StreamId& stream) {
  static const StreamState kNoEvents;
  auto it = streams.find(stream.value);
  return it == streams.end() ? kNoEvents : it->second;
}

// Counts a unit's items by how they fare.
// One unit's items by warning level, counted over exactly the rows its
// 单位视图 lists (led tasks, cooperating tasks, major items naming it), so the
// summary cards and the table read the same numbers (session 7, item 6).
struct Tally {
  std::int64_t on_track = 0, warned = 0, overdue = 0;
  std::map<std::string, std::int64_t> by_warning = {{"none", 0}, {"blue", 0}, {"yellow", 0}, {"red", 0}};
  std::int64_t items = 0;
  void Add(WarningLevel level) {
    ++items;
    ++by_warning[std::string(WarningLevelName(level))];
    if (level == WarningLevel::kNone) {
      ++on_track;
    } else if (level == WarningLevel::kRed) {
      ++overdue;
    } else {
      ++warned;
    }
  }
};

// Per unit: its items, how they fare, and the 批示 on the items it leads or
// cooperates on (its 待办 reads them), by item, oldest first within one.
json UnitsJson(const Catalog& catalog, const std::map<std::string, Evaluation>& evaluations,
               const std::map<std::string, StreamState>& streams) {
  json out = json::array();
  for (const Unit& unit : catalog.units) {
    json led = json::array(), cooperating = json::array(), majors = json::array();
    Tally tally;
    for (const TaskSpec& task : catalog.tasks) {
      const bool leads = task.lead_unit == unit.name;
      const bool cooperates = std::find(task.cooperating_units.begin(), task.cooperating_units.end(),
                                        unit.name) != task.cooperating_units.end();
      if (leads) led.push_back(task.no.value);
      if (cooperates) cooperating.push_back(task.no.value);
      if (leads || cooperates) tally.Add(evaluations.at(TaskStream(task.no).value).level);
    }
    for (const MajorItem& item : catalog.major_items) {
      if (std::find(item.units.begin(), item.units.end(), unit.name) == item.units.end()) continue;
      majors.push_back(item.no.value);
      tally.Add(evaluations.at(MajorStream(item.no).value).level);
    }
    json instructions = json::array();
    auto add_instructions = [&](const StreamId& stream) {
      auto it = streams.find(stream.value);
      if (it == streams.end()) return;
      for (json& i : InstructionsJson(it->second)) {
        i["stream"] = stream.value;
        instructions.push_back(std::move(i));
      }
    };
    for (const json& no : led) add_instructions(TaskStream(TaskNo(no.get<std::uint64_t>())));
    for (const json& no : cooperating) add_instructions(TaskStream(TaskNo(no.get<std::uint64_t>())));
    for (const json& no : majors) add_instructions(MajorStream(MajorNo(no.get<std::uint64_t>())));
    out.push_back({{"unit", unit.name},
                   {"kind", unit.kind},
                   {"instructions", std::move(instructions)},
                   {"led", led},
                   {"cooperating", cooperating},
                   {"major_items", majors},
                   {"items", tally.items},
                   {"by_warning", tally.by_warning},
                   {"on_track", tally.on_track},
                   {"warned", tally.warned},
                   {"overdue", tally.overdue}});
  }
  return out;
}

// A county target reads the latest value its source task reported for a period
// within the target's year: the 2024 target keeps its 2024 figure after 2025's reports arrive.
json TargetsJson(const Catalog& catalog, const std::map<std::string, StreamState>& streams,
                 const Calendar& calendar) {
  json out = json::array();
  for (const Target& target : catalog.targets) {
    CountyReading reading;
    json source = nullptr;
    if (target.source.has_value()) {
      const StreamId stream = TaskStream(target.source->task);
      std::optional<std::chrono::year_month> up_to;
      if (target.year.has_value()) up_to = std::chrono::year(*target.year) / std::chrono::December;
      const TaskSpec* task = catalog.FindTask(target.source->task);
      const std::vector<std::string> leads = task != nullptr ? std::vector<std::string>{task->lead_unit}
                                                             : std::vector<std::string>{};
      reading = CountyReadingIn(Find(streams, stream), target.source->indicator, target.unit, leads, up_to);
      source = {{"task", target.source->task.value}, {"stream", stream.value}, {"indicator", target.source->indicator}};
    }
    json entry = ReadingJson(target, reading, calendar);
    entry["year"] = target.year ? json(*target.year) : json(nullptr);
    entry["framework"] = target.framework;
    entry["indicator"] = target.indicator;
    entry["as_printed"] = target.as_printed;  // a qualitative target's text (定性目标)
    entry["source"] = std::move(source);
    out.push_back(std::move(entry));
  }
  return out;
}

// Every status and level is listed, with 0 where no item has it.
json CountsJson(const std::map<std::string, Evaluation>& evaluations) {
  std::map<std::string, std::int64_t> by_status, by_warning;
  for (TaskStatus status : {TaskStatus::kNotStarted, TaskStatus::kInProgress, TaskStatus::kPendingReview,
                            TaskStatus::kReturned, TaskStatus::kCompleted}) {
    by_status[std::string(TaskStatusName(status))] = 0;
  }
  for (WarningLevel level : {WarningLevel::kNone, WarningLevel::kBlue, WarningLevel::kYellow, WarningLevel::kRed}) {
    by_warning[std::string(WarningLevelName(level))] = 0;
  }
  for (const auto& [stream, evaluation] : evaluations) {
    ++by_status[std::string(TaskStatusName(evaluation.status))];
    ++by_warning[std::string(WarningLevelName(evaluation.level))];
  }
  return {{"items", evaluations.size()}, {"by_status", by_status}, {"by_warning", by_warning}};
}

const TaskSpec* FindTaskOfStream(const Catalog& catalog, const StreamId& stream) {
  for (const TaskSpec& task : catalog.tasks) {
    if (TaskStream(task.no) == stream) return &task;
  }
  return nullptr;
}

const MajorItem* FindMajorOfStream(const Catalog& catalog, const StreamId& stream) {
  for (const MajorItem& item : catalog.major_items) {
    if (MajorStream(item.no) == stream) return &item;
  }
  return nullptr;
}

// The inputs of the status rule for any stream, read from the view's state.
struct StatusContext {
  const Catalog& catalog;
  const std::map<std::string, SupervisionView::StreamState>& streams;
  const std::map<std::string, ReviewLedger>& reviews;
};

const ReviewLedger* LedgerOf(const StatusContext& c, const StreamId& stream) {
  auto it = c.reviews.find(stream.value);
  return it == c.reviews.end() ? nullptr : &it->second;
}

TaskStatus StatusOfStream(const StatusContext& c, const StreamId& stream, const std::vector<std::string>& lead_units) {
  const StreamState& state = Find(c.streams, stream);
  return ItemStatus(state.completed_at.has_value(), state.started, StatusReports(c.reviews, stream.value, state),
                    lead_units);
}

// The item's evaluation with its status by the one rule (domain/item_status.h).
Evaluation EvaluateStream(const StatusContext& c, const StreamId& stream, const Calendar& calendar) {
  const StreamState& state = Find(c.streams, stream);
  std::vector<std::string> leads;
  std::vector<bool> related;  // a major item's linked tasks: has each an approved report
  bool major = false;
  if (const TaskSpec* task = FindTaskOfStream(c.catalog, stream)) {
    leads = {task->lead_unit};
  } else if (const MajorItem* item = FindMajorOfStream(c.catalog, stream)) {
    major = true;
    leads = item->units;
    for (TaskNo no : item->related_tasks) {
      const TaskSpec* task = c.catalog.FindTask(no);
      if (task != nullptr) {
        const StreamId linked = TaskStream(no);
        related.push_back(AnyApproved(StatusReports(c.reviews, linked.value, Find(c.streams, linked))));
      }
    }
  }
  const TaskStatus own = StatusOfStream(c, stream, leads);
  const MajorItemStatusResult status = major ? MajorItemStatus(own, related) : MajorItemStatusResult{own, false};
  const std::vector<ReportForStatus> reports = StatusReports(c.reviews, stream.value, state);
  Evaluation out = Evaluate(state, calendar, status, UnitsWithReturnedReport(reports, leads),
                            UnitsWithPendingReport(reports, leads));
  if (auto ledger = c.reviews.find(stream.value); ledger != c.reviews.end()) {
    for (const auto& [version, entry] : ledger->second.entries()) {
      const bool lead = entry.unit.empty() || std::find(leads.begin(), leads.end(), entry.unit) != leads.end();
      if (lead && !(entry.superseded_by.has_value() && !entry.decision.has_value())) out.lead_report = entry;
    }
  }
  return out;
}

}  // namespace

Result<std::unique_ptr<SupervisionView>> SupervisionView::Create(Catalog catalog, SupervisionOptions options) {
  RETURN_IF_ERROR(ValidateSupervisionOptions(options));
  RETURN_IF_ERROR(ValidateCatalog(catalog));
  std::optional<std::chrono::year_month_day> plan_date = ParseDate(catalog.document.date);
  if (!plan_date.has_value()) {
    return Status::InvalidArgument("document.date: \"" + catalog.document.date +
                                       "\" is not a date written YYYY-MM-DD",
                                   "document.date");
  }
  // The constructor is private so that only validated options reach it.
  return std::unique_ptr<SupervisionView>(
      new SupervisionView(std::move(catalog), options, std::chrono::sys_days(*plan_date)));
}

SupervisionView::SupervisionView(Catalog catalog, SupervisionOptions options, std::chrono::sys_days plan_date)
    : catalog_(std::move(catalog)), options_(options), plan_date_(plan_date) {
  for (const StreamId& stream : AllStreams(catalog_)) supervised_.insert(stream.value);
}

const SupervisionView::StreamState& SupervisionView::StateOf(const StreamId& stream) const {
  return Find(streams_, stream);
}

std::optional<std::chrono::year_month> SupervisionView::SupervisionStart() const {
  std::optional<Timestamp> created = store_created_at_;
  if (!created.has_value()) created = options_.store_created_at;
  return SupervisionStartMonth(catalog_.supervision_start, created, options_.utc_offset_minutes);
}

void SupervisionView::Apply(const RecordedEvent& envelope, const EventData& event) {
  // The store's first event dates its creation, the default start of supervision.
  if (envelope.position.value == 1 && !store_created_at_.has_value()) {
    store_created_at_ = envelope.recorded_at;
    store_changed_ = true;
  }
  if (!supervised_.contains(envelope.stream.value)) return;
  const std::string& stream = envelope.stream.value;
  StreamState& state = streams_[stream];
  // Each event arrives once (View's contract); a repeat from a replay must not count twice.
  if (envelope.version <= state.version) return;
  state.version = envelope.version;
  // A pending report's row changes when the report arrives (not stored yet)
  // and when it leaves (stored, unless it arrived since the last take: the
  // first note of a row in this window is the one that counts).
  auto touch_pending = [&](StreamVersion version, bool stored_before) {
    pending_changed_.try_emplace({stream, version}, stored_before);
  };
  const auto* review = std::get_if<ReportReviewed>(&event);
  const bool reviews_pending = review != nullptr && state.pending_reports.contains(review->report_version);
  std::visit(Fold{state, envelope}, event);
  changed_.insert(stream);
  const bool reported = std::holds_alternative<ProgressReported>(event);
  if (reported) touch_pending(envelope.version, false);
  if (reviews_pending) touch_pending(review->report_version, true);
  if (reported || review != nullptr) {
    ReviewLedgerChange change = reviews_[stream].Apply(envelope, event);
    // A superseded report (已被替代) awaits no review: it leaves the pending
    // reports, and with them the item's 待审核 and its figures.
    for (StreamVersion superseded : change.superseded) {
      if (state.pending_reports.erase(superseded) > 0) touch_pending(superseded, true);
    }
    for (StreamVersion version : change.changed) reviews_changed_.emplace(stream, version);
  }
}

std::vector<std::pair<std::string, std::string>> SupervisionView::TakeChangedRows() {
  std::vector<std::pair<std::string, std::string>> rows;
  rows.reserve(changed_.size() + pending_changed_.size() + reviews_changed_.size() + 1);
  for (const std::string& stream : changed_) rows.emplace_back(stream, StateToJson(streams_.at(stream)).dump());
  changed_.clear();
  for (const auto& [key, stored_before] : pending_changed_) {
    const auto& [stream, version] = key;
    const std::map<StreamVersion, PendingReport>& pending = streams_.at(stream).pending_reports;
    auto it = pending.find(version);
    if (it != pending.end()) {
      rows.emplace_back(ReportRowKey(kPendingRowPrefix, stream, version), PendingReportToJson(it->second).dump());
    } else if (stored_before) {
      rows.emplace_back(ReportRowKey(kPendingRowPrefix, stream, version), std::string());  // reviewed: deleted
    }
  }
  pending_changed_.clear();
  for (const auto& [stream, version] : reviews_changed_) {
    rows.emplace_back(ReportRowKey(kReviewRowPrefix, stream, version),
                      ReviewLedger::EntryToRow(*reviews_.at(stream).Find(version)));
  }
  reviews_changed_.clear();
  if (store_changed_ && store_created_at_.has_value()) {
    rows.emplace_back(std::string(kStoreRow),
                      json({{"format", kRowFormat}, {"created_at_us", MicrosJson(store_created_at_)}}).dump());
    store_changed_ = false;
  }
  return rows;
}

Status SupervisionView::LoadRow(std::string_view key, std::string_view value) {
  const std::string where = "supervision row \"" + std::string(key) + "\": ";
  const bool review_row = key.starts_with(kReviewRowPrefix);
  if (review_row || key.starts_with(kPendingRowPrefix)) {
    const std::string_view rest = key.substr(review_row ? kReviewRowPrefix.size() : kPendingRowPrefix.size());
    std::optional<std::pair<std::string, StreamVersion>> report = ParseReportRowKey(rest);
    if (!report.has_value()) {
      return Status::DataLoss(where + "not a key of this row format (<stream>/<version of 20 digits>)");
    }
    auto& [stream, version] = *report;
    if (review_row) {
      Result<ReviewEntry> entry = ReviewLedger::EntryFromRow(value);
      if (!entry.ok()) return Status::DataLoss(where + entry.status().message());
      if (entry->version != version) return Status::DataLoss(where + "version: is not the key's");
      reviews_[stream].Load(std::move(entry).value());
      return Status::Ok();
    }
    // An empty value is a deletion (TakeChangedRows' form of it): no report.
    if (value.empty()) {
      if (auto it = streams_.find(stream); it != streams_.end()) it->second.pending_reports.erase(version);
      return Status::Ok();
    }
    json row = json::parse(value, nullptr, /*allow_exceptions=*/false);
    if (row.is_discarded()) return Status::DataLoss(where + "not JSON");
    Result<PendingReport> pending = PendingReportFromJson(row, "");
    if (!pending.ok()) return Status::DataLoss(where + pending.status().message());
    if (pending->version != version) return Status::DataLoss(where + "version: is not the key's");
    streams_[stream].pending_reports[version] = std::move(pending).value();
    return Status::Ok();
  }
  json row = json::parse(value, nullptr, /*allow_exceptions=*/false);
  if (row.is_discarded()) return Status::DataLoss(where + "not JSON");
  if (key == kStoreRow) {
    JsonReader r(row, "");
    Status read = [&]() -> Status {
      RETURN_IF_ERROR(r.ExpectObject());
      RETURN_IF_ERROR(r.RejectUnknown({"format", "created_at_us"}));
      ASSIGN_OR_RETURN(std::int64_t format, r.Integer("format"));
      if (format != kRowFormat && format != kInlinePendingRowFormat) {
        return Malformed("format", "is not a row format this build reads");
      }
      ASSIGN_OR_RETURN(Timestamp created, ReadMicros(r, "created_at_us"));
      store_created_at_ = created;
      return Status::Ok();
    }();
    return read.ok() ? read : Status::DataLoss(where + read.message());
  }
  Result<StreamState> state = StateFromJson(row);
  if (!state.ok()) return Status::DataLoss(where + state.status().message());
  // Rows load in any order: pending reports read from their own rows stay.
  StreamState& slot = streams_[std::string(key)];
  std::map<StreamVersion, PendingReport> loaded_pending = std::move(slot.pending_reports);
  slot = std::move(state).value();
  slot.pending_reports.merge(loaded_pending);
  return Status::Ok();
}

json SupervisionView::Render(Timestamp now) const {
  const StatusContext context{catalog_, streams_, reviews_};  // the status rule's inputs
  const std::optional<std::chrono::year_month> start = SupervisionStart();
  const Calendar calendar = MakeCalendar(options_, plan_date_, catalog_.notice_sign_working_days, now, start);
  std::map<std::string, Evaluation> evaluations;  // by stream, for the units and counts
  json tasks = json::array(), majors = json::array();
  for (const TaskSpec& task : catalog_.tasks) {
    const StreamId stream = TaskStream(task.no);
    const Evaluation& evaluation = evaluations[stream.value] = EvaluateStream(context, stream, calendar);
    tasks.push_back(TaskJson(task, Find(streams_, stream), evaluation, calendar));
  }
  for (const MajorItem& item : catalog_.major_items) {
    const StreamId stream = MajorStream(item.no);
    const Evaluation& evaluation = evaluations[stream.value] = EvaluateStream(context, stream, calendar);
    majors.push_back(MajorJson(item, Find(streams_, stream), evaluation, calendar));
  }
  return {{"as_of", FormatTimestamp(now)},
          {"today", FormatDate(std::chrono::year_month_day(calendar.today))},
          {"tasks", std::move(tasks)},
          {"major_items", std::move(majors)},
          {"units", UnitsJson(catalog_, evaluations, streams_)},
          {"targets", TargetsJson(catalog_, streams_, calendar)},
          {"counts", CountsJson(evaluations)},
          {"supervision_start", start ? json(FormatMonth(*start)) : json(nullptr)},
          {"report_due_day", options_.report_due_day}};
}

Result<json> SupervisionView::RenderItem(const StreamId& stream, Timestamp now,
                                         std::optional<std::chrono::year_month> period) const {
  const StatusContext context{catalog_, streams_, reviews_};  // the status rule's inputs
  const Calendar calendar =
      MakeCalendar(options_, plan_date_, catalog_.notice_sign_working_days, now, SupervisionStart());
  const StreamState& state = Find(streams_, stream);
  for (const TaskSpec& task : catalog_.tasks) {
    if (TaskStream(task.no) != stream) continue;
    json out = TaskJson(task, state, EvaluateStream(context, stream, calendar), calendar, period);
    out["unit_breakdown"] =
        UnitBreakdownJson(state, task.targets, {task.lead_unit}, calendar, period, LedgerOf(context, stream));
    return out;
  }
  for (const MajorItem& item : catalog_.major_items) {
    if (MajorStream(item.no) != stream) continue;
    json out = MajorJson(item, state, EvaluateStream(context, stream, calendar), calendar, period);
    out["unit_breakdown"] = UnitBreakdownJson(state, item.targets, item.units, calendar, period, LedgerOf(context, stream));
    return out;
  }
  return Status::NotFound("the plan has no task or major item with stream \"" + stream.value + "\"");
}

std::vector<SupervisionView::Standing> SupervisionView::Standings(Timestamp now) const {
  const StatusContext context{catalog_, streams_, reviews_};  // the status rule's inputs
  const Calendar calendar =
      MakeCalendar(options_, plan_date_, catalog_.notice_sign_working_days, now, SupervisionStart());
  std::vector<Standing> out;
  auto add = [&](const StreamId& stream) {
    const StreamState& state = Find(streams_, stream);
    Evaluation evaluation = EvaluateStream(context, stream, calendar);
    Standing standing{stream, evaluation.status, evaluation.level, {}, {}};
    for (auto& [level, reason] : evaluation.reasons) standing.reasons.push_back(std::move(reason));
    for (const auto& [id, notice] : state.open_notices) {
      standing.open_notices.push_back({notice, NoticeOverdue(notice, calendar), NoticeSignOverdue(notice, calendar)});
    }
    out.push_back(std::move(standing));
  };
  for (const TaskSpec& task : catalog_.tasks) add(TaskStream(task.no));
  for (const MajorItem& item : catalog_.major_items) add(MajorStream(item.no));
  return out;
}

ReviewQueuePage SupervisionView::ReviewQueue(const ReviewQueueQuery& query) const {
  const ReviewDeadlines deadlines{static_cast<unsigned>(options_.report_due_day), options_.utc_offset_minutes};
  // Candidates point at the entries; only the page's are copied.
  std::vector<ReviewQueueCandidate> candidates;
  for (const auto& [stream, ledger] : reviews_) {
    for (const auto& [version, entry] : ledger.entries()) candidates.push_back({&stream, &entry});
  }
  // Rows written before the queue existed hold only the pending reports.
  std::deque<ReviewEntry> unledgered;  // stable addresses while the page is made
  for (const auto& [stream, state] : streams_) {
    auto ledger = reviews_.find(stream);
    for (const auto& [version, report] : state.pending_reports) {
      if (ledger != reviews_.end() && ledger->second.entries().contains(version)) continue;
      ReviewEntry& entry = unledgered.emplace_back();
      entry.version = version;
      entry.period = report.period;
      entry.recorded_at = report.recorded_at;
      entry.percent = report.percent.value_or(0);
      entry.indicators = report.indicators;
      if (state.last_report.has_value() && state.last_report->version == version) {
        entry.unit = state.last_report->unit;
        entry.principal = state.last_report->principal;
      }
      candidates.push_back({&stream, &entry});
    }
  }
  return PageReviewQueue(std::move(candidates), query, deadlines);
}

}  // namespace kuimen
