#pragma once

#include <filesystem>
#include <memory>
#include <string>

#include <nlohmann/json_fwd.hpp>

#include "domain/clock.h"
#include "domain/status.h"
#include "eventstore/event_store.h"

// OpenSSL's key type, declared here so that callers need no OpenSSL headers.
struct evp_pkey_st;

namespace kuimen {

// Signs the head of the log with the server's Ed25519 key, and checks such a
// signed head (a "digest") that an auditor kept outside the system against the
// log as it is now. The digest's signature covers the position and the hash of
// the event there, which seals every event up to it, so a history rewritten
// since, even with every hash recomputed, fails the check.
//
// The digest, as JSON:
//   {"format":"kuimen-digest/1", "position":N, "hash":"<64 hex>",
//    "recorded_at":"<RFC 3339>" (null for an empty log), "signed_at":"<RFC 3339>",
//    "key_id":"<16 hex>", "algorithm":"Ed25519", "signature":"<base64>"}
// The signature is over these canonical bytes, not over the JSON text:
//   "kuimen-digest/1\nposition=N\nhash=<hex>\nrecorded_at=<as given, or empty>\n"
//   "signed_at=<as given>\nkey_id=<hex>\n"
//
// Thread-safe: every method is const and may be called concurrently.
class DigestSigner {
 public:
  // Loads the Ed25519 private key (PEM, PKCS#8) from `key_file`, or creates it
  // when missing: mode 0600, its parent directory created with mode 0700 when
  // missing too. The same key comes back on every later load, so digests stay
  // checkable across restarts. Two processes creating it at once end with one
  // key. Errors: kFailedPrecondition when the file is readable or writable by
  // group or others, or is not an Ed25519 private key; kInternal when it
  // cannot be read or written.
  static Result<std::unique_ptr<DigestSigner>> LoadOrCreate(const std::filesystem::path& key_file);

  ~DigestSigner();
  DigestSigner(const DigestSigner&) = delete;
  DigestSigner& operator=(const DigestSigner&) = delete;

  // The public key as PEM (SubjectPublicKeyInfo, "-----BEGIN PUBLIC KEY-----").
  const std::string& PublicKeyPem() const { return public_key_pem_; }
  // First 16 hex digits of SHA-256 of the raw 32-byte public key.
  const std::string& KeyId() const { return key_id_; }

  // Signs the store's head as it is now, stamped `signed_at` by `clock`. An
  // empty log gives position 0, the all-zero hash and a null recorded_at. Signs
  // what the log holds without walking the chain (that is Verify's job, and
  // costs a read of the whole log). Errors: those of reading the log;
  // kDataLoss when the head and the event at its position disagree.
  Result<nlohmann::json> SignHead(EventStore& store, const Clock& clock) const;

  // Checks a digest: it was signed by this key and the log still holds, at its
  // position, the event whose hash it names, with the chain up to it intact.
  // Returns {"ok":true, "position", "hash", "key_id", "head_position", "message"}
  // (plus "warning" when the chain breaks after the signed position), or
  // {"ok":false, "position", "hash", "key_id", "reason"} with a sentence saying
  // what failed and what to do (plus "bad_position" when one is known).
  // Walks the chain from position 1 (Verify), so it reads the whole log.
  // Errors: kInvalidArgument naming the field when `digest` is malformed (not
  // an object, a missing field, a wrong type, bad hex or base64, an unknown
  // format or algorithm); errors of reading the log.
  Result<nlohmann::json> Check(EventStore& store, const nlohmann::json& digest) const;

 private:
  struct KeyDeleter {
    void operator()(evp_pkey_st* key) const;
  };
  using Key = std::unique_ptr<evp_pkey_st, KeyDeleter>;

  DigestSigner(Key key, std::string public_key_pem, std::string key_id);

  Result<std::string> Sign(const std::string& message) const;
  Result<bool> VerifySignature(const std::string& message, const std::string& signature) const;

  Key key_;
  std::string public_key_pem_;
  std::string key_id_;
};

}  // namespace kuimen
