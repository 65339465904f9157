#pragma once

#include <filesystem>
#include <memory>
#include <string>

#include "domain/status.h"

struct ssl_ctx_st;  // OpenSSL's SSL_CTX, kept out of this header

// The server's TLS identity: an OpenSSL context holding a certificate chain
// and its private key, TLS 1.2 and later only. Immutable once loaded;
// connections are made from it on the I/O thread.
namespace kuimen {

class TlsContext {
 public:
  // Loads a PEM certificate chain and its PEM private key. kInvalidArgument
  // naming the file when either cannot be read or they do not match.
  static Result<std::unique_ptr<TlsContext>> Load(const std::filesystem::path& cert,
                                                  const std::filesystem::path& key);
  ~TlsContext();
  TlsContext(const TlsContext&) = delete;
  TlsContext& operator=(const TlsContext&) = delete;

  ssl_ctx_st* native() const { return context_; }

 private:
  explicit TlsContext(ssl_ctx_st* context) : context_(context) {}
  ssl_ctx_st* context_;
};

// Makes a self-signed certificate (ECDSA P-256, ten years) for `host`,
// localhost and 127.0.0.1, and writes it and its key to `cert` and `key`,
// both mode 0600, unless both exist already (then nothing is written).
// kUnavailable when they cannot be written.
Status EnsureSelfSignedCertificate(const std::filesystem::path& cert, const std::filesystem::path& key,
                                   const std::string& host);

}  // namespace kuimen
