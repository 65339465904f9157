// The signed digest: an auditor keeps it outside the system, and a history
// rewritten since (even with every hash recomputed) fails its check.
#include "gateway/digest_signer.h"

#include <sys/stat.h>

#include <fstream>
#include <functional>

#include <nlohmann/json.hpp>
#include <rocksdb/db.h>

#include "eventstore/envelope_json.h"
#include "eventstore/rocks_event_store.h"
#include "eventstore/sha256.h"
#include "eventstore/storage_format.h"
#include "tests/eventstore/store_fixture.h"

namespace kuimen {
namespace {

using nlohmann::json;

unsigned Mode(const std::filesystem::path& path) {
  struct stat info {};
  EXPECT_EQ(::stat(path.c_str(), &info), 0) << path;
  return info.st_mode & 0777;
}

class DigestSignerTest : public testing::StoreTest {
 protected:
  std::filesystem::path KeyFile() const { return dir_.path() / "keys" / "audit-ed25519.pem"; }

  std::unique_ptr<DigestSigner> Signer(const std::filesystem::path& key_file) {
    Result<std::unique_ptr<DigestSigner>> signer = DigestSigner::LoadOrCreate(key_file);
    EXPECT_TRUE(signer.ok()) << signer.status().ToString();
    return signer.ok() ? std::move(signer).value() : nullptr;
  }

  void AppendEvents(EventStore& store, int count) {
    for (int i = 0; i < count; ++i) {
      clock_.Advance(std::chrono::seconds(60));
      ASSERT_TRUE(store.Append(StreamId{"task-07"}, std::nullopt,
                               {Event("{\"milestone\":\"第" + std::to_string(i) + "阶段\"}")}).ok());
    }
  }

  // Appends `count` events and returns the digest of the head, with the store closed.
  json SignedAfter(int count) {
    auto store = Open();
    AppendEvents(*store, count);
    Result<json> digest = Signer(KeyFile())->SignHead(*store, clock_);
    EXPECT_TRUE(digest.ok()) << digest.status().ToString();
    return digest.ok() ? *digest : json();
  }

  json CheckWithStore(const json& digest) {
    auto store = Open();
    Result<json> result = Signer(KeyFile())->Check(*store, digest);
    EXPECT_TRUE(result.ok()) << result.status().ToString();
    return result.ok() ? *result : json();
  }

  // Opens the store's RocksDB directly, as an intruder with file access would
  // (as tests/eventstore/tamper_test.cc does). Handles are in FamilyNames()
  // order: [1] is the log, [5] the meta family.
  void Tamper(const std::function<void(rocksdb::DB&, const std::vector<rocksdb::ColumnFamilyHandle*>&)>& edit) {
    std::vector<rocksdb::ColumnFamilyDescriptor> descriptors;
    for (const std::string& name : FamilyNames()) descriptors.emplace_back(name, rocksdb::ColumnFamilyOptions());
    std::vector<rocksdb::ColumnFamilyHandle*> handles;
    rocksdb::DB* raw = nullptr;
    ASSERT_TRUE(rocksdb::DB::Open(rocksdb::DBOptions(), Options().dir.string(), descriptors, &handles, &raw).ok());
    edit(*raw, handles);
    for (auto* handle : handles) raw->DestroyColumnFamilyHandle(handle);
    delete raw;
  }

  static RecordedEvent ReadRecord(rocksdb::DB& db, rocksdb::ColumnFamilyHandle* log, std::uint64_t position) {
    std::string bytes;
    EXPECT_TRUE(db.Get(rocksdb::ReadOptions(), log, storage::EncodeU64Key(position), &bytes).ok());
    Result<RecordedEvent> event = storage::DecodeRecord(bytes);
    EXPECT_TRUE(event.ok());
    return event.ok() ? *event : RecordedEvent{};
  }

  static void WriteRecord(rocksdb::DB& db, rocksdb::ColumnFamilyHandle* log, const RecordedEvent& event) {
    ASSERT_TRUE(
        db.Put(rocksdb::WriteOptions(), log, storage::EncodeU64Key(event.position.value), storage::EncodeRecord(event))
            .ok());
  }

  static void WriteHead(rocksdb::DB& db, rocksdb::ColumnFamilyHandle* meta, const RecordedEvent& last) {
    ASSERT_TRUE(db.Put(rocksdb::WriteOptions(), meta, std::string(storage::kHeadKey),
                       storage::EncodeHead(last.position, last.hash))
                    .ok());
  }
};

TEST_F(DigestSignerTest, CreatesAnOwnerOnlyKeyAndLoadsTheSameKeyAgain) {
  std::unique_ptr<DigestSigner> first = Signer(KeyFile());
  ASSERT_NE(first, nullptr);
  EXPECT_EQ(Mode(KeyFile()), 0600u);
  EXPECT_EQ(Mode(KeyFile().parent_path()), 0700u);
  std::ifstream in(KeyFile());
  std::string first_line;
  std::getline(in, first_line);
  EXPECT_EQ(first_line, "-----BEGIN PRIVATE KEY-----");  // PKCS#8

  std::unique_ptr<DigestSigner> again = Signer(KeyFile());
  ASSERT_NE(again, nullptr);
  EXPECT_EQ(again->PublicKeyPem(), first->PublicKeyPem());
  EXPECT_EQ(again->KeyId(), first->KeyId());
  EXPECT_EQ(first->KeyId().size(), 16u);
  EXPECT_EQ(first->PublicKeyPem().rfind("-----BEGIN PUBLIC KEY-----\n", 0), 0u);
}

TEST_F(DigestSignerTest, RefusesAKeyFileOthersCanRead) {
  ASSERT_NE(Signer(KeyFile()), nullptr);
  std::filesystem::permissions(KeyFile(), std::filesystem::perms::group_read,
                               std::filesystem::perm_options::add);
  Result<std::unique_ptr<DigestSigner>> signer = DigestSigner::LoadOrCreate(KeyFile());
  EXPECT_EQ(signer.status().code(), StatusCode::kFailedPrecondition);
  EXPECT_NE(signer.status().message().find("chmod 600"), std::string::npos) << signer.status().message();
}

TEST_F(DigestSignerTest, RefusesAFileThatHoldsNoEd25519Key) {
  std::filesystem::create_directories(KeyFile().parent_path());
  { std::ofstream(KeyFile()) << "not a key\n"; }
  std::filesystem::permissions(KeyFile(), std::filesystem::perms::owner_read | std::filesystem::perms::owner_write);
  Result<std::unique_ptr<DigestSigner>> signer = DigestSigner::LoadOrCreate(KeyFile());
  EXPECT_EQ(signer.status().code(), StatusCode::kFailedPrecondition);
  EXPECT_NE(signer.status().message().find(KeyFile().string()), std::string::npos) << signer.status().message();
}

TEST_F(DigestSignerTest, SignsTheHeadWithItsPositionHashAndTime) {
  auto store = Open();
  AppendEvents(*store, 3);
  const Timestamp recorded = clock_.Now();
  clock_.Advance(std::chrono::seconds(5));
  std::unique_ptr<DigestSigner> signer = Signer(KeyFile());

  Result<json> digest = signer->SignHead(*store, clock_);
  ASSERT_TRUE(digest.ok()) << digest.status().ToString();
  EXPECT_EQ((*digest)["format"], "kuimen-digest/1");
  EXPECT_EQ((*digest)["position"], 3);
  EXPECT_EQ((*digest)["hash"], ToHex(store->Head().hash));
  EXPECT_EQ((*digest)["recorded_at"], FormatTimestamp(recorded));
  EXPECT_EQ((*digest)["signed_at"], FormatTimestamp(clock_.Now()));
  EXPECT_EQ((*digest)["key_id"], signer->KeyId());
  EXPECT_EQ((*digest)["algorithm"], "Ed25519");
  EXPECT_EQ((*digest)["signature"].get<std::string>().size(), 88u);  // 64 bytes in base64

  Result<json> check = signer->Check(*store, *digest);
  ASSERT_TRUE(check.ok()) << check.status().ToString();
  EXPECT_EQ((*check)["ok"], true) << check->dump();
  EXPECT_EQ((*check)["head_position"], 3);
}

TEST_F(DigestSignerTest, ADigestOfAnEmptyLogNamesPositionZeroAndChecks) {
  auto store = Open();
  std::unique_ptr<DigestSigner> signer = Signer(KeyFile());
  Result<json> digest = signer->SignHead(*store, clock_);
  ASSERT_TRUE(digest.ok()) << digest.status().ToString();
  EXPECT_EQ((*digest)["position"], 0);
  EXPECT_EQ((*digest)["hash"], std::string(64, '0'));
  EXPECT_TRUE((*digest)["recorded_at"].is_null());
  EXPECT_EQ((*signer->Check(*store, *digest))["ok"], true);
}

TEST_F(DigestSignerTest, AnOldDigestStillChecksAfterTheLogGrowsAndTheServerRestarts) {
  json digest = SignedAfter(2);
  {
    auto store = Open();
    AppendEvents(*store, 3);
  }
  json check = CheckWithStore(digest);  // a new store and a signer loaded from the file
  EXPECT_EQ(check["ok"], true) << check.dump();
  EXPECT_EQ(check["position"], 2);
  EXPECT_EQ(check["head_position"], 5);
}

TEST_F(DigestSignerTest, ADigestAlteredInAnySignedFieldFailsTheCheck) {
  json digest = SignedAfter(3);
  std::string other_hash;
  {
    auto store = Open();
    other_hash = ToHex(Drain(store->ReadAll(GlobalPosition(2))).front().hash);
  }
  std::string signature = digest["signature"];
  signature[10] = signature[10] == 'A' ? 'B' : 'A';
  const std::vector<std::pair<std::string, json>> edits = {
      {"position", 2},  // a position the log holds, with the hash of position 3
      {"hash", other_hash},
      {"recorded_at", "2024-11-01T00:00:00.000000Z"},
      {"signed_at", "2030-01-01T00:00:00.000000Z"},
      {"signature", signature},
  };
  for (const auto& [field, value] : edits) {
    SCOPED_TRACE(field);
    json altered = digest;
    altered[field] = value;
    json check = CheckWithStore(altered);
    EXPECT_EQ(check["ok"], false) << check.dump();
    EXPECT_NE(check.value("reason", "").find("signature does not match"), std::string::npos) << check.dump();
  }
  EXPECT_EQ(CheckWithStore(digest)["ok"], true);
}

TEST_F(DigestSignerTest, ADigestSignedByAnotherKeyFails) {
  auto store = Open();
  AppendEvents(*store, 2);
  std::unique_ptr<DigestSigner> ours = Signer(KeyFile());
  std::unique_ptr<DigestSigner> theirs = Signer(dir_.path() / "elsewhere" / "key.pem");
  ASSERT_NE(ours->KeyId(), theirs->KeyId());
  json digest = *theirs->SignHead(*store, clock_);

  json check = *ours->Check(*store, digest);
  EXPECT_EQ(check["ok"], false);
  EXPECT_NE(check.value("reason", "").find("another key"), std::string::npos) << check.dump();

  digest["key_id"] = ours->KeyId();  // claiming our key does not make it our signature
  check = *ours->Check(*store, digest);
  EXPECT_EQ(check["ok"], false);
  EXPECT_NE(check.value("reason", "").find("signature does not match"), std::string::npos) << check.dump();
}

TEST_F(DigestSignerTest, AMalformedDigestIsInvalidArgumentNamingTheField) {
  auto store = Open();
  AppendEvents(*store, 1);
  std::unique_ptr<DigestSigner> signer = Signer(KeyFile());
  const json digest = *signer->SignHead(*store, clock_);
  struct Case {
    std::string field;
    std::function<void(json&)> edit;
  };
  const std::vector<Case> cases = {
      {"position", [](json& d) { d.erase("position"); }},
      {"position", [](json& d) { d["position"] = "1"; }},
      {"position", [](json& d) { d["position"] = -1; }},
      {"hash", [](json& d) { d["hash"] = "xyz"; }},
      {"recorded_at", [](json& d) { d["recorded_at"] = "yesterday"; }},
      {"signed_at", [](json& d) { d.erase("signed_at"); }},
      {"key_id", [](json& d) { d["key_id"] = 7; }},
      {"format", [](json& d) { d["format"] = "kuimen-digest/2"; }},
      {"algorithm", [](json& d) { d["algorithm"] = "RSA"; }},
      {"signature", [](json& d) { d["signature"] = "not base64!"; }},
      {"signature", [](json& d) { d["signature"] = "c2hvcnQ="; }},  // base64, but 5 bytes
  };
  for (const Case& c : cases) {
    json altered = digest;
    c.edit(altered);
    SCOPED_TRACE(altered.dump());
    Result<json> check = signer->Check(*store, altered);
    EXPECT_EQ(check.status().code(), StatusCode::kInvalidArgument);
    EXPECT_EQ(check.status().subject(), c.field) << check.status().ToString();
  }
  EXPECT_EQ(signer->Check(*store, json::array()).status().code(), StatusCode::kInvalidArgument);
}

TEST_F(DigestSignerTest, AnEventEditedUnderTheStoreFailsTheCheck) {
  json digest = SignedAfter(4);
  Tamper([](rocksdb::DB& db, const auto& families) {
    RecordedEvent event = ReadRecord(db, families[1], 2);
    event.data = "{\"milestone\":\"伪造\"}";  // the stored hash no longer matches
    WriteRecord(db, families[1], event);
  });
  json check = CheckWithStore(digest);
  EXPECT_EQ(check["ok"], false);
  EXPECT_EQ(check["bad_position"], 2);
  EXPECT_NE(check.value("reason", "").find("altered at position 2"), std::string::npos) << check.dump();
}

TEST_F(DigestSignerTest, AHistoryRewrittenWithRecomputedHashesVerifiesButFailsTheCheck) {
  json digest = SignedAfter(4);
  // A careful forger rewrites event 2 and recomputes every hash after it and
  // the head, so the chain is whole again; only the kept digest tells.
  Tamper([](rocksdb::DB& db, const auto& families) {
    Sha256Digest prev = ReadRecord(db, families[1], 1).hash;
    RecordedEvent event;
    for (std::uint64_t position = 2; position <= 4; ++position) {
      event = ReadRecord(db, families[1], position);
      if (position == 2) event.data = "{\"milestone\":\"伪造\"}";
      event.prev_hash = prev;
      event.hash = Sha256(storage::EncodeCanonical(event));
      WriteRecord(db, families[1], event);
      prev = event.hash;
    }
    WriteHead(db, families[5], event);
  });
  ASSERT_TRUE(Open()->Verify().ok);

  json check = CheckWithStore(digest);
  EXPECT_EQ(check["ok"], false);
  EXPECT_EQ(check["bad_position"], 4);
  EXPECT_NE(check.value("reason", "").find("rewritten"), std::string::npos) << check.dump();
}

TEST_F(DigestSignerTest, ALogCutShortBeforeTheSignedPositionFailsTheCheck) {
  json digest = SignedAfter(4);
  Tamper([](rocksdb::DB& db, const auto& families) {
    RecordedEvent last = ReadRecord(db, families[1], 2);
    ASSERT_TRUE(db.Delete(rocksdb::WriteOptions(), families[1], storage::EncodeU64Key(3)).ok());
    ASSERT_TRUE(db.Delete(rocksdb::WriteOptions(), families[1], storage::EncodeU64Key(4)).ok());
    WriteHead(db, families[5], last);
  });
  ASSERT_TRUE(Open()->Verify().ok);

  json check = CheckWithStore(digest);
  EXPECT_EQ(check["ok"], false);
  EXPECT_NE(check.value("reason", "").find("ends at position 2"), std::string::npos) << check.dump();
}

TEST_F(DigestSignerTest, ABreakAfterTheSignedPositionLeavesTheDigestGoodWithAWarning) {
  json digest = SignedAfter(2);
  {
    auto store = Open();
    AppendEvents(*store, 2);
  }
  Tamper([](rocksdb::DB& db, const auto& families) {
    RecordedEvent event = ReadRecord(db, families[1], 4);
    event.data = "{\"milestone\":\"伪造\"}";
    WriteRecord(db, families[1], event);
  });
  json check = CheckWithStore(digest);
  EXPECT_EQ(check["ok"], true) << check.dump();
  EXPECT_EQ(check["bad_position"], 4);
  EXPECT_NE(check.value("warning", "").find("position 4"), std::string::npos) << check.dump();
}

}  // namespace
}  // namespace kuimen
