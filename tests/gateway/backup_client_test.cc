// `kuimen backup` while another process holds the store: the binary asks the
// server named in DIR/server.json. The server here is a real HTTP server on an
// ephemeral port answering POST /api/v1/backups the way the API's route does,
// with BackupDataDir on the store this process holds open.
#include "gateway/backup_client.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <fstream>
#include <functional>
#include <mutex>
#include <sstream>
#include <thread>

#include <gtest/gtest.h>
#include <httplib.h>
#include <nlohmann/json.hpp>

#include "gateway/backup.h"
#include "tests/support/kuimen_binary.h"
#include "tests/support/temp_dir.h"

namespace kuimen {
namespace {

using testing::RunKuimen;
using testing::ShellQuote;

void WriteFile(const std::filesystem::path& path, const std::string& content) {
  std::filesystem::create_directories(path.parent_path());
  std::ofstream(path, std::ios::trunc) << content;
}

// An HTTP server on 127.0.0.1 and a port of the system's choosing, serving
// until the object goes away.
class BackupServer {
 public:
  using Handler = std::function<void(const httplib::Request&, httplib::Response&)>;
  explicit BackupServer(Handler handler) {
    server_.Post("/api/v1/backups", [handler](const httplib::Request& request, httplib::Response& response) {
      handler(request, response);
    });
    port_ = server_.bind_to_any_port("127.0.0.1");
    thread_ = std::thread([this] { server_.listen_after_bind(); });
    // stop() before the loop has started would be missed and join() would hang.
    while (!server_.is_running()) std::this_thread::yield();
  }
  ~BackupServer() {
    server_.stop();
    thread_.join();
  }
  std::string url() const { return "http://127.0.0.1:" + std::to_string(port_); }
  int port() const { return port_; }

 private:
  httplib::Server server_;
  int port_ = -1;
  std::thread thread_;
};

TEST(KuimenBackupThroughServer, AsksTheServerHoldingTheStoreAndPrintsItsBackupJson) {
  testing::TempDir dir;
  const std::filesystem::path data = dir.path() / "data";
  std::filesystem::create_directories(data);
  SystemClock clock;
  EventStoreOptions options;
  options.dir = data / "store";
  options.clock = &clock;
  Result<std::unique_ptr<EventStore>> store = OpenEventStore(options);  // holds the lock, as `serve` does
  ASSERT_TRUE(store.ok()) << store.status().ToString();
  ASSERT_TRUE((*store)
                  ->Append(StreamId{"task-07"}, std::nullopt,
                           {ProposedEvent{std::nullopt, "DeadlineSet", 1, Actor{"p-tf", Role::kTaskForce, ""},
                                          R"({"milestone":"一季度","due":"2024-12-31"})"}})
                  .ok());
  WriteFile(data / "admin.token", "secret-admin-token\n");

  std::mutex mu;
  std::string seen_authorization;
  nlohmann::json seen_body;
  BackupServer server([&](const httplib::Request& request, httplib::Response& response) {
    std::lock_guard lock(mu);
    seen_authorization = request.get_header_value("Authorization");
    seen_body = nlohmann::json::parse(request.body, nullptr, false);
    Status done = BackupDataDir(**store, data, seen_body.value("to", ""), clock);
    if (!done.ok()) {
      response.status = 409;
      response.set_content(nlohmann::json{{"error", {{"code", "failed_precondition"}, {"message", done.message()}}}}.dump(),
                           "application/json");
      return;
    }
    std::ifstream manifest(std::filesystem::path(seen_body["to"].get<std::string>()) / "backup.json");
    std::stringstream text;
    text << manifest.rdbuf();
    response.status = 201;
    response.set_content(text.str(), "application/json");
  });
  WriteFile(data / "server.json", nlohmann::json{{"listen", "0.0.0.0:" + std::to_string(server.port())}, {"pid", 1}}.dump());

  const std::filesystem::path dest = dir.path() / "backup";
  // A relative --to, run from the temporary directory: the server must get an absolute path.
  const testing::KuimenRun run =
      RunKuimen("backup --data " + ShellQuote(data.string()) + " --to backup", /*with_stderr=*/false, dir.path());
  ASSERT_EQ(run.exit_code, 0) << run.out;
  const nlohmann::json printed = nlohmann::json::parse(run.out);
  EXPECT_EQ(printed["head_position"], 1);
  EXPECT_EQ(printed["head_hash"], ToHex((*store)->Head().hash));
  {
    std::lock_guard lock(mu);
    EXPECT_EQ(seen_authorization, "Bearer secret-admin-token");
    EXPECT_EQ(seen_body["to"], dest.string());
  }
  Result<BackupManifest> manifest = ReadBackupManifest(dest);
  ASSERT_TRUE(manifest.ok()) << manifest.status().ToString();

  // The server's refusal reaches the operator with its sentence.
  const testing::KuimenRun refused =
      RunKuimen("backup --data " + ShellQuote(data.string()) + " --to " + ShellQuote(dest.string()), true);
  EXPECT_EQ(refused.exit_code, 1);
  EXPECT_NE(refused.out.find("HTTP 409"), std::string::npos) << refused.out;
  EXPECT_NE(refused.out.find("is not empty"), std::string::npos) << refused.out;
}

TEST(KuimenBackupThroughServer, ALockedStoreWithoutServerJsonSaysToPassServer) {
  testing::TempDir dir;
  const std::filesystem::path data = dir.path() / "data";
  std::filesystem::create_directories(data);
  SystemClock clock;
  EventStoreOptions options;
  options.dir = data / "store";
  options.clock = &clock;
  Result<std::unique_ptr<EventStore>> store = OpenEventStore(options);
  ASSERT_TRUE(store.ok());
  const testing::KuimenRun run = RunKuimen(
      "backup --data " + ShellQuote(data.string()) + " --to " + ShellQuote((dir.path() / "b").string()), true);
  EXPECT_EQ(run.exit_code, 1);
  EXPECT_NE(run.out.find("--server"), std::string::npos) << run.out;
  EXPECT_FALSE(std::filesystem::exists(dir.path() / "b"));
}

TEST(RequestServerBackup, MapsRefusalsToTheirCodesWithTheServersMessage) {
  BackupServer server([](const httplib::Request& request, httplib::Response& response) {
    response.status = request.get_header_value("Authorization") == "Bearer department-token" ? 403 : 401;
    response.set_content(R"({"error":{"code":"permission_denied","message":"backups are for the task force"}})",
                         "application/json");
  });
  Result<std::string> forbidden = RequestServerBackup({server.url(), "department-token", "/tmp/x"});
  EXPECT_EQ(forbidden.status().code(), StatusCode::kPermissionDenied);
  EXPECT_NE(forbidden.status().message().find("backups are for the task force"), std::string::npos);
  EXPECT_EQ(RequestServerBackup({server.url(), "unknown", "/tmp/x"}).status().code(), StatusCode::kUnauthenticated);
}

// A port nothing listens on: one the system handed out and was given back.
int ClosedPort() {
  const int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof address);
  socklen_t length = sizeof address;
  getsockname(fd, reinterpret_cast<sockaddr*>(&address), &length);
  close(fd);
  return ntohs(address.sin_port);
}

TEST(RequestServerBackup, AnUnreachableServerIsUnavailable) {
  Result<std::string> reply = RequestServerBackup({"http://127.0.0.1:" + std::to_string(ClosedPort()), "t", "/tmp/x"});
  EXPECT_EQ(reply.status().code(), StatusCode::kUnavailable) << reply.status().ToString();
}

TEST(ServerUrlFromDataDir, ReadsTheListenAddressAndReachesAWildcardOnLoopback) {
  testing::TempDir dir;
  EXPECT_EQ(ServerUrlFromDataDir(dir.path()).status().code(), StatusCode::kNotFound);
  WriteFile(dir.path() / "server.json", R"({"listen":"10.0.0.5:8080","pid":12})");
  EXPECT_EQ(*ServerUrlFromDataDir(dir.path()), "http://10.0.0.5:8080");
  WriteFile(dir.path() / "server.json", R"({"listen":"0.0.0.0:9000","pid":12})");
  EXPECT_EQ(*ServerUrlFromDataDir(dir.path()), "http://127.0.0.1:9000");
  WriteFile(dir.path() / "server.json", R"({"pid":12})");
  EXPECT_EQ(ServerUrlFromDataDir(dir.path()).status().code(), StatusCode::kDataLoss);
}

}  // namespace
}  // namespace kuimen
