#include "projections/view_digest.h"

#include <openssl/evp.h>

#include <cstdint>
#include <cstdlib>

namespace kuimen {

struct ViewDigest::Context {
  EVP_MD_CTX* md = EVP_MD_CTX_new();
};

ViewDigest::ViewDigest() : context_(new Context) {
  if (context_->md == nullptr || EVP_DigestInit_ex(context_->md, EVP_sha256(), nullptr) != 1) std::abort();
}

ViewDigest::~ViewDigest() {
  EVP_MD_CTX_free(context_->md);
  delete context_;
}

void ViewDigest::AddRow(std::string_view key, std::string_view value) {
  for (std::string_view part : {key, value}) {
    std::uint64_t size = part.size();
    unsigned char length[8];
    for (int i = 0; i < 8; ++i) length[i] = static_cast<unsigned char>(size >> (8 * i));
    EVP_DigestUpdate(context_->md, length, sizeof length);
    EVP_DigestUpdate(context_->md, part.data(), part.size());
  }
}

std::string ViewDigest::Finish() {
  Sha256Digest digest{};
  unsigned int size = 0;
  EVP_DigestFinal_ex(context_->md, digest.data(), &size);
  return ToHex(digest);
}

}  // namespace kuimen
