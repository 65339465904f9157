// Tampering: 1,000 seeded mutations of a stored log by someone with file
// access but without the signing key — a field edited, an event deleted, two
// reordered, the tail cut off, the chain recomputed from an edited event on.
// Every one is found: by Verify (the hash chain), or, where the forger rebuilt
// a consistent chain, by checking the signed digest an auditor kept.
//
// Fast: one store, mutated through RocksDB directly and put back after each
// mutation, instead of a copy per mutation.
#include <cstdio>
#include <map>
#include <random>

#include <nlohmann/json.hpp>
#include <rocksdb/db.h>
#include <rocksdb/write_batch.h>

#include "eventstore/rocks_event_store.h"
#include "eventstore/sha256.h"
#include "eventstore/storage_format.h"
#include "gateway/digest_signer.h"
#include "tests/eventstore/store_fixture.h"

namespace kuimen {
namespace {

constexpr int kMutations = 1000;
constexpr int kEvents = 120;

enum class Kind { kEditField, kEditAndRehashOne, kDelete, kReorder, kTruncateTail, kRecomputeChain };
constexpr const char* kKindNames[] = {"edit a field", "edit and rehash one event", "delete an event",
                                      "reorder two events", "truncate the tail", "recompute the chain"};

class TamperSuiteTest : public testing::StoreTest {
 protected:
  void SetUp() override {
    // A log across several streams, and the digest an auditor keeps of its head.
    {
      auto store = Open();
      for (int i = 0; i < kEvents; ++i) {
        clock_.Advance(std::chrono::seconds(37));
        ASSERT_TRUE(store->Append(StreamId{"task-0" + std::to_string(1 + i % 5)}, std::nullopt,
                                  {Event("{\"milestone\":\"第" + std::to_string(i) + "阶段\",\"percent\":" +
                                         std::to_string(i % 100) + "}")}).ok());
      }
      Result<std::unique_ptr<DigestSigner>> signer = DigestSigner::LoadOrCreate(dir_.path() / "key.pem");
      ASSERT_TRUE(signer.ok()) << signer.status().ToString();
      signer_ = std::move(signer).value();
      Result<nlohmann::json> digest = signer_->SignHead(*store, clock_);
      ASSERT_TRUE(digest.ok()) << digest.status().ToString();
      digest_ = *digest;
    }
    // The same directory, opened through RocksDB (for the forger) and as a
    // read-only store over that same database (for the checks).
    std::vector<rocksdb::ColumnFamilyDescriptor> descriptors;
    for (const std::string& name : FamilyNames()) descriptors.emplace_back(name, rocksdb::ColumnFamilyOptions());
    std::vector<rocksdb::ColumnFamilyHandle*> handles;
    rocksdb::DB* raw = nullptr;
    ASSERT_TRUE(rocksdb::DB::Open(rocksdb::DBOptions(), Options().dir.string(), descriptors, &handles, &raw).ok());
    db_ = raw;
    log_ = handles[1];
    meta_ = handles[5];
    EventStoreOptions options = Options();
    options.read_only = true;  // no writer thread; the forger writes
    store_ = std::make_unique<RocksEventStore>(
        options, std::make_unique<OpenRocksDb>(options.dir.string(), std::unique_ptr<rocksdb::DB>(raw), handles,
                                               /*writable=*/false),
        std::make_shared<HealthBoard>());
    ASSERT_TRUE(store_->LoadState().ok());
    for (std::uint64_t p = 1; p <= kEvents; ++p) ASSERT_TRUE(db_->Get({}, log_, Key(p), &original_[p]).ok());
    ASSERT_TRUE(db_->Get({}, meta_, std::string(storage::kHeadKey), &original_head_).ok());
  }

  static std::string Key(std::uint64_t position) { return storage::EncodeU64Key(position); }

  RecordedEvent Decoded(std::uint64_t position) {
    Result<RecordedEvent> event = storage::DecodeRecord(original_[position]);
    EXPECT_TRUE(event.ok());
    return *event;
  }

  static void Rehash(RecordedEvent& event) { event.hash = Sha256(storage::EncodeCanonical(event)); }

  // Changes one field so that the canonical bytes differ.
  static void EditField(RecordedEvent& event, std::mt19937_64& random) {
    switch (random() % 5) {
      case 0: event.data.insert(event.data.size() - 1, ",\"x\":1"); break;
      case 1: event.recorded_at += std::chrono::microseconds(1 + random() % 1000000); break;
      case 2: event.actor.principal += "-forged"; break;
      case 3: event.type = event.type == "DeadlineSet" ? "TaskCompleted" : "DeadlineSet"; break;
      default: event.stream.value = event.stream.value == "task-09" ? "task-08" : "task-09"; break;
    }
  }

  void Put(rocksdb::WriteBatch& batch, std::uint64_t position, const RecordedEvent& event) {
    batch.Put(log_, Key(position), storage::EncodeRecord(event));
    touched_.push_back(position);
  }

  // Applies one seeded mutation through RocksDB.
  void Mutate(Kind kind, std::mt19937_64& random) {
    rocksdb::WriteBatch batch;
    auto pick = [&](std::uint64_t low) { return std::uniform_int_distribution<std::uint64_t>(low, kEvents)(random); };
    switch (kind) {
      case Kind::kEditField: {
        const std::uint64_t p = pick(1);
        RecordedEvent event = Decoded(p);
        EditField(event, random);
        Put(batch, p, event);  // the old hash kept
        break;
      }
      case Kind::kEditAndRehashOne: {
        const std::uint64_t p = pick(1);
        RecordedEvent event = Decoded(p);
        EditField(event, random);
        Rehash(event);
        Put(batch, p, event);
        break;
      }
      case Kind::kDelete: {
        const std::uint64_t p = pick(1);
        batch.Delete(log_, Key(p));
        touched_.push_back(p);
        break;
      }
      case Kind::kReorder: {
        const std::uint64_t p = pick(1);
        std::uint64_t q = pick(1);
        if (q == p) q = p == kEvents ? p - 1 : p + 1;
        RecordedEvent a = Decoded(p), b = Decoded(q);
        if (random() % 2 == 0) {  // a careful forger renumbers them too
          std::swap(a.position, b.position);
          Rehash(a);
          Rehash(b);
        }
        Put(batch, q, a);
        Put(batch, p, b);
        break;
      }
      case Kind::kTruncateTail: {
        const std::uint64_t keep = pick(1) - 1;  // 0..kEvents-1 events kept
        for (std::uint64_t p = keep + 1; p <= kEvents; ++p) {
          batch.Delete(log_, Key(p));
          touched_.push_back(p);
        }
        const Sha256Digest hash = keep == 0 ? Sha256Digest{} : Decoded(keep).hash;
        batch.Put(meta_, std::string(storage::kHeadKey), storage::EncodeHead(GlobalPosition(keep), hash));
        break;
      }
      case Kind::kRecomputeChain: {
        const std::uint64_t from = pick(1);
        Sha256Digest prev = from == 1 ? Sha256Digest{} : Decoded(from - 1).hash;
        for (std::uint64_t p = from; p <= kEvents; ++p) {
          RecordedEvent event = Decoded(p);
          if (p == from) EditField(event, random);
          event.prev_hash = prev;
          Rehash(event);
          prev = event.hash;
          Put(batch, p, event);
        }
        batch.Put(meta_, std::string(storage::kHeadKey), storage::EncodeHead(GlobalPosition(kEvents), prev));
        break;
      }
    }
    ASSERT_TRUE(db_->Write({}, &batch).ok());
  }

  void Restore() {
    rocksdb::WriteBatch batch;
    for (std::uint64_t p : touched_) batch.Put(log_, Key(p), original_[p]);
    batch.Put(meta_, std::string(storage::kHeadKey), original_head_);
    ASSERT_TRUE(db_->Write({}, &batch).ok());
    touched_.clear();
    ASSERT_TRUE(store_->LoadState().ok());
  }

  enum class Found { kAtOpen, kByVerify, kByDigest, kNot };

  // What an operator would run: open (the head check), verify, the digest check.
  Found Detect() {
    if (!store_->LoadState().ok()) return Found::kAtOpen;
    if (!store_->Verify().ok) return Found::kByVerify;
    Result<nlohmann::json> checked = signer_->Check(*store_, digest_);
    if (!checked.ok() || !checked->value("ok", false)) return Found::kByDigest;
    return Found::kNot;
  }

  std::unique_ptr<DigestSigner> signer_;
  nlohmann::json digest_;
  rocksdb::DB* db_ = nullptr;  // owned by store_
  rocksdb::ColumnFamilyHandle* log_ = nullptr;
  rocksdb::ColumnFamilyHandle* meta_ = nullptr;
  std::unique_ptr<RocksEventStore> store_;
  std::map<std::uint64_t, std::string> original_;
  std::string original_head_;
  std::vector<std::uint64_t> touched_;
};

TEST_F(TamperSuiteTest, EverySeededMutationIsFoundByVerifyOrTheSignedDigest) {
  const std::uint64_t seed = 62;  // 奉节府办发〔2024〕62号
  std::mt19937_64 random(seed);
  ASSERT_EQ(Detect(), Found::kNot) << "the untouched store must pass every check";
  std::map<Kind, std::array<int, 4>> found;
  for (int i = 0; i < kMutations; ++i) {
    const Kind kind = static_cast<Kind>(random() % 6);
    Mutate(kind, random);
    const Found how = Detect();
    ++found[kind][static_cast<int>(how)];
    EXPECT_NE(how, Found::kNot) << "seed " << seed << ", mutation " << i << " (" << kKindNames[static_cast<int>(kind)]
                                << ") went unnoticed";
    Restore();
    if (HasFailure()) break;
  }
  EXPECT_EQ(Detect(), Found::kNot) << "restoring must give back a store that passes";
  std::printf("[figure] tampering (seed %llu): %d mutations, all found;", static_cast<unsigned long long>(seed),
              kMutations);
  for (const auto& [kind, counts] : found) {
    std::printf(" %s: %d (open %d, verify %d, digest %d);", kKindNames[static_cast<int>(kind)],
                counts[0] + counts[1] + counts[2] + counts[3], counts[0], counts[1], counts[2]);
  }
  std::printf("\n");
}

}  // namespace
}  // namespace kuimen
