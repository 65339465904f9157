// BackupDataDir and RestoreDataDir on a real RocksDB store in a temporary directory.
#include "gateway/backup.h"

#include <sys/stat.h>

#include <algorithm>
#include <atomic>
#include <fstream>
#include <sstream>
#include <thread>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "eventstore/envelope_json.h"
#include "tests/support/temp_dir.h"

namespace kuimen {
namespace {

Timestamp At(std::int64_t seconds) { return Timestamp(std::chrono::seconds(seconds)); }

std::string ReadFile(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

void WriteFile(const std::filesystem::path& path, const std::string& content, mode_t mode) {
  std::filesystem::create_directories(path.parent_path());
  std::ofstream(path, std::ios::binary | std::ios::trunc) << content;
  chmod(path.c_str(), mode);
}

mode_t ModeOf(const std::filesystem::path& path) {
  struct stat info {};
  stat(path.c_str(), &info);
  return info.st_mode & 07777;
}

// A data directory as `kuimen serve` leaves it: a store with events, the
// signing key, the admin token, a view and server.json.
class BackupTest : public ::testing::Test {
 protected:
  BackupTest() : clock_(At(1733011200)) {  // 2024-12-01T00:00:00Z
    WriteFile(data_ / "keys" / "ed25519.pem", "-----BEGIN PRIVATE KEY-----\nnot a real key\n", 0600);
    WriteFile(data_ / "admin.token", "token-of-the-administrator\n", 0600);
    WriteFile(data_ / "views" / "supervision" / "CURRENT", "a projector's files\n", 0644);
    WriteFile(data_ / "server.json", R"({"listen":"127.0.0.1:8080","pid":1})", 0644);
  }

  std::unique_ptr<EventStore> OpenStore(const std::filesystem::path& data_dir, bool read_only = false) {
    std::filesystem::create_directories(data_dir);  // as `kuimen serve` does; RocksDB makes only the last level
    EventStoreOptions options;
    options.dir = data_dir / "store";
    options.clock = &clock_;
    options.read_only = read_only;
    options.id_seed = 7;
    Result<std::unique_ptr<EventStore>> store = OpenEventStore(options);
    EXPECT_TRUE(store.ok()) << store.status().ToString();
    return store.ok() ? std::move(store).value() : nullptr;
  }

  static void AppendEvents(EventStore& store, const std::string& stream, int count) {
    for (int i = 0; i < count; ++i) {
      ProposedEvent event{std::nullopt, "DeadlineSet", 1, Actor{"p-tf", Role::kTaskForce, ""},
                          R"({"milestone":")" + std::to_string(i) + R"(","due":"2024-12-31"})"};
      ASSERT_TRUE(store.Append(StreamId{stream}, std::nullopt, {event}).ok());
    }
  }

  static std::vector<std::string> Hashes(EventStore& store) {
    std::vector<std::string> hashes;
    for (auto it = store.ReadAll(GlobalPosition(1)); it->Valid(); it->Next()) hashes.push_back(ToHex(it->event().hash));
    return hashes;
  }

  testing::TempDir dir_;
  ManualClock clock_;
  const std::filesystem::path data_ = dir_.path() / "data";
};

TEST_F(BackupTest, RestoredDataDirHoldsTheSameEventsHeadKeyAndToken) {
  std::vector<std::string> hashes;
  LogHead head;
  {
    auto store = OpenStore(data_);
    AppendEvents(*store, "task-07", 3);
    AppendEvents(*store, "task-09", 2);
    hashes = Hashes(*store);
    head = store->Head();
    ASSERT_TRUE(BackupDataDir(*store, data_, dir_.path() / "backup", clock_).ok());
  }
  const std::filesystem::path backup = dir_.path() / "backup";
  Result<BackupManifest> manifest = ReadBackupManifest(backup);
  ASSERT_TRUE(manifest.ok()) << manifest.status().ToString();
  EXPECT_EQ(manifest->created_at, At(1733011200));
  EXPECT_EQ(manifest->head_position, GlobalPosition(5));
  EXPECT_EQ(manifest->head_hash, ToHex(head.hash));
  const nlohmann::json file = nlohmann::json::parse(ReadFile(backup / "backup.json"));
  EXPECT_EQ(file["format"], "kuimen-backup/1");
  EXPECT_EQ(file["created_at"], "2024-12-01T00:00:00.000000Z");
  EXPECT_EQ(ModeOf(backup), 0700u);
  // Views are rebuilt from the log; server.json describes a process, not data.
  EXPECT_FALSE(std::filesystem::exists(backup / "views"));
  EXPECT_FALSE(std::filesystem::exists(backup / "server.json"));

  const std::filesystem::path restored = dir_.path() / "restored";
  Status done = RestoreDataDir(backup, restored);
  ASSERT_TRUE(done.ok()) << done.ToString();
  auto store = OpenStore(restored);
  EXPECT_EQ(Hashes(*store), hashes);
  EXPECT_EQ(store->Head().position, head.position);
  EXPECT_EQ(store->Head().hash, head.hash);
  EXPECT_EQ(store->StreamHead(StreamId{"task-07"}), StreamVersion(3));
  EXPECT_TRUE(store->Verify().ok);
  EXPECT_EQ(ReadFile(restored / "keys" / "ed25519.pem"), ReadFile(data_ / "keys" / "ed25519.pem"));
  EXPECT_EQ(ModeOf(restored / "keys" / "ed25519.pem"), 0600u);
  EXPECT_EQ(ReadFile(restored / "admin.token"), "token-of-the-administrator\n");
  EXPECT_EQ(ModeOf(restored / "admin.token"), 0600u);
  EXPECT_FALSE(std::filesystem::exists(restored / "views"));
  // The restored store takes appends where the backup ended.
  AppendEvents(*store, "task-07", 1);
  EXPECT_EQ(store->Head().position, GlobalPosition(6));
  // The backup is left as it was: it can be restored again.
  EXPECT_TRUE(RestoreDataDir(backup, dir_.path() / "again").ok());
}

TEST_F(BackupTest, BackupTakenWhileAWriterAppendsRestoresToTheHeadItRecords) {
  auto store = OpenStore(data_);
  AppendEvents(*store, "task-01", 1);
  std::atomic<bool> stop = false;
  std::thread writer([&] {
    while (!stop) AppendEvents(*store, "task-02", 1);
  });
  store->WaitForHead(GlobalPosition(10), std::chrono::seconds(30));
  Status backed_up = BackupDataDir(*store, data_, dir_.path() / "backup", clock_);
  stop = true;
  writer.join();
  ASSERT_TRUE(backed_up.ok()) << backed_up.ToString();

  Result<BackupManifest> manifest = ReadBackupManifest(dir_.path() / "backup");
  ASSERT_TRUE(manifest.ok());
  EXPECT_GE(manifest->head_position, GlobalPosition(10));
  // RestoreDataDir checks the restored head against backup.json.
  Status restored = RestoreDataDir(dir_.path() / "backup", dir_.path() / "restored");
  ASSERT_TRUE(restored.ok()) << restored.ToString();
  const std::vector<std::string> live = Hashes(*store);
  const std::vector<std::string> copy = Hashes(*OpenStore(dir_.path() / "restored", /*read_only=*/true));
  ASSERT_EQ(copy.size(), manifest->head_position.value);
  EXPECT_TRUE(std::equal(copy.begin(), copy.end(), live.begin()));
}

TEST_F(BackupTest, BackupGoesIntoAnEmptyExistingDirectory) {
  auto store = OpenStore(data_);
  AppendEvents(*store, "task-07", 1);
  std::filesystem::create_directories(dir_.path() / "empty");
  EXPECT_TRUE(BackupDataDir(*store, data_, dir_.path() / "empty", clock_).ok());
  EXPECT_TRUE(ReadBackupManifest(dir_.path() / "empty").ok());
}

TEST_F(BackupTest, BackupRefusesANonEmptyDestinationAndLeavesItAlone) {
  auto store = OpenStore(data_);
  AppendEvents(*store, "task-07", 1);
  const std::filesystem::path dest = dir_.path() / "taken";
  WriteFile(dest / "notes.txt", "someone else's file", 0644);
  Status refused = BackupDataDir(*store, data_, dest, clock_);
  EXPECT_EQ(refused.code(), StatusCode::kFailedPrecondition) << refused.ToString();
  EXPECT_EQ(ReadFile(dest / "notes.txt"), "someone else's file");
  EXPECT_FALSE(std::filesystem::exists(dest / "store"));
}

TEST_F(BackupTest, BackupRefusesADestinationInsideTheDataDirectory) {
  auto store = OpenStore(data_);
  EXPECT_EQ(BackupDataDir(*store, data_, data_ / "backup", clock_).code(), StatusCode::kInvalidArgument);
  EXPECT_FALSE(std::filesystem::exists(data_ / "backup"));
}

TEST_F(BackupTest, BackupOfAReadOnlyStoreIsRefusedAndLeavesNoDestination) {
  { OpenStore(data_); }
  auto store = OpenStore(data_, /*read_only=*/true);
  Status refused = BackupDataDir(*store, data_, dir_.path() / "backup", clock_);
  EXPECT_EQ(refused.code(), StatusCode::kFailedPrecondition) << refused.ToString();
  EXPECT_FALSE(std::filesystem::exists(dir_.path() / "backup"));
}

TEST_F(BackupTest, RestoreRefusesADataDirectoryThatHoldsAStore) {
  {
    auto store = OpenStore(data_);
    AppendEvents(*store, "task-07", 2);
    ASSERT_TRUE(BackupDataDir(*store, data_, dir_.path() / "backup", clock_).ok());
  }
  const std::filesystem::path other = dir_.path() / "other";
  {
    auto store = OpenStore(other);
    AppendEvents(*store, "task-09", 1);
  }
  Status refused = RestoreDataDir(dir_.path() / "backup", other);
  EXPECT_EQ(refused.code(), StatusCode::kFailedPrecondition) << refused.ToString();
  auto store = OpenStore(other);
  EXPECT_EQ(store->Head().position, GlobalPosition(1));
  EXPECT_EQ(store->StreamHead(StreamId{"task-09"}), StreamVersion(1));
}

TEST_F(BackupTest, RestoreRefusesADirectoryWithoutBackupJson) {
  {
    auto store = OpenStore(data_);
    AppendEvents(*store, "task-07", 1);
    ASSERT_TRUE(BackupDataDir(*store, data_, dir_.path() / "backup", clock_).ok());
  }
  std::filesystem::remove(dir_.path() / "backup" / "backup.json");  // as if the backup never finished
  EXPECT_EQ(RestoreDataDir(dir_.path() / "backup", dir_.path() / "restored").code(), StatusCode::kFailedPrecondition);
  EXPECT_EQ(RestoreDataDir(dir_.path() / "missing", dir_.path() / "restored").code(), StatusCode::kNotFound);
  EXPECT_FALSE(std::filesystem::exists(dir_.path() / "restored"));
}

TEST_F(BackupTest, RestoreRefusesABackupWhoseStoreDoesNotEndWhereBackupJsonSays) {
  {
    auto store = OpenStore(data_);
    AppendEvents(*store, "task-07", 3);
    ASSERT_TRUE(BackupDataDir(*store, data_, dir_.path() / "backup", clock_).ok());
  }
  const std::filesystem::path manifest = dir_.path() / "backup" / "backup.json";
  nlohmann::json edited = nlohmann::json::parse(ReadFile(manifest));
  edited["head_position"] = 4;
  WriteFile(manifest, edited.dump(), 0644);

  Status refused = RestoreDataDir(dir_.path() / "backup", dir_.path() / "restored");
  EXPECT_EQ(refused.code(), StatusCode::kDataLoss) << refused.ToString();
  EXPECT_FALSE(std::filesystem::exists(dir_.path() / "restored"));
  // Nothing staged is left beside it.
  for (const auto& entry : std::filesystem::directory_iterator(dir_.path())) {
    EXPECT_EQ(entry.path().filename().string().find(".restored.restoring"), std::string::npos) << entry.path();
  }
}

TEST_F(BackupTest, ManifestOfAnotherFormatIsRefused) {
  WriteFile(dir_.path() / "odd" / "backup.json",
            R"({"format":"kuimen-backup/9","created_at":"2024-12-01T00:00:00Z","head_position":1,)"
            R"("head_hash":"0000000000000000000000000000000000000000000000000000000000000000"})",
            0644);
  Result<BackupManifest> manifest = ReadBackupManifest(dir_.path() / "odd");
  EXPECT_EQ(manifest.status().code(), StatusCode::kDataLoss);
  EXPECT_NE(manifest.status().message().find("kuimen-backup/9"), std::string::npos);
}

}  // namespace
}  // namespace kuimen
