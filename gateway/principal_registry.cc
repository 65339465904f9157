#include "gateway/principal_registry.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include <openssl/rand.h>

#include "domain/principal_rules.h"
#include "domain/stream_kind.h"
#include "eventstore/event_codec.h"
#include "eventstore/sha256.h"

namespace kuimen {

namespace {

constexpr const char* kAdminId = "admin";
constexpr const char* kAdminName = "管理员";
constexpr std::string_view kTokenPrefix = "kmt_";
constexpr std::size_t kTokenBytes = 32;
// Ids are 32 random bits: a collision is rare while principals number in the
// thousands, and a few fresh draws make a refusal for it practically impossible.
constexpr int kIdAttempts = 8;

Result<std::string> RandomBytes(std::size_t count) {
  std::string bytes(count, '\0');
  if (RAND_bytes(reinterpret_cast<unsigned char*>(bytes.data()), static_cast<int>(count)) != 1) {
    return Status::Unavailable("the system's random number generator gave no bytes for a token");
  }
  return bytes;
}

// RFC 4648 §5 without padding: safe in a header, a URL and a shell.
std::string Base64Url(std::string_view bytes) {
  static constexpr char kAlphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
  std::string out;
  out.reserve((bytes.size() * 4 + 2) / 3);
  std::size_t i = 0;
  for (; i + 3 <= bytes.size(); i += 3) {
    const std::uint32_t n = (static_cast<std::uint8_t>(bytes[i]) << 16) |
                            (static_cast<std::uint8_t>(bytes[i + 1]) << 8) | static_cast<std::uint8_t>(bytes[i + 2]);
    out += {kAlphabet[(n >> 18) & 63], kAlphabet[(n >> 12) & 63], kAlphabet[(n >> 6) & 63], kAlphabet[n & 63]};
  }
  if (bytes.size() - i == 1) {
    const std::uint32_t n = static_cast<std::uint8_t>(bytes[i]) << 16;
    out += {kAlphabet[(n >> 18) & 63], kAlphabet[(n >> 12) & 63]};
  } else if (bytes.size() - i == 2) {
    const std::uint32_t n = (static_cast<std::uint8_t>(bytes[i]) << 16) | (static_cast<std::uint8_t>(bytes[i + 1]) << 8);
    out += {kAlphabet[(n >> 18) & 63], kAlphabet[(n >> 12) & 63], kAlphabet[(n >> 6) & 63]};
  }
  return out;
}

std::string Hex(std::string_view bytes) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  for (unsigned char c : bytes) out += {kHex[c >> 4], kHex[c & 0xF]};
  return out;
}

Result<std::string> NewToken() {
  ASSIGN_OR_RETURN(std::string bytes, RandomBytes(kTokenBytes));
  return std::string(kTokenPrefix) + Base64Url(bytes);
}

Result<std::string> NewPrincipalId() {
  ASSIGN_OR_RETURN(std::string bytes, RandomBytes(4));
  return "p-" + Hex(bytes);
}

std::string TokenSha256(std::string_view token) { return ToHex(Sha256(token)); }

// The plan names townships only collectively, as one unit of kind "group"
// (Fengjie: 各乡镇人民政府、街道办事处). The catalog does not say which group
// stands for the townships, and Fengjie's has a second one (各银行机构), listed
// after it; so the first group is taken, which is right for the plans we know.
std::string TownshipGroup(const Catalog& catalog) {
  for (const Unit& unit : catalog.units) {
    if (unit.kind == "group") return unit.name;
  }
  return {};
}

Status FileError(const std::string& what, const std::filesystem::path& path) {
  return Status::Unavailable("cannot " + what + " " + path.string() + ": " + std::strerror(errno));
}

// Writes `content` to `path` with mode 0600, atomically and durably: a reader
// sees the old file or the whole new one, and the new one survives a crash
// once this returns.
Status WriteSecretFile(const std::filesystem::path& path, const std::string& content) {
  std::filesystem::path temp = path;
  temp += ".tmp";
  ::unlink(temp.c_str());  // a leftover of a crash may carry other permissions
  const int fd = ::open(temp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0600);
  if (fd < 0) return FileError("create", temp);
  auto fail = [&](const char* what) {
    Status status = FileError(what, temp);
    ::close(fd);
    ::unlink(temp.c_str());
    return status;
  };
  // The umask only takes bits away, but say exactly what the file allows.
  if (::fchmod(fd, 0600) != 0) return fail("set the mode of");
  std::size_t written = 0;
  while (written < content.size()) {
    const ssize_t n = ::write(fd, content.data() + written, content.size() - written);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return fail("write");
    written += static_cast<std::size_t>(n);
  }
  if (::fsync(fd) != 0) return fail("sync");
  if (::close(fd) != 0) {
    Status status = FileError("close", temp);
    ::unlink(temp.c_str());
    return status;
  }
  if (::rename(temp.c_str(), path.c_str()) != 0) {
    Status status = FileError("rename to", path);
    ::unlink(temp.c_str());
    return status;
  }
  // The rename is durable once the directory is synced.
  const std::filesystem::path dir = path.has_parent_path() ? path.parent_path() : std::filesystem::path(".");
  const int dir_fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dir_fd < 0) return FileError("open the directory", dir);
  const int synced = ::fsync(dir_fd);
  ::close(dir_fd);
  if (synced != 0) return FileError("sync the directory", dir);
  return Status::Ok();
}

PrincipalInfo InfoOf(const PrincipalState& principal) {
  return PrincipalInfo{principal.id, principal.name, principal.role, principal.unit, principal.revoked};
}

}  // namespace

PrincipalRegistry::PrincipalRegistry(EventStore& store, CommandHandler& handler, const Catalog& catalog)
    : store_(store),
      handler_(handler),
      township_group_(TownshipGroup(catalog)),
      directory_(NewPrincipalDirectory(catalog)) {}

Result<std::unique_ptr<PrincipalRegistry>> PrincipalRegistry::Open(EventStore& store, CommandHandler& handler,
                                                                   const Catalog& catalog) {
  std::unique_ptr<PrincipalRegistry> registry(new PrincipalRegistry(store, handler, catalog));
  RETURN_IF_ERROR(registry->CatchUp());
  return registry;
}

Actor PrincipalRegistry::ActorOf(const PrincipalState& principal) const {
  const bool township = principal.role == Role::kDepartment && directory_.IsTownship(principal.unit);
  return Actor{principal.id, principal.role, principal.unit, township ? township_group_ : std::string()};
}

Status PrincipalRegistry::CatchUp() {
  StreamVersion from;
  {
    std::shared_lock lock(mu_);
    from = directory_.version().Next();
  }
  std::unique_ptr<EventIterator> it = store_.ReadStream(PrincipalsStream(), from);
  for (; it->Valid(); it->Next()) {
    const RecordedEvent& stored = it->event();
    Result<EventData> event = DecodeEvent(stored.type, stored.schema_version, stored.data);
    if (!event.ok()) {
      return Status::DataLoss("the principals event at position " + std::to_string(stored.position.value) +
                              " cannot be read: " + event.status().message());
    }
    std::unique_lock lock(mu_);
    directory_.Apply(stored.version, *event);
    if (const auto* registered = std::get_if<PrincipalRegistered>(&*event)) {
      const PrincipalState* principal = directory_.Find(registered->principal_id);
      if (principal != nullptr && !principal->revoked) {
        actors_by_token_sha256_[principal->token_sha256] = ActorOf(*principal);
      }
    } else if (const auto* revoked = std::get_if<PrincipalRevoked>(&*event)) {
      const PrincipalState* principal = directory_.Find(revoked->principal_id);
      if (principal != nullptr) actors_by_token_sha256_.erase(principal->token_sha256);
    }
  }
  return it->status();
}

Result<RecordedEvent> PrincipalRegistry::AppendLocked(const Actor& by, EventData event) {
  Submission submission{PrincipalsStream(), by, std::move(event), std::nullopt, std::nullopt};
  ASSIGN_OR_RETURN(RecordedEvent stored, handler_.Submit(submission));
  RETURN_IF_ERROR(CatchUp());
  return stored;
}

Result<std::optional<IssuedPrincipal>> PrincipalRegistry::EnsureAdministrator(const std::filesystem::path& token_file) {
  std::lock_guard write(write_mu_);
  {
    std::shared_lock lock(mu_);
    if (!directory_.principals().empty()) return std::optional<IssuedPrincipal>();
  }
  ASSIGN_OR_RETURN(std::string token, NewToken());
  // The file first: should the append then fail or the process die, no
  // administrator exists whose token nobody has, and the next start tries again.
  RETURN_IF_ERROR(WriteSecretFile(token_file, token + "\n"));
  // Nobody exists yet who could register the administrator: it registers itself.
  const Actor bootstrap{kAdminId, Role::kTaskForce, ""};
  Result<RecordedEvent> stored =
      AppendLocked(bootstrap, PrincipalRegistered{kAdminId, kAdminName, Role::kTaskForce, "", TokenSha256(token)});
  if (!stored.ok()) {
    std::error_code ignored;
    std::filesystem::remove(token_file, ignored);
    return stored.status();
  }
  return std::optional<IssuedPrincipal>(
      IssuedPrincipal{PrincipalInfo{kAdminId, kAdminName, Role::kTaskForce, "", false}, std::move(token)});
}

std::optional<Actor> PrincipalRegistry::Authenticate(std::string_view token) const {
  return AuthenticateDigest(TokenSha256(token));
}

std::string PrincipalRegistry::TokenDigest(std::string_view token) { return TokenSha256(token); }

std::optional<Actor> PrincipalRegistry::AuthenticateDigest(std::string_view token_sha256) const {
  const std::string hash(token_sha256);
  std::shared_lock lock(mu_);
  auto it = actors_by_token_sha256_.find(hash);
  if (it == actors_by_token_sha256_.end()) return std::nullopt;
  return it->second;
}

Result<IssuedPrincipal> PrincipalRegistry::Register(const Actor& by, const std::string& name, const std::string& role,
                                                    const std::string& unit) {
  const std::optional<Role> parsed = RoleFromName(role);
  if (!parsed.has_value()) {
    return Status::InvalidArgument("账号角色应为工作专班、责任单位、审计人员或县领导之一", "role", "unknown_value");
  }
  std::lock_guard write(write_mu_);
  for (int attempt = 1;; ++attempt) {
    ASSIGN_OR_RETURN(std::string token, NewToken());
    ASSIGN_OR_RETURN(std::string id, NewPrincipalId());
    Result<RecordedEvent> stored = AppendLocked(by, PrincipalRegistered{id, name, *parsed, unit, TokenSha256(token)});
    if (stored.ok()) return IssuedPrincipal{PrincipalInfo{id, name, *parsed, unit, false}, std::move(token)};
    const bool id_taken = stored.status().subject() == RuleId(PrincipalRule::kPrincipalIdTaken);
    if (!id_taken || attempt == kIdAttempts) return stored.status();
  }
}

Result<PrincipalInfo> PrincipalRegistry::Revoke(const Actor& by, const std::string& id) {
  std::lock_guard write(write_mu_);
  RETURN_IF_ERROR(AppendLocked(by, PrincipalRevoked{id}).status());
  std::shared_lock lock(mu_);
  const PrincipalState* principal = directory_.Find(id);
  if (principal == nullptr) return Status::Internal("principal " + id + " was revoked but is not in the registry");
  return InfoOf(*principal);
}

Status PrincipalRegistry::RegisterTownship(const Actor& by, const std::string& name) {
  std::lock_guard write(write_mu_);
  return AppendLocked(by, TownshipRegistered{name}).status();
}

std::vector<PrincipalInfo> PrincipalRegistry::List() const {
  std::shared_lock lock(mu_);
  std::vector<PrincipalInfo> out;
  out.reserve(directory_.principals().size());
  for (const PrincipalState& principal : directory_.principals()) out.push_back(InfoOf(principal));
  return out;
}

std::vector<std::string> PrincipalRegistry::Townships() const {
  std::shared_lock lock(mu_);
  return directory_.townships();
}

}  // namespace kuimen
