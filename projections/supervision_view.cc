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

namespace {

// Bumped whenever the row's shape changes; older rows are refused, not guessed at.
// 2: bounded state (last report, pending reports, approved figures) instead of every report.
// Rows of format 2 written before figures were kept per period (and before
// pending reports kept their percent) are read as they are: see StateFromJson.
// 3: pending reports in rows of their own, not in the stream's row. A stream
// row of format 2 (its pending reports inline) still reads.
// 4: each milestone in a row of its own, not in the stream's row. A stream row
// of format 3 (its milestones inline) still reads.
constexpr std::int64_t kRowFormat = 4;
constexpr std::int64_t kInlineMilestonesRowFormat = 3;
constexpr std::int64_t kInlinePendingRowFormat = 2;
bool ReadableStreamRowFormat(std::int64_t format) {
  return format == kRowFormat || format == kInlineMilestonesRowFormat || format == kInlinePendingRowFormat;
}
// The row holding when the store was created; not a stream name.
constexpr std::string_view kStoreRow = "~store";
// The prefixes of a report's rows ("~reviews/task-07/00000000000000000012"):
// its review-queue entry, and while it awaits review its pending report.
// Not stream names (streams never start with '~').
constexpr std::string_view kReviewRowPrefix = "~reviews/";
constexpr std::string_view kPendingRowPrefix = "~pending/";
// The prefix of a milestone's row ("~milestones/task-07/首期托管"): the stream,
// then '/', then the milestone's name as written (any text of a line, '/'
// included). A stream name never holds '/' ("task-07", "major-3"), so the
// first '/' after the prefix ends the stream.
constexpr std::string_view kMilestoneRowPrefix = "~milestones/";
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

std::string MilestoneRowKey(const std::string& stream, const std::string& milestone) {
  std::string key;
  key.reserve(kMilestoneRowPrefix.size() + stream.size() + 1 + milestone.size());
  key.append(kMilestoneRowPrefix).append(stream).append("/").append(milestone);
  return key;
}

// The stream and milestone name of a milestone row's key (its prefix already
// removed); nullopt when either is empty or there is no '/'.
std::optional<std::pair<std::string, std::string>> ParseMilestoneRowKey(std::string_view rest) {
  const std::size_t slash = rest.find('/');
  if (slash == std::string_view::npos || slash == 0 || slash + 1 == rest.size()) return std::nullopt;
  return std::pair<std::string, std::string>(std::string(rest.substr(0, slash)), std::string(rest.substr(slash + 1)));
}

// --- folding events ----------------------------------------------------------

// Each event type explicitly, so a type added to EventData fails to compile here.
// Every case is O(log n) in the size of the (bounded) state, never in the stream's length.
struct Fold {
  StreamState& state;
  const RecordedEvent& envelope;
  std::vector<std::string>& milestones_changed;  // the names of the milestones this event changed

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
    milestones_changed.push_back(e.milestone);
  }
  void operator()(const MilestoneMet& e) const {
    auto it = state.milestones.find(e.milestone);
    if (it == state.milestones.end() || it->second.met_at || it->second.cancelled_at) return;
    MilestoneChange change = Change(MilestoneChangeKind::kMet);
    change.text = e.note;
    it->second.met_at = envelope.recorded_at;
    it->second.history.push_back(std::move(change));
    milestones_changed.push_back(e.milestone);
  }
  void operator()(const MilestoneCancelled& e) const {
    auto it = state.milestones.find(e.milestone);
    if (it == state.milestones.end() || it->second.met_at || it->second.cancelled_at) return;
    MilestoneChange change = Change(MilestoneChangeKind::kCancelled);
    change.text = e.reason;
    it->second.cancelled_at = envelope.recorded_at;
    it->second.history.push_back(std::move(change));
    milestones_changed.push_back(e.milestone);
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
      milestones_changed.push_back(name);
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

// A change's kind is stored by its public name (MilestoneChangeKindName,
// projections/supervision_board.h): one place for the words.
std::optional<MilestoneChangeKind> ChangeKindFromName(std::string_view name) {
  for (MilestoneChangeKind kind : {MilestoneChangeKind::kSet, MilestoneChangeKind::kMoved, MilestoneChangeKind::kMet,
                                   MilestoneChangeKind::kCancelled}) {
    if (MilestoneChangeKindName(kind) == name) return kind;
  }
  return std::nullopt;
}

json OptionalDateJson(const std::optional<std::chrono::year_month_day>& date) {
  return date.has_value() ? json(FormatDate(*date)) : json(nullptr);
}

json OptionalVersionJson(const std::optional<StreamVersion>& version) {
  return version.has_value() ? json(version->value) : json(nullptr);
}

// A milestone's own row (~milestones/<stream>/<name>; the key holds the name).
json MilestoneToJson(const Milestone& milestone) {
  json history = json::array();
  for (const MilestoneChange& change : milestone.history) {
    history.push_back({{"kind", MilestoneChangeKindName(change.kind)},
                       {"version", change.version.value},
                       {"at_us", MicrosJson(change.at)},
                       {"principal", change.principal},
                       {"unit", change.unit},
                       {"due", OptionalDateJson(change.due)},
                       {"from", OptionalDateJson(change.from)},
                       {"text", change.text},
                       {"report_version", OptionalVersionJson(change.report_version)}});
  }
  return {{"due", FormatDate(milestone.due)},
          {"met_at_us", MicrosJson(milestone.met_at)},
          {"met_by_report", OptionalVersionJson(milestone.met_by_report)},
          {"cancelled_at_us", MicrosJson(milestone.cancelled_at)},
          {"history", std::move(history)}};
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

// The stream's row: its bounded state, without the pending reports and the
// milestones (rows of their own). nlohmann::json keeps object keys sorted, and every collection
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

// One milestone: its own row (format 4), or an element of a format-3 stream
// row's "milestones", which names it (`named`).
Result<Milestone> MilestoneFromJson(const json& value, const std::string& path, bool named) {
  JsonReader m(value, path);
  RETURN_IF_ERROR(m.ExpectObject());
  if (named) {
    RETURN_IF_ERROR(m.RejectUnknown({"milestone", "due", "met_at_us", "met_by_report", "cancelled_at_us", "history"}));
  } else {
    RETURN_IF_ERROR(m.RejectUnknown({"due", "met_at_us", "met_by_report", "cancelled_at_us", "history"}));
  }
  Milestone milestone;
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
  return milestone;
}

// The milestones a stream row of an earlier format holds inline (format 4
// keeps them in rows of their own). A row written before milestones were kept
// with their state and history has "deadlines" ({milestone, due}) instead:
// each reads as an open milestone with no recorded history (a rebuild from
// the log, e.g. `kuimen view`, recovers it).
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
    ASSIGN_OR_RETURN(std::string name, m.String("milestone"));
    ASSIGN_OR_RETURN(out[name], MilestoneFromJson((*milestones)[i], path, /*named=*/true));
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
  if (!ReadableStreamRowFormat(format)) return Malformed("format", "is not a row format this build reads");
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
  // Inline only in rows of format 2; a row of format 3 or 4 has none.
  if (format != kInlinePendingRowFormat && row.contains("pending_reports")) {
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
  // Inline only in rows of formats 2 and 3; a row of format 4 has none.
  if (format == kRowFormat) {
    for (const char* key : {"milestones", "deadlines"}) {
      if (row.contains(key)) return Malformed(key, "is kept in rows of its own in this row format");
    }
  } else {
    ASSIGN_OR_RETURN(state.milestones, MilestonesFromRow(row, r));
  }
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
  std::vector<std::string> milestones;  // changed by this event
  std::visit(Fold{state, envelope, milestones}, event);
  changed_.insert(stream);
  for (std::string& name : milestones) milestones_changed_.emplace(stream, std::move(name));
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
  rows.reserve(changed_.size() + pending_changed_.size() + reviews_changed_.size() + milestones_changed_.size() + 1);
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
    const ReviewLedger& ledger = reviews_.at(stream);
    rows.emplace_back(ReportRowKey(kReviewRowPrefix, stream, version),
                      ReviewLedger::EntryToRow(ledger.Entry(*ledger.Find(version))));
  }
  reviews_changed_.clear();
  for (const auto& [stream, name] : milestones_changed_) {
    // Milestones are never removed (only cancelled): the row is always written.
    rows.emplace_back(MilestoneRowKey(stream, name), MilestoneToJson(streams_.at(stream).milestones.at(name)).dump());
  }
  milestones_changed_.clear();
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
      reviews_[stream].Load(*entry);
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
  if (key.starts_with(kMilestoneRowPrefix)) {
    std::optional<std::pair<std::string, std::string>> names =
        ParseMilestoneRowKey(key.substr(kMilestoneRowPrefix.size()));
    if (!names.has_value()) {
      return Status::DataLoss(where + "not a key of this row format (<stream>/<milestone name>)");
    }
    json row = json::parse(value, nullptr, /*allow_exceptions=*/false);
    if (row.is_discarded()) return Status::DataLoss(where + "not JSON");
    Result<Milestone> milestone = MilestoneFromJson(row, "", /*named=*/false);
    if (!milestone.ok()) return Status::DataLoss(where + milestone.status().message());
    streams_[names->first].milestones[names->second] = std::move(milestone).value();
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
      if (!ReadableStreamRowFormat(format)) return Malformed("format", "is not a row format this build reads");
      ASSIGN_OR_RETURN(Timestamp created, ReadMicros(r, "created_at_us"));
      store_created_at_ = created;
      return Status::Ok();
    }();
    return read.ok() ? read : Status::DataLoss(where + read.message());
  }
  Result<StreamState> state = StateFromJson(row);
  if (!state.ok()) return Status::DataLoss(where + state.status().message());
  // Rows load in any order: pending reports and milestones read from their
  // own rows stay.
  StreamState& slot = streams_[std::string(key)];
  std::map<StreamVersion, PendingReport> loaded_pending = std::move(slot.pending_reports);
  std::map<std::string, Milestone> loaded_milestones = std::move(slot.milestones);
  slot = std::move(state).value();
  slot.pending_reports.merge(loaded_pending);
  slot.milestones.merge(loaded_milestones);
  return Status::Ok();
}

ReviewQueuePage SupervisionView::ReviewQueue(const ReviewQueueQuery& query) const {
  const ReviewDeadlines deadlines{static_cast<unsigned>(options_.report_due_day), options_.utc_offset_minutes};
  // Candidates carry what the order reads and point at the heads; only the
  // page's entries are made whole.
  std::vector<ReviewQueueCandidate> candidates;
  for (const auto& [stream, ledger] : reviews_) {
    if (query.stream && stream != *query.stream) continue;
    // The unit filter compares ids: a ledger that never saw the unit has none of its reports.
    std::optional<ReviewLedger::NameId> unit;
    if (query.unit) {
      unit = ledger.IdOf(*query.unit);
      if (!unit) continue;
    }
    for (const ReviewLedger::Head& head : ledger.heads()) {
      if ((unit && head.unit != *unit) || (query.period && head.period != *query.period) ||
          (query.state && head.state() != *query.state)) {
        continue;
      }
      candidates.push_back({&stream, head.version, head.position, head.recorded_at, head.period, &ledger, &head});
    }
  }
  // Rows written before the queue existed hold only the pending reports.
  std::deque<ReviewEntry> unledgered;  // stable addresses while the page is made
  for (const auto& [stream, state] : streams_) {
    if (query.stream && stream != *query.stream) continue;
    auto ledger = reviews_.find(stream);
    for (const auto& [version, report] : state.pending_reports) {
      if (ledger != reviews_.end() && ledger->second.Find(version) != nullptr) continue;
      ReviewEntry entry;
      entry.version = version;
      entry.period = report.period;
      entry.recorded_at = report.recorded_at;
      entry.percent = report.percent.value_or(0);
      entry.indicators = report.indicators;
      if (state.last_report.has_value() && state.last_report->version == version) {
        entry.unit = state.last_report->unit;
        entry.principal = state.last_report->principal;
      }
      if (!MatchesReviewQuery(query, entry.unit, entry.period, entry.state())) continue;
      const ReviewEntry& kept = unledgered.emplace_back(std::move(entry));
      candidates.push_back({&stream, kept.version, kept.position, kept.recorded_at, kept.period, nullptr, nullptr, &kept});
    }
  }
  return PageReviewQueue(std::move(candidates), query, deadlines);
}

}  // namespace kuimen
