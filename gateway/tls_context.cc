#include "gateway/tls_context.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>

#include <cstdio>

namespace kuimen {

namespace {

std::string OpenSslError() {
  const unsigned long code = ERR_get_error();
  if (code == 0) return "unknown OpenSSL error";
  char text[256];
  ERR_error_string_n(code, text, sizeof text);
  ERR_clear_error();
  return text;
}

// Opens `path` for writing with mode 0600 (created, or truncated).
FILE* OpenPrivate(const std::filesystem::path& path) {
  const int fd = open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (fd < 0) return nullptr;
  fchmod(fd, 0600);
  FILE* file = fdopen(fd, "w");
  if (file == nullptr) close(fd);
  return file;
}

bool IsIpAddress(const std::string& host) {
  unsigned char buffer[16];
  return inet_pton(AF_INET, host.c_str(), buffer) == 1 || inet_pton(AF_INET6, host.c_str(), buffer) == 1;
}

}  // namespace

Result<std::unique_ptr<TlsContext>> TlsContext::Load(const std::filesystem::path& cert,
                                                     const std::filesystem::path& key) {
  SSL_CTX* context = SSL_CTX_new(TLS_server_method());
  if (context == nullptr) return Status::Internal("cannot create a TLS context: " + OpenSslError());
  std::unique_ptr<TlsContext> tls(new TlsContext(context));
  SSL_CTX_set_min_proto_version(context, TLS1_2_VERSION);
  SSL_CTX_set_mode(context, SSL_MODE_ENABLE_PARTIAL_WRITE | SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER);
  if (SSL_CTX_use_certificate_chain_file(context, cert.c_str()) != 1) {
    return Status::InvalidArgument("--tls-cert " + cert.string() + ": not a PEM certificate chain (" + OpenSslError() + ")");
  }
  if (SSL_CTX_use_PrivateKey_file(context, key.c_str(), SSL_FILETYPE_PEM) != 1) {
    return Status::InvalidArgument("--tls-key " + key.string() + ": not a PEM private key (" + OpenSslError() + ")");
  }
  if (SSL_CTX_check_private_key(context) != 1) {
    return Status::InvalidArgument("--tls-key " + key.string() + " is not the key of --tls-cert " + cert.string());
  }
  return tls;
}

TlsContext::~TlsContext() { SSL_CTX_free(context_); }

Status EnsureSelfSignedCertificate(const std::filesystem::path& cert, const std::filesystem::path& key,
                                   const std::string& host) {
  if (std::filesystem::exists(cert) && std::filesystem::exists(key)) return Status::Ok();
  std::error_code error;
  std::filesystem::create_directories(cert.parent_path(), error);
  if (error) return Status::Unavailable("cannot create " + cert.parent_path().string() + ": " + error.message());
  std::filesystem::permissions(cert.parent_path(), std::filesystem::perms::owner_all, error);

  std::unique_ptr<EVP_PKEY, decltype(&EVP_PKEY_free)> pkey(EVP_EC_gen("P-256"), EVP_PKEY_free);
  std::unique_ptr<X509, decltype(&X509_free)> x509(X509_new(), X509_free);
  if (!pkey || !x509) return Status::Internal("cannot make a key pair: " + OpenSslError());
  X509_set_version(x509.get(), 2);
  unsigned char serial[16];
  std::FILE* random = std::fopen("/dev/urandom", "rb");
  if (random == nullptr || std::fread(serial, 1, sizeof serial, random) != sizeof serial) {
    if (random != nullptr) std::fclose(random);
    return Status::Internal("cannot read /dev/urandom");
  }
  std::fclose(random);
  serial[0] &= 0x7f;
  BIGNUM* number = BN_bin2bn(serial, sizeof serial, nullptr);
  BN_to_ASN1_INTEGER(number, X509_get_serialNumber(x509.get()));
  BN_free(number);
  X509_gmtime_adj(X509_getm_notBefore(x509.get()), -3600);
  X509_gmtime_adj(X509_getm_notAfter(x509.get()), 10L * 365 * 24 * 3600);
  X509_set_pubkey(x509.get(), pkey.get());
  X509_NAME* name = X509_get_subject_name(x509.get());
  const std::string common_name = host.empty() || host == "0.0.0.0" || host == "::" ? "localhost" : host;
  X509_NAME_add_entry_by_txt(name, "O", MBSTRING_UTF8, reinterpret_cast<const unsigned char*>("kuimen"), -1, -1, 0);
  X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_UTF8, reinterpret_cast<const unsigned char*>(common_name.c_str()),
                             -1, -1, 0);
  X509_set_issuer_name(x509.get(), name);
  std::string names = "DNS:localhost,IP:127.0.0.1,IP:::1";
  if (common_name != "localhost" && common_name != "127.0.0.1" && common_name != "::1") {
    names += (IsIpAddress(common_name) ? ",IP:" : ",DNS:") + common_name;
  }
  X509V3_CTX v3;
  X509V3_set_ctx_nodb(&v3);
  X509V3_set_ctx(&v3, x509.get(), x509.get(), nullptr, nullptr, 0);
  for (const auto& [nid, value] : {std::pair<int, std::string>{NID_subject_alt_name, names},
                                   {NID_basic_constraints, "critical,CA:FALSE"},
                                   {NID_ext_key_usage, "serverAuth"}}) {
    X509_EXTENSION* extension = X509V3_EXT_conf_nid(nullptr, &v3, nid, value.c_str());
    if (extension == nullptr) return Status::Internal("cannot make the certificate: " + OpenSslError());
    X509_add_ext(x509.get(), extension, -1);
    X509_EXTENSION_free(extension);
  }
  if (X509_sign(x509.get(), pkey.get(), EVP_sha256()) == 0) {
    return Status::Internal("cannot sign the certificate: " + OpenSslError());
  }

  FILE* key_file = OpenPrivate(key);
  if (key_file == nullptr) return Status::Unavailable("cannot write " + key.string());
  const bool key_written = PEM_write_PrivateKey(key_file, pkey.get(), nullptr, nullptr, 0, nullptr, nullptr) == 1;
  if (std::fclose(key_file) != 0 || !key_written) return Status::Unavailable("cannot write " + key.string());
  FILE* cert_file = OpenPrivate(cert);
  if (cert_file == nullptr) return Status::Unavailable("cannot write " + cert.string());
  const bool cert_written = PEM_write_X509(cert_file, x509.get()) == 1;
  if (std::fclose(cert_file) != 0 || !cert_written) return Status::Unavailable("cannot write " + cert.string());
  return Status::Ok();
}

}  // namespace kuimen
