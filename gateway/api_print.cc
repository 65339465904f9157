// Routes of the printable documents: the 督办通知单 of a notice and the
// monthly 情况通报 (JSON, .xlsx and an A4 page), built from the log and the
// supervision view's as-of replay, so a month's bulletin never changes.
#include <charconv>

#include "domain/calendar.h"
#include "domain/event_validation.h"
#include "domain/supervised_item.h"
#include "gateway/api_routes.h"
#include "gateway/api_views.h"
#include "gateway/bulletin_export.h"
#include "gateway/principal_registry.h"
#include "gateway/print_pages.h"
#include "projections/monthly_bulletin.h"
#include "projections/notice_sheet.h"

namespace kuimen {

namespace {

constexpr const char* kHtmlType = "text/html; charset=utf-8";
constexpr const char* kXlsxType = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

// The stream of item `text` ("7") of a task (or, `major`, a major item) the catalog has.
Result<StreamId> PrintedItem(const Catalog& catalog, bool major, const std::string& text) {
  std::uint32_t no = 0;
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), no);
  if (error == std::errc() && end == text.data() + text.size() && no > 0) {
    if (!major && catalog.FindTask(TaskNo(no)) != nullptr) return TaskStream(TaskNo(no));
    if (major && catalog.FindMajor(MajorNo(no)) != nullptr) return MajorStream(MajorNo(no));
  }
  return Status::NotFound("方案中没有这个事项", "item_not_found");
}

Result<std::chrono::year_month> BulletinMonth(const ApiCall& call) {
  std::optional<std::chrono::year_month> month = ParseMonth(call.Param("month"));
  if (!month.has_value()) {
    return Status::InvalidArgument("通报月份的写法应为“年-月”，如2024-11", "month", "invalid_format");
  }
  const int year = static_cast<int>(month->year());
  if (year < kMinAssessmentYear || year > kMaxAssessmentYear) {
    return Status::InvalidArgument("通报月份应在" + std::to_string(kMinAssessmentYear) + "年至" +
                                       std::to_string(kMaxAssessmentYear) + "年之间",
                                   "month", "out_of_range");
  }
  return *month;
}

Result<MonthlyBulletin> Bulletin(ApiContext& api, const ApiCall& call) {
  ASSIGN_OR_RETURN(std::chrono::year_month month, BulletinMonth(call));
  ASSIGN_OR_RETURN(std::optional<ReplayGate::Ticket> slot, EnterReplay(api));  // two replays of the log
  return BuildMonthlyBulletin(api.store, api.catalog, api.view_settings.supervision, month, api.clock.Now());
}

ApiReply Html(std::string html) {
  ApiReply reply;
  reply.bytes = std::move(html);
  reply.content_type = kHtmlType;
  return reply;
}

Route NoticePrintRoute(const std::string& collection, bool major) {
  return {"GET", "/api/v1/" + collection + "/{no}/notices/{id}/print", Access::kAnyPrincipal,
          [major](ApiContext& api, const ApiCall& call) -> Result<ApiReply> {
    ASSIGN_OR_RETURN(StreamId stream, PrintedItem(api.catalog, major, call.Param("no")));
    ASSIGN_OR_RETURN(NoticeSheet sheet, ReadNoticeSheet(api.store, api.catalog, stream, call.Param("id")));
    for (const PrincipalInfo& principal : api.principals.List()) {
      if (principal.id == sheet.signed_by) sheet.signer_name = principal.name;
    }
    return Html(NoticeSheetHtml(api.catalog, sheet, api.view_settings.supervision.utc_offset_minutes));
  }};
}

}  // namespace

std::vector<Route> PrintRoutes() {
  std::vector<Route> routes;
  routes.push_back(NoticePrintRoute("tasks", false));
  routes.push_back(NoticePrintRoute("majors", true));
  routes.push_back({"GET", "/api/v1/bulletins/{month}", Access::kAnyPrincipal,
                    [](ApiContext& api, const ApiCall& call) -> Result<ApiReply> {
    ASSIGN_OR_RETURN(MonthlyBulletin bulletin, Bulletin(api, call));
    ApiReply reply;
    reply.json = BulletinJson(bulletin, api.view_settings.supervision.utc_offset_minutes);
    return reply;
  }});
  routes.push_back({"GET", "/api/v1/bulletins/{month}/xlsx", Access::kAnyPrincipal,
                    [](ApiContext& api, const ApiCall& call) -> Result<ApiReply> {
    ASSIGN_OR_RETURN(MonthlyBulletin bulletin, Bulletin(api, call));
    ASSIGN_OR_RETURN(std::string bytes, BulletinWorkbook(bulletin, api.view_settings.supervision.utc_offset_minutes));
    ApiReply reply;
    reply.bytes = std::move(bytes);
    reply.content_type = kXlsxType;
    reply.filename = BulletinTitle(bulletin) + ".xlsx";
    reply.ascii_filename = "kuimen-bulletin-" + FormatMonth(bulletin.month) + ".xlsx";
    return reply;
  }});
  routes.push_back({"GET", "/api/v1/bulletins/{month}/print", Access::kAnyPrincipal,
                    [](ApiContext& api, const ApiCall& call) -> Result<ApiReply> {
    ASSIGN_OR_RETURN(MonthlyBulletin bulletin, Bulletin(api, call));
    return Html(BulletinHtml(api.catalog, bulletin, api.view_settings.supervision.utc_offset_minutes));
  }});
  return routes;
}

}  // namespace kuimen
