#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "domain/clock.h"

namespace kuimen {

// The year's assessment (年终综合考核) as the view gives it: plain values, no
// JSON. gateway/assessment_json.h renders it (the API's and the dashboard's
// form, documented in projections/assessment_score.h); the exports and the
// statistics read these fields.
//
// A frozen year keeps the result its freeze scored (projections/
// assessment_view.h), and a result kept under other rules stands as it was
// stored, possibly by an earlier release that had fewer members. Members added
// after the first release are therefore optional where "absent" must stay
// distinguishable from a value: a kept result renders without them, as it was
// stored. A result scored by this release has every one of them.

// 计分依据 of one score line: how many items its points rest on, whether that
// is fewer than the rules' min_basis (依据不足, display only), and the text
// the page and the exports print ("据1件督办（依据不足）").
struct AssessmentLineBasis {
  int count = 0;
  bool thin = false;
  std::string text;

  bool operator==(const AssessmentLineBasis&) const = default;
};

// One score line (报送及时, 审核通过, ..., 加减分) of a unit.
struct AssessmentLine {
  std::string rule;   // the rule id (projections/assessment_rules.h), e.g. "timeliness"
  std::string label;  // "报送及时"
  // False where nothing was due (不适用). Absent in a result of the first release.
  std::optional<bool> applicable;
  std::optional<double> points;  // rounded to 2 decimals; empty (null) when not applicable
  std::optional<double> max;     // the rule's maximum; empty (null) for 加减分
  std::vector<std::uint64_t> positions;  // the events that earned or cost the points, ascending
  // Empty (null) for 加减分. Written only where the unit has a basis
  // (AssessmentUnitResult::basis): a result kept from before bases has none.
  std::optional<AssessmentLineBasis> basis;
  std::string detail;  // "应报6期，按时报送2期，…"

  bool operator==(const AssessmentLine&) const = default;
};

// A unit's basis: how many scored components applied ("适用3/5项") and which
// rest on too little (rule ids).
struct AssessmentUnitBasis {
  int applicable = 0;
  int components = 0;
  std::string text;
  std::vector<std::string> thin;

  bool operator==(const AssessmentUnitBasis&) const = default;
};

// A 领导批示 on a task the unit leads or cooperates on, given in the year:
// evidence beside the score, never scored.
struct AssessmentInstruction {
  std::string stream;  // "task-07"
  std::uint64_t version = 0;
  std::uint64_t position = 0;
  Timestamp given_at;
  std::string principal;
  std::string leader_name;              // the principal's id where no name was stamped
  std::optional<std::string> notice_id;  // the notice it is written on; empty: on the item
  std::string text;

  bool operator==(const AssessmentInstruction&) const = default;
};

enum class AssessmentInvolvement { kLead, kCooperating, kLeadAndCooperating };

struct AssessmentUnitResult {
  std::string unit;
  // How the unit takes part in the plan. Absent in a result of the first
  // release, and with it base, earned, applicable_max, adjustments and
  // not_applicable (written only where involvement is).
  std::optional<AssessmentInvolvement> involvement;
  std::optional<double> score;  // base + 加减分, 0..total; empty (null) when no component applied
  std::optional<double> base;   // the applicable points scaled to the total; empty (null) likewise
  double earned = 0;            // Σ points of the applicable components
  double applicable_max = 0;    // Σ their maxima
  double adjustments = 0;       // Σ 加减分
  std::vector<std::string> not_applicable;  // rule ids of the components that did not apply
  std::optional<AssessmentUnitBasis> basis;  // absent in a result kept from before bases
  std::vector<AssessmentLine> lines;
  // Absent in a result kept from before 批示 were listed.
  std::optional<std::vector<AssessmentInstruction>> instructions;
  // 名次, set by RankUnits (projections/assessment_score.h): 1 for the
  // highest score, equal scores share; empty for a unit with no score, and
  // before ranking.
  std::optional<std::int64_t> rank;

  bool operator==(const AssessmentUnitResult&) const = default;
};

// The months 报送及时 counts: from..to, both empty while no month is due yet,
// and the sentence saying so ("按时报送率统计自2024年10月起，至…止…").
struct AssessmentTimelinessWindow {
  std::optional<std::chrono::year_month> from;
  std::optional<std::chrono::year_month> to;
  std::string label;

  bool operator==(const AssessmentTimelinessWindow&) const = default;
};

struct AssessmentResult {
  int year = 0;
  // False for a year wholly before supervision began (未纳入督办): no points,
  // no rank. Absent in a result kept from before, and with it scope_note.
  std::optional<bool> in_scope;
  std::optional<std::string> scope_note;  // why not in scope; empty (null) when in scope
  // Absent in a result kept from before the window was stated.
  std::optional<AssessmentTimelinessWindow> timeliness_window;
  std::string rules_version;
  // The rules scored with, as projections/assessment_rules.h's JSON text
  // (AssessmentRulesToJson, compact), and the two figures the exports print
  // from them: the total and min_basis (empty where the rules leave it at
  // the default). All three absent in a result of the first release.
  std::optional<std::string> rules_json;
  std::optional<double> rules_total;
  std::optional<int> rules_min_basis;
  bool frozen = false;                              // 年终定格
  std::optional<std::uint64_t> frozen_at_position;  // the freeze's position; empty when live
  // An early freeze and its reason (empty unless early). Absent in a result
  // of the first release, and with it frozen_reason.
  std::optional<bool> frozen_early;
  std::optional<std::string> frozen_reason;
  Timestamp evaluated_at;  // the moment scored at: the freeze's, or now
  std::vector<AssessmentUnitResult> units;

  bool operator==(const AssessmentResult&) const = default;
};

}  // namespace kuimen
