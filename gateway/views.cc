#include "gateway/views.h"

#include <fstream>
#include <sstream>

#include "domain/calendar.h"
#include "gateway/assessment_json.h"
#include "gateway/supervision_json.h"
#include "projections/assessment_view.h"
#include "projections/report_period.h"
#include "projections/supervision_view.h"

namespace kuimen {

const std::vector<std::string>& ViewNames() {
  static const std::vector<std::string> names = {"supervision", "assessment"};
  return names;
}

Result<ViewSettings> LoadViewSettings(const std::filesystem::path& assessment_rules_file) {
  ViewSettings settings;
  if (assessment_rules_file.empty()) return settings;
  std::ifstream in(assessment_rules_file, std::ios::binary);
  if (!in) return Status::NotFound("cannot read the assessment rules file " + assessment_rules_file.string());
  std::ostringstream text;
  text << in.rdbuf();
  Result<AssessmentRules> rules = ParseAssessmentRules(text.str());
  if (!rules.ok()) return rules.status().WithContext(assessment_rules_file.string());
  settings.assessment = std::move(rules).value();
  // One due day for the board's 补报 and the assessment's 报送及时.
  if (const AssessmentRule* timeliness = settings.assessment.Find(AssessmentRuleKind::kTimeliness)) {
    settings.supervision.report_due_day = static_cast<int>(timeliness->Parameter("due_day"));
  }
  return settings;
}

Status StampFreezeRules(EventData& event, const AssessmentRules& rules) {
  auto* freeze = std::get_if<YearFrozen>(&event);
  if (freeze == nullptr) return Status::Ok();
  for (const auto& [field, value] : {std::pair{"rules_version", &freeze->rules_version}, std::pair{"rules", &freeze->rules}}) {
    if (!value->empty()) {
      return Status::InvalidArgument("计分规则由服务器在定格时记录，请不要填写", field, "server_assigned");
    }
  }
  freeze->rules_version = rules.version;
  freeze->rules = AssessmentRulesToJson(rules);
  return Status::Ok();
}

Result<std::unique_ptr<View>> MakeView(std::string_view name, const Catalog& catalog, const ViewSettings& settings) {
  if (name == "supervision") {
    ASSIGN_OR_RETURN(std::unique_ptr<SupervisionView> view, SupervisionView::Create(catalog, settings.supervision));
    return std::unique_ptr<View>(std::move(view));
  }
  if (name == "assessment") {
    // The same default start of supervision as the supervision view's (the
    // store's first event, read by StartView) when the catalog names none:
    // 考核 and 看板 count from one month (session 7, A2).
    Catalog scoped = catalog;
    if (!scoped.supervision_start.has_value()) {
      scoped.supervision_start = SupervisionStartMonth(std::nullopt, settings.supervision.store_created_at,
                                                       settings.assessment.utc_offset_minutes);
    }
    ASSIGN_OR_RETURN(std::unique_ptr<AssessmentView> view, AssessmentView::Create(scoped, settings.assessment));
    return std::unique_ptr<View>(std::move(view));
  }
  return Status::InvalidArgument("没有这个视图，可选督办看板或年终考核", "view", "unknown_value");
}

nlohmann::json RenderView(const View& view, const ViewQuery& query) {
  if (const auto* supervision = dynamic_cast<const SupervisionView*>(&view)) {
    return SupervisionBoardJson(supervision->Board(query.now));
  }
  return AssessmentJson(AssessmentOf(view, query));
}

AssessmentResult AssessmentOf(const View& view, const ViewQuery& query) {
  const auto& assessment = dynamic_cast<const AssessmentView&>(view);
  // The year in the zone the rules reckon years in (China time by default).
  const auto local = LocalDay(query.now, assessment.rules().utc_offset_minutes);
  const int year = query.year.value_or(static_cast<int>(std::chrono::year_month_day(local).year()));
  return assessment.Render(year, query.now);
}

}  // namespace kuimen
