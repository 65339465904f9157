#include "domain/supervised_item.h"

#include <gtest/gtest.h>

namespace kuimen {
namespace {

Catalog TwoItemCatalog() {
  Catalog c;
  c.units = {{"县供销合作社", "department"}, {"县农业农村委", "department"}, {"县商务委", "department"}};
  c.tasks = {TaskSpec{TaskNo(7), "全面推进农业生产合作", "创新农业生产服务方式和手段", "……", "县农业农村委",
                      {"县供销合作社"}, {}}};
  c.major_items = {MajorItem{MajorNo(5), "项目", "建成农村流通网点120个", {"县商务委", "县供销合作社"}, {}, {}}};
  return c;
}

TEST(Streams, AreNamedWithTwoDigitTaskNumbers) {
  EXPECT_EQ(TaskStream(TaskNo(7)).value, "task-07");
  EXPECT_EQ(TaskStream(TaskNo(29)).value, "task-29");
  EXPECT_EQ(MajorStream(MajorNo(3)).value, "major-3");
}

TEST(Streams, ListEveryTaskThenEveryMajorItem) {
  std::vector<StreamId> streams = AllStreams(TwoItemCatalog());
  ASSERT_EQ(streams.size(), 2u);
  EXPECT_EQ(streams[0].value, "task-07");
  EXPECT_EQ(streams[1].value, "major-5");
}

TEST(ResolveStream, GivesTheTaskWithItsUnits) {
  Result<SupervisedItem> item = ResolveStream(TwoItemCatalog(), StreamId{"task-07"});
  ASSERT_TRUE(item.ok()) << item.status().ToString();
  EXPECT_TRUE(item->Involves("县农业农村委"));
  EXPECT_TRUE(item->Involves("县供销合作社"));
  EXPECT_FALSE(item->Involves("县商务委"));
}

TEST(ResolveStream, TreatsEveryUnitOfAMajorItemAsResponsible) {
  Result<SupervisedItem> item = ResolveStream(TwoItemCatalog(), StreamId{"major-5"});
  ASSERT_TRUE(item.ok()) << item.status().ToString();
  EXPECT_EQ(item->lead_units, (std::vector<std::string>{"县商务委", "县供销合作社"}));
}

TEST(ResolveStream, RefusesUnknownAndNonCanonicalNames) {
  for (const char* name : {"task-08", "task-7", "task-007", "major-05", "major-9", "tasks-07", ""}) {
    EXPECT_EQ(ResolveStream(TwoItemCatalog(), StreamId{name}).status().code(), StatusCode::kNotFound) << name;
  }
}

}  // namespace
}  // namespace kuimen
