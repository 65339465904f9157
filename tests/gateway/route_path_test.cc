#include "gateway/route_path.h"

#include <gtest/gtest.h>

namespace kuimen {
namespace {

TEST(RoutePath, MatchesSegmentBySegmentAndNamesTheParameters) {
  const RoutePath events("/api/v1/tasks/{no}/events");
  std::map<std::string, std::string> params;
  EXPECT_TRUE(events.Match("/api/v1/tasks/07/events", &params));
  EXPECT_EQ(params.at("no"), "07");
  EXPECT_FALSE(events.Match("/api/v1/tasks//events"));
  EXPECT_FALSE(events.Match("/api/v1/tasks/7/events/"));
  EXPECT_FALSE(events.Match("/api/v1/tasks/7/8/events"));
  EXPECT_FALSE(events.Match("api/v1/tasks/7/events"));
  const RoutePath xlsx("/api/v1/exports/assessment.xlsx");
  EXPECT_TRUE(xlsx.Match("/api/v1/exports/assessment.xlsx"));
  EXPECT_FALSE(xlsx.Match("/api/v1/exports/assessmentXxlsx"));
  EXPECT_TRUE(RoutePath("/healthz").Match("/healthz"));
  EXPECT_FALSE(RoutePath("/healthz").Match("/"));
}

TEST(RoutePath, LongPathsAreRefusedWithoutRecursion) {
  EXPECT_FALSE(RoutePath("/api/v1/tasks/{no}").Match("/api/v1/tasks/" + std::string(1 << 20, 'a') + "/x"));
  EXPECT_TRUE(RoutePath("/api/v1/tasks/{no}").Match("/api/v1/tasks/" + std::string(1 << 20, 'a')));
}

}  // namespace
}  // namespace kuimen
