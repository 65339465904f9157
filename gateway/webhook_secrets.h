#pragma once

#include <filesystem>
#include <memory>
#include <string>
#include <string_view>

#include "domain/status.h"

namespace kuimen {

// Seals the webhook signing secrets (and URL query strings) the task force registers. A secret must
// sign every delivery, so it cannot be kept as a hash; it is kept in the
// WebhookRegistered event encrypted (AES-256-GCM, a fresh 12-byte nonce per
// secret) under a 32-byte key in the data directory (keys/webhook.key, 0600),
// so the log, its API (GET /api/v1/events), `kuimen log` and backups of the
// store alone never show it. The key travels with the data directory's keys/.
// Thread-safe (immutable after LoadOrCreate).
class WebhookSealer {
 public:
  // Reads the key at `key_file`, or creates it (and its directory, 0700) when missing.
  // kUnavailable when it cannot be read or written, kDataLoss when it is not 32 bytes.
  static Result<std::unique_ptr<WebhookSealer>> LoadOrCreate(const std::filesystem::path& key_file);

  // base64(nonce | ciphertext | tag). The empty secret seals to "" (unsigned deliveries).
  Result<std::string> Seal(std::string_view secret) const;
  // The secret back; kDataLoss when `sealed` was not sealed under this key.
  Result<std::string> Open(std::string_view sealed) const;

 private:
  explicit WebhookSealer(std::string key) : key_(std::move(key)) {}
  std::string key_;
};

// What WebhookRegistered::sealed holds: the URL's query string (a robot's
// access token) and the signing secret, either may be empty.
struct WebhookSealed {
  std::string query;
  std::string secret;
};
Result<std::string> SealWebhook(const WebhookSealer& sealer, const WebhookSealed& plain);
// kDataLoss when it does not open under this key or is not what SealWebhook wrote.
Result<WebhookSealed> OpenWebhookSealed(const WebhookSealer& sealer, std::string_view sealed);

// "sha256=" + the lower-case hex HMAC-SHA256 of `body` under `secret`: the
// X-Kuimen-Signature header of a delivery.
std::string WebhookSignature(std::string_view secret, std::string_view body);

}  // namespace kuimen
