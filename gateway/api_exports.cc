// Routes of the downloads: the 台账 (ledgers) the task force takes to meetings,
// built from the same views the API shows (as_of works here too).
#include "gateway/api_routes.h"
#include "gateway/api_views.h"
#include "gateway/assessment_export.h"
#include "gateway/tasks_export.h"
#include "gateway/views.h"
#include "projections/supervision_view.h"

namespace kuimen {

namespace {

constexpr const char* kXlsxType = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

ApiReply Download(std::string bytes, const char* content_type, std::string filename, std::string ascii_filename) {
  ApiReply reply;
  reply.bytes = std::move(bytes);
  reply.content_type = content_type;
  reply.filename = std::move(filename);
  reply.ascii_filename = std::move(ascii_filename);
  return reply;
}

ApiReply AssessmentDownload(std::string bytes, const char* content_type, const AssessmentResult& result,
                            const std::string& extension) {
  const std::string year = std::to_string(result.year);
  return Download(std::move(bytes), content_type, "奉节县三位一体改革" + year + "年度考核台账." + extension,
                  "kuimen-assessment-" + year + "." + extension);
}

// The year's result as the request asks (live, or replayed with as_of), typed.
Result<AssessmentResult> ReadAssessment(ApiContext& api, const ApiCall& call) {
  AssessmentResult result;
  Result<RenderedView> read = ReadView(api, call.http, "assessment",
                                      [&](const View& v, const ViewQuery& query) -> Result<nlohmann::json> {
                                        result = AssessmentOf(v, query);
                                        return nlohmann::json::object();
                                      });
  if (!read.ok()) return read.status();
  return result;
}

}  // namespace

std::vector<Route> ExportRoutes() {
  std::vector<Route> routes;
  routes.push_back({"GET", "/api/v1/exports/assessment.xlsx", Access::kAnyPrincipal, [](ApiContext& api, const ApiCall& call) -> Result<ApiReply> {
    ASSIGN_OR_RETURN(AssessmentResult result, ReadAssessment(api, call));
    ASSIGN_OR_RETURN(std::string bytes, AssessmentWorkbook(result, "奉节县"));
    return AssessmentDownload(std::move(bytes), kXlsxType, result, "xlsx");
  }});
  routes.push_back({"GET", "/api/v1/exports/assessment.csv", Access::kAnyPrincipal, [](ApiContext& api, const ApiCall& call) -> Result<ApiReply> {
    ASSIGN_OR_RETURN(AssessmentResult result, ReadAssessment(api, call));
    return AssessmentDownload(AssessmentCsv(result), "text/csv; charset=utf-8", result, "csv");
  }});
  routes.push_back({"GET", "/api/v1/exports/tasks.xlsx", Access::kAnyPrincipal, [](ApiContext& api, const ApiCall& call) -> Result<ApiReply> {
    SupervisionBoard board;
    // The ledger names its moment (截至) from the board, not a log position.
    RETURN_IF_ERROR(ReadViewWith(api, call.http, "supervision", [&board](const View& view, const ViewQuery& query) {
                      board = dynamic_cast<const SupervisionView&>(view).Board(query.now);
                      return Status::Ok();
                    }).status());
    ASSIGN_OR_RETURN(std::string bytes, TasksWorkbook(api.catalog, board));
    return Download(std::move(bytes), kXlsxType, "奉节县三位一体改革重点任务台账.xlsx", "kuimen-tasks.xlsx");
  }});
  return routes;
}

}  // namespace kuimen
