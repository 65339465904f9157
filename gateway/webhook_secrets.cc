#include "gateway/webhook_secrets.h"

#include <sys/stat.h>

#include <fstream>
#include <optional>
#include <iterator>

#include <nlohmann/json.hpp>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/rand.h>

namespace kuimen {

namespace {

constexpr std::size_t kKeyBytes = 32;
constexpr std::size_t kNonceBytes = 12;
constexpr std::size_t kTagBytes = 16;

std::string Base64(std::string_view bytes) {
  std::string out(4 * ((bytes.size() + 2) / 3), '\0');
  const int n = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                                reinterpret_cast<const unsigned char*>(bytes.data()), static_cast<int>(bytes.size()));
  out.resize(static_cast<std::size_t>(n));
  return out;
}

std::optional<std::string> Unbase64(std::string_view text) {
  if (text.size() % 4 != 0) return std::nullopt;
  std::string out(3 * text.size() / 4, '\0');
  const int n = EVP_DecodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                                reinterpret_cast<const unsigned char*>(text.data()), static_cast<int>(text.size()));
  if (n < 0) return std::nullopt;
  std::size_t size = static_cast<std::size_t>(n);
  // EVP_DecodeBlock counts the padding as zero bytes.
  if (!text.empty() && text.back() == '=') --size;
  if (text.size() >= 2 && text[text.size() - 2] == '=') --size;
  out.resize(size);
  return out;
}

using CipherCtx = std::unique_ptr<EVP_CIPHER_CTX, decltype(&EVP_CIPHER_CTX_free)>;

}  // namespace

Result<std::unique_ptr<WebhookSealer>> WebhookSealer::LoadOrCreate(const std::filesystem::path& key_file) {
  std::error_code error;
  if (std::filesystem::exists(key_file, error)) {
    std::ifstream in(key_file, std::ios::binary);
    std::string key((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    if (!in.good() && !in.eof()) return Status::Unavailable("cannot read " + key_file.string());
    if (key.size() != kKeyBytes) return Status::DataLoss(key_file.string() + " is not a 32-byte key");
    return std::unique_ptr<WebhookSealer>(new WebhookSealer(std::move(key)));
  }
  std::filesystem::create_directories(key_file.parent_path(), error);
  if (error) return Status::Unavailable("cannot create " + key_file.parent_path().string() + ": " + error.message());
  ::chmod(key_file.parent_path().c_str(), 0700);
  std::string key(kKeyBytes, '\0');
  if (RAND_bytes(reinterpret_cast<unsigned char*>(key.data()), static_cast<int>(key.size())) != 1) {
    return Status::Unavailable("no random bytes for the webhook key");
  }
  const std::filesystem::path temp = key_file.string() + ".tmp";
  {
    std::ofstream out(temp, std::ios::binary | std::ios::trunc);
    ::chmod(temp.c_str(), 0600);
    out.write(key.data(), static_cast<std::streamsize>(key.size()));
    out.flush();
    if (!out) return Status::Unavailable("cannot write " + temp.string());
  }
  std::filesystem::rename(temp, key_file, error);
  if (error) return Status::Unavailable("cannot write " + key_file.string() + ": " + error.message());
  return std::unique_ptr<WebhookSealer>(new WebhookSealer(std::move(key)));
}

Result<std::string> WebhookSealer::Seal(std::string_view secret) const {
  if (secret.empty()) return std::string();
  std::string nonce(kNonceBytes, '\0');
  if (RAND_bytes(reinterpret_cast<unsigned char*>(nonce.data()), static_cast<int>(nonce.size())) != 1) {
    return Status::Unavailable("no random bytes for a nonce");
  }
  CipherCtx ctx(EVP_CIPHER_CTX_new(), EVP_CIPHER_CTX_free);
  std::string cipher(secret.size(), '\0');
  std::string tag(kTagBytes, '\0');
  int n = 0, m = 0;
  const bool ok =
      ctx && EVP_EncryptInit_ex(ctx.get(), EVP_aes_256_gcm(), nullptr, reinterpret_cast<const unsigned char*>(key_.data()),
                                reinterpret_cast<const unsigned char*>(nonce.data())) == 1 &&
      EVP_EncryptUpdate(ctx.get(), reinterpret_cast<unsigned char*>(cipher.data()), &n,
                        reinterpret_cast<const unsigned char*>(secret.data()), static_cast<int>(secret.size())) == 1 &&
      EVP_EncryptFinal_ex(ctx.get(), reinterpret_cast<unsigned char*>(cipher.data()) + n, &m) == 1 &&
      EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_GET_TAG, static_cast<int>(kTagBytes), tag.data()) == 1;
  if (!ok) return Status::Internal("AES-GCM sealing failed");
  return Base64(nonce + cipher + tag);
}

Result<std::string> WebhookSealer::Open(std::string_view sealed) const {
  if (sealed.empty()) return std::string();
  std::optional<std::string> bytes = Unbase64(sealed);
  if (!bytes || bytes->size() < kNonceBytes + kTagBytes) return Status::DataLoss("a sealed webhook secret is malformed");
  const std::string nonce = bytes->substr(0, kNonceBytes);
  const std::string cipher = bytes->substr(kNonceBytes, bytes->size() - kNonceBytes - kTagBytes);
  std::string tag = bytes->substr(bytes->size() - kTagBytes);
  CipherCtx ctx(EVP_CIPHER_CTX_new(), EVP_CIPHER_CTX_free);
  std::string plain(cipher.size(), '\0');
  int n = 0, m = 0;
  const bool ok =
      ctx && EVP_DecryptInit_ex(ctx.get(), EVP_aes_256_gcm(), nullptr, reinterpret_cast<const unsigned char*>(key_.data()),
                                reinterpret_cast<const unsigned char*>(nonce.data())) == 1 &&
      EVP_DecryptUpdate(ctx.get(), reinterpret_cast<unsigned char*>(plain.data()), &n,
                        reinterpret_cast<const unsigned char*>(cipher.data()), static_cast<int>(cipher.size())) == 1 &&
      EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_SET_TAG, static_cast<int>(kTagBytes), tag.data()) == 1 &&
      EVP_DecryptFinal_ex(ctx.get(), reinterpret_cast<unsigned char*>(plain.data()) + n, &m) == 1;
  if (!ok) return Status::DataLoss("a sealed webhook secret does not open under keys/webhook.key");
  return plain;
}

Result<std::string> SealWebhook(const WebhookSealer& sealer, const WebhookSealed& plain) {
  return sealer.Seal(nlohmann::json{{"query", plain.query}, {"secret", plain.secret}}.dump());
}

Result<WebhookSealed> OpenWebhookSealed(const WebhookSealer& sealer, std::string_view sealed) {
  ASSIGN_OR_RETURN(std::string text, sealer.Open(sealed));
  if (text.empty()) return WebhookSealed{};
  nlohmann::json j = nlohmann::json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (!j.is_object() || !j.contains("query") || !j["query"].is_string() || !j.contains("secret") ||
      !j["secret"].is_string()) {
    return Status::DataLoss("a sealed webhook is not a query string and a secret");
  }
  return WebhookSealed{j["query"].get<std::string>(), j["secret"].get<std::string>()};
}

std::string WebhookSignature(std::string_view secret, std::string_view body) {
  unsigned char mac[EVP_MAX_MD_SIZE];
  unsigned int size = 0;
  HMAC(EVP_sha256(), secret.data(), static_cast<int>(secret.size()), reinterpret_cast<const unsigned char*>(body.data()),
       body.size(), mac, &size);
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out = "sha256=";
  for (unsigned int i = 0; i < size; ++i) {
    out += kHex[mac[i] >> 4];
    out += kHex[mac[i] & 0xF];
  }
  return out;
}

}  // namespace kuimen
