// The catalog's supervision_start (督办起始月份): optional, a month YYYY-MM,
// parsed, validated and written back.
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "eventstore/catalog_codec.h"

namespace kuimen {
namespace {

nlohmann::json FengjieJson() { return nlohmann::json::parse(CatalogToJson(LoadDefaultCatalog().value())); }

TEST(CatalogSupervisionStart, IsAbsentFromTheFengjiePlanSoTheStoresCreationDecides) {
  EXPECT_FALSE(LoadDefaultCatalog().value().supervision_start.has_value());
  EXPECT_FALSE(FengjieJson().contains("supervision_start"));
}

TEST(CatalogSupervisionStart, IsParsedAsAMonthAndWrittenBack) {
  nlohmann::json json = FengjieJson();
  json["supervision_start"] = "2026-12";
  Result<Catalog> catalog = ParseCatalog(json.dump());
  ASSERT_TRUE(catalog.ok()) << catalog.status().ToString();
  EXPECT_EQ(catalog->supervision_start, std::chrono::year(2026) / std::chrono::December);
  EXPECT_EQ(nlohmann::json::parse(CatalogToJson(*catalog))["supervision_start"], "2026-12");
}

TEST(CatalogSupervisionStart, RefusesWhatIsNotAMonth) {
  for (const char* bad : {"2026-13", "2026-12-01", "十二月", "1999-12"}) {
    nlohmann::json json = FengjieJson();
    json["supervision_start"] = bad;
    Result<Catalog> catalog = ParseCatalog(json.dump());
    ASSERT_FALSE(catalog.ok()) << bad;
    EXPECT_EQ(catalog.status().code(), StatusCode::kInvalidArgument) << bad;
    EXPECT_EQ(catalog.status().subject(), "supervision_start") << bad;
  }
  nlohmann::json json = FengjieJson();
  json["supervision_start"] = 202612;
  EXPECT_EQ(ParseCatalog(json.dump()).status().code(), StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace kuimen
