#pragma once

#include <filesystem>

// The data directory (--data DIR): the one place that says what lives where.
//
//   store/                      the event store (RocksDB): the source of truth
//   views/<view>/               each view's rows (RocksDB), rebuilt from the store when lost
//   files/                      uploaded 佐证材料 (gateway/file_store.h)
//   keys/ed25519.pem            signs audit digests (gateway/digest_signer.h)
//   keys/webhook.key            seals webhook secrets (gateway/webhook_secrets.h)
//   webhooks/deliveries.jsonl   the webhook delivery journal
//   admin.token                 the first administrator's token (written at first start)
//   server.json                 where a running `serve` listens; removed when it stops
//
// A backup (gateway/backup.h) copies store/, keys/, files/ and admin.token.
namespace kuimen::data_layout {

// The names inside DIR, for code that copies them between directories.
inline constexpr const char* kStore = "store";
inline constexpr const char* kViews = "views";
inline constexpr const char* kFiles = "files";
inline constexpr const char* kKeys = "keys";
inline constexpr const char* kAdminToken = "admin.token";

inline std::filesystem::path Store(const std::filesystem::path& data) { return data / kStore; }
inline std::filesystem::path Views(const std::filesystem::path& data) { return data / kViews; }
inline std::filesystem::path Files(const std::filesystem::path& data) { return data / kFiles; }
inline std::filesystem::path DigestKey(const std::filesystem::path& data) { return data / kKeys / "ed25519.pem"; }
inline std::filesystem::path WebhookKey(const std::filesystem::path& data) { return data / kKeys / "webhook.key"; }
inline std::filesystem::path Webhooks(const std::filesystem::path& data) { return data / "webhooks"; }
inline std::filesystem::path AdminToken(const std::filesystem::path& data) { return data / kAdminToken; }
inline std::filesystem::path ServerFile(const std::filesystem::path& data) { return data / "server.json"; }

}  // namespace kuimen::data_layout
