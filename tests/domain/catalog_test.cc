#include "domain/catalog.h"

#include <gtest/gtest.h>

#include "tests/support/behaviour_name.h"

namespace kuimen {
namespace {

Catalog SmallCatalog() {
  Catalog c;
  c.document = {"奉节府办发〔2024〕62号", "奉节县人民政府办公室", "2024-10-15", "实施方案", ""};
  c.units = {{"县供销合作社", "department"}, {"县农业农村委", "department"}};
  c.tasks = {TaskSpec{TaskNo(1), "着力构建为农服务平台", "规范组建农合联", "组建农合联11个。", "县供销合作社",
                      {"县农业农村委"}, {{"农合联", 11.0, "个", std::nullopt, "", "组建农合联11个"}}},
             TaskSpec{TaskNo(2), "着力构建为农服务平台", "建好建强服务载体", "建设为农服务中心10个。",
                      "县供销合作社", {}, {}}};
  c.major_items = {MajorItem{MajorNo(1), "项目", "建设为农服务中心10个", {"县供销合作社"}, {TaskNo(2)}, {}}};
  c.targets = {{"农村综合服务社", 30.0, "个", 2024, "1+3+30", "建成农村综合服务社30个"}};
  return c;
}

TEST(ValidateCatalog, AcceptsAWellFormedPlan) {
  Status status = ValidateCatalog(SmallCatalog());
  EXPECT_TRUE(status.ok()) << status.ToString();
}

TEST(ValidateCatalog, AcceptsACountyTargetReadFromATaskIndicatorInItsUnit) {
  Catalog catalog = SmallCatalog();
  catalog.targets[0].source = TargetSource{TaskNo(1), "农合联"};
  Status status = ValidateCatalog(catalog);
  EXPECT_TRUE(status.ok()) << status.ToString();
}

struct BrokenCase {
  const char* behaviour;
  void (*breakit)(Catalog&);
  std::string field;
};

class ValidateCatalogRefuses : public ::testing::TestWithParam<BrokenCase> {};

TEST_P(ValidateCatalogRefuses, NamingTheEntry) {
  Catalog catalog = SmallCatalog();
  GetParam().breakit(catalog);
  Status status = ValidateCatalog(catalog);
  EXPECT_EQ(status.code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(status.subject(), GetParam().field) << status.ToString();
}

INSTANTIATE_TEST_SUITE_P(
    Table, ValidateCatalogRefuses,
    ::testing::Values(
        BrokenCase{"duplicate task number", [](Catalog& c) { c.tasks[1].no = TaskNo(1); }, "tasks[no=1].no"},
        BrokenCase{"empty task text", [](Catalog& c) { c.tasks[1].text = ""; }, "tasks[no=2].text"},
        BrokenCase{"unlisted lead unit", [](Catalog& c) { c.tasks[0].lead_unit = "县教委"; }, "tasks[no=1].lead_unit"},
        BrokenCase{"empty cooperating unit", [](Catalog& c) { c.tasks[0].cooperating_units = {""}; },
                   "tasks[no=1].cooperating_units[0]"},
        BrokenCase{"unit listed twice", [](Catalog& c) { c.units.push_back({"县供销合作社", "department"}); },
                   "units[2].name"},
        BrokenCase{"target value without unit", [](Catalog& c) { c.tasks[0].targets[0].unit = ""; },
                   "tasks[no=1].targets[0].unit"},
        BrokenCase{"major item of unknown kind", [](Catalog& c) { c.major_items[0].kind = "工程"; },
                   "major_items[no=1].kind"},
        BrokenCase{"major item related to a missing task", [](Catalog& c) { c.major_items[0].related_tasks = {TaskNo(9)}; },
                   "major_items[no=1].related_tasks"},
        BrokenCase{"county target without a year", [](Catalog& c) { c.targets[0].year.reset(); }, "targets[0].year"},
        BrokenCase{"county target read from a missing task",
                   [](Catalog& c) { c.targets[0].source = TargetSource{TaskNo(9), "农合联"}; }, "targets[0].source.task"},
        BrokenCase{"county target read from an indicator the task lacks",
                   [](Catalog& c) { c.targets[0].source = TargetSource{TaskNo(1), "会员单位"}; },
                   "targets[0].source.indicator"},
        BrokenCase{"county target read from an indicator in another unit",
                   [](Catalog& c) {
                     c.targets[0].unit = "万个";
                     c.targets[0].source = TargetSource{TaskNo(1), "农合联"};
                   },
                   "targets[0].source.indicator"},
        BrokenCase{"task target with a source",
                   [](Catalog& c) { c.tasks[0].targets[0].source = TargetSource{TaskNo(1), "农合联"}; },
                   "tasks[no=1].targets[0].source"},
        BrokenCase{"no tasks", [](Catalog& c) { c.tasks.clear(); c.major_items.clear(); }, "tasks"}),
    testing::ByBehaviour());

}  // namespace
}  // namespace kuimen
