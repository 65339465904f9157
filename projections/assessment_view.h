#pragma once

#include <memory>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "domain/catalog.h"
#include "domain/clock.h"
#include "domain/events.h"
#include "domain/status.h"
#include "projections/assessment_facts.h"
#include "projections/assessment_result.h"
#include "projections/assessment_score.h"
#include "projections/assessment_rules.h"
#include "projections/view.h"

namespace kuimen {

// The year-end comprehensive assessment (年终综合考核) of the plan's 六（二）:
// per unit that leads or cooperates on a task, a score out of the rules' total, line by line
// (报送及时, 审核通过, 目标达成, 督办整改, 任务完成, 加减分), each line listing
// the positions of the events that earned or cost its points.
//
// Apply folds events into per-stream facts (projections/assessment_facts.h:
// a head row per stream, and per task its facts in rows of bounded version
// ranges) in O(log n) per event, and never looks at a clock. When it folds a
// YearFrozen (年终定格), the year is scored as of the freeze, with the freeze's
// recorded_at as "now", only the events before the freeze's position, and the
// rules the freeze recorded (the view's own for a freeze that recorded none), and
// the result is kept in the assessment stream's row; Render returns it from
// then on. Events from other streams that arrive after the freeze but sit
// before it in the log (streams interleave; see View) are folded into that
// result, so every interleaving gives the same rows; nothing positioned after
// the freeze ever changes it. The scoring is deferred to TakeChangedRows (or
// done on the fly by Render), once per batch rather than once per event.
// Not thread-safe (see View).
class AssessmentView final : public View {
 public:
  // kInvalidArgument if the catalog fails ValidateCatalog or the rules
  // ValidateAssessmentRules.
  static Result<std::unique_ptr<AssessmentView>> Create(Catalog catalog, AssessmentRules rules);

  std::string_view Name() const override { return "assessment"; }
  // 2: task chunk rows in binary (AssessmentFacts::kChunkRowFormat); a store of
  // format 1 (JSON chunks) is rebuilt from the log at start.
  std::uint32_t RowFormat() const override { return 2; }
  void Apply(const RecordedEvent& envelope, const EventData& event) override;
  std::vector<std::pair<std::string, std::string>> TakeChangedRows() override;
  Status LoadRow(std::string_view key, std::string_view value) override;

  // The year's assessment (projections/assessment_result.h; scored as
  // projections/assessment_score.h says): the frozen snapshot if the year is
  // frozen, else scored now over every event applied (frozen false, no
  // frozen_at_position); units ranked (RankUnits).
  AssessmentResult Render(int year, Timestamp now) const;

  // 报送及时's months for `unit` in `year`, counted as Render scores them: as
  // of the freeze (its rules, its moment, the events before it) for a frozen
  // year, else as of `now` over every event applied.
  ReportTimeliness ReportTimelinessOf(int year, Timestamp now, const std::string& unit) const;

  const AssessmentRules& rules() const { return rules_; }

 private:
  AssessmentView(Catalog catalog, AssessmentRules rules) : catalog_(std::move(catalog)), rules_(std::move(rules)) {}

  // The rules a freeze scores with: those it recorded, else the view's.
  AssessmentRules RulesOf(const AssessmentFacts::Freeze& freeze) const;
  // The frozen year's result as of its freeze over the facts now; nullopt when
  // the kept result stands (scored under other rules).
  std::optional<AssessmentResult> ScoreFrozen(int year) const;
  // Render's result before ranking.
  AssessmentResult Score(int year, Timestamp now) const;

  Catalog catalog_;
  AssessmentRules rules_;
  AssessmentFacts facts_;
  std::set<int> unscored_frozen_;  // frozen years whose result may have moved since TakeChangedRows
};

}  // namespace kuimen
