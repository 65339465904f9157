#include "gateway/catalog_table.h"

#include <gtest/gtest.h>

#include "eventstore/catalog_codec.h"

namespace kuimen {
namespace {

TEST(DisplayWidth, CountsChineseAsTwoColumns) {
  EXPECT_EQ(DisplayWidth("abc"), 3u);
  EXPECT_EQ(DisplayWidth("农合联"), 6u);
  EXPECT_EQ(DisplayWidth("（1+3+30）"), 10u);  // fullwidth brackets
}

TEST(CatalogTable, ShowsEveryTaskWithItsLeadUnit) {
  Result<Catalog> catalog = LoadDefaultCatalog();
  ASSERT_TRUE(catalog.ok());
  const std::string table = CatalogToTable(*catalog);
  EXPECT_NE(table.find("奉节府办发〔2024〕62号"), std::string::npos);
  EXPECT_NE(table.find("重点任务分工（29项）"), std::string::npos);
  EXPECT_NE(table.find("“四个重大”清单（5项）"), std::string::npos);
  EXPECT_NE(table.find("县政府口岸物流办"), std::string::npos);
  EXPECT_NE(table.find("农业生产社会化服务规模 78万亩次"), std::string::npos);
}

}  // namespace
}  // namespace kuimen
