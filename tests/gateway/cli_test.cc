// The built `kuimen` binary run as a separate process, as an operator would.
#include <sys/wait.h>

#include <cstdio>

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

TEST(KuimenRules, PrintsRulesThatLoadBackAndRefusesBrokenOnesNamingTheField) {
  testing::TempDir dir;
  KuimenRun rules = Kuimen("rules");
  ASSERT_EQ(rules.exit_code, 0);
  nlohmann::json parsed = nlohmann::json::parse(rules.out);
  EXPECT_EQ(parsed["version"], "fengjie-2024.2");
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

}  // namespace
}  // namespace kuimen
