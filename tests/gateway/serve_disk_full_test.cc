// `kuimen serve` on a real, tiny, full tmpfs: the kernel's own ENOSPC, not an
// injected one. The tmpfs is mounted in a user and mount namespace of its own
// (`unshare -rm`), so the test needs no root: only unprivileged user
// namespaces, on by default in Debian 12.
#include <csignal>
#include <fstream>
#include <thread>

#include <gtest/gtest.h>
#include <httplib.h>
#include <nlohmann/json.hpp>

#include "tests/projections/wait.h"
#include "tests/support/child_process.h"
#include "tests/support/temp_dir.h"

namespace kuimen::testing {
namespace {

// Runs in the namespace: mounts the tmpfs, starts the server, copies out what
// the test needs, fills the disk, frees it on SIGUSR1, and on SIGTERM stops
// the server and verifies the log into $OUT/verify.txt.
constexpr const char* kScript = R"(
set -u
D="$1"; OUT="$2"; BIN="$3"
mount -t tmpfs -o size=24m tmpfs "$D" || exit 90
"$BIN" serve --data "$D/data" --listen 127.0.0.1:0 --scrub-hours 0 &
child=$!
trap 'rm -f "$D/filler"; echo freed > "$OUT/freed"' USR1
trap 'kill -TERM $child; wait $child; "$BIN" verify --data "$D/data" > "$OUT/verify.txt"; exit 0' TERM
while [ ! -f "$D/data/server.json" ] || [ ! -f "$D/data/admin.token" ]; do sleep 0.05; done
cp "$D/data/server.json" "$D/data/admin.token" "$OUT/"
head -c 100000000 /dev/zero > "$D/filler" 2>/dev/null
echo full > "$OUT/full"
while kill -0 $child 2>/dev/null; do wait $child; done
)";

class ServeDiskFullTest : public ::testing::Test {
 protected:
  httplib::Result SetDeadline(const std::string& milestone) {
    httplib::Client client("127.0.0.1", port_);
    client.set_read_timeout(10, 0);
    // With a reason: after the first, each sets the same milestone again (a move).
    const nlohmann::json body = {{"type", "DeadlineSet"},
                                 {"data", {{"milestone", milestone}, {"due", "2024-12-31"}, {"reason", "顺延"}}}};
    return client.Post("/api/v1/tasks/7/events", {{"Authorization", "Bearer " + token_}}, body.dump(), "application/json");
  }
  nlohmann::json Health() {
    httplib::Client client("127.0.0.1", port_);
    client.set_read_timeout(10, 0);
    httplib::Result got = client.Get("/healthz");
    return got ? nlohmann::json::parse(got->body, nullptr, false) : nlohmann::json();
  }

  // The server's log, for a failure message.
  std::string ServeLog() {
    std::ifstream log(dir_.path() / "serve.log");
    return std::string((std::istreambuf_iterator<char>(log)), std::istreambuf_iterator<char>());
  }

  TempDir dir_;
  int port_ = 0;
  std::string token_;
};

TEST_F(ServeDiskFullTest, OnAFullTmpfsReportsGet507ReadsGoOnAndWritingResumesWhenSpaceReturns) {
  const std::filesystem::path mount = dir_.path() / "tmpfs";
  const std::filesystem::path out = dir_.path() / "out";
  std::filesystem::create_directories(mount);
  std::filesystem::create_directories(out);
  ChildProcess shell({"/usr/bin/unshare", "-rm", "sh", "-c", kScript, "sh", mount.string(), out.string(), KUIMEN_BINARY},
                     (dir_.path() / "serve.log").string());
  WaitUntil([&] { return std::filesystem::exists(out / "full"); });
  ASSERT_TRUE(std::filesystem::exists(out / "full")) << ServeLog();
  {
    std::ifstream server_file(out / "server.json");
    const nlohmann::json server = nlohmann::json::parse(server_file, nullptr, false);
    ASSERT_TRUE(server.is_object());
    const std::string listen = server["listen"];
    port_ = std::stoi(listen.substr(listen.rfind(':') + 1));
    std::ifstream token(out / "admin.token");
    std::getline(token, token_);
  }

  // The disk is full; what is left of the WAL's last page takes a few more
  // records, then a report is refused as such.
  int accepted_while_filling = 0;
  httplib::Result refused = SetDeadline(std::string(150, 'x'));
  while (refused && refused->status == 201 && accepted_while_filling < 100) {
    ++accepted_while_filling;
    refused = SetDeadline(std::string(150, 'x'));
  }
  ASSERT_TRUE(refused) << ServeLog();
  EXPECT_EQ(refused->status, 507) << refused->body;
  EXPECT_EQ(nlohmann::json::parse(refused->body, nullptr, false)["error"]["code"], "disk_full") << refused->body;
  const nlohmann::json degraded = Health();
  EXPECT_EQ(degraded["status"], "degraded") << degraded.dump();
  EXPECT_EQ(degraded["store"]["reason"].get<std::string>().rfind("disk_full", 0), 0u) << degraded.dump();
  {
    httplib::Client client("127.0.0.1", port_);
    httplib::Result read = client.Get("/api/v1/tasks/7", {{"Authorization", "Bearer " + token_}});
    ASSERT_TRUE(read);
    EXPECT_EQ(read->status, 200);
  }

  ::kill(shell.pid(), SIGUSR1);  // frees the disk
  WaitUntil([&] { return std::filesystem::exists(out / "freed"); });
  httplib::Result accepted = SetDeadline("一季度");
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
  while ((!accepted || accepted->status == 507) && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(200));  // a client's retry
    accepted = SetDeadline("一季度");
  }
  ASSERT_TRUE(accepted);
  EXPECT_EQ(accepted->status, 201) << accepted->body;
  const nlohmann::json resumed = Health();
  EXPECT_EQ(resumed["status"], "ok") << resumed.dump();
  // Writing came back by itself: through RocksDB's Resume() or, when that did
  // not return, by reopening the database in place; no restart.
  const int resumes = resumed["store"].value("resumes", 0);
  const int reopens = resumed["store"].value("reopens", 0);
  EXPECT_GE(resumes + reopens, 1) << resumed.dump();

  EXPECT_EQ(shell.Stop(SIGTERM), 0);
  std::ifstream verify_file(out / "verify.txt");
  const std::string verify((std::istreambuf_iterator<char>(verify_file)), std::istreambuf_iterator<char>());
  EXPECT_EQ(verify.rfind("ok ", 0), 0u) << verify;
  std::printf("[figure] disk full on a real 24 MiB tmpfs: %d reports fitted in the last page, then 507 disk_full, "
              "/healthz degraded, reads 200, writing resumed after space returned without a restart (%d by Resume(), "
              "%d by reopening in place); kuimen verify: %s",
              accepted_while_filling, resumes, reopens, verify.c_str());
}

}  // namespace
}  // namespace kuimen::testing
