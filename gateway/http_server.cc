#include "gateway/http_server.h"

#include <atomic>
#include <random>
#include <regex>

#include <spdlog/spdlog.h>

#include "domain/task_rules.h"
#include "gateway/gateway_metrics.h"
#include "gateway/http_error.h"
#include "gateway/principal_registry.h"

namespace kuimen {

namespace {

// "/api/v1/tasks/{no}/events" -> the regex "/api/v1/tasks/([^/]+)/events" and
// the parameter names {"no"}.
std::string PathPattern(const std::string& path, std::vector<std::string>& names) {
  static const std::regex kParam(R"(\{([a-z_]+)\})");
  std::string pattern;
  auto begin = std::sregex_iterator(path.begin(), path.end(), kParam);
  std::size_t last = 0;
  // Literal parts are escaped: the dot of "assessment.xlsx" matches only a dot.
  auto literal = [](std::string text) {
    static const std::regex kSpecial(R"([.^$|()\[\]*+?\\])");
    return std::regex_replace(text, kSpecial, R"(\$&)");
  };
  for (auto it = begin; it != std::sregex_iterator(); ++it) {
    pattern += literal(path.substr(last, it->position() - last)) + "([^/]+)";
    names.push_back((*it)[1]);
    last = it->position() + it->length();
  }
  return pattern + literal(path.substr(last));
}

Result<Actor> Authenticate(const PrincipalRegistry& principals, const httplib::Request& request) {
  const std::string header = request.get_header_value("Authorization");
  constexpr std::string_view kBearer = "Bearer ";
  if (header.empty()) {
    return Status::Unauthenticated("this request needs a token: send the header Authorization: Bearer <token>");
  }
  if (header.size() <= kBearer.size() || header.compare(0, kBearer.size(), kBearer) != 0) {
    return Status::Unauthenticated("the Authorization header must read \"Bearer <token>\"");
  }
  std::optional<Actor> actor = principals.Authenticate(std::string_view(header).substr(kBearer.size()));
  if (!actor) return Status::Unauthenticated("the token is unknown or has been revoked; ask the task force for a new one");
  return *actor;
}

Status Authorize(Access access, const Actor& actor) {
  switch (access) {
    case Access::kPublic:
    case Access::kAnyPrincipal:
      return Status::Ok();
    case Access::kTaskForceOrAuditor:
      if (actor.role == Role::kTaskForce || actor.role == Role::kAuditor) return Status::Ok();
      return Status::PermissionDenied("only the task force (工作专班) and auditors may read this", "taskforce_or_auditor");
    case Access::kTaskForce:
      if (actor.role == Role::kTaskForce) return Status::Ok();
      return Status::PermissionDenied("only the task force (工作专班) may do this",
                                      std::string(RuleId(TaskRule::kTaskForceOnly)));
  }
  return Status::Internal("unknown access level");
}

void WriteReply(const ApiReply& reply, httplib::Response& response) {
  response.status = reply.status;
  if (!reply.filename.empty()) {
    // RFC 6266: an ASCII fallback and the UTF-8 name, for Chinese file names.
    response.set_header("Content-Disposition", "attachment; filename=\"" + reply.ascii_filename +
                                                   "\"; filename*=UTF-8''" +
                                                   httplib::detail::encode_query_param(reply.filename));
  }
  if (reply.content_type.empty()) {
    response.set_content(reply.json.dump(), "application/json; charset=utf-8");
  } else {
    response.set_content(reply.bytes, reply.content_type);
  }
}

}  // namespace

Result<std::unique_ptr<HttpServer>> HttpServer::Start(ApiContext& api, std::vector<Route> routes,
                                                      const HttpServerOptions& options) {
  std::unique_ptr<HttpServer> server(new HttpServer());
  server->api_ = &api;
  // Request ids of separate runs differ by this prefix; within a run, by the counter.
  server->request_id_prefix_ = std::random_device{}();
  server->routes_ = std::move(routes);
  server->server_ = std::make_unique<httplib::Server>();
  httplib::Server& http = *server->server_;

  // Without TCP_NODELAY small replies wait on delayed ACKs (about 300
  // requests/s); a long keep-alive spares a handshake per request.
  http.set_tcp_nodelay(true);
  http.set_keep_alive_max_count(100000);
  http.set_keep_alive_timeout(options.keep_alive_timeout.count());
  http.set_read_timeout(options.read_timeout.count(), 0);
  http.set_write_timeout(options.write_timeout.count(), 0);
  http.set_payload_max_length(options.max_body_bytes);
  const std::size_t threads = options.threads;
  http.new_task_queue = [threads] { return new httplib::ThreadPool(threads); };

  for (std::size_t i = 0; i < server->routes_.size(); ++i) {
    const Route& route = server->routes_[i];
    std::vector<std::string> names;
    const std::string pattern = PathPattern(route.path, names);
    server->param_names_.push_back(std::move(names));
    HttpServer* self = server.get();
    auto handler = [self, i](const httplib::Request& request, httplib::Response& response) {
      self->Dispatch(i, request, response);
    };
    if (route.method == "GET") {
      http.Get(pattern, handler);
    } else if (route.method == "POST") {
      http.Post(pattern, handler);
    } else if (route.method == "DELETE") {
      http.Delete(pattern, handler);
    } else {
      return Status::Internal("route " + route.path + ": unsupported method " + route.method);
    }
  }

  // Errors the HTTP layer produces before any route runs (413, an unknown
  // path) get the same JSON body as the handlers' errors.
  const std::size_t max_body = options.max_body_bytes;
  http.set_error_handler([max_body](const httplib::Request& request, httplib::Response& response) {
    if (!response.body.empty()) return;
    nlohmann::json body;
    switch (response.status) {
      case 404:
        body = ErrorBody("not_found", "there is no " + request.method + " " + request.path +
                                          "; the routes are listed at /api/v1/openapi.json");
        break;
      case 413:
        body = ErrorBody("payload_too_large", "the request body is larger than " + std::to_string(max_body) +
                                                  " bytes; send less at a time");
        break;
      default:
        body = ErrorBody("bad_request", "the request could not be read as HTTP/1.1 (status " +
                                            std::to_string(response.status) + ")");
    }
    response.set_content(body.dump(), "application/json; charset=utf-8");
  });
  http.set_exception_handler([](const httplib::Request& request, httplib::Response& response, std::exception_ptr) {
    spdlog::error("http {} {}: unexpected exception", request.method, request.path);
    response.status = 500;
    response.set_content(ErrorBody("internal", "the server failed unexpectedly; the error is logged").dump(),
                         "application/json; charset=utf-8");
  });

  if (!options.static_dir.empty() && !http.set_mount_point("/", options.static_dir.string())) {
    return Status::Unavailable("cannot serve the dashboard from " + options.static_dir.string());
  }

  if (options.port == 0) {
    server->port_ = http.bind_to_any_port(options.host);
  } else if (http.bind_to_port(options.host, options.port)) {
    server->port_ = options.port;
  }
  if (server->port_ <= 0) {
    return Status::Unavailable("cannot listen on " + options.host + ":" + std::to_string(options.port) +
                               " (in use, or not an address of this machine)");
  }
  server->thread_ = std::thread([&http] { http.listen_after_bind(); });
  return server;
}

HttpServer::~HttpServer() { Stop(); }

void HttpServer::Stop() {
  if (!thread_.joinable()) return;
  // Closes the listening socket; listen_after_bind returns once the worker
  // pool has finished the requests in flight.
  server_->stop();
  thread_.join();
}

void HttpServer::Dispatch(std::size_t index, const httplib::Request& request, httplib::Response& response) {
  const auto started = std::chrono::steady_clock::now();
  const Route& route = routes_[index];
  std::string request_id = request.get_header_value("X-Request-Id");
  if (request_id.empty() || request_id.size() > 64) {
    char id[32];
    std::snprintf(id, sizeof id, "%08x-%llx", request_id_prefix_,
                  static_cast<unsigned long long>(++requests_));
    request_id = id;
  }

  Actor actor;
  ApiCall call{request, actor, {}};
  for (std::size_t i = 0; i < param_names_[index].size() && i + 1 < request.matches.size(); ++i) {
    call.params[param_names_[index][i]] = request.matches[i + 1].str();
  }
  Result<ApiReply> reply = [&]() -> Result<ApiReply> {
    if (route.access != Access::kPublic) {
      ASSIGN_OR_RETURN(actor, Authenticate(api_->principals, request));
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
    response.status = HttpStatusOf(status.code());
    if (status.code() == StatusCode::kUnauthenticated) response.set_header("WWW-Authenticate", "Bearer");
    response.set_content(ErrorBody(status).dump(), "application/json; charset=utf-8");
  }
  response.set_header("X-Request-Id", request_id);

  const auto elapsed = std::chrono::steady_clock::now() - started;
  api_->metrics.ObserveRequest(index, response.status, elapsed);
  const auto no = call.params.find("no");
  const double ms = std::chrono::duration<double, std::milli>(elapsed).count();
  if (response.status >= 500) {
    spdlog::error("http id={} {} {} status={} principal={} item={} ms={:.2f}: {}", request_id, request.method,
                  request.path, response.status, actor.principal, no == call.params.end() ? "-" : no->second, ms,
                  reply.ok() ? "" : reply.status().message());
  } else {
    // Writes and refusals are worth a line each; successful reads only when debugging.
    const auto level = request.method == "GET" && response.status < 400 ? spdlog::level::debug : spdlog::level::info;
    spdlog::log(level, "http id={} {} {} status={} principal={} item={} ms={:.2f}", request_id, request.method, request.path,
                 response.status, actor.principal.empty() ? "-" : actor.principal,
                 no == call.params.end() ? "-" : no->second, ms);
  }
}

}  // namespace kuimen
