#include "projections/assessment_view.h"

#include "domain/stream_kind.h"
#include "projections/assessment_score.h"

namespace kuimen {

Result<std::unique_ptr<AssessmentView>> AssessmentView::Create(Catalog catalog, AssessmentRules rules) {
  RETURN_IF_ERROR(ValidateCatalog(catalog).WithContext("catalog"));
  RETURN_IF_ERROR(ValidateAssessmentRules(rules).WithContext("assessment rules"));
  return std::unique_ptr<AssessmentView>(new AssessmentView(std::move(catalog), std::move(rules)));
}

void AssessmentView::Apply(const RecordedEvent& envelope, const EventData& event) {
  if (!facts_.Fold(envelope, event)) return;
  for (const auto& [year, stream] : facts_.years) {
    // The freeze itself, or an event before it that arrived after it.
    if (stream.freeze.has_value() && envelope.position <= stream.freeze->position) unscored_frozen_.insert(year);
  }
}

AssessmentRules AssessmentView::RulesOf(const AssessmentFacts::Freeze& freeze) const {
  if (freeze.rules.empty()) return rules_;  // recorded before rules were: the rules the view runs under
  Result<AssessmentRules> recorded = ParseAssessmentRules(freeze.rules);
  // The gateway stamps rules it runs under, so they parse; if a freeze's rules
  // were somehow unreadable, the view's own stand in (and the result says which).
  return recorded.ok() ? *std::move(recorded) : rules_;
}

std::optional<AssessmentResult> AssessmentView::ScoreFrozen(int year) const {
  const AssessmentFacts::Freeze& freeze = *facts_.FindYear(year)->freeze;
  const AssessmentRules rules = RulesOf(freeze);
  // A result kept under other rules (the view restarted with a new version,
  // for a freeze that recorded none) cannot be recomputed as it was; it stands.
  if (freeze.result.has_value() && freeze.result->rules_version != rules.version) return std::nullopt;
  AssessmentEvaluation evaluation{year, freeze.recorded_at, freeze.position, true};
  evaluation.early = freeze.early;
  evaluation.reason = freeze.reason;
  return ScoreAssessment(catalog_, rules, facts_, evaluation);
}

std::vector<std::pair<std::string, std::string>> AssessmentView::TakeChangedRows() {
  for (int year : unscored_frozen_) {
    std::optional<AssessmentResult> result = ScoreFrozen(year);
    AssessmentFacts::Freeze* freeze = facts_.MutableFreeze(year);
    if (!result.has_value() || *result == freeze->result) continue;
    freeze->result = std::move(*result);
    facts_.MarkYearChanged(year);
  }
  unscored_frozen_.clear();
  return facts_.TakeChangedRows();
}

Status AssessmentView::LoadRow(std::string_view key, std::string_view value) {
  Status loaded = facts_.LoadRow(key, value);
  if (!loaded.ok()) return Status::DataLoss("assessment row " + loaded.message());
  return Status::Ok();
}

AssessmentResult AssessmentView::Render(int year, Timestamp now) const {
  AssessmentResult result = Score(year, now);
  RankUnits(result);
  return result;
}

AssessmentResult AssessmentView::Score(int year, Timestamp now) const {
  if (const AssessmentFacts::YearStream* stream = facts_.FindYear(year);
      stream != nullptr && stream->freeze.has_value()) {
    if (unscored_frozen_.contains(year)) {
      if (std::optional<AssessmentResult> result = ScoreFrozen(year)) return *std::move(result);
    }
    // Always scored once folded (TakeChangedRows, or the branch above until then).
    if (stream->freeze->result.has_value()) return *stream->freeze->result;
    if (std::optional<AssessmentResult> result = ScoreFrozen(year)) return *std::move(result);
  }
  return ScoreAssessment(catalog_, rules_, facts_, AssessmentEvaluation{year, now, GlobalPosition(0), false});
}

ReportTimeliness AssessmentView::ReportTimelinessOf(int year, Timestamp now, const std::string& unit) const {
  if (const AssessmentFacts::YearStream* stream = facts_.FindYear(year);
      stream != nullptr && stream->freeze.has_value()) {
    const AssessmentFacts::Freeze& freeze = *stream->freeze;
    const AssessmentEvaluation evaluation{year, freeze.recorded_at, freeze.position, true, freeze.early, freeze.reason};
    return CountReportTimeliness(catalog_, RulesOf(freeze), facts_, evaluation, unit);
  }
  return CountReportTimeliness(catalog_, rules_, facts_, AssessmentEvaluation{year, now, GlobalPosition(0), false}, unit);
}

}  // namespace kuimen
