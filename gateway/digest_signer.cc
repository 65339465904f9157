#include "gateway/digest_signer.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <iterator>
#include <optional>
#include <sstream>
#include <string_view>
#include <utility>

#include <nlohmann/json.hpp>
#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>

#include "eventstore/envelope_json.h"
#include "eventstore/sha256.h"

namespace kuimen {
namespace {

constexpr std::string_view kFormat = "kuimen-digest/1";
constexpr std::string_view kAlgorithm = "Ed25519";
constexpr std::size_t kSignatureBytes = 64;

struct BioDeleter {
  void operator()(BIO* bio) const { BIO_free(bio); }
};
using Bio = std::unique_ptr<BIO, BioDeleter>;

struct MdContextDeleter {
  void operator()(EVP_MD_CTX* context) const { EVP_MD_CTX_free(context); }
};
using MdContext = std::unique_ptr<EVP_MD_CTX, MdContextDeleter>;

// OpenSSL keeps its errors in a per-thread queue; take them all so the next
// call starts clean, and name the first.
std::string OpenSslError() {
  unsigned long first = ERR_get_error();
  while (ERR_get_error() != 0) {
  }
  if (first == 0) return "unknown OpenSSL error";
  char text[256];
  ERR_error_string_n(first, text, sizeof text);
  return text;
}

std::string BioText(BIO& bio) {
  char* data = nullptr;
  long size = BIO_get_mem_data(&bio, &data);
  return std::string(data, static_cast<std::size_t>(size));
}

std::string Errno(const std::filesystem::path& path, const char* what) {
  return std::string("cannot ") + what + " " + path.string() + ": " + std::strerror(errno);
}

// Writes the whole buffer, retrying short writes and EINTR.
bool WriteAll(int fd, std::string_view bytes) {
  while (!bytes.empty()) {
    ssize_t n = ::write(fd, bytes.data(), bytes.size());
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return false;
    bytes.remove_prefix(static_cast<std::size_t>(n));
  }
  return true;
}

Status SyncDirectory(const std::filesystem::path& dir) {
  int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return Status::Internal(Errno(dir, "open directory"));
  int rc = ::fsync(fd);
  ::close(fd);
  if (rc != 0) return Status::Internal(Errno(dir, "sync directory"));
  return Status::Ok();
}

// Writes `pem` to `key_file` so that it appears whole or not at all, and never
// replaces a key already there: a temporary file (mkstemp makes it 0600) is
// synced and then hard-linked into place, which fails if the name exists.
// Returns false (and OK) when another process created the key first.
Result<bool> PublishKeyFile(const std::filesystem::path& key_file, const std::string& pem) {
  std::string temp = key_file.string() + ".tmp-XXXXXX";
  int fd = ::mkstemp(temp.data());
  if (fd < 0) return Status::Internal(Errno(key_file, "create a temporary file beside"));
  bool written = WriteAll(fd, pem) && ::fsync(fd) == 0;
  int write_errno = errno;
  ::close(fd);
  if (!written) {
    ::unlink(temp.c_str());
    errno = write_errno;
    return Status::Internal(Errno(temp, "write"));
  }
  bool created = ::link(temp.c_str(), key_file.c_str()) == 0;
  int link_errno = errno;
  ::unlink(temp.c_str());
  if (!created && link_errno != EEXIST) {
    errno = link_errno;
    return Status::Internal(Errno(key_file, "create"));
  }
  if (created) RETURN_IF_ERROR(SyncDirectory(key_file.parent_path()));
  return created;
}

std::string Base64Encode(std::string_view bytes) {
  std::string out(4 * ((bytes.size() + 2) / 3), '\0');
  int n = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                          reinterpret_cast<const unsigned char*>(bytes.data()), static_cast<int>(bytes.size()));
  out.resize(static_cast<std::size_t>(n));
  return out;
}

// Standard base64 with padding, nothing else: EVP_DecodeBlock alone would
// accept surrounding whitespace and count padding as zero bytes.
std::optional<std::string> Base64Decode(std::string_view text) {
  if (text.empty() || text.size() % 4 != 0) return std::nullopt;
  std::size_t padding = 0;
  if (text.back() == '=') ++padding;
  if (text.size() >= 2 && text[text.size() - 2] == '=') ++padding;
  for (std::size_t i = 0; i < text.size() - padding; ++i) {
    char c = text[i];
    bool alphabet = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '+' ||
                    c == '/';
    if (!alphabet) return std::nullopt;
  }
  std::string out(3 * text.size() / 4, '\0');
  int n = EVP_DecodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                          reinterpret_cast<const unsigned char*>(text.data()), static_cast<int>(text.size()));
  if (n < 0) return std::nullopt;
  out.resize(static_cast<std::size_t>(n) - padding);
  return out;
}

std::optional<Sha256Digest> ParseHexDigest(std::string_view text) {
  if (text.size() != 64) return std::nullopt;
  auto nibble = [](char c) -> int {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
  };
  Sha256Digest digest{};
  for (std::size_t i = 0; i < digest.size(); ++i) {
    int high = nibble(text[2 * i]), low = nibble(text[2 * i + 1]);
    if (high < 0 || low < 0) return std::nullopt;
    digest[i] = static_cast<std::uint8_t>(high * 16 + low);
  }
  return digest;
}

// What is signed. Times are taken as written in the digest, so checking never
// depends on re-formatting them the same way.
std::string CanonicalBytes(std::uint64_t position, const Sha256Digest& hash, const std::string& recorded_at,
                           const std::string& signed_at, const std::string& key_id) {
  std::string out(kFormat);
  out += "\nposition=" + std::to_string(position);
  out += "\nhash=" + ToHex(hash);
  out += "\nrecorded_at=" + recorded_at;
  out += "\nsigned_at=" + signed_at;
  out += "\nkey_id=" + key_id;
  out += "\n";
  return out;
}

// The fields of a digest, checked for shape only.
struct ParsedDigest {
  std::uint64_t position = 0;
  Sha256Digest hash{};
  std::string recorded_at;  // empty when null
  std::string signed_at;
  std::string key_id;
  std::string signature;  // raw bytes
};

// `code` and `problem` (Chinese, for the auditor) name what is wrong with `field`.
Status Malformed(const std::string& field, const char* code, const std::string& problem) {
  return Status::InvalidArgument("所核对的摘要" + problem, field, code);
}

Result<std::string> RequireString(const nlohmann::json& digest, const std::string& field) {
  auto it = digest.find(field);
  if (it == digest.end()) return Malformed(field, "required", "缺少必要的项目");
  if (!it->is_string()) return Malformed(field, "wrong_type", "中有一项应为文字");
  return it->get<std::string>();
}

Status RequireTime(const std::string& field, const std::string& text) {
  if (!ParseTimestamp(text)) return Malformed(field, "invalid_format", "中有一项时间的写法不对");
  return Status::Ok();
}

Result<ParsedDigest> ParseDigest(const nlohmann::json& digest) {
  if (!digest.is_object()) {
    return Status::InvalidArgument("所核对的摘要格式不对，请提交导出时的原文件", "body", "wrong_type");
  }
  ParsedDigest parsed;
  ASSIGN_OR_RETURN(std::string format, RequireString(digest, "format"));
  if (format != kFormat) return Malformed("format", "unknown_value", "的格式版本不对");
  ASSIGN_OR_RETURN(std::string algorithm, RequireString(digest, "algorithm"));
  if (algorithm != kAlgorithm) return Malformed("algorithm", "unknown_value", "的签名算法不对");

  auto position = digest.find("position");
  if (position == digest.end()) return Malformed("position", "required", "缺少位置");
  // Parsed text gives an unsigned number; a json built in code may hold a signed one.
  if (!position->is_number_integer() || (!position->is_number_unsigned() && position->get<std::int64_t>() < 0)) {
    return Malformed("position", "wrong_type", "的位置应为不小于0的整数");
  }
  parsed.position = position->get<std::uint64_t>();

  ASSIGN_OR_RETURN(std::string hash, RequireString(digest, "hash"));
  std::optional<Sha256Digest> hash_bytes = ParseHexDigest(hash);
  if (!hash_bytes) return Malformed("hash", "invalid_format", "的哈希值写法不对");
  parsed.hash = *hash_bytes;

  auto recorded_at = digest.find("recorded_at");
  if (recorded_at == digest.end()) return Malformed("recorded_at", "required", "缺少记录时间");
  if (!recorded_at->is_null()) {
    if (!recorded_at->is_string()) return Malformed("recorded_at", "wrong_type", "的记录时间应为文字或留空");
    parsed.recorded_at = recorded_at->get<std::string>();
    RETURN_IF_ERROR(RequireTime("recorded_at", parsed.recorded_at));
  }

  ASSIGN_OR_RETURN(parsed.signed_at, RequireString(digest, "signed_at"));
  RETURN_IF_ERROR(RequireTime("signed_at", parsed.signed_at));
  ASSIGN_OR_RETURN(parsed.key_id, RequireString(digest, "key_id"));

  ASSIGN_OR_RETURN(std::string signature, RequireString(digest, "signature"));
  std::optional<std::string> signature_bytes = Base64Decode(signature);
  if (!signature_bytes) return Malformed("signature", "invalid_format", "的签名写法不对");
  if (signature_bytes->size() != kSignatureBytes) {
    return Malformed("signature", "invalid_format", "的签名长度不对");
  }
  parsed.signature = std::move(*signature_bytes);
  return parsed;
}

// The event at `position`, or nullopt when the log does not hold it.
Result<std::optional<RecordedEvent>> EventAt(EventStore& store, GlobalPosition position) {
  std::unique_ptr<EventIterator> it = store.ReadAll(position);
  if (!it->Valid()) {
    RETURN_IF_ERROR(it->status());
    return std::optional<RecordedEvent>();
  }
  if (it->event().position != position) return std::optional<RecordedEvent>();
  return std::optional<RecordedEvent>(it->event());
}

}  // namespace

void DigestSigner::KeyDeleter::operator()(evp_pkey_st* key) const { EVP_PKEY_free(key); }

DigestSigner::DigestSigner(Key key, std::string public_key_pem, std::string key_id)
    : key_(std::move(key)), public_key_pem_(std::move(public_key_pem)), key_id_(std::move(key_id)) {}

DigestSigner::~DigestSigner() = default;

Result<std::unique_ptr<DigestSigner>> DigestSigner::LoadOrCreate(const std::filesystem::path& key_file) {
  std::error_code error;
  if (!std::filesystem::exists(key_file, error)) {
    const std::filesystem::path parent = key_file.parent_path();
    if (!parent.empty() && !std::filesystem::exists(parent, error)) {
      std::filesystem::create_directories(parent, error);
      if (error) return Status::Internal("cannot create " + parent.string() + ": " + error.message());
      std::filesystem::permissions(parent, std::filesystem::perms::owner_all, error);
      if (error) return Status::Internal("cannot restrict " + parent.string() + " to its owner: " + error.message());
    }
    Key key(EVP_PKEY_Q_keygen(nullptr, nullptr, "ED25519"));
    if (!key) return Status::Internal("cannot generate an Ed25519 key: " + OpenSslError());
    Bio pem(BIO_new(BIO_s_mem()));
    // With no cipher OpenSSL 3 writes the PKCS#8 form ("BEGIN PRIVATE KEY").
    if (!pem || PEM_write_bio_PrivateKey(pem.get(), key.get(), nullptr, nullptr, 0, nullptr, nullptr) != 1) {
      return Status::Internal("cannot encode the Ed25519 key: " + OpenSslError());
    }
    // Whether this process or a concurrent one created it, the file now holds
    // the key; load it from there so both use the same one.
    ASSIGN_OR_RETURN(bool created, PublishKeyFile(key_file, BioText(*pem)));
    (void)created;
  }

  struct stat info {};
  if (::stat(key_file.c_str(), &info) != 0) return Status::Internal(Errno(key_file, "read"));
  if (!S_ISREG(info.st_mode)) {
    return Status::FailedPrecondition(key_file.string() + " is not a regular file; it should hold the audit signing key");
  }
  if ((info.st_mode & 077) != 0) {
    std::ostringstream mode;
    mode << std::oct << (info.st_mode & 0777);
    return Status::FailedPrecondition("the audit signing key " + key_file.string() + " is open to other users (mode 0" +
                                      mode.str() + "); run chmod 600 on it, and replace the key if others may have read it");
  }
  std::ifstream in(key_file, std::ios::binary);
  if (!in.is_open()) return Status::Internal(Errno(key_file, "open"));
  std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());

  Bio source(BIO_new_mem_buf(text.data(), static_cast<int>(text.size())));
  if (!source) return Status::Internal("cannot read " + key_file.string() + ": " + OpenSslError());
  Key key(PEM_read_bio_PrivateKey(source.get(), nullptr, nullptr, nullptr));
  if (!key || EVP_PKEY_get_id(key.get()) != EVP_PKEY_ED25519) {
    if (!key) OpenSslError();  // drop the queued parse errors
    return Status::FailedPrecondition(key_file.string() +
                                      " does not hold an Ed25519 private key in PEM; move it aside and restart to create one");
  }

  Bio public_pem(BIO_new(BIO_s_mem()));
  if (!public_pem || PEM_write_bio_PUBKEY(public_pem.get(), key.get()) != 1) {
    return Status::Internal("cannot encode the public key: " + OpenSslError());
  }
  std::string raw(32, '\0');
  std::size_t raw_size = raw.size();
  if (EVP_PKEY_get_raw_public_key(key.get(), reinterpret_cast<unsigned char*>(raw.data()), &raw_size) != 1) {
    return Status::Internal("cannot read the raw public key: " + OpenSslError());
  }
  raw.resize(raw_size);
  std::string key_id = ToHex(Sha256(raw)).substr(0, 16);
  // The constructor is private so that a signer always holds a usable key.
  return std::unique_ptr<DigestSigner>(new DigestSigner(std::move(key), BioText(*public_pem), std::move(key_id)));
}

Result<std::string> DigestSigner::Sign(const std::string& message) const {
  MdContext context(EVP_MD_CTX_new());
  std::string signature(kSignatureBytes, '\0');
  std::size_t size = signature.size();
  // Ed25519 hashes internally, so no digest is named and the message is signed in one call.
  if (!context || EVP_DigestSignInit(context.get(), nullptr, nullptr, nullptr, key_.get()) != 1 ||
      EVP_DigestSign(context.get(), reinterpret_cast<unsigned char*>(signature.data()), &size,
                     reinterpret_cast<const unsigned char*>(message.data()), message.size()) != 1) {
    return Status::Internal("cannot sign the digest: " + OpenSslError());
  }
  signature.resize(size);
  return signature;
}

Result<bool> DigestSigner::VerifySignature(const std::string& message, const std::string& signature) const {
  MdContext context(EVP_MD_CTX_new());
  if (!context || EVP_DigestVerifyInit(context.get(), nullptr, nullptr, nullptr, key_.get()) != 1) {
    return Status::Internal("cannot check the digest's signature: " + OpenSslError());
  }
  int rc = EVP_DigestVerify(context.get(), reinterpret_cast<const unsigned char*>(signature.data()), signature.size(),
                            reinterpret_cast<const unsigned char*>(message.data()), message.size());
  if (rc < 0) OpenSslError();  // a malformed signature is just a mismatch here
  return rc == 1;
}

Result<nlohmann::json> DigestSigner::SignHead(EventStore& store, const Clock& clock) const {
  const LogHead head = store.Head();
  std::string recorded_at;
  if (head.position.value > 0) {
    ASSIGN_OR_RETURN(std::optional<RecordedEvent> event, EventAt(store, head.position));
    if (!event || event->hash != head.hash) {
      return Status::DataLoss("the head names position " + std::to_string(head.position.value) +
                              " but the log does not hold that event; run GET /audit/verify");
    }
    recorded_at = FormatTimestamp(event->recorded_at);
  }
  const std::string signed_at = FormatTimestamp(clock.Now());
  ASSIGN_OR_RETURN(std::string signature,
                   Sign(CanonicalBytes(head.position.value, head.hash, recorded_at, signed_at, key_id_)));

  nlohmann::json digest = nlohmann::json::object();
  digest["format"] = kFormat;
  digest["position"] = head.position.value;
  digest["hash"] = ToHex(head.hash);
  digest["recorded_at"] = recorded_at.empty() ? nlohmann::json(nullptr) : nlohmann::json(recorded_at);
  digest["signed_at"] = signed_at;
  digest["key_id"] = key_id_;
  digest["algorithm"] = kAlgorithm;
  digest["signature"] = Base64Encode(signature);
  return digest;
}

Result<nlohmann::json> DigestSigner::Check(EventStore& store, const nlohmann::json& digest) const {
  ASSIGN_OR_RETURN(ParsedDigest parsed, ParseDigest(digest));
  const std::string position_text = std::to_string(parsed.position);
  nlohmann::json out = nlohmann::json::object();
  out["position"] = parsed.position;
  out["hash"] = ToHex(parsed.hash);
  out["key_id"] = key_id_;
  auto fail = [&out](std::string reason) {
    out["ok"] = false;
    out["reason"] = std::move(reason);
    return out;
  };

  // The signature first: it is cheap, and without it nothing else the digest
  // says can be trusted.
  if (parsed.key_id != key_id_) {
    return fail("the digest was signed by another key (key " + parsed.key_id + "), not this server's key (" + key_id_ +
                "); check it against the server that signed it, or fetch this server's public key from "
                "GET /audit/public-key");
  }
  ASSIGN_OR_RETURN(bool signed_by_us,
                   VerifySignature(CanonicalBytes(parsed.position, parsed.hash, parsed.recorded_at, parsed.signed_at,
                                                  parsed.key_id),
                                   parsed.signature));
  if (!signed_by_us) {
    return fail("the signature does not match the digest's contents: the digest was altered after it was signed, "
                "or this server did not sign it; use the digest exactly as GET /audit/digest returned it");
  }

  const VerifyReport report = store.Verify();
  if (!report.ok && report.bad_position.value <= parsed.position) {
    out["bad_position"] = report.bad_position.value;
    return fail("the log has been altered at position " + std::to_string(report.bad_position.value) +
                ", at or before the signed position " + position_text + " (" + report.problem +
                "); the history this digest sealed is no longer intact: restore the store from a backup "
                "and report the incident");
  }
  // From here the chain is intact from position 1 through report.head.
  if (report.head.position.value < parsed.position) {
    return fail("the log now ends at position " + std::to_string(report.head.position.value) +
                ", before the signed position " + position_text +
                ": events have been removed or the store was replaced; restore it from a backup and report the "
                "incident");
  }
  Sha256Digest now_hash{};
  if (parsed.position > 0) {
    ASSIGN_OR_RETURN(std::optional<RecordedEvent> event, EventAt(store, GlobalPosition(parsed.position)));
    if (!event) {
      out["bad_position"] = parsed.position;
      return fail("the log does not hold position " + position_text + " any more; restore the store from a backup "
                  "and report the incident");
    }
    now_hash = event->hash;
  }
  if (now_hash != parsed.hash) {
    out["bad_position"] = parsed.position;
    return fail("the event now at position " + position_text + " is not the one signed (its hash is " +
                ToHex(now_hash) + "): the history up to it was rewritten and its hashes recomputed; restore the "
                "store from a backup and report the incident");
  }

  out["ok"] = true;
  out["head_position"] = store.Head().position.value;
  out["message"] = "the log still holds the signed event at position " + position_text +
                   " and the hash chain up to it is intact";
  if (!report.ok) {
    out["bad_position"] = report.bad_position.value;
    out["warning"] = "the log is broken after the signed position, at position " +
                     std::to_string(report.bad_position.value) + " (" + report.problem + "); run GET /audit/verify";
  }
  return out;
}

}  // namespace kuimen
