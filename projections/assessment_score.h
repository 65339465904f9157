#pragma once

#include <string>

#include "domain/catalog.h"
#include "domain/clock.h"
#include "domain/ids.h"
#include "projections/assessment_facts.h"
#include "projections/assessment_result.h"
#include "projections/assessment_rules.h"

namespace kuimen {

// When, and as of which events, a year is scored.
struct AssessmentEvaluation {
  int year = 0;
  // The moment of evaluation: which months' reports and which notices are due
  // by then. Events recorded after it are not hidden.
  Timestamp now;
  // Only events at positions below it count; 0 counts every event folded.
  GlobalPosition before;
  // The 年终定格 snapshot (before = the YearFrozen's position): all twelve
  // months of the year are due, as for a year already past.
  bool frozen = false;
  // A frozen year frozen before its last day (YearFrozen.early), and why.
  bool early = false;
  std::string reason = {};  // "= {}" keeps the four-field aggregate form free of warnings
};

// Scores every assessed unit (domain/assessment_aggregate.h's AssessedUnits:
// lead and cooperating units, in catalog order) by `rules` over `facts`.
// Pure and deterministic; every member of the result is set (see
// projections/assessment_result.h; gateway/assessment_json.h renders it as
// {"year","in_scope","scope_note","timeliness_window","rules_version","rules",
//  "frozen","frozen_at_position","frozen_early","frozen_reason","evaluated_at",
//  "units":[{"unit","involvement","score","base","earned","applicable_max",
//            "adjustments","not_applicable":[rule ids],
//            "basis":{"applicable","components","text","thin":[rule ids]},
//            "lines":[{"rule","label","applicable","points","max","positions",
//                      "basis":{"count","thin","text"}|null,"detail"}],
//            "instructions":[...],"rank"}]}).
// Each component scores what was due; one where nothing was due is 不适用
// (applicable false, no points). base = the rounded points of the
// applicable lines over their maxima, scaled to the rules' total (rounded to
// 2 decimals); score = base + 加减分, clamped to 0..total; both empty when no
// component applied. positions are the events that earned or cost the line's
// points. A line's basis says what its points rest on ("据1件督办": the
// months, notices, targets or tasks counted) and marks one resting on fewer
// than rules.min_basis items 依据不足 (thin); none for 加减分. The unit's
// basis counts the components that applied ("适用3/5项") and lists the thin
// ones. Display only: no score depends on it. See projections/README.md (计分规则).
AssessmentResult ScoreAssessment(const Catalog& catalog, const AssessmentRules& rules, const AssessmentFacts& facts,
                                 const AssessmentEvaluation& evaluation);

// 报送及时 as its score line counts it for `unit` (the same due months, due
// day, townships' reports and completed-task exemption): the months reported
// on time, late (补报), not reported once due, not due yet, and exempt. All
// zero when the rules have no 报送及时 line or the unit leads no task (and the
// rule gives cooperating tasks no weight). The statistics (projections/
// statistics.h) read it from here so the two cannot disagree.
struct ReportTimeliness {
  int on_time = 0;
  int late = 0;
  int missing = 0;
  int pending = 0;
  int exempt = 0;
};
ReportTimeliness CountReportTimeliness(const Catalog& catalog, const AssessmentRules& rules,
                                       const AssessmentFacts& facts, const AssessmentEvaluation& evaluation,
                                       const std::string& unit);

// The year's ranking (名次), the one the page and both exports show: `units`
// ordered by score, highest first, each given "rank" (equal scores share a
// rank, the next is skipped: 1, 2, 2, 4); units with no score (no component
// applied) come last with no rank. Ties keep catalog order. Applied when a
// result is rendered, so a result kept by a freeze before ranks existed is
// ranked the same way.
void RankUnits(AssessmentResult& result);

}  // namespace kuimen
