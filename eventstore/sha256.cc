#include "eventstore/sha256.h"

#include <openssl/evp.h>

#include <cstdlib>

namespace kuimen {

namespace {

// Fetched once: OpenSSL 3's implicit fetch per call costs more than hashing a
// small event.
const EVP_MD* Sha256Algorithm() {
  static const EVP_MD* md = EVP_MD_fetch(nullptr, "SHA256", nullptr);
  return md;
}

}  // namespace

Sha256Digest Sha256(std::string_view data) {
  Sha256Digest digest{};
  unsigned int length = 0;
  if (EVP_Digest(data.data(), data.size(), digest.data(), &length, Sha256Algorithm(), nullptr) != 1 ||
      length != digest.size()) {
    std::abort();  // cannot happen with a working libcrypto; a wrong hash must never be stored
  }
  return digest;
}

std::string ToHex(const Sha256Digest& digest) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string text;
  text.reserve(64);
  for (std::uint8_t byte : digest) {
    text.push_back(kHex[byte >> 4]);
    text.push_back(kHex[byte & 0x0F]);
  }
  return text;
}

}  // namespace kuimen
