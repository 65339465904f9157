#include "gateway/backup_client.h"
#include "gateway/data_layout.h"

#include <chrono>
#include <fstream>
#include <sstream>

#include <httplib.h>
#include <nlohmann/json.hpp>

namespace kuimen {

namespace {

// A refusal from the server back into the Status it came from, so the caller
// sees the server's sentence and the code it would have seen in-process.
Status FromHttpError(int http_status, const std::string& body) {
  const nlohmann::json json = nlohmann::json::parse(body, nullptr, /*allow_exceptions=*/false);
  std::string message = "the server answered HTTP " + std::to_string(http_status);
  std::string field;
  if (json.is_object() && json.contains("error") && json["error"].is_object()) {
    const nlohmann::json& error = json["error"];
    if (error.contains("message") && error["message"].is_string()) {
      message += ": " + error["message"].get<std::string>();
    }
    if (error.contains("field") && error["field"].is_string()) field = error["field"].get<std::string>();
  } else if (!body.empty()) {
    message += ": " + body.substr(0, 200);
  }
  switch (http_status) {
    case 400: return Status::InvalidArgument(message, field);
    case 401: return Status::Unauthenticated(message + " (is the token that of a task-force principal?)");
    case 403: return Status::PermissionDenied(message + " (backups need a task-force principal's token)");
    case 404: return Status::NotFound(message + " (does this server take backups?)");
    case 409: return Status::FailedPrecondition(message);
    case 503: return Status::Unavailable(message);
    default: return Status::Internal(message);
  }
}

}  // namespace

Result<std::string> ServerUrlFromDataDir(const std::filesystem::path& data_dir) {
  const std::filesystem::path file = data_layout::ServerFile(data_dir);
  std::ifstream in(file);
  if (!in) return Status::NotFound("no server is serving " + data_dir.string() + " (no " + file.string() + ")");
  std::stringstream text;
  text << in.rdbuf();
  const nlohmann::json json = nlohmann::json::parse(text.str(), nullptr, /*allow_exceptions=*/false);
  if (!json.is_object() || !json.contains("listen") || !json["listen"].is_string()) {
    return Status::DataLoss(file.string() + " has no \"listen\" address; pass --server");
  }
  std::string listen = json["listen"].get<std::string>();
  // A server bound to every interface is reached on loopback.
  for (const std::string wildcard : {"0.0.0.0:", "[::]:"}) {
    if (listen.starts_with(wildcard)) listen = "127.0.0.1:" + listen.substr(wildcard.size());
  }
  const bool https = json.contains("scheme") && json["scheme"] == "https";
  return (https ? "https://" : "http://") + listen;
}

std::filesystem::path ServerCertificateFromDataDir(const std::filesystem::path& data_dir) {
  std::ifstream in(data_layout::ServerFile(data_dir));
  std::stringstream text;
  text << in.rdbuf();
  const nlohmann::json json = nlohmann::json::parse(text.str(), nullptr, /*allow_exceptions=*/false);
  if (!json.is_object() || !json.contains("tls_cert") || !json["tls_cert"].is_string()) return {};
  return json["tls_cert"].get<std::string>();
}

Result<std::string> RequestServerBackup(const ServerBackupRequest& request) {
  httplib::Client client(request.server_url);
  if (!client.is_valid()) {
    return Status::InvalidArgument("\"" + request.server_url + "\" is not a server URL such as http://127.0.0.1:8080",
                                   "server");
  }
  if (!request.ca_cert.empty()) client.set_ca_cert_path(request.ca_cert.c_str());
  client.set_connection_timeout(std::chrono::seconds(10));
  // The server checkpoints and verifies the whole copy before it answers.
  client.set_read_timeout(std::chrono::minutes(30));
  client.set_bearer_token_auth(request.token);
  const std::string body = nlohmann::json{{"to", request.dest.string()}}.dump();
  httplib::Result reply = client.Post("/api/v1/backups", body, "application/json");
  if (!reply) {
    return Status::Unavailable("cannot reach the server at " + request.server_url + ": " +
                               httplib::to_string(reply.error()));
  }
  if (reply->status != 201) return FromHttpError(reply->status, reply->body);
  return reply->body;
}

}  // namespace kuimen
