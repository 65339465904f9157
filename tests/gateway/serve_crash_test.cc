// `kuimen serve` as an operator runs it: a separate process, killed with
// SIGKILL mid-write or stopped with SIGTERM, and backed up while it serves.
#include <atomic>
#include <chrono>
#include <cstdlib>
#include <fstream>
#include <map>
#include <mutex>
#include <random>
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
    ++generation_;
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
  std::atomic<int> port_ = 0;
  std::atomic<int> generation_ = 0;  // servers started so far
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

// Issue 9's crash loop: 8 writers send reports with their own event ids; the
// server is killed with SIGKILL 30 times at seeded moments and restarted on
// the same data each time; a writer resends an unanswered request with the
// same event id until it is answered. At the end every acknowledged event is
// in the log exactly once, positions are gapless, the chain verifies and both
// views equal a rebuild from the log. KUIMEN_CRASH_SEED replays a run.
TEST_F(ServeProcess, CrashLoopKeepsEveryAcknowledgedEventExactlyOnce) {
  const char* seed_text = std::getenv("KUIMEN_CRASH_SEED");
  const std::uint64_t seed = seed_text != nullptr ? std::strtoull(seed_text, nullptr, 10) : 20261202;
  constexpr int kWriters = 8;
  constexpr int kKills = 30;
  const auto began = std::chrono::steady_clock::now();
  Start();
  // Two writers per unit, each unit on a task it leads.
  const std::pair<const char*, int> units[] = {{"县林业局", 3}, {"县农业农村委", 7}, {"县供销合作社", 1}, {"县商务委", 9}};
  std::vector<std::string> tokens;
  for (int w = 0; w < kWriters; ++w) tokens.push_back(Department(units[w % 4].first));

  std::mutex mu;
  std::set<std::string> acknowledged;
  std::vector<std::string> unexpected;  // answers a retry must never get
  std::atomic<bool> stop{false};
  std::atomic<int> resent{0};  // requests answered only after being sent again
  std::vector<std::thread> writers;
  for (int w = 0; w < kWriters; ++w) {
    writers.emplace_back([&, w] {
      std::mt19937_64 random(seed * 31 + w);
      const std::string path = "/api/v1/tasks/" + std::to_string(units[w % 4].second) + "/events";
      while (!stop) {
        nlohmann::json report = Report(static_cast<int>(random() % 101));
        std::uniform_int_distribution<std::uint64_t> any;
        char id[37];
        const std::uint64_t hi = any(random), lo = any(random);
        std::snprintf(id, sizeof id, "%08x-%04x-4%03x-%04x-%012llx", static_cast<unsigned>(hi >> 32),
                      static_cast<unsigned>((hi >> 16) & 0xffff), static_cast<unsigned>(hi & 0xfff),
                      static_cast<unsigned>(0x8000 | (lo >> 48 & 0x3fff)),
                      static_cast<unsigned long long>(lo & 0xffffffffffffULL));
        report["event_id"] = id;
        // Resend until answered: the server may die before or after storing it.
        for (int attempt = 0; !stop; ++attempt) {
          httplib::Client client("127.0.0.1", port_.load());
          client.set_connection_timeout(1, 0);
          client.set_read_timeout(5, 0);
          httplib::Result reply =
              client.Post(path, {{"Authorization", "Bearer " + tokens[w]}}, report.dump(), "application/json");
          if (reply && reply->status == 201) {
            const nlohmann::json body = nlohmann::json::parse(reply->body, nullptr, false);
            std::lock_guard lock(mu);
            if (body["event"]["id"] != id) unexpected.push_back("201 with another event: " + reply->body);
            acknowledged.insert(id);
            if (attempt > 0) ++resent;
            break;
          }
          if (reply && reply->status != 503) {
            std::lock_guard lock(mu);
            unexpected.push_back(std::to_string(reply->status) + " " + reply->body);
            break;
          }
          // No server (killed, or not yet restarted) or 503: try again shortly.
          std::this_thread::sleep_for(std::chrono::milliseconds(5));
        }
      }
    });
  }

  std::mt19937_64 killer(seed);
  std::uniform_int_distribution<int> delay_ms(30, 400);
  for (int kill = 0; kill < kKills; ++kill) {
    std::this_thread::sleep_for(std::chrono::milliseconds(delay_ms(killer)));  // the seeded moment
    server_->Stop(SIGKILL);
    Start();
  }
  // Let the writers get some answers from the last server before stopping.
  const std::size_t before_last = [&] {
    std::lock_guard lock(mu);
    return acknowledged.size();
  }();
  WaitUntil([&] {
    std::lock_guard lock(mu);
    return acknowledged.size() >= before_last + kWriters;
  });
  stop = true;
  for (std::thread& writer : writers) writer.join();

  // Every position once, gapless; every acknowledged id exactly once.
  std::map<std::string, int> copies;
  std::uint64_t expected_position = 1;
  for (std::uint64_t from = 1;;) {
    httplib::Result page = Get("/api/v1/events?limit=1000&from_position=" + std::to_string(from), admin_token_);
    ASSERT_TRUE(page && page->status == 200);
    const nlohmann::json json = nlohmann::json::parse(page->body);
    for (const nlohmann::json& event : json["events"]) {
      ASSERT_EQ(event["position"].get<std::uint64_t>(), expected_position++);
      ++copies[event["id"].get<std::string>()];
    }
    if (json["events"].empty()) break;
    from = json["next_position"];
  }
  for (const std::string& id : acknowledged) EXPECT_EQ(copies[id], 1) << "acknowledged event " << id;
  for (const auto& [id, count] : copies) EXPECT_EQ(count, 1) << "event id " << id << " stored twice";
  EXPECT_TRUE(unexpected.empty()) << unexpected.size() << " unexpected answers, first: " << unexpected.front();
  const std::uint64_t head = expected_position - 1;

  // The views catch up (from the log at each start, then from Kafka) and say so.
  WaitUntil([&] {
    httplib::Result health = Get("/healthz", "");
    if (!health || health->status != 200) return false;
    const nlohmann::json json = nlohmann::json::parse(health->body, nullptr, false);
    return json["status"] == "ok" && json["views"]["supervision"]["applied_through"] == head &&
           json["views"]["assessment"]["applied_through"] == head;
  });
  ASSERT_EQ(server_->Stop(SIGTERM), 0);
  const std::string data = ShellQuote((dir_.path() / "data").string());
  KuimenRun verified = RunKuimen("verify --data " + data);
  EXPECT_EQ(verified.exit_code, 0) << verified.out;
  EXPECT_EQ(verified.out.rfind("ok " + std::to_string(head) + " events", 0), 0u) << verified.out;
  for (const char* view : {"supervision", "assessment"}) {
    KuimenRun digest = RunKuimen("digest --data " + data + " --name " + view, /*with_stderr=*/true);
    EXPECT_EQ(digest.exit_code, 0) << view << ": " << digest.out;
  }
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - began).count();
  std::printf(
      "crash loop: seed %llu, %zu events acknowledged (%d after a resend), %d SIGKILLs, %llu events in the log, "
      "%.1f s\n",
      static_cast<unsigned long long>(seed), acknowledged.size(), resent.load(), kKills,
      static_cast<unsigned long long>(head), seconds);
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
