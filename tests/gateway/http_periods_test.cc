// Periods over HTTP: a report for a month after the current one (China time,
// the server's clock) is refused with its rule and field, and the item page
// answers "as of a period".
#include <gtest/gtest.h>

#include "tests/gateway/api_server.h"

namespace kuimen::testing {
namespace {

// 县林业局 cooperates on task 3. The server's clock reads 2024-11-20 (China time).
constexpr const char* kForestry = "县林业局";

class HttpPeriods : public ApiServerTest {};

TEST_F(HttpPeriods, AReportForAFutureMonthIsRefusedWithItsRuleAndField) {
  const std::string forestry = Principal("department", kForestry);
  const std::uint64_t head = service_->store().Head().position.value;
  Reply reply = Post("/api/v1/tasks/3/events", forestry, Report(20, "2025-05"));
  EXPECT_EQ(reply.status, 400) << reply.body;
  EXPECT_EQ(reply.json["error"]["code"], "period_in_future");
  EXPECT_EQ(reply.json["error"]["field"], "data.period");
  EXPECT_NE(reply.json["error"]["message"].get<std::string>().find("报送期间"), std::string::npos) << reply.body;
  EXPECT_EQ(service_->store().Head().position.value, head);

  // The current month is fine, and so is a late report for an earlier one.
  EXPECT_EQ(Post("/api/v1/tasks/3/events", forestry, Report(20, "2024-11")).status, 201);
  EXPECT_EQ(Post("/api/v1/tasks/3/events", forestry, Report(10, "2024-09")).status, 201);
}

TEST_F(HttpPeriods, TheItemPageAnswersAsOfAPeriod) {
  const std::string forestry = Principal("department", kForestry);
  ASSERT_EQ(Post("/api/v1/tasks/3/events", forestry, Report(30, "2024-11")).status, 201);
  ASSERT_EQ(Post("/api/v1/tasks/3/events", forestry, Report(10, "2024-09")).status, 201);

  Reply latest = Get("/api/v1/tasks/3?min_position=" + std::to_string(service_->store().Head().position.value),
                     forestry);
  ASSERT_EQ(latest.status, 200) << latest.body;
  // Both await review, so 总体进度 counts neither (clerk review A5); the pending
  // estimate beside it is of the latest period, not the late September report.
  EXPECT_TRUE(latest.json["item"]["progress"].is_null()) << latest.body;
  EXPECT_EQ(latest.json["item"]["progress_pending"]["period"], "2024-11");
  EXPECT_EQ(latest.json["item"]["last_report"]["late"], true);      // September was due by 10 October

  Reply september = Get("/api/v1/tasks/3?period=2024-09&as_of=2030-01-01T00:00:00Z", forestry);
  ASSERT_EQ(september.status, 200) << september.body;
  EXPECT_EQ(september.json["item"]["period"], "2024-09");
  EXPECT_EQ(september.json["item"]["progress_pending"]["percent"], 10);

  EXPECT_EQ(Get("/api/v1/tasks/3?period=2024-13", forestry).status, 400);
}

}  // namespace
}  // namespace kuimen::testing
