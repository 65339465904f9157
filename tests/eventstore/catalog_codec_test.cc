#include "eventstore/catalog_codec.h"

#include <fstream>
#include <set>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "tests/support/temp_dir.h"

#include "tests/support/behaviour_name.h"

namespace kuimen {
namespace {

Catalog Fengjie() {
  Result<Catalog> catalog = LoadDefaultCatalog();
  EXPECT_TRUE(catalog.ok()) << catalog.status().ToString();
  return catalog.ok() ? *catalog : Catalog{};
}

TEST(DefaultCatalog, IsTheFengjiePlanAsPrinted) {
  Catalog c = Fengjie();
  EXPECT_EQ(c.document.number, "奉节府办发〔2024〕62号");
  EXPECT_EQ(c.document.issuer, "奉节县人民政府办公室");
  EXPECT_EQ(c.document.date, "2024-10-15");
  EXPECT_EQ(c.document.basis, "渝府办发〔2024〕38号");
  ASSERT_EQ(c.tasks.size(), 29u);
  ASSERT_EQ(c.major_items.size(), 5u);
  for (std::uint64_t no = 1; no <= 29; ++no) EXPECT_NE(c.FindTask(TaskNo(no)), nullptr) << no;
}

TEST(DefaultCatalog, HasTask1WithItsUnitsAndTargets) {
  const Catalog catalog = Fengjie();
  const TaskSpec* task = catalog.FindTask(TaskNo(1));
  ASSERT_NE(task, nullptr);
  EXPECT_EQ(task->category, "着力构建为农服务平台");
  EXPECT_EQ(task->item, "规范组建农合联");
  EXPECT_EQ(task->lead_unit, "县供销合作社");
  EXPECT_EQ(task->cooperating_units,
            (std::vector<std::string>{"县委组织部", "县民政局", "县农业农村委", "各乡镇人民政府、街道办事处"}));
  ASSERT_EQ(task->targets.size(), 4u);
  EXPECT_EQ(task->targets[0].indicator, "农合联");
  EXPECT_EQ(task->targets[0].value, 11.0);
  EXPECT_EQ(task->targets[0].unit, "个");
}

TEST(DefaultCatalog, CarriesSpanningCellsDown) {
  Catalog c = Fengjie();
  // 附件2 prints 名称 and 事项 once for rows 23..29 (保障措施 / 加强政策支持).
  for (std::uint64_t no = 23; no <= 29; ++no) {
    EXPECT_EQ(c.FindTask(TaskNo(no))->category, "保障措施") << no;
    EXPECT_EQ(c.FindTask(TaskNo(no))->item, "加强政策支持") << no;
  }
  EXPECT_EQ(c.FindTask(TaskNo(17))->item, "强化重要物资保供");
  EXPECT_EQ(c.FindTask(TaskNo(17))->lead_unit, "县发展改革委");
}

TEST(DefaultCatalog, KeepsYearlessTargetsYearlessAndRecordsWhy) {
  Catalog c = Fengjie();
  const Target& mu = c.FindTask(TaskNo(7))->targets.at(0);
  EXPECT_EQ(mu.value, 78.0);
  EXPECT_EQ(mu.unit, "万亩次");
  EXPECT_FALSE(mu.year.has_value());
  const Target& yuan = c.FindTask(TaskNo(19))->targets.at(0);
  EXPECT_EQ(yuan.value, 15.0);
  EXPECT_EQ(yuan.unit, "亿元");
  std::set<std::string> noted;
  for (const Discrepancy& d : c.discrepancies) noted.insert(d.where);
  EXPECT_TRUE(noted.contains("tasks[no=7].targets"));
  EXPECT_TRUE(noted.contains("tasks[no=19].targets"));
  EXPECT_TRUE(noted.contains("major_items[no=5].units"));  // 附件1 lists 县商务委 first; task 11's lead differs
}

TEST(DefaultCatalog, HasTheFourMajorKindsAndCountyTargets) {
  Catalog c = Fengjie();
  std::vector<std::string> kinds;
  for (const MajorItem& item : c.major_items) kinds.push_back(item.kind);
  EXPECT_EQ(kinds, (std::vector<std::string>{"改革", "政策", "平台", "项目", "项目"}));
  EXPECT_EQ(c.major_items[4].units, (std::vector<std::string>{"县商务委", "县供销合作社"}));

  int with_year_2024 = 0, with_year_2027 = 0;
  for (const Target& t : c.targets) {
    with_year_2024 += t.year == 2024;
    with_year_2027 += t.year == 2027;
    if (t.year == 2024 && t.unit == "万亩次") {
      EXPECT_EQ(t.value, 39.0);
    }
    if (t.year == 2027 && t.unit == "亿元") {
      EXPECT_EQ(t.value, 15.0);
    }
  }
  EXPECT_EQ(with_year_2024, 5);
  EXPECT_EQ(with_year_2027, 5);
}

TEST(DefaultCatalog, ReadsOnlyTheUnambiguousCountyTargetsFromTasks) {
  Catalog c = Fengjie();
  const TargetSource services{TaskNo(7), "农业生产社会化服务规模"};
  const TargetSource credit{TaskNo(19), "“三位一体”改革信贷资金规模"};
  int with_source = 0;
  for (const Target& t : c.targets) {
    with_source += t.source.has_value();
    if (t.unit == "万亩次") {
      EXPECT_EQ(t.source, services) << t.indicator;
    } else if (t.unit == "亿元") {
      EXPECT_EQ(t.source, credit) << t.indicator;
    } else {
      EXPECT_FALSE(t.source.has_value()) << t.indicator;
    }
  }
  EXPECT_EQ(with_source, 4);  // 39 and 78 万亩次, 5 and 15 亿元
  std::set<std::string> noted;
  for (const Discrepancy& d : c.discrepancies) noted.insert(d.where);
  EXPECT_TRUE(noted.contains("targets[*].source"));
  EXPECT_TRUE(noted.contains("targets[indicator=撬动金融机构投入“三农”信贷资金].source"));
}

TEST(CatalogCodec, JsonOutputParsesBackToTheSameCatalog) {
  Catalog c = Fengjie();
  const std::string json = CatalogToJson(c);
  Result<Catalog> again = ParseCatalog(json);
  ASSERT_TRUE(again.ok()) << again.status().ToString();
  EXPECT_EQ(CatalogToJson(*again), json);
  nlohmann::json parsed = nlohmann::json::parse(json);
  EXPECT_EQ(parsed["tasks"][6]["targets"][0]["value"], 78);
  EXPECT_TRUE(parsed["tasks"][6]["targets"][0]["year"].is_null());
  EXPECT_EQ(parsed["targets"][3]["source"], (nlohmann::json{{"task", 7}, {"indicator", "农业生产社会化服务规模"}}));
  EXPECT_TRUE(parsed["targets"][0]["source"].is_null());
  EXPECT_FALSE(parsed["tasks"][6]["targets"][0].contains("source"));
}

TEST(CatalogCodec, LoadsAnotherPlanFromAFile) {
  testing::TempDir dir;
  nlohmann::json plan = nlohmann::json::parse(CatalogToJson(Fengjie()));
  plan["document"]["number"] = "巫山府办发〔2024〕1号";
  plan["tasks"] = nlohmann::json::array({plan["tasks"][0]});
  plan["major_items"] = nlohmann::json::array();
  for (nlohmann::json& target : plan["targets"]) target["source"] = nullptr;  // tasks 7 and 19 are gone
  std::ofstream(dir.path() / "plan.json") << plan.dump();
  Result<Catalog> loaded = LoadCatalogFile(dir.path() / "plan.json");
  ASSERT_TRUE(loaded.ok()) << loaded.status().ToString();
  EXPECT_EQ(loaded->document.number, "巫山府办发〔2024〕1号");
  EXPECT_EQ(loaded->tasks.size(), 1u);
}

TEST(CatalogCodec, ReadsTheNoticeSettingsOrTheirDefaults) {
  EXPECT_EQ(Fengjie().notice_number_prefix, "奉三位一体督");
  EXPECT_EQ(Fengjie().notice_sign_working_days, 2);
  nlohmann::json plan = nlohmann::json::parse(CatalogToJson(Fengjie()));
  plan["notice_number_prefix"] = "奉节督";
  plan["notice_sign_working_days"] = 3;
  Result<Catalog> parsed = ParseCatalog(plan.dump());
  ASSERT_TRUE(parsed.ok()) << parsed.status().ToString();
  EXPECT_EQ(parsed->notice_number_prefix, "奉节督");
  EXPECT_EQ(parsed->notice_sign_working_days, 3);
  plan.erase("notice_number_prefix");
  plan.erase("notice_sign_working_days");
  Result<Catalog> defaults = ParseCatalog(plan.dump());
  ASSERT_TRUE(defaults.ok()) << defaults.status().ToString();
  EXPECT_EQ(defaults->notice_number_prefix, "奉三位一体督");
  EXPECT_EQ(defaults->notice_sign_working_days, 2);
}

TEST(CatalogCodec, RefusesNoticeSettingsOutOfRange) {
  nlohmann::json plan = nlohmann::json::parse(CatalogToJson(Fengjie()));
  plan["notice_sign_working_days"] = 31;
  EXPECT_EQ(ParseCatalog(plan.dump()).status().subject(), "notice_sign_working_days");
  plan["notice_sign_working_days"] = 2;
  plan["notice_number_prefix"] = "";
  EXPECT_EQ(ParseCatalog(plan.dump()).status().subject(), "notice_number_prefix");
}

struct MalformedCase {
  const char* behaviour;
  void (*breakit)(nlohmann::json&);
  std::string field;
};

class CatalogCodecRefuses : public ::testing::TestWithParam<MalformedCase> {};

TEST_P(CatalogCodecRefuses, NamingTheEntryAndProblem) {
  nlohmann::json plan = nlohmann::json::parse(CatalogToJson(Fengjie()));
  GetParam().breakit(plan);
  Result<Catalog> parsed = ParseCatalog(plan.dump());
  EXPECT_EQ(parsed.status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(parsed.status().subject(), GetParam().field) << parsed.status().ToString();
}

INSTANTIATE_TEST_SUITE_P(
    Table, CatalogCodecRefuses,
    ::testing::Values(
        MalformedCase{"missing lead unit", [](nlohmann::json& p) { p["tasks"][3].erase("lead_unit"); }, "tasks[3].lead_unit"},
        MalformedCase{"number as string", [](nlohmann::json& p) { p["tasks"][0]["no"] = "1"; }, "tasks[0].no"},
        MalformedCase{"duplicate task", [](nlohmann::json& p) { p["tasks"][1]["no"] = 1; }, "tasks[no=1].no"},
        MalformedCase{"empty text", [](nlohmann::json& p) { p["tasks"][8]["text"] = ""; }, "tasks[no=9].text"},
        MalformedCase{"unknown unit", [](nlohmann::json& p) { p["tasks"][4]["cooperating_units"][0] = "县外事办"; },
                      "tasks[no=5].cooperating_units[0]"},
        MalformedCase{"misspelt key", [](nlohmann::json& p) { p["tasks"][2]["lead"] = "x"; }, "tasks[2].lead"},
        MalformedCase{"wrong schema", [](nlohmann::json& p) { p["schema"] = "kuimen-catalog/9"; }, "schema"},
        MalformedCase{"units not a list", [](nlohmann::json& p) { p["units"] = "县供销合作社"; }, "units"},
        MalformedCase{"source on a task target",
                      [](nlohmann::json& p) { p["tasks"][6]["targets"][0]["source"] = p["targets"][3]["source"]; },
                      "tasks[6].targets[0].source"},
        MalformedCase{"source task as string", [](nlohmann::json& p) { p["targets"][3]["source"]["task"] = "7"; },
                      "targets[3].source.task"},
        MalformedCase{"source with a misspelt key", [](nlohmann::json& p) { p["targets"][3]["source"]["indicater"] = "x"; },
                      "targets[3].source.indicater"},
        MalformedCase{"source naming no indicator of the task",
                      [](nlohmann::json& p) { p["targets"][3]["source"]["indicator"] = "服务规模"; },
                      "targets[3].source.indicator"},
        MalformedCase{"source in another unit",
                      [](nlohmann::json& p) { p["targets"][4]["source"] = p["targets"][3]["source"]; },
                      "targets[4].source.indicator"}),
    testing::ByBehaviour());

TEST(CatalogCodec, RefusesTextThatIsNotJson) {
  EXPECT_EQ(ParseCatalog("{\"schema\":").status().code(), StatusCode::kInvalidArgument);
}

TEST(CatalogCodec, MissingFileIsNotFound) {
  EXPECT_EQ(LoadCatalogFile("/nonexistent/plan.json").status().code(), StatusCode::kNotFound);
}

}  // namespace
}  // namespace kuimen
