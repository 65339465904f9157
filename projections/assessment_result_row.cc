#include "projections/assessment_result_row.h"

#include <string>
#include <utility>

#include "domain/calendar.h"
#include "eventstore/envelope_json.h"
#include "eventstore/json_reader.h"

namespace kuimen {
namespace {

using nlohmann::json;

json Number(double value) { return NumberJson<json>(value); }
json OrNull(const std::optional<double>& value) { return value.has_value() ? Number(*value) : json(nullptr); }
json OrNull(const std::optional<std::string>& value) { return value.has_value() ? json(*value) : json(nullptr); }
json Month(const std::optional<std::chrono::year_month>& month) {
  return month.has_value() ? json(FormatMonth(*month)) : json(nullptr);
}

const char* InvolvementName(AssessmentInvolvement involvement) {
  switch (involvement) {
    case AssessmentInvolvement::kLead: return "lead";
    case AssessmentInvolvement::kCooperating: return "cooperating";
    case AssessmentInvolvement::kLeadAndCooperating: return "lead_and_cooperating";
  }
  return "lead";
}

json LineRow(const AssessmentLine& line, bool with_basis) {
  json out = {{"rule", line.rule},
              {"label", line.label},
              {"points", OrNull(line.points)},
              {"max", OrNull(line.max)},
              {"positions", line.positions},
              {"detail", line.detail}};
  if (line.applicable.has_value()) out["applicable"] = *line.applicable;
  if (with_basis) {
    out["basis"] = line.basis.has_value()
                       ? json{{"count", line.basis->count}, {"thin", line.basis->thin}, {"text", line.basis->text}}
                       : json(nullptr);
  }
  return out;
}

json InstructionRow(const AssessmentInstruction& i) {
  return {{"stream", i.stream},
          {"version", i.version},
          {"position", i.position},
          {"given_at", FormatTimestamp(i.given_at)},
          {"principal", i.principal},
          {"leader_name", i.leader_name},
          {"notice_id", OrNull(i.notice_id)},
          {"text", i.text}};
}

json UnitRow(const AssessmentUnitResult& unit) {
  json lines = json::array();
  for (const AssessmentLine& line : unit.lines) lines.push_back(LineRow(line, unit.basis.has_value()));
  json out = {{"unit", unit.unit}, {"score", OrNull(unit.score)}, {"lines", std::move(lines)}};
  if (unit.involvement.has_value()) {
    out["involvement"] = InvolvementName(*unit.involvement);
    out["base"] = OrNull(unit.base);
    out["earned"] = Number(unit.earned);
    out["applicable_max"] = Number(unit.applicable_max);
    out["adjustments"] = Number(unit.adjustments);
    out["not_applicable"] = unit.not_applicable;
  }
  if (unit.basis.has_value()) {
    out["basis"] = {{"applicable", unit.basis->applicable},
                    {"components", unit.basis->components},
                    {"text", unit.basis->text},
                    {"thin", unit.basis->thin}};
  }
  if (unit.instructions.has_value()) {
    json instructions = json::array();
    for (const AssessmentInstruction& i : *unit.instructions) instructions.push_back(InstructionRow(i));
    out["instructions"] = std::move(instructions);
  }
  return out;
}

// --- reading ---------------------------------------------------------------------

Status Unreadable(const std::string& field, const std::string& problem) {
  return Status::InvalidArgument(field + ": " + problem, field);
}

bool Has(const json& object, const char* key) { return object.contains(key); }

Result<std::vector<std::string>> Strings(const JsonReader& r, const char* key) {
  std::vector<std::string> out;
  ASSIGN_OR_RETURN(const json* items, r.Array(key));
  for (std::size_t i = 0; i < items->size(); ++i) {
    if (!(*items)[i].is_string()) return Unreadable(JsonReader::Element(r.PathOf(key), i), "must be a string");
    out.push_back((*items)[i].get<std::string>());
  }
  return out;
}

Result<std::uint64_t> Unsigned(const JsonReader& r, const char* key) {
  ASSIGN_OR_RETURN(std::int64_t value, r.Integer(key));
  if (value < 0) return Unreadable(r.PathOf(key), "must not be negative");
  return static_cast<std::uint64_t>(value);
}

Result<Timestamp> Time(const JsonReader& r, const char* key) {
  ASSIGN_OR_RETURN(std::string text, r.String(key));
  std::optional<Timestamp> time = ParseTimestamp(text);
  if (!time.has_value()) return Unreadable(r.PathOf(key), "must be a time");
  return *time;
}

// A string member that is null or a string; absent counts as null.
Result<std::optional<std::string>> NullableString(const JsonReader& r, const json& object, const char* key) {
  const auto it = object.find(key);
  if (it == object.end() || it->is_null()) return std::optional<std::string>();
  ASSIGN_OR_RETURN(std::string text, r.String(key));
  return std::optional<std::string>(std::move(text));
}

Result<std::optional<std::chrono::year_month>> NullableMonth(const JsonReader& r, const json& object,
                                                            const char* key) {
  ASSIGN_OR_RETURN(std::optional<std::string> text, NullableString(r, object, key));
  if (!text.has_value()) return std::optional<std::chrono::year_month>();
  std::optional<std::chrono::year_month> month = ParseMonth(*text);
  if (!month.has_value()) return Unreadable(r.PathOf(key), "must be a month YYYY-MM");
  return month;
}

Result<AssessmentLine> ReadLine(const JsonReader& r, const json& object) {
  RETURN_IF_ERROR(r.ExpectObject());
  AssessmentLine line;
  ASSIGN_OR_RETURN(line.rule, r.String("rule"));
  ASSIGN_OR_RETURN(line.label, r.OptionalString("label"));
  ASSIGN_OR_RETURN(line.applicable, r.OptionalBool("applicable"));
  ASSIGN_OR_RETURN(line.points, r.OptionalNumber("points"));
  ASSIGN_OR_RETURN(line.max, r.OptionalNumber("max"));
  ASSIGN_OR_RETURN(const json* positions, r.Array("positions"));
  for (std::size_t i = 0; i < positions->size(); ++i) {
    const json& position = (*positions)[i];
    if (!position.is_number_unsigned() && !(position.is_number_integer() && position.get<std::int64_t>() >= 0)) {
      return Unreadable(JsonReader::Element(r.PathOf("positions"), i), "must be a position");
    }
    line.positions.push_back(position.get<std::uint64_t>());
  }
  if (const auto basis = object.find("basis"); basis != object.end() && !basis->is_null()) {
    JsonReader b(*basis, r.PathOf("basis"));
    RETURN_IF_ERROR(b.ExpectObject());
    AssessmentLineBasis read;
    ASSIGN_OR_RETURN(std::int64_t count, b.Integer("count"));
    read.count = static_cast<int>(count);
    ASSIGN_OR_RETURN(std::optional<bool> thin, b.OptionalBool("thin"));
    read.thin = thin.value_or(false);
    ASSIGN_OR_RETURN(read.text, b.String("text"));
    line.basis = std::move(read);
  }
  ASSIGN_OR_RETURN(line.detail, r.OptionalString("detail"));
  return line;
}

Result<AssessmentInstruction> ReadInstruction(const JsonReader& r, const json& object) {
  RETURN_IF_ERROR(r.ExpectObject());
  AssessmentInstruction i;
  ASSIGN_OR_RETURN(i.stream, r.String("stream"));
  ASSIGN_OR_RETURN(i.version, Unsigned(r, "version"));
  ASSIGN_OR_RETURN(i.position, Unsigned(r, "position"));
  ASSIGN_OR_RETURN(i.given_at, Time(r, "given_at"));
  ASSIGN_OR_RETURN(i.principal, r.String("principal"));
  ASSIGN_OR_RETURN(i.leader_name, r.String("leader_name"));
  ASSIGN_OR_RETURN(i.notice_id, NullableString(r, object, "notice_id"));
  ASSIGN_OR_RETURN(i.text, r.String("text"));
  return i;
}

Result<AssessmentUnitResult> ReadUnit(const JsonReader& r, const json& object) {
  RETURN_IF_ERROR(r.ExpectObject());
  AssessmentUnitResult unit;
  ASSIGN_OR_RETURN(unit.unit, r.String("unit"));
  ASSIGN_OR_RETURN(unit.score, r.OptionalNumber("score"));
  if (Has(object, "involvement")) {
    ASSIGN_OR_RETURN(std::string involvement, r.String("involvement"));
    if (involvement == "lead") {
      unit.involvement = AssessmentInvolvement::kLead;
    } else if (involvement == "cooperating") {
      unit.involvement = AssessmentInvolvement::kCooperating;
    } else if (involvement == "lead_and_cooperating") {
      unit.involvement = AssessmentInvolvement::kLeadAndCooperating;
    } else {
      return Unreadable(r.PathOf("involvement"), "must be lead, cooperating or lead_and_cooperating");
    }
    ASSIGN_OR_RETURN(unit.base, r.OptionalNumber("base"));
    ASSIGN_OR_RETURN(unit.earned, r.Number("earned"));
    ASSIGN_OR_RETURN(unit.applicable_max, r.Number("applicable_max"));
    ASSIGN_OR_RETURN(unit.adjustments, r.Number("adjustments"));
    ASSIGN_OR_RETURN(unit.not_applicable, Strings(r, "not_applicable"));
  }
  if (const auto basis = object.find("basis"); basis != object.end()) {
    JsonReader b(*basis, r.PathOf("basis"));
    RETURN_IF_ERROR(b.ExpectObject());
    AssessmentUnitBasis read;
    ASSIGN_OR_RETURN(std::int64_t applicable, b.Integer("applicable"));
    ASSIGN_OR_RETURN(std::int64_t components, b.Integer("components"));
    read.applicable = static_cast<int>(applicable);
    read.components = static_cast<int>(components);
    ASSIGN_OR_RETURN(read.text, b.String("text"));
    ASSIGN_OR_RETURN(read.thin, Strings(b, "thin"));
    unit.basis = std::move(read);
  }
  ASSIGN_OR_RETURN(const json* lines, r.Array("lines"));
  for (std::size_t i = 0; i < lines->size(); ++i) {
    ASSIGN_OR_RETURN(AssessmentLine line,
                     ReadLine(JsonReader((*lines)[i], JsonReader::Element(r.PathOf("lines"), i)), (*lines)[i]));
    unit.lines.push_back(std::move(line));
  }
  if (Has(object, "instructions")) {
    ASSIGN_OR_RETURN(const json* items, r.Array("instructions"));
    std::vector<AssessmentInstruction> instructions;
    for (std::size_t i = 0; i < items->size(); ++i) {
      ASSIGN_OR_RETURN(AssessmentInstruction instruction,
                       ReadInstruction(JsonReader((*items)[i], JsonReader::Element(r.PathOf("instructions"), i)),
                                       (*items)[i]));
      instructions.push_back(std::move(instruction));
    }
    unit.instructions = std::move(instructions);
  }
  return unit;
}

}  // namespace

json AssessmentResultToRow(const AssessmentResult& result) {
  json units = json::array();
  for (const AssessmentUnitResult& unit : result.units) units.push_back(UnitRow(unit));
  json out = {{"year", result.year},
              {"rules_version", result.rules_version},
              {"frozen", result.frozen},
              {"frozen_at_position",
               result.frozen_at_position.has_value() ? json(*result.frozen_at_position) : json(nullptr)},
              {"evaluated_at", FormatTimestamp(result.evaluated_at)},
              {"units", std::move(units)}};
  if (result.in_scope.has_value()) {
    out["in_scope"] = *result.in_scope;
    out["scope_note"] = OrNull(result.scope_note);
  }
  if (result.timeliness_window.has_value()) {
    out["timeliness_window"] = {{"from", Month(result.timeliness_window->from)},
                                {"to", Month(result.timeliness_window->to)},
                                {"label", result.timeliness_window->label}};
  }
  if (result.rules_json.has_value()) {
    // Stored as the object it is; text that somehow does not parse is kept as text.
    json rules = json::parse(*result.rules_json, nullptr, /*allow_exceptions=*/false);
    out["rules"] = rules.is_discarded() ? json(*result.rules_json) : std::move(rules);
  }
  if (result.frozen_early.has_value()) {
    out["frozen_early"] = *result.frozen_early;
    out["frozen_reason"] = OrNull(result.frozen_reason);
  }
  return out;
}

Result<AssessmentResult> AssessmentResultFromRow(const json& row) {
  JsonReader r(row, "result");
  RETURN_IF_ERROR(r.ExpectObject());
  AssessmentResult result;
  ASSIGN_OR_RETURN(std::int64_t year, r.Integer("year"));
  result.year = static_cast<int>(year);
  ASSIGN_OR_RETURN(result.rules_version, r.OptionalString("rules_version"));
  ASSIGN_OR_RETURN(std::optional<bool> frozen, r.OptionalBool("frozen"));
  result.frozen = frozen.value_or(false);
  ASSIGN_OR_RETURN(std::optional<std::int64_t> at, r.OptionalInteger("frozen_at_position"));
  if (at.has_value()) result.frozen_at_position = static_cast<std::uint64_t>(*at);
  ASSIGN_OR_RETURN(result.evaluated_at, Time(r, "evaluated_at"));
  if (Has(row, "in_scope")) {
    ASSIGN_OR_RETURN(result.in_scope, r.OptionalBool("in_scope"));
    ASSIGN_OR_RETURN(result.scope_note, NullableString(r, row, "scope_note"));
  }
  if (const auto window = row.find("timeliness_window"); window != row.end()) {
    JsonReader w(*window, "result.timeliness_window");
    RETURN_IF_ERROR(w.ExpectObject());
    AssessmentTimelinessWindow read;
    ASSIGN_OR_RETURN(read.from, NullableMonth(w, *window, "from"));
    ASSIGN_OR_RETURN(read.to, NullableMonth(w, *window, "to"));
    ASSIGN_OR_RETURN(read.label, w.String("label"));
    result.timeliness_window = std::move(read);
  }
  if (const auto rules = row.find("rules"); rules != row.end()) {
    result.rules_json = rules->is_string() ? rules->get<std::string>() : rules->dump();
    if (rules->is_object()) {
      JsonReader rr(*rules, "result.rules");
      ASSIGN_OR_RETURN(result.rules_total, rr.OptionalNumber("total"));
      ASSIGN_OR_RETURN(std::optional<std::int64_t> min_basis, rr.OptionalInteger("min_basis"));
      if (min_basis.has_value()) result.rules_min_basis = static_cast<int>(*min_basis);
    }
  }
  if (Has(row, "frozen_early")) {
    ASSIGN_OR_RETURN(result.frozen_early, r.OptionalBool("frozen_early"));
    ASSIGN_OR_RETURN(result.frozen_reason, NullableString(r, row, "frozen_reason"));
  }
  ASSIGN_OR_RETURN(const json* units, r.Array("units"));
  for (std::size_t i = 0; i < units->size(); ++i) {
    ASSIGN_OR_RETURN(AssessmentUnitResult unit,
                     ReadUnit(JsonReader((*units)[i], JsonReader::Element("result.units", i)), (*units)[i]));
    result.units.push_back(std::move(unit));
  }
  return result;
}

}  // namespace kuimen
