#pragma once

#include <vector>

#include "gateway/api.h"

// The route table of the HTTP API, in groups. Each group lives in the .cc
// file of its name; AllRoutes is what the server serves and what the OpenAPI
// document is checked against.
namespace kuimen {

std::vector<Route> StreamRoutes();     // api_streams.cc: catalog, tasks, major items, events
std::vector<Route> ViewRoutes();       // api_views.cc: the supervision and assessment views
std::vector<Route> ReviewRoutes();     // api_reviews.cc: the review queue and batch approval
std::vector<Route> ExportRoutes();     // api_exports.cc: xlsx and csv 台账
std::vector<Route> AuditRoutes();      // api_audit.cc: chain check and signed digests
std::vector<Route> PrincipalRoutes();  // api_principals.cc: principals, townships, whoami
std::vector<Route> SessionRoutes();    // api_sessions.cc: browser sign-in and sign-out (cookie)
std::vector<Route> FileRoutes();       // api_files.cc: uploaded files (佐证材料)
std::vector<Route> TodoRoutes();       // api_todo.cc: 待办, the 催办 list, sending a 催办
std::vector<Route> OpsRoutes();        // api_ops.cc: health, metrics, OpenAPI, backups
std::vector<Route> WebhookRoutes();    // api_webhooks.cc: units' webhooks and the delivery log
std::vector<Route> PrintRoutes();      // api_print.cc: 督办通知单 and the monthly 情况通报
std::vector<Route> StatsRoutes();      // api_stats.cc: statistics by unit and by task
std::vector<Route> SearchRoutes();     // api_search.cc: search over reports, answers, file names

std::vector<Route> AllRoutes();

}  // namespace kuimen
