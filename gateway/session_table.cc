#include "gateway/session_table.h"

#include <array>

#include <openssl/rand.h>

namespace kuimen {

namespace {

std::string Base64Url(const unsigned char* bytes, std::size_t count) {
  static constexpr char kAlphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
  std::string out;
  std::uint32_t buffer = 0;
  int bits = 0;
  for (std::size_t i = 0; i < count; ++i) {
    buffer = (buffer << 8) | bytes[i];
    bits += 8;
    while (bits >= 6) {
      bits -= 6;
      out.push_back(kAlphabet[(buffer >> bits) & 0x3f]);
    }
  }
  if (bits > 0) out.push_back(kAlphabet[(buffer << (6 - bits)) & 0x3f]);
  return out;
}

}  // namespace

Result<std::string> SessionTable::Create(std::string token_sha256, Timestamp now) {
  std::array<unsigned char, 32> bytes{};
  if (RAND_bytes(bytes.data(), static_cast<int>(bytes.size())) != 1) {
    return Status::Unavailable("the system's random number generator gave no bytes for a session id");
  }
  std::string id = Base64Url(bytes.data(), bytes.size());
  std::lock_guard lock(mu_);
  SweepLocked(now);
  sessions_[id] = Session{std::move(token_sha256), now + std::chrono::duration_cast<std::chrono::microseconds>(kLifetime)};
  return id;
}

std::optional<std::string> SessionTable::Lookup(std::string_view id, Timestamp now) {
  std::lock_guard lock(mu_);
  auto it = sessions_.find(std::string(id));
  if (it == sessions_.end()) return std::nullopt;
  if (now >= it->second.expires) {
    sessions_.erase(it);
    return std::nullopt;
  }
  return it->second.token_sha256;
}

void SessionTable::Drop(std::string_view id) {
  std::lock_guard lock(mu_);
  sessions_.erase(std::string(id));
}

std::size_t SessionTable::size() const {
  std::lock_guard lock(mu_);
  return sessions_.size();
}

void SessionTable::SweepLocked(Timestamp now) {
  std::erase_if(sessions_, [now](const auto& entry) { return now >= entry.second.expires; });
}

}  // namespace kuimen
