#include "projections/assessment_facts.h"

#include <cstdio>

#include "domain/calendar.h"
#include "domain/stream_kind.h"
#include "eventstore/json_reader.h"

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

json TaskRow(const AssessmentFacts::TaskStream& task) {
  json reports = json::array();
  for (const AssessmentFacts::Report& report : task.reports) {
    json values = json::object();
    for (const auto& [indicator, value] : report.values) values[indicator] = NumberJson<json>(value);
    json review = nullptr;
    if (report.review.has_value()) {
      review = {{"decision", report.review->decision == ReviewDecision::kApproved ? "approved" : "returned"},
                {"position", report.review->position.value}};
    }
    reports.push_back({{"version", report.version.value},
                       {"position", report.position.value},
                       {"recorded_at_us", TimeJson(report.recorded_at)},
                       {"unit", report.unit},
                       {"period", FormatMonth(report.period)},
                       {"values", values},
                       {"review", review}});
  }
  json notices = json::array();
  for (const AssessmentFacts::Notice& notice : task.notices) {
    json answer = nullptr;
    if (notice.answer.has_value()) {
      answer = {{"position", notice.answer->position.value}, {"recorded_at_us", TimeJson(notice.answer->recorded_at)}};
    }
    notices.push_back({{"id", notice.id},
                       {"due", FormatDate(notice.due)},
                       {"position", notice.position.value},
                       {"recorded_at_us", TimeJson(notice.issued_at)},
                       {"answer", answer}});
  }
  json completions = json::array();
  for (const AssessmentFacts::Completion& completion : task.completions) {
    completions.push_back({{"position", completion.position.value},
                           {"recorded_at_us", TimeJson(completion.recorded_at)},
                           {"completed", completion.completed}});
  }
  return {{"version", task.version.value}, {"reports", reports}, {"notices", notices}, {"completions", completions}};
}

Result<AssessmentFacts::TaskStream> ReadTaskRow(const json& row) {
  JsonReader r(row, "");
  RETURN_IF_ERROR(r.ExpectObject());
  AssessmentFacts::TaskStream task;
  ASSIGN_OR_RETURN(task.version, ReadVersion(r));
  RETURN_IF_ERROR(ForEach(r, "reports", [&](const JsonReader& item, const json& object) -> Status {
    AssessmentFacts::Report report;
    ASSIGN_OR_RETURN(report.version, ReadVersion(item));
    ASSIGN_OR_RETURN(report.position, ReadPosition(item));
    ASSIGN_OR_RETURN(report.recorded_at, ReadTime(item));
    ASSIGN_OR_RETURN(report.unit, item.String("unit"));
    ASSIGN_OR_RETURN(report.period, ReadMonth(item, "period"));
    const json* values = Nested(object, "values");
    if (values == nullptr || !values->is_object()) return Unreadable(item.PathOf("values"), "must be an object");
    JsonReader value_reader(*values, item.PathOf("values"));
    for (auto it = values->begin(); it != values->end(); ++it) {
      ASSIGN_OR_RETURN(report.values[it.key()], value_reader.Number(it.key().c_str()));
    }
    if (const json* review = Nested(object, "review")) {
      JsonReader review_reader(*review, item.PathOf("review"));
      RETURN_IF_ERROR(review_reader.ExpectObject());
      ASSIGN_OR_RETURN(std::string decision, review_reader.String("decision"));
      if (decision != "approved" && decision != "returned") {
        return Unreadable(review_reader.PathOf("decision"), "must be \"approved\" or \"returned\"");
      }
      ASSIGN_OR_RETURN(GlobalPosition position, ReadPosition(review_reader));
      report.review = AssessmentFacts::Review{
          decision == "approved" ? ReviewDecision::kApproved : ReviewDecision::kReturned, position};
    }
    task.reports.push_back(std::move(report));
    return Status::Ok();
  }));
  RETURN_IF_ERROR(ForEach(r, "notices", [&](const JsonReader& item, const json& object) -> Status {
    AssessmentFacts::Notice notice;
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
    }
    task.notices.push_back(std::move(notice));
    return Status::Ok();
  }));
  RETURN_IF_ERROR(ForEach(r, "completions", [&](const JsonReader& item, const json& object) -> Status {
    AssessmentFacts::Completion completion;
    ASSIGN_OR_RETURN(completion.position, ReadPosition(item));
    ASSIGN_OR_RETURN(completion.recorded_at, ReadTime(item));
    const json* completed = Nested(object, "completed");
    if (completed == nullptr || !completed->is_boolean()) {
      return Unreadable(item.PathOf("completed"), "must be true or false");
    }
    completion.completed = completed->get<bool>();
    task.completions.push_back(completion);
    return Status::Ok();
  }));
  return task;
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
              {"result", year.freeze->result}};
  }
  return {{"version", year.version.value}, {"adjustments", adjustments}, {"freeze", freeze}};
}

Result<AssessmentFacts::YearStream> ReadYearRow(const json& row) {
  JsonReader r(row, "");
  RETURN_IF_ERROR(r.ExpectObject());
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
    read.result = *result;
    year.freeze = std::move(read);
  }
  return year;
}

// --- folding ---------------------------------------------------------------

struct FoldTask {
  AssessmentFacts::TaskStream& task;
  const RecordedEvent& envelope;

  bool operator()(const ProgressReported& e) const {
    AssessmentFacts::Report report{envelope.version, envelope.position, envelope.recorded_at, envelope.actor.unit,
                                   e.period, {}, std::nullopt};
    for (const IndicatorValue& value : e.indicators) report.values[value.indicator] = value.value;
    task.reports.push_back(std::move(report));
    return true;
  }
  bool operator()(const ReportReviewed& e) const {
    for (AssessmentFacts::Report& report : task.reports) {
      if (report.version == e.report_version && !report.review.has_value()) {
        report.review = AssessmentFacts::Review{e.decision, envelope.position};
        return true;
      }
    }
    return false;
  }
  bool operator()(const NoticeIssued& e) const {
    task.notices.push_back(AssessmentFacts::Notice{e.notice_id, e.due, envelope.position, envelope.recorded_at, {}});
    return true;
  }
  bool operator()(const NoticeAnswered& e) const {
    for (AssessmentFacts::Notice& notice : task.notices) {
      if (notice.id == e.notice_id && !notice.answer.has_value()) {
        notice.answer = AssessmentFacts::Answer{envelope.position, envelope.recorded_at};
        return true;
      }
    }
    return false;
  }
  bool operator()(const TaskCompleted&) const {
    task.completions.push_back({envelope.position, envelope.recorded_at, true});
    return true;
  }
  bool operator()(const TaskReopened&) const {
    task.completions.push_back({envelope.position, envelope.recorded_at, false});
    return true;
  }
  // Not read by the assessment rules.
  bool operator()(const DeadlineSet&) const { return false; }
  bool operator()(const NoticeClosed&) const { return false; }
  bool operator()(const AssessmentAdjusted&) const { return false; }
  bool operator()(const YearFrozen&) const { return false; }
};

struct FoldYear {
  AssessmentFacts::YearStream& year;
  const RecordedEvent& envelope;

  bool operator()(const AssessmentAdjusted& e) const {
    year.adjustments.push_back({envelope.position, e.unit, e.points});
    return true;
  }
  bool operator()(const YearFrozen&) const {
    if (year.freeze.has_value()) return false;  // the aggregate allows one freeze; the first stands
    year.freeze = AssessmentFacts::Freeze{envelope.position, envelope.recorded_at, json::object()};
    return true;
  }
  bool operator()(const ProgressReported&) const { return false; }
  bool operator()(const DeadlineSet&) const { return false; }
  bool operator()(const ReportReviewed&) const { return false; }
  bool operator()(const NoticeIssued&) const { return false; }
  bool operator()(const NoticeAnswered&) const { return false; }
  bool operator()(const NoticeClosed&) const { return false; }
  bool operator()(const TaskCompleted&) const { return false; }
  bool operator()(const TaskReopened&) const { return false; }
};

std::string Dump(const json& row) { return row.dump(-1, ' ', false, json::error_handler_t::replace); }

}  // namespace

bool AssessmentFacts::Fold(const RecordedEvent& envelope, const EventData& event) {
  if (const std::optional<int> year = AssessmentStreamYear(envelope.stream)) {
    YearStream& stream = years[*year];
    if (envelope.version <= stream.version) return false;  // folded before
    stream.version = envelope.version;
    std::visit(FoldYear{stream, envelope}, event);
    return true;
  }
  const Result<StreamKind> kind = ClassifyStream(envelope.stream);
  if (!kind.ok() || *kind != StreamKind::kTask) return false;
  TaskStream& stream = tasks[envelope.stream.value];
  if (envelope.version <= stream.version) return false;
  stream.version = envelope.version;
  // The version moves even for an event the rules do not read, so the row is
  // written then too: a replay from the row's checkpoint skips nothing twice.
  std::visit(FoldTask{stream, envelope}, event);
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

std::string AssessmentFacts::Row(const std::string& stream) const {
  if (const std::optional<int> year = AssessmentStreamYear(StreamId{stream})) {
    const YearStream* found = FindYear(*year);
    return found == nullptr ? std::string() : Dump(YearRow(*found));
  }
  const TaskStream* found = FindTask(stream);
  return found == nullptr ? std::string() : Dump(TaskRow(*found));
}

Status AssessmentFacts::LoadRow(std::string_view key, std::string_view value) {
  const StreamId stream{std::string(key)};
  const json row = json::parse(value, nullptr, /*allow_exceptions=*/false);
  if (row.is_discarded()) return Status::InvalidArgument(stream.value + ": is not valid JSON", stream.value);
  if (const std::optional<int> year = AssessmentStreamYear(stream)) {
    Result<YearStream> read = ReadYearRow(row);
    if (!read.ok()) return read.status().WithContext(stream.value);
    years[*year] = std::move(read).value();
    return Status::Ok();
  }
  const Result<StreamKind> kind = ClassifyStream(stream);
  if (!kind.ok() || *kind != StreamKind::kTask) {
    return Status::InvalidArgument(stream.value + ": is not a row of the assessment view", stream.value);
  }
  Result<TaskStream> read = ReadTaskRow(row);
  if (!read.ok()) return read.status().WithContext(stream.value);
  tasks[stream.value] = std::move(read).value();
  return Status::Ok();
}

}  // namespace kuimen
