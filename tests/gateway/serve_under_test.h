#pragma once

// `kuimen serve` as a separate process, as the crash and kill suites drive it:
// started on a free port over one data directory (and restarted on it after a
// SIGKILL), writers that resend each report with its own event id until it is
// answered, and the checks that follow: every acknowledged event in the log
// exactly once and gapless, the views caught up, the chain verified and both
// views equal to a rebuild.
#include <atomic>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <functional>
#include <map>
#include <mutex>
#include <random>
#include <set>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include <gtest/gtest.h>
#include <httplib.h>
#include <nlohmann/json.hpp>

#include "tests/projections/wait.h"
#include "tests/support/child_process.h"
#include "tests/support/kuimen_binary.h"

namespace kuimen::testing {

class ServeUnderTest {
 public:
  // `data` is the data directory; logs go beside it, one per start.
  ServeUnderTest(std::filesystem::path data, std::vector<std::string> extra_args = {})
      : data_(std::move(data)), extra_args_(std::move(extra_args)) {}

  // Starts the binary on a free port and waits until it has written server.json.
  void Start() {
    // A server killed with SIGKILL leaves its server.json behind.
    std::filesystem::remove(data_ / "server.json");
    std::vector<std::string> args{KUIMEN_BINARY, "serve", "--data", data_.string(), "--listen", "127.0.0.1:0"};
    args.insert(args.end(), extra_args_.begin(), extra_args_.end());
    process_ = std::make_unique<ChildProcess>(args, LogPath(++starts_).string());
    WaitUntil([&] { return std::filesystem::exists(data_ / "server.json"); });
    std::ifstream server_file(data_ / "server.json");
    const nlohmann::json server = nlohmann::json::parse(server_file, nullptr, false);
    ASSERT_TRUE(server.is_object()) << Log();
    const std::string listen = server["listen"];
    port_ = std::stoi(listen.substr(listen.rfind(':') + 1));
    std::ifstream token(data_ / "admin.token");
    std::getline(token, admin_token_);
  }

  // Sends `signal` and returns the exit status (ChildProcess::Stop).
  int Stop(int signal) { return process_->Stop(signal); }

  // The log of the latest start.
  std::string Log() const {
    std::stringstream log;
    log << std::ifstream(LogPath(starts_)).rdbuf();
    return log.str();
  }

  httplib::Result Get(const std::string& path, const std::string& token = "") const {
    httplib::Client client("127.0.0.1", port_.load());
    client.set_connection_timeout(1, 0);
    client.set_read_timeout(10, 0);
    return client.Get(path, {{"Authorization", "Bearer " + token}});
  }
  httplib::Result Post(const std::string& path, const std::string& token, const nlohmann::json& body) const {
    httplib::Client client("127.0.0.1", port_.load());
    client.set_read_timeout(10, 0);
    return client.Post(path, {{"Authorization", "Bearer " + token}}, body.dump(), "application/json");
  }

  // A new department principal's token.
  std::string Department(const std::string& unit) const {
    httplib::Result created =
        Post("/api/v1/principals", admin_token_, {{"name", "联络员"}, {"role", "department"}, {"unit", unit}});
    EXPECT_TRUE(created && created->status == 201);
    return created ? nlohmann::json::parse(created->body).value("token", "") : "";
  }

  int port() const { return port_.load(); }
  pid_t pid() const { return process_->pid(); }
  const std::string& admin_token() const { return admin_token_; }
  const std::filesystem::path& data() const { return data_; }

 private:
  std::filesystem::path LogPath(int start) const {
    return data_.parent_path() / ("serve-" + std::to_string(start) + ".log");
  }

  std::filesystem::path data_;
  std::vector<std::string> extra_args_;
  std::unique_ptr<ChildProcess> process_;
  int starts_ = 0;
  std::atomic<int> port_ = 0;
  std::string admin_token_;
};

// Writers that post progress reports, each with its own seeded event id, and
// resend an unanswered one (no server, or 503) with the same id until it is
// answered: every 201 is an acknowledgement the server must keep, and the
// answer must be that very event. Writer w posts on tasks[w % size] with
// tokens[w].
class ResendingWriters {
 public:
  struct Writer {
    std::string token;
    int task;
  };

  ResendingWriters(const ServeUnderTest& server, std::vector<Writer> writers, std::uint64_t seed) {
    for (std::size_t w = 0; w < writers.size(); ++w) {
      threads_.emplace_back([this, &server, writer = writers[w], seed, w] { Run(server, writer, seed * 31 + w); });
    }
  }
  ~ResendingWriters() { Join(); }

  void Join() {
    stop_ = true;
    for (std::thread& thread : threads_) {
      if (thread.joinable()) thread.join();
    }
  }

  std::size_t acknowledged_count() const {
    std::lock_guard lock(mu_);
    return acknowledged_.size();
  }
  // After Join().
  const std::set<std::string>& acknowledged() const { return acknowledged_; }
  const std::vector<std::string>& unexpected() const { return unexpected_; }
  int resent() const { return resent_.load(); }

 private:
  void Run(const ServeUnderTest& server, const Writer& writer, std::uint64_t seed) {
    std::mt19937_64 random(seed);
    const std::string path = "/api/v1/tasks/" + std::to_string(writer.task) + "/events";
    while (!stop_) {
      nlohmann::json report = {
          {"type", "ProgressReported"},
          {"data", {{"period", "2024-11"}, {"summary", "推进中"}, {"percent", static_cast<int>(random() % 101)}}}};
      const std::string id = RandomUuid(random);
      report["event_id"] = id;
      // Resend until answered: the server may die before or after storing it.
      for (int attempt = 0; !stop_; ++attempt) {
        httplib::Client client("127.0.0.1", server.port());
        client.set_connection_timeout(1, 0);
        client.set_read_timeout(5, 0);
        httplib::Result reply =
            client.Post(path, {{"Authorization", "Bearer " + writer.token}}, report.dump(), "application/json");
        if (reply && reply->status == 201) {
          const nlohmann::json body = nlohmann::json::parse(reply->body, nullptr, false);
          std::lock_guard lock(mu_);
          if (body["event"]["id"] != id) unexpected_.push_back("201 with another event: " + reply->body);
          acknowledged_.insert(id);
          if (attempt > 0) ++resent_;
          break;
        }
        if (reply && reply->status != 503) {
          std::lock_guard lock(mu_);
          unexpected_.push_back(std::to_string(reply->status) + " " + reply->body);
          break;
        }
        // No server (killed, or not yet restarted) or 503: try again shortly.
        std::this_thread::sleep_for(std::chrono::milliseconds(5));
      }
    }
  }

  static std::string RandomUuid(std::mt19937_64& random) {
    std::uniform_int_distribution<std::uint64_t> any;
    const std::uint64_t hi = any(random), lo = any(random);
    char id[37];
    std::snprintf(id, sizeof id, "%08x-%04x-4%03x-%04x-%012llx", static_cast<unsigned>(hi >> 32),
                  static_cast<unsigned>((hi >> 16) & 0xffff), static_cast<unsigned>(hi & 0xfff),
                  static_cast<unsigned>(0x8000 | (lo >> 48 & 0x3fff)),
                  static_cast<unsigned long long>(lo & 0xffffffffffffULL));
    return id;
  }

  std::vector<std::thread> threads_;
  std::atomic<bool> stop_{false};
  mutable std::mutex mu_;
  std::set<std::string> acknowledged_;
  std::vector<std::string> unexpected_;  // answers a resend must never get
  std::atomic<int> resent_{0};
};

// Reads the whole log through the API and checks it: positions gapless from
// 1, every acknowledged id exactly once, no id twice, no unexpected answer.
// Returns the head position (0 after a fatal failure).
inline std::uint64_t ExpectEachAcknowledgedEventOnceInAGaplessLog(const ServeUnderTest& server,
                                                                    const ResendingWriters& writers) {
  std::map<std::string, int> copies;
  std::uint64_t expected_position = 1;
  for (std::uint64_t from = 1;;) {
    httplib::Result page =
        server.Get("/api/v1/events?limit=1000&from_position=" + std::to_string(from), server.admin_token());
    EXPECT_TRUE(page && page->status == 200);
    if (!page || page->status != 200) return 0;
    const nlohmann::json json = nlohmann::json::parse(page->body);
    for (const nlohmann::json& event : json["events"]) {
      EXPECT_EQ(event["position"].get<std::uint64_t>(), expected_position) << "a gap or a repeat in the log";
      ++expected_position;
      ++copies[event["id"].get<std::string>()];
    }
    if (json["events"].empty()) break;
    from = json["next_position"];
  }
  for (const std::string& id : writers.acknowledged()) EXPECT_EQ(copies[id], 1) << "acknowledged event " << id;
  for (const auto& [id, count] : copies) EXPECT_EQ(count, 1) << "event id " << id << " stored twice";
  EXPECT_TRUE(writers.unexpected().empty())
      << writers.unexpected().size() << " unexpected answers, first: " << writers.unexpected().front();
  return expected_position - 1;
}

// Waits until /healthz says ok with both views applied through `head`.
inline void WaitForViewsThrough(const ServeUnderTest& server, std::uint64_t head) {
  WaitUntil([&] {
    httplib::Result health = server.Get("/healthz");
    if (!health || health->status != 200) return false;
    const nlohmann::json json = nlohmann::json::parse(health->body, nullptr, false);
    return json["status"] == "ok" && json["views"]["supervision"]["applied_through"] == head &&
           json["views"]["assessment"]["applied_through"] == head;
  });
}

// With the server stopped: `kuimen verify` finds the chain intact with `head`
// events, and `kuimen digest` finds each view equal to a rebuild from the log.
inline void ExpectChainVerifiesAndViewsEqualARebuild(const std::filesystem::path& data, std::uint64_t head) {
  const std::string quoted = ShellQuote(data.string());
  KuimenRun verified = RunKuimen("verify --data " + quoted);
  EXPECT_EQ(verified.exit_code, 0) << verified.out;
  EXPECT_EQ(verified.out.rfind("ok " + std::to_string(head) + " events", 0), 0u) << verified.out;
  for (const char* view : {"supervision", "assessment"}) {
    KuimenRun digest = RunKuimen("digest --data " + quoted + " --name " + view, /*with_stderr=*/true);
    EXPECT_EQ(digest.exit_code, 0) << view << ": " << digest.out;
  }
}

}  // namespace kuimen::testing
