// The built `kuimen` binary run as a separate process, as an operator would.
#include <sys/wait.h>

#include <cstdio>
#include <fstream>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <rocksdb/db.h>

#include "eventstore/rocks_event_store.h"
#include "eventstore/storage_format.h"
#include "tests/support/kuimen_binary.h"
#include "tests/support/temp_dir.h"

namespace kuimen {
namespace {

using testing::KuimenRun;
using testing::ShellQuote;

// The binary with `args`; stdout, and stderr too when asked.
KuimenRun Kuimen(const std::string& args, bool with_stderr = false) { return testing::RunKuimen(args, with_stderr); }

TEST(KuimenCatalog, PrintsAll29TasksAnd5MajorItemsAsJson) {
  KuimenRun run = Kuimen("catalog --format json");
  ASSERT_EQ(run.exit_code, 0);
  nlohmann::json catalog = nlohmann::json::parse(run.out);
  EXPECT_EQ(catalog["document"]["number"], "奉节府办发〔2024〕62号");
  ASSERT_EQ(catalog["tasks"].size(), 29u);
  ASSERT_EQ(catalog["major_items"].size(), 5u);
  const nlohmann::json& task9 = catalog["tasks"][8];
  EXPECT_EQ(task9["no"], 9);
  EXPECT_EQ(task9["lead_unit"], "县政府口岸物流办");
  EXPECT_EQ(task9["cooperating_units"].size(), 5u);
  for (const char* key : {"no", "category", "item", "text", "lead_unit", "cooperating_units", "targets"}) {
    EXPECT_TRUE(task9.contains(key)) << key;
  }
  EXPECT_EQ(catalog["major_items"][2]["kind"], "平台");
}

TEST(KuimenCatalog, RefusesAMalformedCatalogFileNamingTheEntry) {
  testing::TempDir dir;
  nlohmann::json plan = nlohmann::json::parse(Kuimen("catalog").out);
  plan["tasks"][5]["lead_unit"] = "";
  const std::string path = (dir.path() / "bad.json").string();
  FILE* file = fopen(path.c_str(), "w");
  fputs(plan.dump().c_str(), file);
  fclose(file);
  KuimenRun run = Kuimen("catalog --catalog " + ShellQuote(path), /*with_stderr=*/true);
  EXPECT_EQ(run.exit_code, 1);
  EXPECT_NE(run.out.find("tasks[no=6].lead_unit: must not be empty"), std::string::npos) << run.out;
}

TEST(KuimenVerify, ReportsOkForAnIntactStoreAndRefusesAMissingOne) {
  testing::TempDir dir;
  const std::string data = ShellQuote((dir.path() / "data").string());
  KuimenRun submit = Kuimen("submit --data " + data + " --stream task-18 --principal p1 --role department --unit " +
                      ShellQuote("县政府金融服务中心") + " --type ProgressReported --json " +
                      ShellQuote(R"({"period":"2024-11","summary":"整村授信覆盖12个村","percent":30})"));
  ASSERT_EQ(submit.exit_code, 0) << submit.out;
  nlohmann::json event = nlohmann::json::parse(submit.out);
  EXPECT_EQ(event["stream"], "task-18");
  EXPECT_EQ(event["position"], 1);
  EXPECT_EQ(event["actor"]["unit"], "县政府金融服务中心");

  KuimenRun verify = Kuimen("verify --data " + data);
  EXPECT_EQ(verify.exit_code, 0);
  EXPECT_EQ(verify.out, "ok 1 events, head " + event["hash"].get<std::string>() + "\n");

  KuimenRun log = Kuimen("log --data " + data);
  EXPECT_EQ(log.exit_code, 0);
  EXPECT_EQ(nlohmann::json::parse(log.out)["id"], event["id"]);

  EXPECT_EQ(Kuimen("verify --data " + ShellQuote((dir.path() / "nothing").string())).exit_code, 1);
}

TEST(KuimenVerify, NamesTheFirstPositionThatWasEditedBehindTheStoresBack) {
  testing::TempDir dir;
  const std::string data = ShellQuote((dir.path() / "data").string());
  for (const char* milestone : {"一季度", "二季度", "三季度", "四季度"}) {
    KuimenRun set = Kuimen("submit --data " + data + " --stream task-02 --principal p-tf --role taskforce --type DeadlineSet --json " +
                            ShellQuote(std::string(R"({"milestone":")") + milestone + R"(","due":"2024-12-31"})"));
    ASSERT_EQ(set.exit_code, 0);
  }
  {
    std::vector<rocksdb::ColumnFamilyDescriptor> families;
    for (const std::string& name : FamilyNames()) families.emplace_back(name, rocksdb::ColumnFamilyOptions());
    std::vector<rocksdb::ColumnFamilyHandle*> handles;
    rocksdb::DB* db = nullptr;
    ASSERT_TRUE(rocksdb::DB::Open(rocksdb::DBOptions(), (dir.path() / "data" / "store").string(), families, &handles, &db).ok());
    std::string record;
    ASSERT_TRUE(db->Get(rocksdb::ReadOptions(), handles[1], storage::EncodeU64Key(3), &record).ok());
    record.replace(record.find("三季度"), std::string("三季度").size(), "一季度");
    ASSERT_TRUE(db->Put(rocksdb::WriteOptions(), handles[1], storage::EncodeU64Key(3), record).ok());
    for (auto* handle : handles) db->DestroyColumnFamilyHandle(handle);
    delete db;
  }
  KuimenRun verify = Kuimen("verify --data " + data);
  EXPECT_EQ(verify.exit_code, 1);
  EXPECT_EQ(verify.out.rfind("FAILED at position 3: ", 0), 0u) << verify.out;
}

// Three events through the binary; the last one stays in the write-ahead log
// (each start flushes the previous log into table files). Returns the log.
std::filesystem::path SubmitThreeAndFindTheWal(const std::filesystem::path& data) {
  for (const char* milestone : {"一季度", "二季度", "三季度"}) {
    KuimenRun set = Kuimen("submit --data " + ShellQuote(data.string()) +
                           " --stream task-02 --principal p-tf --role taskforce --type DeadlineSet --json " +
                           ShellQuote(std::string(R"({"milestone":")") + milestone + R"(","due":"2024-12-31"})"));
    EXPECT_EQ(set.exit_code, 0) << set.out;
  }
  std::filesystem::path wal;
  for (const auto& entry : std::filesystem::directory_iterator(data / "store")) {
    if (entry.path().extension() == ".log" && entry.file_size() > 0) wal = entry.path();
  }
  return wal;
}

void FlipByteInTheMiddle(const std::filesystem::path& file) {
  std::fstream io(file, std::ios::binary | std::ios::in | std::ios::out);
  const auto middle = static_cast<std::streamoff>(std::filesystem::file_size(file) / 2);
  io.seekg(middle);
  char byte = 0;
  io.read(&byte, 1);
  byte = static_cast<char>(byte ^ 0x20);
  io.seekp(middle);
  io.write(&byte, 1);
}

TEST(KuimenVerify, RefusesAStoreWithADamagedWriteAheadLogNamingTheFileAndTheRepair) {
  testing::TempDir dir;
  const std::filesystem::path wal = SubmitThreeAndFindTheWal(dir.path() / "data");
  ASSERT_FALSE(wal.empty());
  FlipByteInTheMiddle(wal);
  KuimenRun verify = Kuimen("verify --data " + ShellQuote((dir.path() / "data").string()), /*with_stderr=*/true);
  EXPECT_EQ(verify.exit_code, 1);
  EXPECT_NE(verify.out.find(wal.filename().string() + " is damaged at byte 0"), std::string::npos) << verify.out;
  EXPECT_NE(verify.out.find("kuimen restore --from BACKUP"), std::string::npos) << verify.out;
  // serve and submit refuse it the same way: nothing starts over a damaged log.
  KuimenRun submit = Kuimen("submit --data " + ShellQuote((dir.path() / "data").string()) +
                                " --stream task-02 --principal p-tf --role taskforce --type DeadlineSet --json " +
                                ShellQuote(R"({"milestone":"四季度","due":"2024-12-31"})"),
                            /*with_stderr=*/true);
  EXPECT_EQ(submit.exit_code, 1);
  EXPECT_NE(submit.out.find("is damaged at byte"), std::string::npos) << submit.out;
}

TEST(KuimenSalvage, CopiesTheIntactPrefixOfADamagedStoreAndSaysWhereTheLogEnds) {
  testing::TempDir dir;
  const std::filesystem::path wal = SubmitThreeAndFindTheWal(dir.path() / "data");
  ASSERT_FALSE(wal.empty());
  FlipByteInTheMiddle(wal);
  const std::string salvaged = ShellQuote((dir.path() / "salvaged").string());
  KuimenRun salvage = Kuimen("salvage --data " + ShellQuote((dir.path() / "data").string()) + " --to " + salvaged);
  ASSERT_EQ(salvage.exit_code, 0) << salvage.out;
  EXPECT_EQ(salvage.out.rfind("salvaged 2 events into ", 0), 0u) << salvage.out;
  EXPECT_NE(salvage.out.find("after position 2"), std::string::npos) << salvage.out;
  KuimenRun verify = Kuimen("verify --data " + salvaged);
  EXPECT_EQ(verify.exit_code, 0) << verify.out;
  EXPECT_EQ(verify.out.rfind("ok 2 events", 0), 0u) << verify.out;
  // The damaged directory is left as it was, still refused.
  EXPECT_EQ(Kuimen("verify --data " + ShellQuote((dir.path() / "data").string())).exit_code, 1);
}

TEST(KuimenStore, KeepsItsDirectoryAndFilesToTheOwner) {
  testing::TempDir dir;
  const std::filesystem::path data = dir.path() / "data";
  ASSERT_FALSE(SubmitThreeAndFindTheWal(data).empty());
  namespace fs = std::filesystem;
  const fs::perms others = fs::perms::group_all | fs::perms::others_all;
  EXPECT_EQ(fs::status(data / "store").permissions() & fs::perms::all, fs::perms::owner_all);
  for (const auto& entry : fs::directory_iterator(data / "store")) {
    EXPECT_EQ(entry.status().permissions() & others, fs::perms::none) << entry.path();
  }
  // A store left open to others (made by an older kuimen) is mended at open.
  fs::permissions(data / "store", fs::perms::owner_all | fs::perms::group_read | fs::perms::group_exec |
                                      fs::perms::others_read | fs::perms::others_exec);
  fs::permissions(data / "store" / "CURRENT", fs::perms::owner_read | fs::perms::owner_write | fs::perms::others_read);
  ASSERT_EQ(Kuimen("submit --data " + ShellQuote(data.string()) +
                   " --stream task-02 --principal p-tf --role taskforce --type DeadlineSet --json " +
                   ShellQuote(R"({"milestone":"四季度","due":"2024-12-31"})"))
                .exit_code,
            0);
  EXPECT_EQ(fs::status(data / "store").permissions() & fs::perms::all, fs::perms::owner_all);
  EXPECT_EQ(fs::status(data / "store" / "CURRENT").permissions() & others, fs::perms::none);
}

TEST(KuimenRules, PrintsRulesThatLoadBackAndRefusesBrokenOnesNamingTheField) {
  testing::TempDir dir;
  KuimenRun rules = Kuimen("rules");
  ASSERT_EQ(rules.exit_code, 0);
  nlohmann::json parsed = nlohmann::json::parse(rules.out);
  EXPECT_EQ(parsed["version"], "fengjie-2024.3");
  const std::string good = (dir.path() / "rules.json").string();
  parsed["version"] = "fengjie-2025.1";
  FILE* file = fopen(good.c_str(), "w");
  fputs(parsed.dump().c_str(), file);
  fclose(file);
  EXPECT_EQ(nlohmann::json::parse(Kuimen("rules --assessment-rules " + ShellQuote(good)).out)["version"], "fengjie-2025.1");

  parsed["total"] = 90;  // the rules' points no longer add up
  const std::string bad = (dir.path() / "bad.json").string();
  file = fopen(bad.c_str(), "w");
  fputs(parsed.dump().c_str(), file);
  fclose(file);
  KuimenRun refused = Kuimen("rules --assessment-rules " + ShellQuote(bad), /*with_stderr=*/true);
  EXPECT_EQ(refused.exit_code, 1);
  EXPECT_NE(refused.out.find("bad.json"), std::string::npos) << refused.out;
}

TEST(KuimenSubmit, ExplainsARefusal) {
  testing::TempDir dir;
  KuimenRun run = Kuimen("submit --data " + ShellQuote((dir.path() / "data").string()) +
                   " --stream task-18 --principal p1 --role department --unit " + ShellQuote("县商务委") +
                   " --type ProgressReported --json " +
                   ShellQuote(R"({"period":"2024-11","summary":"x","percent":30})"),
                   /*with_stderr=*/true);
  EXPECT_EQ(run.exit_code, 1);
  EXPECT_NE(run.out.find("unit_not_involved"), std::string::npos) << run.out;
}

// Issue 9, item 8: librdkafka settings for a secured broker, never the ones
// kuimen's delivery promises rest on.
TEST(KuimenServe, KafkaConfigIsForSecuritySettingsOfARealBroker) {
  testing::TempDir dir;
  std::ofstream(dir.path() / "value") << "1\n";
  const std::string data = " --data " + ShellQuote((dir.path() / "data").string()) + " --listen 127.0.0.1:0";
  struct Case {
    std::string args;
    std::string says;
  };
  const Case cases[] = {
      {"--kafka-config security.protocol=SASL_SSL", "--kafka-brokers"},
      {"--kafka-brokers 127.0.0.1:1 --kafka-config acks=0", "acks"},
      {"--kafka-brokers 127.0.0.1:1 --kafka-config enable.idempotence=false", "enable.idempotence"},
      {"--kafka-brokers 127.0.0.1:1 --kafka-config security.protocol", "KEY=VALUE"},
      {"--kafka-brokers 127.0.0.1:1 --kafka-config no.such.setting=1", "no.such.setting"},
      {"--kafka-brokers 127.0.0.1:1 --kafka-config sasl.password=@" + (dir.path() / "missing").string(), "missing"},
      {"--kafka-brokers 127.0.0.1:1 --kafka-config no.such.setting=@" + (dir.path() / "value").string(),
       "no.such.setting"},
  };
  for (const Case& c : cases) {
    KuimenRun run = Kuimen("serve" + data + " " + c.args, /*with_stderr=*/true);
    EXPECT_NE(run.exit_code, 0) << c.args << "\n" << run.out;
    EXPECT_NE(run.out.find(c.says), std::string::npos) << c.args << "\n" << run.out;
  }
}

}  // namespace
}  // namespace kuimen
