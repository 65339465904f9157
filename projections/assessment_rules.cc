#include "projections/assessment_rules.h"

#include <cmath>

#include "eventstore/json_reader.h"

namespace kuimen {

namespace {

using nlohmann::json;

constexpr AssessmentRuleKind kAllKinds[] = {
    AssessmentRuleKind::kTimeliness, AssessmentRuleKind::kApproval,   AssessmentRuleKind::kTargets,
    AssessmentRuleKind::kNotices,    AssessmentRuleKind::kCompletion, AssessmentRuleKind::kAdjustments,
};

// A parameter a rule kind reads, with its default and range.
struct ParameterSpec {
  const char* name;
  double fallback;
  double min;
  double max;
  bool whole;  // must be a whole number
};

std::vector<ParameterSpec> ParametersOf(AssessmentRuleKind kind) {
  // Day 28 at most, so that every month has the day.
  if (kind == AssessmentRuleKind::kTimeliness) return {{"due_day", 10, 1, 28, true}};
  // 1: only approved figures count (the board's county figure, session 7);
  // absent (0) in rules written before "fengjie-2024.3", which counted figures
  // awaiting review too, so a year frozen under them scores as it did.
  if (kind == AssessmentRuleKind::kTargets) return {{"approved_only", 0, 0, 1, true}};
  return {};
}

Status Invalid(const std::string& field, const std::string& problem) {
  return Status::InvalidArgument(field + ": " + problem, field);
}

std::string KnownIds() {
  std::string ids;
  for (AssessmentRuleKind kind : kAllKinds) ids += (ids.empty() ? "" : ", ") + std::string(AssessmentRuleId(kind));
  return ids;
}

std::string Number(double value) { return NumberJson<json>(value).dump(); }

AssessmentRule MakeRule(AssessmentRuleKind kind, std::string label, double max_points,
                        double cooperating_weight = 0) {
  AssessmentRule rule{kind, std::move(label), max_points, {}, cooperating_weight};
  for (const ParameterSpec& spec : ParametersOf(kind)) rule.parameters[spec.name] = spec.fallback;
  return rule;
}

}  // namespace

std::string_view AssessmentRuleId(AssessmentRuleKind kind) {
  switch (kind) {
    case AssessmentRuleKind::kTimeliness: return "timeliness";
    case AssessmentRuleKind::kApproval: return "approval";
    case AssessmentRuleKind::kTargets: return "targets";
    case AssessmentRuleKind::kNotices: return "notices";
    case AssessmentRuleKind::kCompletion: return "completion";
    case AssessmentRuleKind::kAdjustments: return "adjustments";
  }
  return "unknown";
}

double AssessmentRule::Parameter(const std::string& name) const {
  auto it = parameters.find(name);
  return it == parameters.end() ? 0 : it->second;
}

const AssessmentRule* AssessmentRules::Find(AssessmentRuleKind kind) const {
  for (const AssessmentRule& rule : rules) {
    if (rule.kind == kind) return &rule;
  }
  return nullptr;
}

AssessmentRules DefaultAssessmentRules() {
  AssessmentRules rules;
  // 2024.3: 目标达成 reads approved figures only (approved_only 1).
  rules.version = "fengjie-2024.3";
  AssessmentRule targets = MakeRule(AssessmentRuleKind::kTargets, "目标达成", 20);
  targets.parameters["approved_only"] = 1;
  rules.rules = {
      MakeRule(AssessmentRuleKind::kTimeliness, "报送及时", 30, 0.5),
      MakeRule(AssessmentRuleKind::kApproval, "审核通过", 20, 0.5),
      targets,
      MakeRule(AssessmentRuleKind::kNotices, "督办整改", 15),
      MakeRule(AssessmentRuleKind::kCompletion, "任务完成", 15),
      MakeRule(AssessmentRuleKind::kAdjustments, "加减分", 0),
  };
  return rules;
}

Status ValidateAssessmentRules(const AssessmentRules& rules) {
  if (rules.version.find_first_not_of(" \t\r\n") == std::string::npos) return Invalid("version", "must not be empty");
  if (!std::isfinite(rules.total) || rules.total <= 0) return Invalid("total", "must be a number above 0");
  if (rules.utc_offset_minutes < -720 || rules.utc_offset_minutes > 840) {
    return Invalid("utc_offset_minutes", "must be from -720 to 840");
  }
  if (rules.min_basis < 1 || rules.min_basis > 100) return Invalid("min_basis", "must be from 1 to 100");
  if (rules.rules.empty()) return Invalid("rules", "must list at least one rule");
  double scored = 0;
  for (size_t i = 0; i < rules.rules.size(); ++i) {
    const AssessmentRule& rule = rules.rules[i];
    const std::string where = "rules[" + std::to_string(i) + "]";
    for (size_t j = 0; j < i; ++j) {
      if (rules.rules[j].kind == rule.kind) {
        return Invalid(where + ".id", "\"" + std::string(AssessmentRuleId(rule.kind)) + "\" is listed twice");
      }
    }
    if (rule.label.find_first_not_of(" \t\r\n") == std::string::npos) return Invalid(where + ".label", "must not be empty");
    if (rule.kind == AssessmentRuleKind::kAdjustments) {
      // 加减分 are added as the task force gave them; only the final score is bounded.
      if (rule.max_points != 0) return Invalid(where + ".max_points", "adjustments have no maximum; leave it out");
      if (rule.cooperating_weight != 0) {
        return Invalid(where + ".cooperating_weight", "adjustments are given to a unit, not per task; leave it out");
      }
    } else {
      if (!std::isfinite(rule.cooperating_weight) || rule.cooperating_weight < 0 || rule.cooperating_weight > 1) {
        return Invalid(where + ".cooperating_weight", "must be a number from 0 to 1");
      }
      if (!std::isfinite(rule.max_points) || rule.max_points < 0) {
        return Invalid(where + ".max_points", "must be a number not below 0");
      }
      scored += rule.max_points;
    }
    const std::vector<ParameterSpec> specs = ParametersOf(rule.kind);
    for (const auto& [name, value] : rule.parameters) {
      const std::string field = where + ".parameters." + name;
      const ParameterSpec* spec = nullptr;
      for (const ParameterSpec& candidate : specs) {
        if (name == candidate.name) spec = &candidate;
      }
      if (spec == nullptr) {
        return Invalid(field, "is not a parameter of " + std::string(AssessmentRuleId(rule.kind)));
      }
      if (!std::isfinite(value) || value < spec->min || value > spec->max || (spec->whole && value != std::floor(value))) {
        return Invalid(field, std::string("must be ") + (spec->whole ? "a whole number" : "a number") + " from " +
                                  Number(spec->min) + " to " + Number(spec->max));
      }
    }
    for (const ParameterSpec& spec : specs) {
      if (!rule.parameters.contains(spec.name)) return Invalid(where + ".parameters." + spec.name, "is required");
    }
  }
  if (std::fabs(scored - rules.total) > 1e-9) {
    return Invalid("rules", "the rules' max_points add up to " + Number(scored) + ", not the total " +
                                Number(rules.total));
  }
  return Status::Ok();
}

Result<AssessmentRules> ParseAssessmentRules(std::string_view text) {
  const json root = json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (root.is_discarded()) return Invalid("body", "is not valid JSON");
  JsonReader r(root, "");
  RETURN_IF_ERROR(r.ExpectObject());
  RETURN_IF_ERROR(r.RejectUnknown({"version", "total", "utc_offset_minutes", "min_basis", "rules"}));

  AssessmentRules rules;
  ASSIGN_OR_RETURN(rules.version, r.String("version"));
  ASSIGN_OR_RETURN(std::optional<double> total, r.OptionalNumber("total"));
  rules.total = total.value_or(rules.total);
  ASSIGN_OR_RETURN(std::optional<std::int64_t> offset, r.OptionalInteger("utc_offset_minutes"));
  if (offset.has_value()) {
    if (*offset < -720 || *offset > 840) return Invalid("utc_offset_minutes", "must be from -720 to 840");
    rules.utc_offset_minutes = static_cast<int>(*offset);
  }
  ASSIGN_OR_RETURN(std::optional<std::int64_t> min_basis, r.OptionalInteger("min_basis"));
  if (min_basis.has_value()) {
    if (*min_basis < 1 || *min_basis > 100) return Invalid("min_basis", "must be from 1 to 100");
    rules.min_basis = static_cast<int>(*min_basis);
  }
  ASSIGN_OR_RETURN(const json* list, r.Array("rules"));
  for (size_t i = 0; i < list->size(); ++i) {
    const std::string where = JsonReader::Element("rules", i);
    JsonReader item((*list)[i], where);
    RETURN_IF_ERROR(item.ExpectObject());
    RETURN_IF_ERROR(item.RejectUnknown({"id", "label", "max_points", "cooperating_weight", "parameters"}));
    ASSIGN_OR_RETURN(std::string id, item.String("id"));
    const AssessmentRuleKind* kind = nullptr;
    for (const AssessmentRuleKind& candidate : kAllKinds) {
      if (AssessmentRuleId(candidate) == id) kind = &candidate;
    }
    if (kind == nullptr) return Invalid(where + ".id", "\"" + id + "\" is not a rule; rules are " + KnownIds());
    AssessmentRule rule = MakeRule(*kind, "", 0);
    ASSIGN_OR_RETURN(rule.label, item.String("label"));
    if (*kind == AssessmentRuleKind::kAdjustments) {
      ASSIGN_OR_RETURN(std::optional<double> max_points, item.OptionalNumber("max_points"));
      rule.max_points = max_points.value_or(0);
    } else {
      ASSIGN_OR_RETURN(rule.max_points, item.Number("max_points"));
    }
    ASSIGN_OR_RETURN(std::optional<double> cooperating_weight, item.OptionalNumber("cooperating_weight"));
    rule.cooperating_weight = cooperating_weight.value_or(0);
    const auto parameters = (*list)[i].find("parameters");
    if (parameters != (*list)[i].end() && !parameters->is_null()) {
      const std::string parameters_path = where + ".parameters";
      JsonReader params(*parameters, parameters_path);
      RETURN_IF_ERROR(params.ExpectObject());
      for (auto it = parameters->begin(); it != parameters->end(); ++it) {
        if (!rule.parameters.contains(it.key())) {
          return Invalid(params.PathOf(it.key().c_str()), "is not a parameter of " + id);
        }
        ASSIGN_OR_RETURN(rule.parameters[it.key()], params.Number(it.key().c_str()));
      }
    }
    rules.rules.push_back(std::move(rule));
  }
  RETURN_IF_ERROR(ValidateAssessmentRules(rules));
  return rules;
}

std::string AssessmentRulesToJson(const AssessmentRules& rules, int indent) {
  json list = json::array();
  for (const AssessmentRule& rule : rules.rules) {
    json item = {{"id", std::string(AssessmentRuleId(rule.kind))}, {"label", rule.label}};
    if (rule.kind != AssessmentRuleKind::kAdjustments) item["max_points"] = NumberJson<json>(rule.max_points);
    if (rule.cooperating_weight > 0) item["cooperating_weight"] = NumberJson<json>(rule.cooperating_weight);
    if (!rule.parameters.empty()) {
      json parameters = json::object();
      for (const auto& [name, value] : rule.parameters) parameters[name] = NumberJson<json>(value);
      item["parameters"] = parameters;
    }
    list.push_back(std::move(item));
  }
  json out = {{"version", rules.version},
              {"total", NumberJson<json>(rules.total)},
              {"utc_offset_minutes", rules.utc_offset_minutes},
              {"rules", list}};
  if (rules.min_basis != AssessmentRules::kDefaultMinBasis) out["min_basis"] = rules.min_basis;
  return out.dump(indent);
}

}  // namespace kuimen
