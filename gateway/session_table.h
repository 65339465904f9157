#pragma once

#include <chrono>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>

#include "domain/clock.h"
#include "domain/status.h"

namespace kuimen {

// Browser sign-in sessions (登录会话): a random id, sent as an HttpOnly
// cookie, standing for a token the user presented once. Kept in memory only:
// a restart signs everyone out, which is the safe direction. The table holds
// the token's SHA-256 (as PrincipalRegistry keys it), never the token, so a
// revoked token's sessions stop working at once: the registry no longer knows
// the hash, and the session is dropped at its next use.
// Thread-safe: every request may look a session up beside sign-ins.
class SessionTable {
 public:
  // How long a session lasts from sign-in: the working day.
  static constexpr std::chrono::hours kLifetime{12};

  // A new session for the token whose SHA-256 is `token_sha256`, expiring
  // kLifetime after `now`. Returns its id: 43 base64url characters (32 random
  // bytes). kUnavailable when the system's random generator gives nothing.
  Result<std::string> Create(std::string token_sha256, Timestamp now);

  // The token hash a live session stands for; nullopt for an unknown or
  // expired id (an expired one is removed).
  std::optional<std::string> Lookup(std::string_view id, Timestamp now);

  // Signs a session out; unknown ids are ignored.
  void Drop(std::string_view id);

  std::size_t size() const;

 private:
  struct Session {
    std::string token_sha256;
    Timestamp expires;
  };
  // Drops every expired session; caller holds mu_. Runs at each Create, so
  // the table holds no more than a day of sign-ins.
  void SweepLocked(Timestamp now);

  mutable std::mutex mu_;
  std::unordered_map<std::string, Session> sessions_;
};

}  // namespace kuimen
