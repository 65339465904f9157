// `kuimen serve` as an operator runs it: a separate process, killed with
// SIGKILL mid-write or stopped with SIGTERM, and backed up while it serves.
#include <atomic>
#include <fstream>
#include <mutex>
#include <set>
#include <thread>

#include <gtest/gtest.h>
#include <httplib.h>
#include <nlohmann/json.hpp>

#include "tests/projections/wait.h"
#include "tests/support/child_process.h"
#include "tests/support/kuimen_binary.h"
#include "tests/support/temp_dir.h"

namespace kuimen::testing {
namespace {

class ServeProcess : public ::testing::Test {
 protected:
  // Starts the binary on a free port and waits until it answers.
  void Start() {
    // A server killed with SIGKILL leaves its server.json behind.
    std::filesystem::remove(dir_.path() / "data" / "server.json");
    server_ = std::make_unique<ChildProcess>(
        std::vector<std::string>{KUIMEN_BINARY, "serve", "--data", (dir_.path() / "data").string(), "--listen",
                                 "127.0.0.1:0"},
        (dir_.path() / ("serve-" + std::to_string(++starts_) + ".log")).string());
    WaitUntil([&] { return std::filesystem::exists(dir_.path() / "data" / "server.json"); });
    std::ifstream server_file(dir_.path() / "data" / "server.json");
    const nlohmann::json server = nlohmann::json::parse(server_file, nullptr, false);
    ASSERT_TRUE(server.is_object());
    const std::string listen = server["listen"];
    port_ = std::stoi(listen.substr(listen.rfind(':') + 1));
    std::ifstream token(dir_.path() / "data" / "admin.token");
    std::getline(token, admin_token_);
  }

  httplib::Result Post(const std::string& path, const std::string& token, const nlohmann::json& body) {
    httplib::Client client("127.0.0.1", port_);
    client.set_read_timeout(10, 0);
    return client.Post(path, {{"Authorization", "Bearer " + token}}, body.dump(), "application/json");
  }
  httplib::Result Get(const std::string& path, const std::string& token) {
    httplib::Client client("127.0.0.1", port_);
    client.set_read_timeout(10, 0);
    return client.Get(path, {{"Authorization", "Bearer " + token}});
  }

  std::string Department(const std::string& unit) {
    httplib::Result created =
        Post("/api/v1/principals", admin_token_, {{"name", "联络员"}, {"role", "department"}, {"unit", unit}});
    EXPECT_TRUE(created && created->status == 201);
    return created ? nlohmann::json::parse(created->body).value("token", "") : "";
  }

  static nlohmann::json Report(int percent) {
    return {{"type", "ProgressReported"},
            {"data", {{"period", "2024-11"}, {"summary", "推进中"}, {"percent", percent}}}};
  }

  TempDir dir_;
  std::unique_ptr<ChildProcess> server_;
  int starts_ = 0;
  int port_ = 0;
  std::string admin_token_;
};

TEST_F(ServeProcess, KillNineLosesNoAcknowledgedEvent) {
  Start();
  const std::string forestry = Department("县林业局");
  const std::string agriculture = Department("县农业农村委");

  // Writers on two tasks keep posting; every 201 is an acknowledgement the
  // server must keep. The server is killed while they are at it.
  std::mutex mu;
  std::set<std::string> acknowledged;
  std::atomic<bool> stop{false};
  std::vector<std::thread> writers;
  for (int w = 0; w < 4; ++w) {
    writers.emplace_back([&, w] {
      const std::string& token = w % 2 == 0 ? forestry : agriculture;
      for (int i = 0; !stop; ++i) {
        httplib::Result reply = Post("/api/v1/tasks/3/events", token, Report(i % 100));
        if (!reply) continue;  // the server is gone: not acknowledged
        if (reply->status != 201) continue;
        std::lock_guard lock(mu);
        acknowledged.insert(nlohmann::json::parse(reply->body)["event"]["id"].get<std::string>());
      }
    });
  }
  WaitUntil([&] {
    std::lock_guard lock(mu);
    return acknowledged.size() >= 100;
  });
  server_->Stop(SIGKILL);
  stop = true;
  for (std::thread& writer : writers) writer.join();

  Start();
  std::set<std::string> stored;
  for (std::uint64_t from = 1;;) {
    httplib::Result page = Get("/api/v1/events?limit=1000&from_position=" + std::to_string(from), admin_token_);
    ASSERT_TRUE(page && page->status == 200);
    const nlohmann::json json = nlohmann::json::parse(page->body);
    for (const nlohmann::json& event : json["events"]) stored.insert(event["id"].get<std::string>());
    if (json["events"].empty()) break;
    from = json["next_position"];
  }
  for (const std::string& id : acknowledged) EXPECT_TRUE(stored.count(id)) << "lost acknowledged event " << id;
  httplib::Result verify = Get("/api/v1/audit/verify", admin_token_);
  ASSERT_TRUE(verify);
  EXPECT_EQ(nlohmann::json::parse(verify->body)["ok"], true) << verify->body;
}

TEST_F(ServeProcess, SigtermStopsCleanly) {
  Start();
  ASSERT_EQ(Post("/api/v1/tasks/3/events", Department("县林业局"), Report(10))->status, 201);
  EXPECT_EQ(server_->Stop(SIGTERM), 0);
  EXPECT_FALSE(std::filesystem::exists(dir_.path() / "data" / "server.json"));
}

TEST_F(ServeProcess, BackupWhileServingRestoresTheSameLog) {
  Start();
  ASSERT_EQ(Post("/api/v1/tasks/3/events", Department("县林业局"), Report(10))->status, 201);
  const std::string backup = ShellQuote((dir_.path() / "backup").string());
  const std::string restored = ShellQuote((dir_.path() / "restored").string());

  // The server holds the store, so the backup is taken through it.
  KuimenRun backed_up = RunKuimen("backup --data " + ShellQuote((dir_.path() / "data").string()) + " --to " + backup);
  ASSERT_EQ(backed_up.exit_code, 0) << backed_up.out;
  const nlohmann::json manifest = nlohmann::json::parse(backed_up.out, nullptr, false);
  ASSERT_TRUE(manifest.contains("head_position")) << backed_up.out;
  // More may be written after the backup; the backup is a consistent prefix.
  ASSERT_EQ(Post("/api/v1/tasks/3/events", Department("县农业农村委"), Report(20))->status, 201);

  ASSERT_EQ(RunKuimen("restore --from " + backup + " --data " + restored).exit_code, 0);
  KuimenRun verified = RunKuimen("verify --data " + restored);
  EXPECT_EQ(verified.exit_code, 0) << verified.out;
  EXPECT_EQ(verified.out.rfind("ok " + std::to_string(manifest["head_position"].get<std::uint64_t>()) + " events", 0), 0u)
      << verified.out;
  EXPECT_EQ(server_->Stop(SIGTERM), 0);
}

}  // namespace
}  // namespace kuimen::testing
