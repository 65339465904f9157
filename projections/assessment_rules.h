#pragma once

#include <map>
#include <string>
#include <string_view>
#include <vector>


#include "domain/status.h"

namespace kuimen {

// The scoring rules of the year-end assessment (年终综合考核), as
// configuration. Each kind is computed by projections/assessment_score.h; the
// configuration picks which rules apply, their labels, maximum points and
// parameters, and names the set with a version that every result carries.
enum class AssessmentRuleKind {
  kTimeliness,   // 报送及时: monthly progress reports sent by the due day
  kApproval,     // 审核通过: reviewed reports that were approved
  kTargets,      // 目标达成: latest reported values against quantitative targets
  kNotices,      // 督办整改: 督办 notices answered by their due date
  kCompletion,   // 任务完成: led tasks completed
  kAdjustments,  // 加减分: the task force's AssessmentAdjusted points, added as they are
};

// Wire id of a kind: "timeliness", "approval", "targets", "notices",
// "completion", "adjustments".
std::string_view AssessmentRuleId(AssessmentRuleKind kind);

struct AssessmentRule {
  AssessmentRuleKind kind = AssessmentRuleKind::kTimeliness;
  std::string label;        // Chinese label shown with each score line, e.g. "报送及时"
  double max_points = 0;    // the points a unit earns in full; unused (0) for kAdjustments
  // Every parameter the kind reads, defaults filled in. kTimeliness:
  // "due_day" (default 10), the day of the following month by which a
  // month's report is on time (1..28). kTargets: "approved_only" (0 or 1,
  // default 0 for a rules file that leaves it out; 1 in the built-in set
  // since fengjie-2024.3): only approved figures count, as on the board.
  std::map<std::string, double> parameters;
  // How much a task the unit only cooperates on (配合单位) counts in this
  // rule, against 1 for a task it leads (责任单位): 0..1. 0 (the default when
  // a rules file leaves it out) = the rule reads led tasks only; a unit that
  // only cooperates finds the rule 不适用. Unused for kAdjustments.
  double cooperating_weight = 0;

  // The parameter, or 0 if the kind has none of that name.
  double Parameter(const std::string& name) const;
  bool operator==(const AssessmentRule&) const = default;
};

struct AssessmentRules {
  std::string version;  // e.g. "fengjie-2024.3"; carried by every result, recorded by every freeze
  double total = 100;   // the scored rules' max_points add up to it; the final score is clamped to 0..total
  // Offset from UTC of the zone in which days, months and years are reckoned.
  // Default 480: China Standard Time (UTC+8), the plan's own.
  int utc_offset_minutes = 480;
  // Display only (never changes a score): a score line resting on fewer than
  // this many counted items (months, notices, targets, tasks) is shown with
  // its basis marked 依据不足. Default 3 (kDefaultMinBasis); 1..100. Written
  // to the JSON form only when it differs from the default, so rules recorded
  // before it existed read back equal.
  static constexpr int kDefaultMinBasis = 3;
  int min_basis = kDefaultMinBasis;
  std::vector<AssessmentRule> rules;  // in the order of the score lines; each kind at most once

  const AssessmentRule* Find(AssessmentRuleKind kind) const;
  bool operator==(const AssessmentRules&) const = default;
};

// The built-in rules "fengjie-2024.3" (see projections/README.md, 计分规则):
// 报送及时 30, 审核通过 20, 目标达成 20, 督办整改 15, 任务完成 15, then 加减分;
// a cooperating task counts half in 报送及时 and 审核通过 and not at all in
// the others. Each component scores what was due; one where nothing was due
// is 不适用 and the total is scaled over those that applied.
AssessmentRules DefaultAssessmentRules();

// kInvalidArgument naming the field ("rules[2].max_points") when the rules
// are not usable: empty version, unknown or repeated rule id, a parameter
// out of range, maximum points not adding up to the total.
Status ValidateAssessmentRules(const AssessmentRules& rules);

// Reads the JSON form (as written by AssessmentRulesToJson) and validates it;
// errors are kInvalidArgument naming the field. Absent parameters take their
// defaults; unknown fields and parameters are refused.
Result<AssessmentRules> ParseAssessmentRules(std::string_view text);

// {"version","total","utc_offset_minutes","min_basis","rules":[{"id","label","max_points",
// "cooperating_weight","parameters"}]}; "cooperating_weight" only when above
// 0, "min_basis" only when not the default. Keys sorted; compact, or indented
// by `indent` spaces (`kuimen rules`).
std::string AssessmentRulesToJson(const AssessmentRules& rules, int indent = -1);

}  // namespace kuimen
