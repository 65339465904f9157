// Statistics (统计, issue 11 item 5): by unit and by task, as JSON. The
// figures are projections/statistics.h's, read from the supervision and
// assessment views (live, or replayed with as_of like every view read).
#include <charconv>

#include "domain/calendar.h"
#include "domain/stream_kind.h"
#include "domain/supervised_item.h"
#include "eventstore/envelope_json.h"
#include "gateway/api_routes.h"
#include "gateway/assessment_json.h"
#include "gateway/api_views.h"
#include "projections/assessment_view.h"
#include "projections/statistics.h"
#include "projections/supervision_view.h"

namespace kuimen {

namespace {

using nlohmann::json;
using nlohmann::ordered_json;

template <typename T>
ordered_json Optional(const std::optional<T>& value) {
  return value.has_value() ? ordered_json(*value) : ordered_json(nullptr);
}

ordered_json UnitJson(const UnitStatistics& unit) {
  ordered_json trend = ordered_json::array();
  for (const UnitScoreYear& year : unit.score_trend) {
    trend.push_back({{"year", year.year},
                     {"score", year.in_scope ? ordered_json(year.score) : ordered_json(nullptr)},
                     {"rank", Optional(year.rank)},
                     {"frozen", year.frozen},
                     {"in_scope", year.in_scope}});
  }
  return {{"unit", unit.unit},
          {"kind", unit.kind},
          {"led", unit.led},
          {"cooperating", unit.cooperating},
          {"led_count", unit.led.size()},
          {"cooperating_count", unit.cooperating.size()},
          {"reports",
           {{"year", unit.year},
            {"due", unit.reports.on_time + unit.reports.late + unit.reports.missing},
            {"on_time", unit.reports.on_time},
            {"late", unit.reports.late},
            {"missing", unit.reports.missing},
            {"not_yet_due", unit.reports.pending},
            {"exempt", unit.reports.exempt},
            {"on_time_rate", Optional(unit.on_time_rate)}}},
          {"open_notices", unit.open_notices},
          {"overdue_notices", unit.overdue_notices},
          {"score_trend", std::move(trend)}};
}

Result<TaskNo> TaskNoParam(const Catalog& catalog, const std::string& text) {
  int no = 0;
  auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), no);
  if (error != std::errc() || end != text.data() + text.size() || no < 1 ||
      static_cast<std::size_t>(no) > catalog.tasks.size()) {
    return Status::NotFound("方案中没有这项重点任务，编号应为1至" + std::to_string(catalog.tasks.size()),
                            "item_not_found");
  }
  return TaskNo(no);
}

}  // namespace

std::vector<Route> StatsRoutes() {
  std::vector<Route> routes;
  routes.push_back({"GET", "/api/v1/stats/units", Access::kAnyPrincipal,
                    [](ApiContext& api, const ApiCall& call) -> Result<ApiReply> {
    std::vector<UnitStatistics> units;
    Timestamp now;
    ASSIGN_OR_RETURN(RenderedView supervision,
                     ReadView(api, call.http, "supervision", [&](const View& view, const ViewQuery& query) -> Result<json> {
                       now = query.now;
                       units = UnitSupervisionStatistics(api.catalog, dynamic_cast<const SupervisionView&>(view), query.now);
                       return json::object();
                     }));
    int year = 0;
    json window;
    ASSIGN_OR_RETURN(RenderedView assessment,
                     ReadView(api, call.http, "assessment", [&](const View& view, const ViewQuery& query) -> Result<json> {
                       const auto& assessment = dynamic_cast<const AssessmentView&>(view);
                       year = query.year.value_or(static_cast<int>(
                           LocalMonth(query.now, assessment.rules().utc_offset_minutes).year()));
                       AddUnitAssessmentStatistics(units, api.catalog, assessment, year, query.now);
                       // The window 按时报送率 counts, worded once by the assessment (session 7, item 4).
                       window = TimelinessWindowJson(assessment.Render(year, query.now));
                       return json::object();
                     }));
    ApiReply reply;
    reply.json["through_position"] = std::min(supervision.through_position, assessment.through_position);
    reply.json["as_of"] = FormatTimestamp(now);
    reply.json["year"] = year;
    reply.json["timeliness_window"] = window;
    reply.json["units"] = ordered_json::array();
    for (const UnitStatistics& unit : units) reply.json["units"].push_back(UnitJson(unit));
    return reply;
  }});
  routes.push_back({"GET", "/api/v1/stats/tasks/{no}", Access::kAnyPrincipal,
                    [](ApiContext& api, const ApiCall& call) -> Result<ApiReply> {
    ASSIGN_OR_RETURN(TaskNo no, TaskNoParam(api.catalog, call.Param("no")));
    TaskMonthlyProgress progress;
    Timestamp now;
    ASSIGN_OR_RETURN(RenderedView view,
                     ReadView(api, call.http, "supervision", [&](const View& v, const ViewQuery& query) -> Result<json> {
                       now = query.now;
                       ASSIGN_OR_RETURN(progress, TaskProgressByMonth(api.catalog, dynamic_cast<const SupervisionView&>(v),
                                                                      no, query.now));
                       return json::object();
                     }));
    const TaskSpec* task = api.catalog.FindTask(no);
    ApiReply reply;
    reply.json["through_position"] = view.through_position;
    reply.json["as_of"] = FormatTimestamp(now);
    reply.json["task"] = progress.task;
    reply.json["stream"] = TaskStream(no).value;
    reply.json["lead_unit"] = task->lead_unit;
    ordered_json months = ordered_json::array();
    for (const auto& month : progress.months) months.push_back(FormatMonth(month));
    reply.json["months"] = std::move(months);
    ordered_json percents = ordered_json::array();
    for (const auto& value : progress.progress) percents.push_back(Optional(value));
    reply.json["progress"] = std::move(percents);
    ordered_json indicators = ordered_json::array();
    for (const IndicatorSeries& series : progress.indicators) {
      ordered_json values = ordered_json::array();
      for (const auto& value : series.values) values.push_back(Optional(value));
      indicators.push_back({{"indicator", series.indicator},
                            {"unit", series.unit},
                            {"target", Optional(series.target)},
                            {"values", std::move(values)}});
    }
    reply.json["indicators"] = std::move(indicators);
    return reply;
  }});
  return routes;
}

}  // namespace kuimen
