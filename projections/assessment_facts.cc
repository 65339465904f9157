#include "projections/assessment_facts.h"

#include <algorithm>
#include <cstdio>

#include "domain/calendar.h"
#include "domain/stream_kind.h"
#include "eventstore/json_reader.h"
#include "projections/assessment_result_row.h"

namespace kuimen {

namespace {

using nlohmann::json;

// --- row field forms ---------------------------------------------------------

Status Unreadable(const std::string& field, const std::string& problem) {
  return Status::InvalidArgument(field + ": " + problem, field);
}

Result<std::chrono::year_month> ReadMonth(const JsonReader& r, const char* key) {
  ASSIGN_OR_RETURN(std::string text, r.String(key));
  int year = 0;
  unsigned month = 0;
  char rest = 0;
  if (std::sscanf(text.c_str(), "%4d-%2u%c", &year, &month, &rest) != 2 || month < 1 || month > 12) {
    return Unreadable(r.PathOf(key), "must be a month YYYY-MM");
  }
  return std::chrono::year(year) / std::chrono::month(month);
}

Result<std::chrono::year_month_day> ReadDate(const JsonReader& r, const char* key) {
  ASSIGN_OR_RETURN(std::string text, r.String(key));
  int year = 0;
  unsigned month = 0, day = 0;
  char rest = 0;
  const std::chrono::year_month_day date = [&] {
    if (std::sscanf(text.c_str(), "%4d-%2u-%2u%c", &year, &month, &day, &rest) != 3) return std::chrono::year_month_day{};
    return std::chrono::year(year) / std::chrono::month(month) / std::chrono::day(day);
  }();
  if (!date.ok()) return Unreadable(r.PathOf(key), "must be a date YYYY-MM-DD");
  return date;
}

Result<GlobalPosition> ReadPosition(const JsonReader& r) {
  ASSIGN_OR_RETURN(std::int64_t position, r.Integer("position"));
  if (position < 1) return Unreadable(r.PathOf("position"), "must be 1 or more");
  return GlobalPosition(static_cast<std::uint64_t>(position));
}

Result<StreamVersion> ReadVersion(const JsonReader& r) {
  ASSIGN_OR_RETURN(std::int64_t version, r.Integer("version"));
  if (version < 0) return Unreadable(r.PathOf("version"), "must not be negative");
  return StreamVersion(static_cast<std::uint64_t>(version));
}

// Timestamps are kept as whole microseconds since the epoch, as stamped.
json TimeJson(Timestamp time) { return time.time_since_epoch().count(); }

Result<Timestamp> ReadTime(const JsonReader& r) {
  ASSIGN_OR_RETURN(std::int64_t micros, r.Integer("recorded_at_us"));
  return Timestamp(std::chrono::microseconds(micros));
}

// Calls `read` on each object of the array at `key`.
template <typename Read>
Status ForEach(const JsonReader& r, const char* key, Read read) {
  ASSIGN_OR_RETURN(const json* items, r.Array(key));
  for (size_t i = 0; i < items->size(); ++i) {
    JsonReader item((*items)[i], JsonReader::Element(r.PathOf(key), i));
    RETURN_IF_ERROR(item.ExpectObject());
    RETURN_IF_ERROR(read(item, (*items)[i]));
  }
  return Status::Ok();
}

// The nested object at `key`, or nullptr when absent or null.
const json* Nested(const json& object, const char* key) {
  auto it = object.find(key);
  return it == object.end() || it->is_null() ? nullptr : &*it;
}

// --- task streams ---------------------------------------------------------------

std::uint64_t ChunkOf(StreamVersion version) {
  return (version.value - 1) / AssessmentFacts::kChunkVersions * AssessmentFacts::kChunkVersions + 1;
}

// "task-07/0000000129": zero-padded, so a stream's chunks sort in version order.
std::string ChunkRowKey(const std::string& stream, std::uint64_t first) {
  char digits[24];
  std::snprintf(digits, sizeof digits, "%010llu", static_cast<unsigned long long>(first));
  return stream + "/" + digits;
}

// The entries of `items` (in version order) whose versions fall in the chunk.
template <typename T>
std::pair<typename std::vector<T>::const_iterator, typename std::vector<T>::const_iterator> ChunkRange(
    const std::vector<T>& items, std::uint64_t first) {
  const auto by_version = [](const T& item, std::uint64_t v) { return item.version.value < v; };
  return {std::lower_bound(items.begin(), items.end(), first, by_version),
          std::lower_bound(items.begin(), items.end(), first + AssessmentFacts::kChunkVersions, by_version)};
}

// The entry of `items` (in version order) at exactly `version`, or nullptr.
template <typename T>
T* AtVersion(std::vector<T>& items, StreamVersion version) {
  auto it = std::lower_bound(items.begin(), items.end(), version,
                             [](const T& item, StreamVersion v) { return item.version < v; });
  return it == items.end() || it->version != version ? nullptr : &*it;
}

// Inserts in version order: appends in the usual case (rows load in key order).
template <typename T>
void InsertByVersion(std::vector<T>& items, T item) {
  if (items.empty() || items.back().version < item.version) {
    items.push_back(std::move(item));
    return;
  }
  auto it = std::upper_bound(items.begin(), items.end(), item.version,
                             [](StreamVersion v, const T& other) { return v < other.version; });
  items.insert(it, std::move(item));
}

json ReportJson(const AssessmentFacts::Report& report) {
  json values = json::object();
  for (const auto& [indicator, value] : report.values) values[indicator] = NumberJson<json>(value);
  json review = nullptr;
  if (report.review.has_value()) {
    review = {{"decision", ReviewDecisionName(report.review->decision)},
              {"position", report.review->position.value}};
  }
  json row = {{"version", report.version.value},
              {"position", report.position.value},
              {"recorded_at_us", TimeJson(report.recorded_at)},
              {"unit", report.unit},
              {"period", FormatMonth(report.period)},
              {"values", values},
              {"review", review}};
  if (!report.group.empty()) row["group"] = report.group;  // only a township's, so other rows keep their bytes
  if (!report.county_wide.empty()) row["county_wide"] = report.county_wide;  // likewise, only a 全县数 report's
  return row;
}

json NoticeJson(const AssessmentFacts::Notice& notice) {
  json answer = nullptr;
  if (notice.answer.has_value()) {
    answer = {{"position", notice.answer->position.value}, {"recorded_at_us", TimeJson(notice.answer->recorded_at)}};
  }
  json out = {{"version", notice.version.value},
              {"id", notice.id},
              {"due", FormatDate(notice.due)},
              {"position", notice.position.value},
              {"recorded_at_us", TimeJson(notice.issued_at)},
              {"answer", answer}};
  // Only when set, so rows of notices closed otherwise stay as they were.
  if (notice.closed_unanswered.has_value()) out["closed_unanswered_position"] = notice.closed_unanswered->value;
  return out;
}

json CompletionJson(const AssessmentFacts::Completion& completion) {
  return {{"version", completion.version.value},
          {"position", completion.position.value},
          {"recorded_at_us", TimeJson(completion.recorded_at)},
          {"completed", completion.completed}};
}

json HeadRow(StreamVersion version) {
  return {{"format", AssessmentFacts::kRowFormat}, {"version", version.value}};
}

json ChunkRow(const AssessmentFacts::TaskStream& task, std::uint64_t first) {
  json reports = json::array(), notices = json::array(), completions = json::array();
  for (auto [it, end] = ChunkRange(task.reports, first); it != end; ++it) reports.push_back(ReportJson(*it));
  for (auto [it, end] = ChunkRange(task.notices, first); it != end; ++it) notices.push_back(NoticeJson(*it));
  for (auto [it, end] = ChunkRange(task.completions, first); it != end; ++it) completions.push_back(CompletionJson(*it));
  return {{"format", AssessmentFacts::kRowFormat},
          {"reports", reports},
          {"notices", notices},
          {"completions", completions}};
}

Status ExpectFormat(const JsonReader& r) {
  ASSIGN_OR_RETURN(std::int64_t format, r.Integer("format"));
  if (format != AssessmentFacts::kRowFormat) {
    return Unreadable(r.PathOf("format"), "must be " + std::to_string(AssessmentFacts::kRowFormat) +
                                              " (rows of another format need a rebuild)");
  }
  return Status::Ok();
}

// A version of an entry of the chunk starting at `first`.
Result<StreamVersion> ReadChunkVersion(const JsonReader& r, std::uint64_t first) {
  ASSIGN_OR_RETURN(StreamVersion version, ReadVersion(r));
  if (version.value < first || version.value >= first + AssessmentFacts::kChunkVersions) {
    return Unreadable(r.PathOf("version"), "lies outside the row's versions");
  }
  return version;
}

// Reads a chunk row into `task`, merged with the chunks read before.
Status ReadChunkRow(const json& row, std::uint64_t first, AssessmentFacts::TaskStream& task) {
  JsonReader r(row, "");
  RETURN_IF_ERROR(r.ExpectObject());
  RETURN_IF_ERROR(ExpectFormat(r));
  RETURN_IF_ERROR(ForEach(r, "reports", [&](const JsonReader& item, const json& object) -> Status {
    AssessmentFacts::Report report;
    ASSIGN_OR_RETURN(report.version, ReadChunkVersion(item, first));
    ASSIGN_OR_RETURN(report.position, ReadPosition(item));
    ASSIGN_OR_RETURN(report.recorded_at, ReadTime(item));
    ASSIGN_OR_RETURN(report.unit, item.String("unit"));
    ASSIGN_OR_RETURN(report.group, item.OptionalString("group"));
    ASSIGN_OR_RETURN(report.period, ReadMonth(item, "period"));
    const json* values = Nested(object, "values");
    if (values == nullptr || !values->is_object()) return Unreadable(item.PathOf("values"), "must be an object");
    JsonReader value_reader(*values, item.PathOf("values"));
    for (auto it = values->begin(); it != values->end(); ++it) {
      ASSIGN_OR_RETURN(report.values[it.key()], value_reader.Number(it.key().c_str()));
    }
    // Absent in rows of own figures, and in rows written before scopes.
    if (const json* county = Nested(object, "county_wide")) {
      if (!county->is_array()) return Unreadable(item.PathOf("county_wide"), "must be an array");
      for (const json& indicator : *county) {
        if (!indicator.is_string() || !report.values.contains(indicator.get<std::string>())) {
          return Unreadable(item.PathOf("county_wide"), "must name indicators of values");
        }
        report.county_wide.insert(indicator.get<std::string>());
      }
    }
    if (const json* review = Nested(object, "review")) {
      JsonReader review_reader(*review, item.PathOf("review"));
      RETURN_IF_ERROR(review_reader.ExpectObject());
      ASSIGN_OR_RETURN(std::string decision, review_reader.String("decision"));
      const std::optional<ReviewDecision> parsed = ParseReviewDecision(decision);
      if (!parsed) return Unreadable(review_reader.PathOf("decision"), "must be \"approved\" or \"returned\"");
      ASSIGN_OR_RETURN(GlobalPosition position, ReadPosition(review_reader));
      report.review = AssessmentFacts::Review{*parsed, position};
    }
    InsertByVersion(task.reports, std::move(report));
    return Status::Ok();
  }));
  RETURN_IF_ERROR(ForEach(r, "notices", [&](const JsonReader& item, const json& object) -> Status {
    AssessmentFacts::Notice notice;
    ASSIGN_OR_RETURN(notice.version, ReadChunkVersion(item, first));
    ASSIGN_OR_RETURN(notice.id, item.String("id"));
    ASSIGN_OR_RETURN(notice.due, ReadDate(item, "due"));
    ASSIGN_OR_RETURN(notice.position, ReadPosition(item));
    ASSIGN_OR_RETURN(notice.issued_at, ReadTime(item));
    if (const json* answer = Nested(object, "answer")) {
      JsonReader answer_reader(*answer, item.PathOf("answer"));
      RETURN_IF_ERROR(answer_reader.ExpectObject());
      AssessmentFacts::Answer read;
      ASSIGN_OR_RETURN(read.position, ReadPosition(answer_reader));
      ASSIGN_OR_RETURN(read.recorded_at, ReadTime(answer_reader));
      notice.answer = read;
    } else if (const json* closed = Nested(object, "closed_unanswered_position")) {
      if (!closed->is_number_unsigned()) {
        return Status::InvalidArgument(item.PathOf("closed_unanswered_position") + ": must be a log position",
                                       item.PathOf("closed_unanswered_position"));
      }
      notice.closed_unanswered = GlobalPosition(closed->get<std::uint64_t>());
    } else {
      task.unanswered[notice.id].insert(notice.version);
    }
    InsertByVersion(task.notices, std::move(notice));
    return Status::Ok();
  }));
  RETURN_IF_ERROR(ForEach(r, "completions", [&](const JsonReader& item, const json& object) -> Status {
    AssessmentFacts::Completion completion;
    ASSIGN_OR_RETURN(completion.version, ReadChunkVersion(item, first));
    ASSIGN_OR_RETURN(completion.position, ReadPosition(item));
    ASSIGN_OR_RETURN(completion.recorded_at, ReadTime(item));
    const json* completed = Nested(object, "completed");
    if (completed == nullptr || !completed->is_boolean()) {
      return Unreadable(item.PathOf("completed"), "must be true or false");
    }
    completion.completed = completed->get<bool>();
    InsertByVersion(task.completions, completion);
    return Status::Ok();
  }));
  return Status::Ok();
}

// --- assessment streams ---------------------------------------------------------

json YearRow(const AssessmentFacts::YearStream& year) {
  json adjustments = json::array();
  for (const AssessmentFacts::Adjustment& adjustment : year.adjustments) {
    adjustments.push_back({{"position", adjustment.position.value},
                           {"unit", adjustment.unit},
                           {"points", NumberJson<json>(adjustment.points)}});
  }
  json freeze = nullptr;
  if (year.freeze.has_value()) {
    freeze = {{"position", year.freeze->position.value},
              {"recorded_at_us", TimeJson(year.freeze->recorded_at)},
              {"result", year.freeze->result.has_value() ? AssessmentResultToRow(*year.freeze->result)
                                                         : json::object()}};
    // Written only when recorded, so a row of a freeze without them keeps its bytes.
    if (!year.freeze->rules_version.empty()) {
      freeze["rules_version"] = year.freeze->rules_version;
      freeze["rules"] = year.freeze->rules;
    }
    if (year.freeze->early) {
      freeze["early"] = true;
      freeze["reason"] = year.freeze->reason;
    }
  }
  return {{"format", AssessmentFacts::kRowFormat},
          {"version", year.version.value},
          {"adjustments", adjustments},
          {"freeze", freeze}};
}

Result<AssessmentFacts::YearStream> ReadYearRow(const json& row) {
  JsonReader r(row, "");
  RETURN_IF_ERROR(r.ExpectObject());
  RETURN_IF_ERROR(ExpectFormat(r));
  AssessmentFacts::YearStream year;
  ASSIGN_OR_RETURN(year.version, ReadVersion(r));
  RETURN_IF_ERROR(ForEach(r, "adjustments", [&](const JsonReader& item, const json&) -> Status {
    AssessmentFacts::Adjustment adjustment;
    ASSIGN_OR_RETURN(adjustment.position, ReadPosition(item));
    ASSIGN_OR_RETURN(adjustment.unit, item.String("unit"));
    ASSIGN_OR_RETURN(adjustment.points, item.Number("points"));
    year.adjustments.push_back(std::move(adjustment));
    return Status::Ok();
  }));
  if (const json* freeze = Nested(row, "freeze")) {
    JsonReader freeze_reader(*freeze, "freeze");
    RETURN_IF_ERROR(freeze_reader.ExpectObject());
    AssessmentFacts::Freeze read;
    ASSIGN_OR_RETURN(read.position, ReadPosition(freeze_reader));
    ASSIGN_OR_RETURN(read.recorded_at, ReadTime(freeze_reader));
    const json* result = Nested(*freeze, "result");
    if (result == nullptr || !result->is_object()) return Unreadable("freeze.result", "must be an object");
    ASSIGN_OR_RETURN(read.rules_version, freeze_reader.OptionalString("rules_version"));
    ASSIGN_OR_RETURN(read.rules, freeze_reader.OptionalString("rules"));
    ASSIGN_OR_RETURN(std::optional<bool> early, freeze_reader.OptionalBool("early"));
    read.early = early.value_or(false);
    ASSIGN_OR_RETURN(read.reason, freeze_reader.OptionalString("reason"));
    if (!result->empty()) {
      Result<AssessmentResult> kept = AssessmentResultFromRow(*result);
      if (!kept.ok()) return kept.status();  // names "result.<member>"
      read.result = *std::move(kept);
    }
    year.freeze = std::move(read);
  }
  return year;
}

// --- folding ---------------------------------------------------------------

// Folds one event into a task's facts; returns the version of the entry it
// added or changed (whose chunk row changed), or nullopt when none.
struct FoldTask {
  AssessmentFacts::TaskStream& task;
  const RecordedEvent& envelope;
  using Touched = std::optional<StreamVersion>;

  Touched operator()(const ProgressReported& e) const {
    AssessmentFacts::Report report{envelope.version, envelope.position, envelope.recorded_at, envelope.actor.unit,
                                   envelope.actor.group, e.period, {}, std::nullopt};
    for (const IndicatorValue& value : e.indicators) {
      report.values[value.indicator] = value.value;
      if (value.scope == IndicatorScope::kCounty) {
        report.county_wide.insert(value.indicator);
      } else {
        report.county_wide.erase(value.indicator);
      }
    }
    task.reports.push_back(std::move(report));
    return envelope.version;
  }
  Touched operator()(const ReportReviewed& e) const {
    AssessmentFacts::Report* report = AtVersion(task.reports, e.report_version);
    if (report == nullptr || report->review.has_value()) return std::nullopt;
    report->review = AssessmentFacts::Review{e.decision, envelope.position};
    return report->version;
  }
  Touched operator()(const NoticeIssued& e) const {
    task.notices.push_back(
        AssessmentFacts::Notice{envelope.version, e.notice_id, e.due, envelope.position, envelope.recorded_at, {}});
    task.unanswered[e.notice_id].insert(envelope.version);
    return envelope.version;
  }
  Touched operator()(const NoticeAnswered& e) const {
    // The first notice of that id not answered yet.
    auto open = task.unanswered.find(e.notice_id);
    if (open == task.unanswered.end()) return std::nullopt;
    const StreamVersion version = *open->second.begin();
    open->second.erase(open->second.begin());
    if (open->second.empty()) task.unanswered.erase(open);
    AssessmentFacts::Notice* notice = AtVersion(task.notices, version);
    if (notice == nullptr) return std::nullopt;  // cannot happen: the index mirrors the notices
    notice->answer = AssessmentFacts::Answer{envelope.position, envelope.recorded_at};
    return version;
  }
  Touched operator()(const TaskCompleted&) const {
    task.completions.push_back({envelope.version, envelope.position, envelope.recorded_at, true});
    return envelope.version;
  }
  Touched operator()(const TaskReopened&) const {
    task.completions.push_back({envelope.version, envelope.position, envelope.recorded_at, false});
    return envelope.version;
  }
  // Not read by the assessment rules.
  Touched operator()(const DeadlineSet&) const { return std::nullopt; }
  // Milestones are not scored (任务完成 reads no 时限; see projections/README.md).
  Touched operator()(const MilestoneMet&) const { return std::nullopt; }
  Touched operator()(const MilestoneCancelled&) const { return std::nullopt; }
  // A closing adds no answer. A notice closed while unanswered (未整改销号)
  // is marked so: it counts against the unit from then on, and never as
  // answered (the write model takes no answer to a closed notice).
  Touched operator()(const NoticeClosed& e) const {
    auto open = task.unanswered.find(e.notice_id);
    if (open == task.unanswered.end()) return std::nullopt;
    const StreamVersion version = *open->second.begin();
    open->second.erase(open->second.begin());
    if (open->second.empty()) task.unanswered.erase(open);
    AssessmentFacts::Notice* notice = AtVersion(task.notices, version);
    if (notice == nullptr) return std::nullopt;  // cannot happen: the index mirrors the notices
    notice->closed_unanswered = envelope.position;
    return version;
  }
  Touched operator()(const NoticeSigned&) const { return std::nullopt; }
  Touched operator()(const InstructionGiven&) const { return std::nullopt; }  // listed, never scored (see below)
  Touched operator()(const AssessmentAdjusted&) const { return std::nullopt; }
  Touched operator()(const YearFrozen&) const { return std::nullopt; }
  Touched operator()(const PrincipalRegistered&) const { return std::nullopt; }
  Touched operator()(const PrincipalRevoked&) const { return std::nullopt; }
  Touched operator()(const TownshipRegistered&) const { return std::nullopt; }
  Touched operator()(const UrgeSent&) const { return std::nullopt; }
  Touched operator()(const WebhookRegistered&) const { return std::nullopt; }
  Touched operator()(const WebhookRemoved&) const { return std::nullopt; }
};

struct FoldYear {
  AssessmentFacts::YearStream& year;
  const RecordedEvent& envelope;

  bool operator()(const AssessmentAdjusted& e) const {
    year.adjustments.push_back({envelope.position, e.unit, e.points});
    return true;
  }
  bool operator()(const YearFrozen& e) const {
    if (year.freeze.has_value()) return false;  // the aggregate allows one freeze; the first stands
    year.freeze = AssessmentFacts::Freeze{envelope.position, envelope.recorded_at, std::nullopt,
                                          e.rules_version, e.rules, e.early, e.reason};
    return true;
  }
  bool operator()(const ProgressReported&) const { return false; }
  bool operator()(const DeadlineSet&) const { return false; }
  bool operator()(const MilestoneMet&) const { return false; }
  bool operator()(const MilestoneCancelled&) const { return false; }
  bool operator()(const ReportReviewed&) const { return false; }
  bool operator()(const NoticeIssued&) const { return false; }
  bool operator()(const NoticeAnswered&) const { return false; }
  bool operator()(const NoticeClosed&) const { return false; }
  bool operator()(const NoticeSigned&) const { return false; }
  bool operator()(const InstructionGiven&) const { return false; }
  bool operator()(const TaskCompleted&) const { return false; }
  bool operator()(const TaskReopened&) const { return false; }
  bool operator()(const PrincipalRegistered&) const { return false; }
  bool operator()(const PrincipalRevoked&) const { return false; }
  bool operator()(const TownshipRegistered&) const { return false; }
  bool operator()(const UrgeSent&) const { return false; }
  bool operator()(const WebhookRegistered&) const { return false; }
  bool operator()(const WebhookRemoved&) const { return false; }
};

std::string Dump(const json& row) { return row.dump(-1, ' ', false, json::error_handler_t::replace); }

}  // namespace

// The row of store_created_at; not a stream name.
constexpr std::string_view kStoreRow = "~store";
constexpr std::string_view kInstructionRowPrefix = "~instructions/";

bool AssessmentFacts::Fold(const RecordedEvent& envelope, const EventData& event) {
  if (envelope.position.value == 1 && !store_created_at.has_value()) {
    store_created_at = envelope.recorded_at;
    store_changed_ = true;
  }
  if (const std::optional<int> year = AssessmentStreamYear(envelope.stream)) {
    YearStream& stream = years[*year];
    if (envelope.version <= stream.version) return false;  // folded before
    stream.version = envelope.version;
    std::visit(FoldYear{stream, envelope}, event);
    changed_heads_.insert(envelope.stream.value);
    return true;
  }
  const Result<StreamKind> kind = ClassifyStream(envelope.stream);
  if (!kind.ok() || *kind != StreamKind::kTask) return false;
  TaskStream& stream = tasks[envelope.stream.value];
  if (envelope.version <= stream.version) return false;
  stream.version = envelope.version;
  // The version moves even for an event the rules do not read, so the head
  // row is written then too: a replay from the row's checkpoint skips nothing twice.
  changed_heads_.insert(envelope.stream.value);
  if (const std::optional<StreamVersion> touched = std::visit(FoldTask{stream, envelope}, event)) {
    changed_chunks_.emplace(envelope.stream.value, ChunkOf(*touched));
  }
  if (const auto* given = std::get_if<InstructionGiven>(&event)) {
    instructions[envelope.stream.value].push_back(Instruction{envelope.version, envelope.position, envelope.recorded_at,
                                                              envelope.actor.principal, given->leader_name,
                                                              given->notice_id, given->text});
    changed_instructions_.insert(envelope.stream.value);
  }
  return true;
}

const AssessmentFacts::TaskStream* AssessmentFacts::FindTask(const std::string& stream) const {
  auto it = tasks.find(stream);
  return it == tasks.end() ? nullptr : &it->second;
}

const AssessmentFacts::YearStream* AssessmentFacts::FindYear(int year) const {
  auto it = years.find(year);
  return it == years.end() ? nullptr : &it->second;
}

AssessmentFacts::Freeze* AssessmentFacts::MutableFreeze(int year) {
  auto it = years.find(year);
  return it == years.end() || !it->second.freeze.has_value() ? nullptr : &*it->second.freeze;
}

void AssessmentFacts::MarkYearChanged(int year) {
  if (years.contains(year)) changed_heads_.insert(AssessmentStream(year).value);
}

std::vector<std::pair<std::string, std::string>> AssessmentFacts::TakeChangedRows() {
  std::vector<std::pair<std::string, std::string>> rows;
  rows.reserve(changed_heads_.size() + changed_chunks_.size());
  for (const std::string& stream : changed_heads_) {
    if (const std::optional<int> year = AssessmentStreamYear(StreamId{stream})) {
      rows.emplace_back(stream, Dump(YearRow(years.at(*year))));
    } else {
      rows.emplace_back(stream, Dump(HeadRow(tasks.at(stream).version)));
    }
  }
  for (const auto& [stream, first] : changed_chunks_) {
    rows.emplace_back(ChunkRowKey(stream, first), Dump(ChunkRow(tasks.at(stream), first)));
  }
  for (const std::string& stream : changed_instructions_) {
    json items = json::array();
    for (const Instruction& i : instructions.at(stream)) {
      items.push_back({{"version", i.version.value},
                       {"position", i.position.value},
                       {"recorded_at_us", TimeJson(i.given_at)},
                       {"principal", i.principal},
                       {"leader_name", i.leader_name},
                       {"notice_id", i.notice_id},
                       {"text", i.text}});
    }
    rows.emplace_back(std::string(kInstructionRowPrefix) + stream,
                      Dump(json{{"format", kRowFormat}, {"items", std::move(items)}}));
  }
  changed_instructions_.clear();
  changed_heads_.clear();
  changed_chunks_.clear();
  if (store_changed_ && store_created_at.has_value()) {
    rows.emplace_back(std::string(kStoreRow),
                      Dump(json{{"format", kRowFormat}, {"recorded_at_us", TimeJson(*store_created_at)}}));
    store_changed_ = false;
  }
  return rows;
}

Status AssessmentFacts::LoadRow(std::string_view key, std::string_view value) {
  const std::string name(key);
  const json row = json::parse(value, nullptr, /*allow_exceptions=*/false);
  if (row.is_discarded()) return Status::InvalidArgument(name + ": is not valid JSON", name);
  if (name == kStoreRow) {
    JsonReader r(row, "");
    Status read = [&]() -> Status {
      RETURN_IF_ERROR(r.ExpectObject());
      RETURN_IF_ERROR(ExpectFormat(r));
      ASSIGN_OR_RETURN(store_created_at, ReadTime(r));
      return Status::Ok();
    }();
    return read.ok() ? read : read.WithContext(name);
  }
  if (name.starts_with(kInstructionRowPrefix)) {
    const std::string stream = name.substr(kInstructionRowPrefix.size());
    JsonReader r(row, "");
    std::vector<Instruction> read;
    Status status = [&]() -> Status {
      RETURN_IF_ERROR(r.ExpectObject());
      RETURN_IF_ERROR(ExpectFormat(r));
      ASSIGN_OR_RETURN(const json* items, r.Array("items"));
      for (std::size_t k = 0; k < items->size(); ++k) {
        JsonReader n((*items)[k], JsonReader::Element("items", k));
        RETURN_IF_ERROR(n.ExpectObject());
        Instruction i;
        ASSIGN_OR_RETURN(std::int64_t version, n.Integer("version"));
        ASSIGN_OR_RETURN(std::int64_t position, n.Integer("position"));
        if (version < 1 || position < 1) return Status::InvalidArgument("a 批示's version and position are from 1", "items");
        i.version = StreamVersion(static_cast<std::uint64_t>(version));
        i.position = GlobalPosition(static_cast<std::uint64_t>(position));
        ASSIGN_OR_RETURN(i.given_at, ReadTime(n));
        ASSIGN_OR_RETURN(i.principal, n.String("principal"));
        ASSIGN_OR_RETURN(i.leader_name, n.OptionalString("leader_name"));
        ASSIGN_OR_RETURN(i.notice_id, n.OptionalString("notice_id"));
        ASSIGN_OR_RETURN(i.text, n.String("text"));
        read.push_back(std::move(i));
      }
      return Status::Ok();
    }();
    if (!status.ok()) return status.WithContext(name);
    instructions[stream] = std::move(read);
    return Status::Ok();
  }
  if (const std::optional<int> year = AssessmentStreamYear(StreamId{name})) {
    Result<YearStream> read = ReadYearRow(row);
    if (!read.ok()) return read.status().WithContext(name);
    years[*year] = std::move(read).value();
    return Status::Ok();
  }
  // A task's head ("task-07") or one of its chunks ("task-07/0000000129").
  const std::size_t slash = name.find('/');
  const std::string stream = name.substr(0, slash);
  const Result<StreamKind> kind = ClassifyStream(StreamId{stream});
  if (!kind.ok() || *kind != StreamKind::kTask) {
    return Status::InvalidArgument(name + ": is not a row of the assessment view", name);
  }
  if (slash == std::string::npos) {
    JsonReader r(row, "");
    Status read = [&]() -> Status {
      RETURN_IF_ERROR(r.ExpectObject());
      RETURN_IF_ERROR(ExpectFormat(r));
      ASSIGN_OR_RETURN(tasks[stream].version, ReadVersion(r));
      return Status::Ok();
    }();
    return read.ok() ? read : read.WithContext(name);
  }
  const std::string digits = name.substr(slash + 1);
  std::uint64_t first = 0;
  const bool numeric = digits.size() == 10 && std::all_of(digits.begin(), digits.end(), [](char c) {
    return c >= '0' && c <= '9';
  });
  if (numeric) first = std::stoull(digits);
  if (!numeric || first == 0 || ChunkOf(StreamVersion(first)) != first) {
    return Status::InvalidArgument(name + ": does not name a chunk of the assessment view", name);
  }
  Status read = ReadChunkRow(row, first, tasks[stream]);
  return read.ok() ? read : read.WithContext(name);
}

}  // namespace kuimen
