#pragma once

#include <filesystem>
#include <memory>
#include <mutex>
#include <optional>
#include <shared_mutex>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "domain/actor.h"
#include "domain/catalog.h"
#include "domain/principal_directory.h"
#include "domain/status.h"
#include "eventstore/command_handler.h"
#include "eventstore/event_store.h"

namespace kuimen {

// A principal as the API shows it (never its token or the token's hash).
struct PrincipalInfo {
  std::string id;
  std::string name;
  Role role = Role::kAuditor;
  std::string unit;
  bool revoked = false;
};

// A newly registered principal with its bearer token, shown this once: only
// the token's SHA-256 is stored.
struct IssuedPrincipal {
  PrincipalInfo principal;
  std::string token;  // "kmt_" + 43 base64url characters (32 random bytes)
};

// The gateway's view of who may act: principals, their tokens' hashes and the
// townships, folded from the "principals" stream, and the one writer of that
// stream in a process (through CommandHandler, so PrincipalDirectory decides
// every write). Thread-safe: Authenticate runs on every request beside writes.
class PrincipalRegistry {
 public:
  // Reads every principal and township from the store's "principals" stream.
  // Neither store nor handler is owned; both, and the catalog, must outlive the
  // registry. kDataLoss when a stored event cannot be read.
  static Result<std::unique_ptr<PrincipalRegistry>> Open(EventStore& store, CommandHandler& handler,
                                                         const Catalog& catalog);

  // When no principal exists yet: registers a task-force administrator (name
  // "管理员", id "admin") and writes its token, followed by a newline, to
  // `token_file` with mode 0600 (a temporary file beside it, fsync, rename,
  // fsync of the directory). The file is written before the event is appended,
  // so a crash between the two leaves no administrator whose token is lost:
  // the next start simply bootstraps again. Returns the issued administrator,
  // or nullopt when principals already exist (the file is then left alone).
  // kUnavailable when the file cannot be written.
  Result<std::optional<IssuedPrincipal>> EnsureAdministrator(const std::filesystem::path& token_file);

  // The acting Actor for a bearer token, or nullopt for an unknown or revoked
  // token. A department principal whose unit is a registered township gets
  // Actor::group = the catalog's township group. Cheap: one SHA-256 and a
  // hash-map lookup under a shared lock.
  std::optional<Actor> Authenticate(std::string_view token) const;
  // The same for a token known by its SHA-256 (hex), as a sign-in session
  // keeps it (gateway/session_table.h): nullopt once the token is revoked.
  std::optional<Actor> AuthenticateDigest(std::string_view token_sha256) const;
  // The SHA-256 (hex) the registry keys a token by.
  static std::string TokenDigest(std::string_view token);

  // Registers a principal with a fresh token and id ("p-" + 8 hex digits).
  // `role` is its wire name. Errors: kInvalidArgument naming "role", "name" or
  // "unit"; kPermissionDenied (auditor_read_only, taskforce_only) when `by` is
  // not the task force; kUnavailable from the store.
  Result<IssuedPrincipal> Register(const Actor& by, const std::string& name, const std::string& role,
                                   const std::string& unit);
  // Revokes a principal; its token stops working at once. Returns it, revoked.
  // Errors: kPermissionDenied; kNotFound for an unknown id; kFailedPrecondition
  // principal_already_revoked, last_taskforce.
  Result<PrincipalInfo> Revoke(const Actor& by, const std::string& id);
  // Registers a township (乡镇/街道). Errors: kPermissionDenied; kInvalidArgument
  // "name" (empty, or a unit of the plan); kFailedPrecondition township_taken.
  Status RegisterTownship(const Actor& by, const std::string& name);

  std::vector<PrincipalInfo> List() const;       // registration order, revoked ones included
  std::vector<std::string> Townships() const;    // registration order

 private:
  PrincipalRegistry(EventStore& store, CommandHandler& handler, const Catalog& catalog);

  // Decides and appends one event to the principals stream, then folds what
  // the stream holds since the last fold. Caller holds write_mu_.
  Result<RecordedEvent> AppendLocked(const Actor& by, EventData event);
  // Folds the stream's events stored since the last fold. Caller holds write_mu_
  // (or is Open); takes mu_ exclusively for each event.
  Status CatchUp();
  // The Actor a principal acts as.
  Actor ActorOf(const PrincipalState& principal) const;  // caller holds mu_

  EventStore& store_;
  CommandHandler& handler_;
  // The catalog's unit of kind "group" a township acts for; empty if it has none.
  const std::string township_group_;

  // Serialises writes, so the fold after an append sees its own event next and
  // List() keeps the stream's order.
  std::mutex write_mu_;
  mutable std::shared_mutex mu_;  // guards the two below
  PrincipalDirectory directory_;
  std::unordered_map<std::string, Actor> actors_by_token_sha256_;  // active principals only
};

}  // namespace kuimen
