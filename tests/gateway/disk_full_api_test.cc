// A full disk seen through the HTTP API: the whole service runs on a store
// whose file system refuses appends (ENOSPC through FaultFs).
#include <thread>

#include <rocksdb/env.h>

#include "tests/eventstore/fault_fs.h"
#include "tests/gateway/api_server.h"

namespace kuimen {
namespace {

class DiskFullApiTest : public testing::ApiServerTest {
 protected:
  void SetUp() override {
    fs_ = std::make_shared<testing::FaultFs>();
    env_ = rocksdb::NewCompositeEnv(fs_);
    store_env_ = env_.get();
    ApiServerTest::SetUp();
  }
  void TearDown() override {
    ApiServerTest::TearDown();  // the service closes its store before the Env goes
  }

  Reply SetDeadline(const std::string& milestone) {
    return Post("/api/v1/tasks/7/events", admin_token_,
                {{"type", "DeadlineSet"}, {"data", {{"milestone", milestone}, {"due", "2024-12-31"}}}});
  }

  std::shared_ptr<testing::FaultFs> fs_;
  std::unique_ptr<rocksdb::Env> env_;
};

TEST_F(DiskFullApiTest, AReportOnAFullDiskGets507DiskFullWhileReadsAndHealthzAnswer) {
  Reply first = SetDeadline("一季度");
  ASSERT_EQ(first.status, 201) << first.body;
  const std::uint64_t first_position = first.json["event"]["position"];
  fs_->SetSpaceLeft(0);

  Reply refused = SetDeadline("二季度");
  EXPECT_EQ(refused.status, 507) << refused.body;
  EXPECT_EQ(refused.json["error"]["code"], "disk_full") << refused.body;
  EXPECT_EQ(refused.json["error"]["message"], "服务器磁盘已满，本次报送未保存，请稍后重试或联系管理员");

  Reply health = Send("GET", "/healthz", "");
  EXPECT_EQ(health.status, 200);
  EXPECT_EQ(health.json["status"], "degraded") << health.body;
  EXPECT_EQ(health.json["store"]["status"], "degraded") << health.body;
  EXPECT_EQ(health.json["store"]["reason"].get<std::string>().rfind("disk_full", 0), 0u) << health.body;
  EXPECT_EQ(Send("GET", "/api/v1/tasks/7", admin_token_).status, 200);

  fs_->SetSpaceLeft(std::nullopt);
  // The store retries every 2 s by default, and at once when an append comes
  // after that; a client retries the same way, so this test does too.
  Reply accepted = SetDeadline("二季度");
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(15);
  while (accepted.status == 507 && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    accepted = SetDeadline("二季度");
  }
  EXPECT_EQ(accepted.status, 201) << accepted.body;
  EXPECT_EQ(accepted.json["event"]["position"], first_position + 1) << "the refused report left no trace";
  Reply resumed = Send("GET", "/healthz", "");
  EXPECT_EQ(resumed.json["status"], "ok") << resumed.body;
  // Counted: back through RocksDB's Resume(), no reopen was needed.
  EXPECT_EQ(resumed.json["store"]["resumes"], 1) << resumed.body;
  EXPECT_EQ(resumed.json["store"]["reopens"], 0) << resumed.body;
}

}  // namespace
}  // namespace kuimen
