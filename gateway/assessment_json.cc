#include "gateway/assessment_json.h"

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

// A line's "basis" is written where its unit has one (null for 加减分).
json LineJson(const AssessmentLine& line, bool with_basis) {
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

json InstructionJson(const AssessmentInstruction& i) {
  return {{"stream", i.stream},
          {"version", i.version},
          {"position", i.position},
          {"given_at", FormatTimestamp(i.given_at)},
          {"principal", i.principal},
          {"leader_name", i.leader_name},
          {"notice_id", OrNull(i.notice_id)},
          {"text", i.text}};
}

json UnitJson(const AssessmentUnitResult& unit) {
  json lines = json::array();
  for (const AssessmentLine& line : unit.lines) lines.push_back(LineJson(line, unit.basis.has_value()));
  json out = {{"unit", unit.unit},
              {"score", OrNull(unit.score)},
              {"rank", unit.rank.has_value() ? json(*unit.rank) : json(nullptr)},
              {"lines", std::move(lines)}};
  // The members a result of the first release lacks come and go together.
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
    for (const AssessmentInstruction& i : *unit.instructions) instructions.push_back(InstructionJson(i));
    out["instructions"] = std::move(instructions);
  }
  return out;
}

}  // namespace

json TimelinessWindowJson(const AssessmentResult& result) {
  if (!result.timeliness_window.has_value()) return nullptr;
  const AssessmentTimelinessWindow& window = *result.timeliness_window;
  return {{"from", Month(window.from)}, {"to", Month(window.to)}, {"label", window.label}};
}

std::string NumberText(double value) { return Number(value).dump(); }

json AssessmentJson(const AssessmentResult& result) {
  json units = json::array();
  for (const AssessmentUnitResult& unit : result.units) units.push_back(UnitJson(unit));
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
  if (result.timeliness_window.has_value()) out["timeliness_window"] = TimelinessWindowJson(result);
  if (result.rules_json.has_value()) {
    // The rules as the object they are (assessment_rules.h's JSON).
    json rules = json::parse(*result.rules_json, nullptr, /*allow_exceptions=*/false);
    out["rules"] = rules.is_discarded() ? json(*result.rules_json) : std::move(rules);
  }
  if (result.frozen_early.has_value()) {
    out["frozen_early"] = *result.frozen_early;
    out["frozen_reason"] = OrNull(result.frozen_reason);
  }
  return out;
}

}  // namespace kuimen
