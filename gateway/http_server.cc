#include "gateway/http_server.h"

#include <atomic>
#include <random>

#include <spdlog/spdlog.h>

#include "domain/task_rules.h"
#include "gateway/gateway_metrics.h"
#include "gateway/file_body.h"
#include "gateway/http_error.h"
#include "gateway/http_response.h"
#include "gateway/text_safety.h"
#include "gateway/principal_registry.h"
#include "gateway/session_cookie.h"
#include "gateway/session_table.h"

namespace kuimen {

namespace {

// The caller: by bearer token (scripts, curl), or by the sign-in session
// cookie the dashboard holds. A state-changing request authorized by the
// cookie must come from our own page (Origin), since a browser sends the
// cookie by itself.
// A refusal of authentication naming the header it is about ("Authorization",
// "Cookie"): Status::Unauthenticated takes no field, and prefixing the empty
// field sets it.
Status Unauthenticated(std::string message, std::string code, const std::string& header) {
  return Status::Unauthenticated(std::move(message), std::move(code)).WithFieldPrefix(header);
}

Result<Actor> Authenticate(ApiContext& api, const httplib::Request& request) {
  const std::string header = request.get_header_value("Authorization");
  constexpr std::string_view kBearer = "Bearer ";
  if (header.empty()) {
    const std::optional<std::string> session = SessionIdFromCookie(request);
    if (!session) return Unauthenticated("请先登录：本操作需要账号令牌", "token_missing", "Authorization");
    const std::optional<std::string> token_sha256 = api.sessions.Lookup(*session, api.clock.Now());
    if (!token_sha256) return Unauthenticated("登录已过期或已退出，请重新登录", "session_expired", "Cookie");
    std::optional<Actor> actor = api.principals.AuthenticateDigest(*token_sha256);
    if (!actor) {
      api.sessions.Drop(*session);  // the token was revoked
      return Unauthenticated("账号令牌无效或已注销，请向工作专班申请新的令牌", "token_unknown", "Cookie");
    }
    if (request.method != "GET" && request.method != "HEAD") {
      RETURN_IF_ERROR(CheckSameOrigin(request, api.https, /*required=*/true));
    }
    return *actor;
  }
  if (header.size() <= kBearer.size() || header.compare(0, kBearer.size(), kBearer) != 0) {
    return Unauthenticated("账号令牌的格式不对，请重新登录", "token_malformed", "Authorization");
  }
  std::optional<Actor> actor = api.principals.Authenticate(std::string_view(header).substr(kBearer.size()));
  if (!actor) return Unauthenticated("账号令牌无效或已注销，请向工作专班申请新的令牌", "token_unknown", "Authorization");
  return *actor;
}

Status Authorize(Access access, const Actor& actor) {
  switch (access) {
    case Access::kPublic:
    case Access::kAnyPrincipal:
      return Status::Ok();
    case Access::kTaskForceOrAuditor:
      // A county leader (县领导) reads all the task force reads.
      if (actor.role == Role::kTaskForce || actor.role == Role::kAuditor || actor.role == Role::kLeader) {
        return Status::Ok();
      }
      return Status::PermissionDenied("只有工作专班和审计人员可以查看此内容", "taskforce_or_auditor");
    case Access::kTaskForce:
      if (actor.role == Role::kTaskForce) return Status::Ok();
      return Status::PermissionDenied("此操作只能由工作专班办理",
                                      std::string(RuleId(TaskRule::kTaskForceOnly)));
  }
  return Status::Internal("unknown access level");
}

void WriteReply(const ApiReply& reply, httplib::Response& response) {
  response.status = reply.status;
  for (const auto& [name, value] : reply.headers) response.set_header(name, value);
  if (!reply.filename.empty()) {
    // RFC 6266: an ASCII fallback and the UTF-8 name, for Chinese file names.
    response.set_header("Content-Disposition", std::string(reply.inline_file ? "inline" : "attachment") +
                                                   "; filename=\"" + reply.ascii_filename +
                                                   "\"; filename*=UTF-8''" +
                                                   httplib::detail::encode_query_param(reply.filename));
  }
  if (reply.content_type.empty()) {
    response.set_content(DumpJson(reply.json), "application/json; charset=utf-8");
  } else if (reply.file != nullptr) {
    SetFileBody(response, reply.file, reply.content_type);
  } else {
    response.set_content(reply.bytes, reply.content_type);
  }
}

std::string AllowedList(const std::vector<std::string>& methods) {
  std::string list;
  for (const std::string& method : methods) list += (list.empty() ? "" : ", ") + method;
  return list;
}

bool IsServedMethod(const std::string& method) {
  return method == "GET" || method == "HEAD" || method == "POST" || method == "PUT" || method == "DELETE";
}

}  // namespace

Result<std::unique_ptr<HttpServer>> HttpServer::Start(ApiContext& api, std::vector<Route> routes,
                                                      const HttpServerOptions& options) {
  std::unique_ptr<HttpServer> server(new HttpServer());
  server->api_ = &api;
  // Request ids of separate runs differ by this prefix; within a run, by the counter.
  server->request_id_prefix_ = std::random_device{}();
  server->routes_ = std::move(routes);
  for (const Route& route : server->routes_) {
    if (route.method != "GET" && route.method != "POST" && route.method != "PUT" && route.method != "DELETE") {
      return Status::Internal("route " + route.path + ": unsupported method " + route.method);
    }
    server->paths_.emplace_back(route.path);
  }
  if (!options.static_dir.empty()) {
    ASSIGN_OR_RETURN(server->static_files_, StaticFiles::Load(options.static_dir));
  }

  if (!options.tls_cert.empty() || !options.tls_key.empty()) {
    ASSIGN_OR_RETURN(server->tls_, TlsContext::Load(options.tls_cert, options.tls_key));
  }

  HttpListenerOptions listen;
  listen.tls = server->tls_.get();
  listen.host = options.host;
  listen.port = options.port;
  listen.max_connections = options.max_connections;
  listen.max_connections_per_address = options.max_connections_per_address;
  listen.request_timeout = options.request_timeout;
  listen.idle_timeout = options.keep_alive_timeout;
  listen.upload_idle_timeout = options.upload_idle_timeout;
  listen.upload_min_bytes_per_second = options.upload_min_bytes_per_second;
  listen.write_timeout = options.write_timeout;
  listen.workers = options.threads;
  listen.limits.max_body_bytes = options.max_body_bytes;
  listen.limits.max_head_bytes = options.max_head_bytes;
  listen.limits.max_headers = options.max_headers;
  ASSIGN_OR_RETURN(server->listener_, HttpListener::Start(listen, *server));
  server->port_ = server->listener_->port();
  return server;
}

HttpServer::~HttpServer() { Stop(); }

void HttpServer::Stop() {
  // Closes the listening socket; returns once the requests in flight are answered.
  if (listener_) listener_->Stop();
}

HttpServer::Destination HttpServer::Resolve(const std::string& method, const std::string& path) const {
  const std::string& as = method == "HEAD" ? std::string("GET") : method;
  std::vector<std::string> allowed;
  std::optional<std::size_t> first;
  for (std::size_t i = 0; i < routes_.size(); ++i) {
    if (!paths_[i].Match(path)) continue;
    if (routes_[i].method == as) return {i, false, std::nullopt};
    if (!first) first = i;
    allowed.push_back(routes_[i].method);
    if (routes_[i].method == "GET") allowed.push_back("HEAD");
  }
  if (allowed.empty() && static_files_ != nullptr && static_files_->Has(path)) {
    if (as == "GET") return {std::nullopt, true, std::nullopt};
    allowed = {"GET", "HEAD"};
  }
  if (!allowed.empty()) {
    const std::string list = AllowedList(allowed);
    return {first, false,
            HttpRefusal{405, "method_not_allowed", path + " answers only " + list + ", not " + method,
                        {{"Allow", list}}, "", "method"}};
  }
  if (!IsServedMethod(method)) {
    return {std::nullopt, false,
            HttpRefusal{501, "not_implemented", method + " is not a method this server answers (GET, HEAD, POST, PUT, DELETE)",
                        {}, "", "method"}};
  }
  return {std::nullopt, false,
          HttpRefusal{404, "route_not_found",
                      "there is no " + method + " " + path + "; the routes are listed at /api/v1/openapi.json", {}, "",
                      "path"}};
}

std::optional<HttpRefusal> HttpServer::CheckHeadOrThrow(const HttpRequestHead& head) {
  // A request without a body costs nothing to read: it goes the usual way,
  // and its connection stays open. One with a body is refused here, before
  // the body is read, when it could not succeed anyway.
  if (!head.has_body) return std::nullopt;
  Destination destination = Resolve(head.method, head.path);
  if (destination.refusal) {
    if (destination.route) api_->metrics.ObserveRequest(*destination.route, destination.refusal->status, {});
    return destination.refusal;
  }
  if (!destination.route) return std::nullopt;
  const Route& route = routes_[*destination.route];
  if (route.access == Access::kPublic) return std::nullopt;
  httplib::Request request;
  request.method = head.method;
  request.headers = head.headers;
  Result<Actor> actor = Authenticate(*api_, request);
  Status refused = actor.ok() ? Authorize(route.access, *actor) : actor.status();
  if (refused.ok()) return std::nullopt;
  HttpRefusal refusal{HttpStatusOf(refused), refused.error_code(), "refused " + refused.error_code(), {},
                      DumpJson(ErrorBody(refused)), refused.field()};
  if (refused.code() == StatusCode::kUnauthenticated) refusal.headers.emplace_back("WWW-Authenticate", "Bearer");
  api_->metrics.ObserveRequest(*destination.route, refusal.status, {});
  return refusal;
}

std::optional<HttpRefusal> HttpServer::CheckHead(const HttpRequestHead& head) {
  try {
    return CheckHeadOrThrow(head);
  } catch (const std::exception& error) {
    // Runs on the I/O thread: nothing may escape it.
    spdlog::error("http {}: unexpected failure while checking the head: {}", EscapeForLog(head.path),
                  EscapeForLog(error.what()));
    return HttpRefusal{500, "internal", "the server failed unexpectedly; the error is logged", {}, "", ""};
  }
}

httplib::Response HttpServer::Handle(HttpRequestData data, const std::string& remote_addr, int remote_port) {
  httplib::Response response;
  try {
    httplib::Request request;
    request.method = data.head.method;
    // Moved, not copied (a header map is a node per header); the refusal
    // branch below gives the headers back for its log line.
    request.target = std::move(data.head.target);
    request.path = data.head.path;
    request.params = std::move(data.head.params);
    request.headers = std::move(data.head.headers);
    request.body = std::move(data.body);
    request.version = "HTTP/1." + std::to_string(data.head.version_minor);
    request.remote_addr = remote_addr;
    request.remote_port = remote_port;
    Destination destination = Resolve(request.method, request.path);
    if (destination.refusal) {
      response = RefusalResponse(*destination.refusal);
      if (destination.route) api_->metrics.ObserveRequest(*destination.route, response.status, {});
      data.head.headers = std::move(request.headers);
      data.head.target = std::move(request.target);
      OnRefused(*destination.refusal, data.head, remote_addr);
    } else if (destination.static_file) {
      static_files_->Serve(request, response);
    } else {
      Dispatch(*destination.route, request, data.sink.get(), response);
    }
  } catch (const std::exception& error) {
    // Nothing may escape to the worker thread; log it (escaped) and answer 500.
    spdlog::error("http {}: unexpected failure: {}", EscapeForLog(data.head.path), EscapeForLog(error.what()));
    response = httplib::Response();
    response.status = 500;
    response.set_content(DumpJson(ErrorBody("internal")),
                         "application/json; charset=utf-8");
  } catch (...) {
    spdlog::error("http {}: unexpected failure", EscapeForLog(data.head.path));
    response = httplib::Response();
    response.status = 500;
    response.set_content(DumpJson(ErrorBody("internal")),
                         "application/json; charset=utf-8");
  }
  return response;
}

void HttpServer::OnRefused(const HttpRefusal& refusal, const HttpRequestHead& head, const std::string& remote_addr) {
  const std::string id = SanitizeRequestId(head.headers.count("X-Request-Id") ? head.headers.find("X-Request-Id")->second : "");
  spdlog::info("http id={} {} {} status={} from={}: {}", id.empty() ? "-" : id,
               head.method.empty() ? "-" : EscapeForLog(head.method),
               head.path.empty() ? EscapeForLog(head.target) : EscapeForLog(head.path), refusal.status,
               EscapeForLog(remote_addr), EscapeForLog(refusal.message));
}

void HttpServer::OnConnectionOpened() { api_->metrics.ConnectionOpened(); }
void HttpServer::OnConnectionClosed() { api_->metrics.ConnectionClosed(); }
void HttpServer::OnConnectionRefused() { api_->metrics.ConnectionRefused(); }

std::shared_ptr<BodySink> HttpServer::BodySinkFor(const HttpRequestHead& head) {
  try {
    Destination destination = Resolve(head.method, head.path);
    if (destination.refusal || !destination.route || !routes_[*destination.route].body_sink) return nullptr;
    // Who sends it (the sink counts uploads per principal); the head check
    // that follows refuses an unknown caller before the sink is begun.
    httplib::Request request;
    request.method = head.method;
    request.headers = head.headers;
    Result<Actor> actor = Authenticate(*api_, request);
    return routes_[*destination.route].body_sink(*api_, head, actor.ok() ? *actor : Actor{});
  } catch (const std::exception& error) {
    spdlog::error("http {}: unexpected failure while opening a body sink: {}", EscapeForLog(head.path),
                  EscapeForLog(error.what()));
    return nullptr;
  }
}

void HttpServer::Dispatch(std::size_t index, const httplib::Request& request, BodySink* body_sink,
                          httplib::Response& response) {
  const auto started = std::chrono::steady_clock::now();
  const Route& route = routes_[index];
  // Echoed in the answer and logged: printable ASCII only (gateway/text_safety.h).
  std::string request_id = SanitizeRequestId(request.get_header_value("X-Request-Id"));
  if (request_id.empty()) {
    char id[32];
    std::snprintf(id, sizeof id, "%08x-%llx", request_id_prefix_,
                  static_cast<unsigned long long>(++requests_));
    request_id = id;
  }

  Actor actor;
  ApiCall call{request, actor, {}, body_sink};
  paths_[index].Match(request.path, &call.params);
  Result<ApiReply> reply = [&]() -> Result<ApiReply> {
    if (route.access != Access::kPublic) {
      ASSIGN_OR_RETURN(actor, Authenticate(*api_, request));
      RETURN_IF_ERROR(Authorize(route.access, actor));
    }
    try {
      return route.handler(*api_, call);
    } catch (const std::exception& error) {
      // Exceptions from libraries stop here; the handlers return Status.
      return Status::Internal(std::string("unexpected failure: ") + error.what());
    }
  }();

  if (reply.ok()) {
    WriteReply(*reply, response);
  } else {
    const Status& status = reply.status();
    response.status = HttpStatusOf(status);
    if (status.code() == StatusCode::kUnauthenticated) response.set_header("WWW-Authenticate", "Bearer");
    // A refusal that passes by itself (a view catching up): when to try again.
    if (status.error_code() == "views_behind" || status.error_code() == "view_not_ready") {
      response.set_header("Retry-After", "1");
    }
    response.set_content(DumpJson(ErrorBody(status)), "application/json; charset=utf-8");
  }
  response.set_header("X-Request-Id", request_id);

  const auto elapsed = std::chrono::steady_clock::now() - started;
  api_->metrics.ObserveRequest(index, response.status, elapsed);
  const auto no = call.params.find("no");
  const std::string item = no == call.params.end() ? "-" : EscapeForLog(no->second);
  const std::string principal = actor.principal.empty() ? "-" : EscapeForLog(actor.principal);
  const std::string path = EscapeForLog(request.path);
  const double ms = std::chrono::duration<double, std::milli>(elapsed).count();
  if (response.status >= 500) {
    spdlog::error("http id={} {} {} status={} principal={} item={} ms={:.2f} code={}: {}", request_id, request.method,
                  path, response.status, principal, item, ms, reply.ok() ? "-" : EscapeForLog(reply.status().error_code()),
                  reply.ok() ? "" : EscapeForLog(reply.status().message()));
  } else {
    // Writes and refusals are worth a line each; successful reads only when debugging.
    const auto level = (request.method == "GET" || request.method == "HEAD") && response.status < 400 ? spdlog::level::debug : spdlog::level::info;
    // A refusal is logged by its code and field; its message is the clerk's
    // Chinese sentence and stays out of the (English) log.
    if (reply.ok()) {
      spdlog::log(level, "http id={} {} {} status={} principal={} item={} ms={:.2f}", request_id, request.method, path,
                  response.status, principal, item, ms);
    } else {
      const Status& refused = reply.status();
      spdlog::log(level, "http id={} {} {} status={} principal={} item={} ms={:.2f} code={} field={}", request_id,
                  request.method, path, response.status, principal, item, ms, EscapeForLog(refused.error_code()),
                  refused.field().empty() ? "-" : EscapeForLog(refused.field()));
    }
  }
}

}  // namespace kuimen
