#pragma once

#include <filesystem>
#include <string>

#include "domain/status.h"

namespace kuimen {

// `kuimen backup` against a running server: the server holds the store's
// lock, so only it can take the checkpoint (POST /api/v1/backups).

// The URL of the server serving `data_dir`, from the DIR/server.json it writes
// while running: "http://" + its "listen" address (a wildcard host becomes
// 127.0.0.1). kNotFound when there is no server.json (no server running);
// kDataLoss for a malformed one.
Result<std::string> ServerUrlFromDataDir(const std::filesystem::path& data_dir);

struct ServerBackupRequest {
  std::string server_url;      // "http://127.0.0.1:8080"
  std::string token;           // bearer token of a task-force principal
  std::filesystem::path dest;  // absolute: the server resolves it on its own machine
  // For an https URL: a PEM certificate to trust (the server's own, from
  // server.json); empty: the system's trusted authorities.
  std::filesystem::path ca_cert = {};
};

// The certificate a server serving `data_dir` over HTTPS wrote into
// server.json (`--tls-self-signed` or `--tls-cert`); empty for plain HTTP or
// when there is no server.json.
std::filesystem::path ServerCertificateFromDataDir(const std::filesystem::path& data_dir);

// Asks the server to back itself up into `dest` and returns its answer, the
// backup.json text. Waits up to 30 minutes: the server verifies the copy
// before it answers. Errors: the server's refusal with its message (401 as
// kUnauthenticated, 403 kPermissionDenied, 400 kInvalidArgument naming the
// field, 409 kFailedPrecondition, 503 kUnavailable, else kInternal);
// kUnavailable when the server cannot be reached.
Result<std::string> RequestServerBackup(const ServerBackupRequest& request);

}  // namespace kuimen
