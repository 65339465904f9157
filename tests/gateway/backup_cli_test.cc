// `kuimen backup` and `kuimen restore` run as processes, with no server running.
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "tests/support/kuimen_binary.h"
#include "tests/support/temp_dir.h"

namespace kuimen {
namespace {

using testing::RunKuimen;
using testing::ShellQuote;

TEST(KuimenBackup, BackupAndRestoreWithNoServerGiveAStoreThatVerifiesToTheSameHead) {
  testing::TempDir dir;
  const std::string data = ShellQuote((dir.path() / "data").string());
  for (const char* milestone : {"一季度", "二季度", "三季度"}) {
    ASSERT_EQ(RunKuimen("submit --data " + data + " --stream task-02 --principal p-tf --role taskforce --type DeadlineSet --json " +
                        ShellQuote(std::string(R"({"milestone":")") + milestone + R"(","due":"2024-12-31"})"))
                  .exit_code,
              0);
  }
  const testing::KuimenRun before = RunKuimen("verify --data " + data);
  ASSERT_EQ(before.exit_code, 0);

  const std::string backup = ShellQuote((dir.path() / "backups" / "2024-12-01").string());
  const testing::KuimenRun backed_up = RunKuimen("backup --data " + data + " --to " + backup);
  ASSERT_EQ(backed_up.exit_code, 0) << backed_up.out;
  const nlohmann::json manifest = nlohmann::json::parse(backed_up.out);
  EXPECT_EQ(manifest["format"], "kuimen-backup/1");
  EXPECT_EQ(manifest["head_position"], 3);
  EXPECT_EQ(before.out, "ok 3 events, head " + manifest["head_hash"].get<std::string>() + "\n");

  const std::string restored = ShellQuote((dir.path() / "restored").string());
  const testing::KuimenRun restore = RunKuimen("restore --from " + backup + " --data " + restored, /*with_stderr=*/true);
  ASSERT_EQ(restore.exit_code, 0) << restore.out;
  EXPECT_EQ(RunKuimen("verify --data " + restored).out, before.out);
  EXPECT_EQ(RunKuimen("log --data " + restored).out, RunKuimen("log --data " + data).out);

  // A second restore over the now-populated directory is refused, naming it.
  const testing::KuimenRun again = RunKuimen("restore --from " + backup + " --data " + restored, /*with_stderr=*/true);
  EXPECT_EQ(again.exit_code, 1);
  EXPECT_NE(again.out.find("is not empty"), std::string::npos) << again.out;
}

TEST(KuimenBackup, RefusesADataDirectoryWithoutAStoreAndCreatesNone) {
  testing::TempDir dir;
  const testing::KuimenRun run =
      RunKuimen("backup --data " + ShellQuote((dir.path() / "nothing").string()) + " --to " +
                    ShellQuote((dir.path() / "backup").string()),
                /*with_stderr=*/true);
  EXPECT_EQ(run.exit_code, 1);
  EXPECT_NE(run.out.find("holds no event store"), std::string::npos) << run.out;
  EXPECT_FALSE(std::filesystem::exists(dir.path() / "nothing" / "store"));
  EXPECT_FALSE(std::filesystem::exists(dir.path() / "backup"));
}

}  // namespace
}  // namespace kuimen
