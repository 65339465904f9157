#pragma once

#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include <httplib.h>
#include <nlohmann/json.hpp>

#include "domain/actor.h"
#include "domain/catalog.h"
#include "domain/clock.h"
#include "domain/status.h"
#include "eventstore/command_handler.h"
#include "eventstore/event_store.h"
#include "gateway/http_request_reader.h"
#include "gateway/views.h"
#include "projections/view_health.h"

// The vocabulary of the HTTP API: what a route is, what a handler gets and
// returns, and what it may use. Routes are a table (gateway/api_routes.h);
// gateway/http_server.cc is the one path that parses, authenticates,
// authorizes, dispatches and maps errors for all of them.
namespace kuimen {

class DigestSigner;
class FileBody;
class FileCitations;
class FileStore;
class GatewayMetrics;
class NoticeNumbers;
class PrincipalRegistry;
class ReplayGate;
class SessionTable;
class Projector;
class WebhookDeliveries;

// Who may call a route, before the domain's own rules (which decide every
// write: a department on another unit's task, an auditor writing) are asked.
enum class Access {
  kPublic,             // no token: /healthz, /metrics, the OpenAPI document
  kAnyPrincipal,       // any valid token
  kTaskForceOrAuditor, // reads that span every unit: the global log, the audit
  kTaskForce,          // administration: backups
};

// What a handler answers with: JSON (the usual case) or bytes of another type.
struct ApiReply {
  int status = 200;
  nlohmann::ordered_json json;
  std::string bytes;          // used when content_type is set and `file` is not
  // A body streamed from disk (a download), opened by the handler; used when
  // content_type is set. The listener writes it in 64 KiB chunks.
  std::shared_ptr<const FileBody> file;
  std::string content_type;   // empty: the reply is `json`
  std::string filename;       // for downloads: Content-Disposition, in UTF-8 (Chinese)
  std::string ascii_filename; // the same for clients that only read ASCII names
  std::vector<std::pair<std::string, std::string>> headers;  // extra headers, e.g. Set-Cookie
  bool inline_file = false;   // Content-Disposition "inline" (a browser shows it) rather than "attachment"
};

// One request as a handler sees it.
struct ApiCall {
  const httplib::Request& http;
  const Actor& actor;                        // a nameless actor on public routes
  std::map<std::string, std::string> params;  // path parameters, e.g. {"no": "7"}
  // The body's sink when the route streams its body (Route::body_sink): the
  // sink that route made, already written; null otherwise.
  BodySink* body_sink = nullptr;

  const std::string& Param(const std::string& name) const { return params.at(name); }
};

// Everything the handlers use. None of it is owned; it outlives the server.
struct ApiContext {
  const Catalog& catalog;
  const Clock& clock;
  EventStore& store;
  CommandHandler& commands;
  PrincipalRegistry& principals;
  DigestSigner& signer;
  GatewayMetrics& metrics;
  std::function<Projector*(const std::string& view)> projector;  // nullptr when not run here
  ViewSettings view_settings;
  std::filesystem::path data_dir;
  std::function<std::vector<ViewHealth>()> views_health;  // of the views run here
  NoticeNumbers& notice_numbers;  // every NoticeIssued goes through it (文号)
  SessionTable& sessions;         // browser sign-ins (cookie sessions)
  bool https = false;             // served over TLS: session cookies are Secure
  // Uploaded files (佐证材料) and which streams cite them; null when not served.
  FileStore* files = nullptr;
  FileCitations* citations = nullptr;
  WebhookDeliveries* webhooks = nullptr;  // outbound notifications; nullptr when not run
  ReplayGate* replay_gate = nullptr;  // whole-log reads run a few at a time; null: unlimited
  // Asked before a submission is appended: refuses (views_behind) while a view
  // run here trails the log beyond its bound (gateway/write_admission.h);
  // nullptr admits everything.
  std::function<Status()> admit_write = nullptr;
  std::uint64_t max_view_lag = 0;  // the bound admit_write keeps, for /healthz; 0 when none
};

using Handler = std::function<Result<ApiReply>(ApiContext& api, const ApiCall& call)>;

struct Route {
  std::string method;   // "GET", "POST", "PUT" or "DELETE"
  std::string path;     // as the OpenAPI document writes it: "/api/v1/tasks/{no}"
  Access access;
  Handler handler;
  // For a route that takes a file: where its body streams, with its own size
  // limit, instead of memory (--max-body). Null: the body is held. `actor`
  // is the caller as its head authenticates it (nameless when it does not).
  std::function<std::shared_ptr<BodySink>(ApiContext& api, const HttpRequestHead& head, const Actor& actor)>
      body_sink = nullptr;
};

}  // namespace kuimen
