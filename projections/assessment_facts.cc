#include "projections/assessment_facts.h"

#include <algorithm>
#include <cstdio>

#include "domain/calendar.h"
#include "domain/stream_kind.h"
#include "eventstore/byte_codec.h"
#include "eventstore/json_reader.h"
#include "projections/assessment_result_row.h"

namespace kuimen {

namespace {

using nlohmann::json;

// --- row field forms ---------------------------------------------------------

Status Unreadable(const std::string& field, const std::string& problem) {
  return Status::InvalidArgument(field + ": " + problem, field);
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

// Makes room for one more item, growing by a quarter rather than doubling:
// a task's reports and values run to tens of thousands, and a doubled vector
// would leave up to half of that memory unused for good. Still amortised O(1).
template <typename T>
void ReserveOneMore(std::vector<T>& items) {
  if (items.size() == items.capacity()) items.reserve(items.capacity() + items.capacity() / 4 + 16);
}

// Appends, growing gently (ReserveOneMore).
template <typename T>
void Append(std::vector<T>& items, T item) {
  ReserveOneMore(items);
  items.push_back(std::move(item));
}

// Inserts in version order: appends in the usual case (rows load in key order).
template <typename T>
void InsertByVersion(std::vector<T>& items, T item) {
  ReserveOneMore(items);
  if (items.empty() || items.back().version < item.version) {
    items.push_back(std::move(item));
    return;
  }
  auto it = std::upper_bound(items.begin(), items.end(), item.version,
                             [](StreamVersion v, const T& other) { return v < other.version; });
  items.insert(it, std::move(item));
}

json HeadRow(StreamVersion version) {
  return {{"format", AssessmentFacts::kRowFormat}, {"version", version.value}};
}

Status ExpectFormat(const JsonReader& r) {
  ASSIGN_OR_RETURN(std::int64_t format, r.Integer("format"));
  if (format != AssessmentFacts::kRowFormat) {
    return Unreadable(r.PathOf("format"), "must be " + std::to_string(AssessmentFacts::kRowFormat) +
                                              " (rows of another format need a rebuild)");
  }
  return Status::Ok();
}

// --- chunk rows: binary --------------------------------------------------------
//
// A chunk row is rewritten whenever a batch changes one of its facts, so on a
// rebuild every report is written a time or two: its bytes are kept small and
// cheap to make. Layout (v = unsigned LEB128 varint, z = zigzag varint,
// s = v length then UTF-8 bytes, f = IEEE double, 8 bytes little-endian):
//   byte kChunkRowFormat
//   v reports,     each: v version, v position, z recorded_at (µs), s unit,
//                  s group ("" = none), z period (year * 12 + month - 1),
//                  v values, each: s indicator, byte county_wide (0/1), f value
//                  (in indicator name order), byte review (0 none, 1 approved,
//                  2 returned) [v review position]
//   v notices,     each: v version, s id, z due (days since 1970-01-01),
//                  v position, z issued_at (µs), byte state (0 open,
//                  1 answered: v position, z recorded_at (µs); 2 closed
//                  unanswered: v position)
//   v completions, each: v version, v position, z recorded_at (µs), byte completed (0/1)
// Names are written out (not as NameIds, which follow the order names were
// first folded), so every interleaving of the same log gives the same bytes.

class RowWriter {
 public:
  void Byte(std::uint8_t b) { w_.U8(b); }
  void Unsigned(std::uint64_t v) { w_.Varint(v); }
  void Signed(std::int64_t v) { w_.SignedVarint(v); }
  void Text(std::string_view text) { w_.VarStr(text); }
  void Double(double value) { w_.F64(value); }
  void Time(Timestamp time) { Signed(time.time_since_epoch().count()); }
  std::string Take() { return std::move(out_); }

 private:
  std::string out_;
  ByteWriter w_{out_};
};

// Reads what RowWriter wrote; every read fails (kInvalidArgument naming the
// field) on bytes that end early or hold no such value.
class RowReader {
 public:
  explicit RowReader(std::string_view in) : r_(in) {}

  Result<std::uint8_t> Byte(const char* field) {
    std::uint8_t b = 0;
    if (!r_.U8(b)) return Unreadable(field, "the row ends early");
    return b;
  }
  Result<std::uint64_t> Unsigned(const char* field) {
    std::uint64_t v = 0;
    if (!r_.Varint(v)) return Unreadable(field, "the row ends early or holds no number there");
    return v;
  }
  Result<std::int64_t> Signed(const char* field) {
    std::int64_t v = 0;
    if (!r_.SignedVarint(v)) return Unreadable(field, "the row ends early or holds no number there");
    return v;
  }
  Result<std::string_view> Text(const char* field) {
    std::string_view text;
    if (!r_.VarStrView(text)) return Unreadable(field, "the row ends early");
    return text;
  }
  Result<double> Double(const char* field) {
    double value = 0;
    if (!r_.F64(value)) return Unreadable(field, "the row ends early");
    return value;
  }
  Result<Timestamp> Time(const char* field) {
    ASSIGN_OR_RETURN(std::int64_t micros, Signed(field));
    return Timestamp(std::chrono::microseconds(micros));
  }
  Result<GlobalPosition> Position(const char* field) {
    ASSIGN_OR_RETURN(std::uint64_t position, Unsigned(field));
    if (position < 1) return Unreadable(field, "must be 1 or more");
    return GlobalPosition(position);
  }
  // A version of an entry of the chunk starting at `first`.
  Result<StreamVersion> ChunkVersion(const char* field, std::uint64_t first) {
    ASSIGN_OR_RETURN(std::uint64_t version, Unsigned(field));
    if (version < first || version >= first + AssessmentFacts::kChunkVersions) {
      return Unreadable(field, "lies outside the row's versions");
    }
    return StreamVersion(version);
  }
  // A count of entries, each at least `min_bytes` long.
  Result<std::size_t> Count(const char* field, std::size_t min_bytes) {
    ASSIGN_OR_RETURN(std::uint64_t count, Unsigned(field));
    if (count > r_.Remaining() / min_bytes) return Unreadable(field, "counts more entries than the row holds");
    return static_cast<std::size_t>(count);
  }
  bool AtEnd() const { return r_.AtEnd(); }

 private:
  ByteReader r_;
};

std::int64_t MonthNumber(std::chrono::year_month month) {
  return static_cast<std::int64_t>(static_cast<int>(month.year())) * 12 + static_cast<unsigned>(month.month()) - 1;
}

std::string EncodeChunkRow(const AssessmentFacts& facts, const AssessmentFacts::TaskStream& task, std::uint64_t first) {
  RowWriter w;
  w.Byte(AssessmentFacts::kChunkRowFormat);
  {
    auto [it, end] = ChunkRange(task.reports, first);
    w.Unsigned(static_cast<std::uint64_t>(end - it));
    for (; it != end; ++it) {
      const AssessmentFacts::Report& report = *it;
      w.Unsigned(report.version.value);
      w.Unsigned(report.position.value);
      w.Time(report.recorded_at);
      w.Text(facts.Name(report.unit));
      w.Text(facts.Name(report.group));
      w.Signed(MonthNumber(report.period));
      w.Unsigned(report.values_count);
      for (std::uint32_t i = 0; i < report.values_count; ++i) {
        const AssessmentFacts::ReportValue& value = task.values[report.values_begin + i];
        w.Text(facts.Name(value.indicator));
        w.Byte(value.county_wide ? 1 : 0);
        w.Double(value.value);
      }
      if (!report.reviewed()) {
        w.Byte(0);
      } else {
        w.Byte(report.review_decision == ReviewDecision::kApproved ? 1 : 2);
        w.Unsigned(report.review_position.value);
      }
    }
  }
  {
    auto [it, end] = ChunkRange(task.notices, first);
    w.Unsigned(static_cast<std::uint64_t>(end - it));
    for (; it != end; ++it) {
      const AssessmentFacts::Notice& notice = *it;
      w.Unsigned(notice.version.value);
      w.Text(notice.id);
      w.Signed(std::chrono::sys_days(notice.due).time_since_epoch().count());
      w.Unsigned(notice.position.value);
      w.Time(notice.issued_at);
      if (notice.answer.has_value()) {
        w.Byte(1);
        w.Unsigned(notice.answer->position.value);
        w.Time(notice.answer->recorded_at);
      } else if (notice.closed_unanswered.has_value()) {
        w.Byte(2);
        w.Unsigned(notice.closed_unanswered->value);
      } else {
        w.Byte(0);
      }
    }
  }
  {
    auto [it, end] = ChunkRange(task.completions, first);
    w.Unsigned(static_cast<std::uint64_t>(end - it));
    for (; it != end; ++it) {
      w.Unsigned(it->version.value);
      w.Unsigned(it->position.value);
      w.Time(it->recorded_at);
      w.Byte(it->completed ? 1 : 0);
    }
  }
  return w.Take();
}

}  // namespace

// Reads a chunk row into `task`, merged with the chunks read before. A member
// (not in the namespace above) for Intern.
Status AssessmentFacts::ReadChunkRow(std::string_view row, std::uint64_t first, TaskStream& task) {
  RowReader r(row);
  ASSIGN_OR_RETURN(std::uint8_t format, r.Byte("format"));
  if (format != kChunkRowFormat) {
    return Unreadable("format", "must be " + std::to_string(kChunkRowFormat) + " (rows of another format need a rebuild)");
  }
  // Smallest encodings: a report 9 bytes, a notice 7, a completion 4.
  ASSIGN_OR_RETURN(std::size_t reports, r.Count("reports", 9));
  for (std::size_t n = 0; n < reports; ++n) {
    Report report;
    ASSIGN_OR_RETURN(report.version, r.ChunkVersion("reports.version", first));
    ASSIGN_OR_RETURN(report.position, r.Position("reports.position"));
    ASSIGN_OR_RETURN(report.recorded_at, r.Time("reports.recorded_at"));
    ASSIGN_OR_RETURN(std::string_view unit, r.Text("reports.unit"));
    if (unit.empty()) return Unreadable("reports.unit", "must name a unit");
    report.unit = Intern(unit);
    ASSIGN_OR_RETURN(std::string_view group, r.Text("reports.group"));
    report.group = group.empty() ? kNoName : Intern(group);
    ASSIGN_OR_RETURN(std::int64_t month, r.Signed("reports.period"));
    if (month < 0 || month >= 10000 * 12) return Unreadable("reports.period", "must be a month");
    report.period = std::chrono::year(static_cast<int>(month / 12)) / std::chrono::month(static_cast<unsigned>(month % 12 + 1));
    ASSIGN_OR_RETURN(std::size_t values, r.Count("reports.values", 10));
    report.values_begin = static_cast<std::uint32_t>(task.values.size());
    report.values_count = static_cast<std::uint32_t>(values);
    std::string_view previous;
    for (std::size_t i = 0; i < values; ++i) {
      ReportValue value;
      ASSIGN_OR_RETURN(std::string_view indicator, r.Text("reports.values.indicator"));
      if (indicator.empty() || (i > 0 && indicator <= previous)) {
        return Unreadable("reports.values.indicator", "must name each indicator once, in order");
      }
      previous = indicator;
      value.indicator = Intern(indicator);
      ASSIGN_OR_RETURN(std::uint8_t county, r.Byte("reports.values.county_wide"));
      if (county > 1) return Unreadable("reports.values.county_wide", "must be 0 or 1");
      value.county_wide = county == 1;
      ASSIGN_OR_RETURN(value.value, r.Double("reports.values.value"));
      Append(task.values, value);
    }
    ASSIGN_OR_RETURN(std::uint8_t review, r.Byte("reports.review"));
    if (review > 2) return Unreadable("reports.review", "must be 0, 1 (approved) or 2 (returned)");
    if (review != 0) {
      ASSIGN_OR_RETURN(report.review_position, r.Position("reports.review.position"));
      report.review_decision = review == 1 ? ReviewDecision::kApproved : ReviewDecision::kReturned;
    }
    InsertByVersion(task.reports, report);
  }
  ASSIGN_OR_RETURN(std::size_t notices, r.Count("notices", 7));
  for (std::size_t n = 0; n < notices; ++n) {
    Notice notice;
    ASSIGN_OR_RETURN(notice.version, r.ChunkVersion("notices.version", first));
    ASSIGN_OR_RETURN(std::string_view id, r.Text("notices.id"));
    notice.id = std::string(id);
    ASSIGN_OR_RETURN(std::int64_t due, r.Signed("notices.due"));
    if (due < -1000000 || due > 3000000) return Unreadable("notices.due", "must be a date");
    notice.due = std::chrono::year_month_day(std::chrono::sys_days(std::chrono::days(due)));
    ASSIGN_OR_RETURN(notice.position, r.Position("notices.position"));
    ASSIGN_OR_RETURN(notice.issued_at, r.Time("notices.issued_at"));
    ASSIGN_OR_RETURN(std::uint8_t state, r.Byte("notices.state"));
    if (state == 1) {
      Answer answer;
      ASSIGN_OR_RETURN(answer.position, r.Position("notices.answer.position"));
      ASSIGN_OR_RETURN(answer.recorded_at, r.Time("notices.answer.recorded_at"));
      notice.answer = answer;
    } else if (state == 2) {
      ASSIGN_OR_RETURN(notice.closed_unanswered, r.Position("notices.closed_unanswered"));
    } else if (state == 0) {
      task.unanswered[notice.id].insert(notice.version);
    } else {
      return Unreadable("notices.state", "must be 0 (open), 1 (answered) or 2 (closed unanswered)");
    }
    InsertByVersion(task.notices, std::move(notice));
  }
  ASSIGN_OR_RETURN(std::size_t completions, r.Count("completions", 4));
  for (std::size_t n = 0; n < completions; ++n) {
    Completion completion;
    ASSIGN_OR_RETURN(completion.version, r.ChunkVersion("completions.version", first));
    ASSIGN_OR_RETURN(completion.position, r.Position("completions.position"));
    ASSIGN_OR_RETURN(completion.recorded_at, r.Time("completions.recorded_at"));
    ASSIGN_OR_RETURN(std::uint8_t completed, r.Byte("completions.completed"));
    if (completed > 1) return Unreadable("completions.completed", "must be 0 or 1");
    completion.completed = completed == 1;
    InsertByVersion(task.completions, completion);
  }
  if (!r.AtEnd()) return Unreadable("completions", "the row goes on past its last entry");
  return Status::Ok();
}

namespace {

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
  AssessmentFacts& facts;
  AssessmentFacts::TaskStream& task;
  const RecordedEvent& envelope;
  using Touched = std::optional<StreamVersion>;

  Touched operator()(const ProgressReported& e) const {
    AssessmentFacts::Report report{
        .version = envelope.version,
        .position = envelope.position,
        .recorded_at = envelope.recorded_at,
        .unit = facts.Intern(envelope.actor.unit),
        .group = envelope.actor.group.empty() ? AssessmentFacts::kNoName : facts.Intern(envelope.actor.group),
        .period = e.period};
    report.values_begin = static_cast<std::uint32_t>(task.values.size());
    for (const IndicatorValue& value : e.indicators) {
      const AssessmentFacts::NameId indicator = facts.Intern(value.indicator);
      const bool county = value.scope == IndicatorScope::kCounty;
      // The last given, if named twice.
      auto given = std::find_if(task.values.begin() + report.values_begin, task.values.end(),
                                [&](const AssessmentFacts::ReportValue& v) { return v.indicator == indicator; });
      if (given != task.values.end()) {
        *given = {indicator, county, value.value};
      } else {
        Append(task.values, AssessmentFacts::ReportValue{indicator, county, value.value});
      }
    }
    report.values_count = static_cast<std::uint32_t>(task.values.size() - report.values_begin);
    // In indicator name order, as the rows write them.
    std::sort(task.values.begin() + report.values_begin, task.values.end(),
              [&](const AssessmentFacts::ReportValue& a, const AssessmentFacts::ReportValue& b) {
                return facts.Name(a.indicator) < facts.Name(b.indicator);
              });
    Append(task.reports, report);
    return envelope.version;
  }
  Touched operator()(const ReportReviewed& e) const {
    AssessmentFacts::Report* report = AtVersion(task.reports, e.report_version);
    if (report == nullptr || report->reviewed()) return std::nullopt;
    report->review_position = envelope.position;
    report->review_decision = e.decision;
    return report->version;
  }
  Touched operator()(const NoticeIssued& e) const {
    task.notices.push_back(
        AssessmentFacts::Notice{envelope.version, e.notice_id, e.due, envelope.position, envelope.recorded_at,
                                std::nullopt, std::nullopt});
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
    Append(task.completions, AssessmentFacts::Completion{envelope.version, envelope.position, envelope.recorded_at, true});
    return envelope.version;
  }
  Touched operator()(const TaskReopened&) const {
    Append(task.completions, AssessmentFacts::Completion{envelope.version, envelope.position, envelope.recorded_at, false});
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
  if (const std::optional<StreamVersion> touched = std::visit(FoldTask{*this, stream, envelope}, event)) {
    // insert, not emplace: a chunk already marked allocates nothing.
    changed_chunks_.insert(ChunkKey(envelope.stream.value, ChunkOf(*touched)));
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

std::string_view AssessmentFacts::Name(NameId id) const {
  return id < names_.size() ? std::string_view(names_[id]) : std::string_view();
}

AssessmentFacts::NameId AssessmentFacts::FindName(std::string_view name) const {
  auto it = name_ids_.find(name);
  return it == name_ids_.end() ? kNoName : it->second;
}

AssessmentFacts::NameId AssessmentFacts::Intern(std::string_view name) {
  auto it = name_ids_.find(name);
  if (it != name_ids_.end()) return it->second;
  const NameId id = static_cast<NameId>(names_.size());
  names_.emplace_back(name);
  name_ids_.emplace(std::string(name), id);
  return id;
}

const AssessmentFacts::ReportValue* AssessmentFacts::TaskStream::ValueOf(const Report& report, NameId indicator) const {
  if (indicator == kNoName) return nullptr;
  for (std::uint32_t i = 0; i < report.values_count; ++i) {
    if (values[report.values_begin + i].indicator == indicator) return &values[report.values_begin + i];
  }
  return nullptr;
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
    rows.emplace_back(ChunkRowKey(stream, first), EncodeChunkRow(*this, tasks.at(stream), first));
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
  // A task's chunk ("task-07/0000000129"), in binary; every other row is JSON.
  if (const std::size_t slash = name.find('/'); slash != std::string::npos && !name.starts_with(kInstructionRowPrefix)) {
    const std::string stream = name.substr(0, slash);
    const Result<StreamKind> kind = ClassifyStream(StreamId{stream});
    const std::string digits = name.substr(slash + 1);
    std::uint64_t first = 0;
    const bool numeric = digits.size() == 10 && std::all_of(digits.begin(), digits.end(), [](char c) {
      return c >= '0' && c <= '9';
    });
    if (numeric) first = std::stoull(digits);
    if (!kind.ok() || *kind != StreamKind::kTask || !numeric || first == 0 || ChunkOf(StreamVersion(first)) != first) {
      return Status::InvalidArgument(name + ": does not name a chunk of the assessment view", name);
    }
    Status read = ReadChunkRow(value, first, tasks[stream]);
    return read.ok() ? read : read.WithContext(name);
  }
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
  // A task's head ("task-07").
  const std::string& stream = name;
  const Result<StreamKind> kind = ClassifyStream(StreamId{stream});
  if (!kind.ok() || *kind != StreamKind::kTask) {
    return Status::InvalidArgument(name + ": is not a row of the assessment view", name);
  }
  JsonReader r(row, "");
  Status read = [&]() -> Status {
    RETURN_IF_ERROR(r.ExpectObject());
    RETURN_IF_ERROR(ExpectFormat(r));
    ASSIGN_OR_RETURN(tasks[stream].version, ReadVersion(r));
    return Status::Ok();
  }();
  return read.ok() ? read : read.WithContext(name);
}

}  // namespace kuimen
