// What the store does when its files are not what it wrote: tampering is
// found by verify, foreign or corrupted directories are refused at open.
#include <filesystem>
#include <fstream>

#include <rocksdb/db.h>

#include "eventstore/rocks_event_store.h"
#include "eventstore/sha256.h"
#include "eventstore/storage_format.h"
#include "tests/eventstore/store_fixture.h"

namespace kuimen {
namespace {

class TamperTest : public testing::StoreTest {
 protected:
  void AppendEvents(int count) {
    auto store = Open();
    for (int i = 0; i < count; ++i) {
      ASSERT_TRUE(store->Append(StreamId{"task-07"}, std::nullopt,
                                {Event("{\"milestone\":\"第" + std::to_string(i) + "阶段\"}")}).ok());
    }
  }

  // Opens the store's RocksDB directly, as an intruder with file access would.
  // Handles are in FamilyNames() order: [1] is the log, [5] the meta family.
  // With `only_in_wal`, nothing is flushed: the events and the edit stay in
  // the write-ahead log, replayed at the next open.
  void Tamper(const std::function<void(rocksdb::DB&, const std::vector<rocksdb::ColumnFamilyHandle*>&)>& edit,
              bool only_in_wal = false) {
    std::vector<rocksdb::ColumnFamilyDescriptor> descriptors;
    for (const std::string& name : FamilyNames()) descriptors.emplace_back(name, rocksdb::ColumnFamilyOptions());
    std::vector<rocksdb::ColumnFamilyHandle*> handles;
    rocksdb::DB* raw = nullptr;
    rocksdb::DBOptions db_options;
    db_options.avoid_flush_during_recovery = only_in_wal;
    db_options.avoid_flush_during_shutdown = only_in_wal;
    ASSERT_TRUE(rocksdb::DB::Open(db_options, Options().dir.string(), descriptors, &handles, &raw).ok());
    edit(*raw, handles);
    for (auto* handle : handles) raw->DestroyColumnFamilyHandle(handle);
    delete raw;
  }

  Status OpenStatus() { return OpenEventStore(Options()).status(); }

  // Verify as `kuimen verify` runs it: read-only, opened for a single scan.
  VerifyReport VerifySingleScan() {
    EventStoreOptions options = Options();
    options.read_only = true;
    options.single_scan = true;
    Result<std::unique_ptr<EventStore>> store = OpenEventStore(options);
    EXPECT_TRUE(store.ok()) << store.status().ToString();
    if (!store.ok()) return VerifyReport{};
    EXPECT_TRUE((*store)->Scrub().ok());
    return (*store)->Verify();
  }
};

// The WAL replayed into unsorted memtables holds an edit beside the original
// record and a deletion beside the deleted one: read once, sorted, the newest
// wins exactly as in a skip list.
TEST_F(TamperTest, ASingleScanOpenFindsEditsAndDeletionsStillInTheWriteAheadLog) {
  AppendEvents(6);
  {
    VerifyReport intact = VerifySingleScan();
    EXPECT_TRUE(intact.ok) << intact.problem;
    EXPECT_EQ(intact.events, 6u);
  }
  Tamper([](rocksdb::DB& db, const auto& families) {
    rocksdb::ColumnFamilyHandle* log = families[1];
    ASSERT_TRUE(db.Delete(rocksdb::WriteOptions(), log, storage::EncodeU64Key(5)).ok());
    std::string record;
    ASSERT_TRUE(db.Get(rocksdb::ReadOptions(), log, storage::EncodeU64Key(4), &record).ok());
    const std::string from = "第3阶段", to = "第8阶段";
    size_t at = record.find(from);
    ASSERT_NE(at, std::string::npos);
    record.replace(at, from.size(), to);
    ASSERT_TRUE(db.Put(rocksdb::WriteOptions(), log, storage::EncodeU64Key(4), record).ok());
  }, /*only_in_wal=*/true);
  for (const auto& entry : std::filesystem::directory_iterator(Options().dir)) {
    EXPECT_NE(entry.path().extension(), ".sst") << "the edit must be read from the WAL, not a flushed table";
  }
  VerifyReport report = VerifySingleScan();
  EXPECT_FALSE(report.ok);
  EXPECT_EQ(report.bad_position, GlobalPosition(4));
  EXPECT_EQ(report.events, 3u);
  EXPECT_NE(report.problem.find("hash"), std::string::npos) << report.problem;
}

TEST_F(TamperTest, VerifyNamesThePositionOfAnEditedEvent) {
  AppendEvents(5);
  Tamper([](rocksdb::DB& db, const auto& families) {
    rocksdb::ColumnFamilyHandle* log = families[1];
    std::string record;
    ASSERT_TRUE(db.Get(rocksdb::ReadOptions(), log, storage::EncodeU64Key(3), &record).ok());
    const std::string from = "第2阶段", to = "第9阶段";  // same length: the record stays well formed
    size_t at = record.find(from);
    ASSERT_NE(at, std::string::npos);
    record.replace(at, from.size(), to);
    ASSERT_TRUE(db.Put(rocksdb::WriteOptions(), log, storage::EncodeU64Key(3), record).ok());
  });
  auto store = Open();
  VerifyReport report = store->Verify();
  EXPECT_FALSE(report.ok);
  EXPECT_EQ(report.bad_position, GlobalPosition(3));
  EXPECT_EQ(report.events, 2u);
  EXPECT_NE(report.problem.find("hash"), std::string::npos) << report.problem;
}

TEST_F(TamperTest, VerifyNamesADeletedPosition) {
  AppendEvents(4);
  Tamper([](rocksdb::DB& db, const auto& families) {
    rocksdb::ColumnFamilyHandle* log = families[1];
    ASSERT_TRUE(db.Delete(rocksdb::WriteOptions(), log, storage::EncodeU64Key(2)).ok());
  });
  VerifyReport report = Open()->Verify();
  EXPECT_FALSE(report.ok);
  EXPECT_EQ(report.bad_position, GlobalPosition(2));
}

TEST_F(TamperTest, VerifyFindsARecomputedHashThatBreaksTheChain) {
  AppendEvents(4);
  // A careful forger rewrites event 2 and recomputes its hash; event 3's
  // prev_hash still names the original, so the chain breaks at 3.
  Tamper([](rocksdb::DB& db, const auto& families) {
    rocksdb::ColumnFamilyHandle* log = families[1];
    std::string bytes;
    ASSERT_TRUE(db.Get(rocksdb::ReadOptions(), log, storage::EncodeU64Key(2), &bytes).ok());
    Result<RecordedEvent> event = storage::DecodeRecord(bytes);
    ASSERT_TRUE(event.ok());
    event->data = "{\"milestone\":\"伪造\"}";
    event->hash = Sha256(storage::EncodeCanonical(*event));
    ASSERT_TRUE(db.Put(rocksdb::WriteOptions(), log, storage::EncodeU64Key(2), storage::EncodeRecord(*event)).ok());
  });
  VerifyReport report = Open()->Verify();
  EXPECT_FALSE(report.ok);
  EXPECT_EQ(report.bad_position, GlobalPosition(3));
  EXPECT_NE(report.problem.find("prev_hash"), std::string::npos) << report.problem;
}

TEST_F(TamperTest, AnIntactStoreVerifies) {
  AppendEvents(6);
  auto store = Open();
  VerifyReport report = store->Verify();
  EXPECT_TRUE(report.ok) << report.problem;
  EXPECT_EQ(report.events, 6u);
  EXPECT_EQ(report.head.position, GlobalPosition(6));
  EXPECT_EQ(report.head.hash, store->Head().hash);
}

TEST_F(TamperTest, ARocksDbOfAnotherFormatIsRefused) {
  rocksdb::Options options;
  options.create_if_missing = true;
  rocksdb::DB* raw = nullptr;
  ASSERT_TRUE(rocksdb::DB::Open(options, Options().dir.string(), &raw).ok());
  ASSERT_TRUE(raw->Put(rocksdb::WriteOptions(), "hello", "world").ok());
  delete raw;
  Status status = OpenStatus();
  EXPECT_EQ(status.code(), StatusCode::kFailedPrecondition);
  EXPECT_NE(status.message().find("another format"), std::string::npos) << status.message();
}

TEST_F(TamperTest, ANonEmptyDirectoryWithoutAStoreIsRefusedNotOverwritten) {
  std::filesystem::create_directories(Options().dir);
  std::ofstream(Options().dir / "notes.txt") << "someone's files";
  Status status = OpenStatus();
  EXPECT_EQ(status.code(), StatusCode::kFailedPrecondition);
  EXPECT_TRUE(std::filesystem::exists(Options().dir / "notes.txt"));
  EXPECT_FALSE(std::filesystem::exists(Options().dir / "CURRENT"));
}

TEST_F(TamperTest, AWrongFormatMarkerIsRefused) {
  AppendEvents(1);
  Tamper([](rocksdb::DB& db, const auto& families) {
    ASSERT_TRUE(db.Put(rocksdb::WriteOptions(), families[5], std::string(storage::kFormatKey), "kuimen-eventstore/99").ok());
  });

  Status status = OpenStatus();
  EXPECT_EQ(status.code(), StatusCode::kFailedPrecondition);
  EXPECT_NE(status.message().find("kuimen-eventstore/99"), std::string::npos) << status.message();
}

TEST_F(TamperTest, AGarbledManifestIsReportedAsCorruption) {
  AppendEvents(3);
  std::filesystem::path manifest;
  for (const auto& entry : std::filesystem::directory_iterator(Options().dir)) {
    if (entry.path().filename().string().rfind("MANIFEST-", 0) == 0) manifest = entry.path();
  }
  ASSERT_FALSE(manifest.empty());
  std::ofstream(manifest, std::ios::binary | std::ios::trunc) << std::string(4096, '\x5a');
  Status status = OpenStatus();
  EXPECT_EQ(status.code(), StatusCode::kDataLoss) << status.ToString();
  EXPECT_NE(status.message().find("corrupted"), std::string::npos) << status.message();
}

TEST_F(TamperTest, AGarbledCurrentFileIsRefusedWithAClearMessage) {
  AppendEvents(1);
  std::ofstream(Options().dir / "CURRENT", std::ios::trunc) << "not-a-manifest";
  Status status = OpenStatus();
  EXPECT_FALSE(status.ok());
  EXPECT_NE(status.message().find(Options().dir.string()), std::string::npos) << status.message();
}

}  // namespace
}  // namespace kuimen
