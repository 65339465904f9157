#include "gateway/views.h"

#include "domain/calendar.h"
#include "projections/assessment_view.h"
#include "projections/supervision_view.h"

namespace kuimen {

const std::vector<std::string>& ViewNames() {
  static const std::vector<std::string> names = {"supervision", "assessment"};
  return names;
}

Result<std::unique_ptr<View>> MakeView(std::string_view name, const Catalog& catalog) {
  if (name == "supervision") {
    ASSIGN_OR_RETURN(std::unique_ptr<SupervisionView> view, SupervisionView::Create(catalog));
    return std::unique_ptr<View>(std::move(view));
  }
  if (name == "assessment") {
    ASSIGN_OR_RETURN(std::unique_ptr<AssessmentView> view, AssessmentView::Create(catalog, DefaultAssessmentRules()));
    return std::unique_ptr<View>(std::move(view));
  }
  return Status::InvalidArgument("view: \"" + std::string(name) + "\" is not a view; use supervision or assessment",
                                 "view");
}

nlohmann::json RenderView(const View& view, const ViewQuery& query) {
  if (const auto* supervision = dynamic_cast<const SupervisionView*>(&view)) return supervision->Render(query.now);
  const auto& assessment = dynamic_cast<const AssessmentView&>(view);
  // The year in the zone the rules reckon years in (China time by default).
  const auto local = LocalDay(query.now, assessment.rules().utc_offset_minutes);
  const int year = query.year.value_or(static_cast<int>(std::chrono::year_month_day(local).year()));
  return assessment.Render(year, query.now);
}

}  // namespace kuimen
