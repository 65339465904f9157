// Statistics over HTTP (issue 11 item 5): every principal may read them, no
// token may not; a task's monthly series shows a report as soon as the view
// holds it; unknown tasks and years out of range are refused with their codes.
#include <cctype>
#include <cmath>

#include <gtest/gtest.h>

#include "tests/gateway/api_server.h"

namespace kuimen::testing {
namespace {

constexpr const char* kAgriculture = "县农业农村委";  // leads task 7
constexpr const char* kForestry = "县林业局";         // cooperates on task 3

// Percent-encodes every byte but ASCII letters and digits, for a query value.
std::string Escape(const std::string& text) {
  static const char* kHex = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : text) {
    if (std::isalnum(c) != 0 && c < 0x80) {
      out += static_cast<char>(c);
    } else {
      out += '%';
      out += kHex[c >> 4];
      out += kHex[c & 15];
    }
  }
  return out;
}

class StatsHttp : public ApiServerTest {
 protected:
  std::string Fresh() { return "min_position=" + std::to_string(service_->store().Head().position.value); }
};

TEST_F(StatsHttp, EveryPrincipalReadsTheStatisticsAndNoTokenIsRefused) {
  const std::vector<std::string> tokens = {admin_token_, Principal("department", kForestry), Principal("auditor")};
  for (const std::string& token : tokens) {
    EXPECT_EQ(Get("/api/v1/stats/units", token).status, 200);
    EXPECT_EQ(Get("/api/v1/stats/tasks/7", token).status, 200);
  }
  Reply none = Get("/api/v1/stats/units", "");
  EXPECT_EQ(none.status, 401);
  EXPECT_EQ(none.json["error"]["code"], "token_missing") << none.body;
  EXPECT_EQ(Get("/api/v1/stats/tasks/7", "").status, 401);
}

TEST_F(StatsHttp, UnitsListTheirTasksAndTheYearsReportTally) {
  const std::string lead = Principal("department", kAgriculture);
  ASSERT_EQ(Post("/api/v1/tasks/7/events", lead, Report(30, "2024-11")).status, 201);
  // Read on 2024-12-15: November's report (due 12-10, the store's first month) was sent on 11-20.
  clock_.Set(Timestamp(std::chrono::seconds(kStartSeconds)) + std::chrono::days(25));
  Reply reply = Get("/api/v1/stats/units?year=2024&" + Fresh(), Principal("department", kForestry));
  ASSERT_EQ(reply.status, 200) << reply.body;
  EXPECT_EQ(reply.json["year"], 2024);
  // The window the rate counts, stated once (session 7, item 4): from the store's first month.
  EXPECT_EQ(reply.json["timeliness_window"]["from"], "2024-11") << reply.json["timeliness_window"].dump();
  EXPECT_EQ(reply.json["timeliness_window"]["label"],
            "按时报送率统计自2024年11月起，至2024年11月止（每月进展于次月10日前报送为按时）");
  bool found = false;
  for (const auto& unit : reply.json["units"]) {
    if (unit["unit"] != kAgriculture) continue;
    found = true;
    EXPECT_NE(std::find(unit["led"].begin(), unit["led"].end(), 7), unit["led"].end()) << unit.dump();
    EXPECT_EQ(unit["reports"]["on_time"], 1) << unit.dump();
    EXPECT_EQ(unit["reports"]["late"], 0);
    // It leads other tasks too, not reported: the rate is 1 of all months due.
    const double due = unit["reports"]["due"].get<double>();
    EXPECT_EQ(unit["reports"]["on_time_rate"].get<double>(), std::round(1000 / due) / 10);
    EXPECT_EQ(unit["open_notices"], 0);
  }
  EXPECT_TRUE(found);
}

TEST_F(StatsHttp, ATasksMonthlySeriesEndsWithTheReportJustMade) {
  const std::string lead = Principal("department", kAgriculture);
  ASSERT_EQ(Post("/api/v1/tasks/7/events", lead, Report(30, "2024-11")).status, 201);
  // 总体进度 counts approved estimates only (clerk review A5).
  const nlohmann::json approve = {{"type", "ReportReviewed"},
                                  {"data", {{"report_version", 1}, {"decision", "approved"}, {"comment", ""}}}};
  ASSERT_EQ(Post("/api/v1/tasks/7/events", admin_token_, approve).status, 201);
  Reply reply = Get("/api/v1/stats/tasks/7?" + Fresh(), admin_token_);
  ASSERT_EQ(reply.status, 200) << reply.body;
  EXPECT_EQ(reply.json["task"], 7);
  EXPECT_EQ(reply.json["lead_unit"], kAgriculture);
  ASSERT_FALSE(reply.json["months"].empty()) << reply.body;
  EXPECT_EQ(reply.json["months"].back(), "2024-11");
  EXPECT_EQ(reply.json["progress"].back(), 30);
  EXPECT_EQ(reply.json["progress"].size(), reply.json["months"].size());
  for (const auto& indicator : reply.json["indicators"]) {
    EXPECT_EQ(indicator["values"].size(), reply.json["months"].size());
  }
}

TEST_F(StatsHttp, RefusesAnUnknownTaskAndAYearOutOfRange) {
  Reply missing = Get("/api/v1/stats/tasks/99", admin_token_);
  EXPECT_EQ(missing.status, 404);
  EXPECT_EQ(missing.json["error"]["code"], "item_not_found") << missing.body;
  Reply year = Get("/api/v1/stats/units?year=1999", admin_token_);
  EXPECT_EQ(year.status, 400);
  EXPECT_EQ(year.json["error"]["field"], "year") << year.body;
}

TEST_F(StatsHttp, SearchFindsSummariesAndFileNamesNewestFirstLatinCaseInsensitive) {
  const std::string lead = Principal("department", kAgriculture);
  nlohmann::json first = Report(20, "2024-10");
  first["data"]["summary"] = "完成秋季托管服务12万亩";
  first["data"]["evidence"] = {{{"title", "托管台账.PDF"}, {"uri", "https://example.cn/tuoguan.pdf"}}};
  ASSERT_EQ(Post("/api/v1/tasks/7/events", lead, first).status, 201);
  nlohmann::json second = Report(30, "2024-11");
  second["data"]["summary"] = "新增托管服务面积";
  ASSERT_EQ(Post("/api/v1/tasks/7/events", lead, second).status, 201);

  const std::string reader = Principal("auditor");
  Reply found = Get("/api/v1/search?q=" + Escape("托管"), reader);
  ASSERT_EQ(found.status, 200) << found.body;
  EXPECT_EQ(found.json["total"], 3);  // two summaries and one file title
  EXPECT_EQ(found.json["hits"][0]["text"], "新增托管服务面积");
  EXPECT_EQ(found.json["hits"][0]["field_label"], "报送摘要");
  EXPECT_EQ(found.json["hits"][0]["unit"], kAgriculture);

  Reply file = Get("/api/v1/search?q=pdf", reader);
  ASSERT_EQ(file.status, 200) << file.body;
  EXPECT_EQ(file.json["total"], 2);  // "托管台账.PDF" and "https://example.cn/tuoguan.pdf"
  EXPECT_EQ(file.json["hits"][0]["field"], "file");

  Reply paged = Get("/api/v1/search?limit=1&offset=1&q=" + Escape("托管"), reader);
  ASSERT_EQ(paged.status, 200) << paged.body;
  EXPECT_EQ(paged.json["total"], 3);
  ASSERT_EQ(paged.json["hits"].size(), 1u);
  EXPECT_EQ(paged.json["hits"][0]["text"], "完成秋季托管服务12万亩");  // then its file title

  // Principals are events too, but never searched: the registered name is not found.
  Reply names = Get("/api/v1/search?q=" + Escape("测试用户"), admin_token_);
  EXPECT_EQ(names.json["total"], 0) << names.body;
  EXPECT_EQ(Get("/api/v1/search?q=x", "").status, 401);
  Reply empty = Get("/api/v1/search?q=", reader);
  EXPECT_EQ(empty.status, 400);
  EXPECT_EQ(empty.json["error"]["field"], "q") << empty.body;
}

TEST_F(StatsHttp, AReplayMomentOutsideTheServicesYearsIsRefused) {
  // A year like 9999 would lay out eight thousand years of scores in one request.
  Reply far = Get("/api/v1/stats/units?as_of=9999-12-31T00:00:00Z", Principal("department", kAgriculture));
  EXPECT_EQ(far.status, 400);
  EXPECT_EQ(far.json["error"]["code"], "out_of_range") << far.body;
  EXPECT_EQ(far.json["error"]["field"], "as_of");
  EXPECT_EQ(Get("/api/v1/views/supervision?as_of=1999-12-31", admin_token_).json["error"]["code"], "out_of_range");
}

TEST_F(StatsHttp, SearchFindsALeadersInstruction) {
  const std::string leader = Principal("leader", "", "县委副书记 李四");
  ASSERT_EQ(Post("/api/v1/tasks/7/events", leader,
                 {{"type", "InstructionGiven"}, {"data", {{"text", "请加快推进社会化托管服务"}}}})
                .status,
            201);
  Reply found = Get("/api/v1/search?q=" + Escape("社会化托管"), Principal("department", kAgriculture));
  ASSERT_EQ(found.status, 200) << found.body;
  ASSERT_EQ(found.json["total"], 1);
  EXPECT_EQ(found.json["hits"][0]["field"], "instruction");
  EXPECT_EQ(found.json["hits"][0]["field_label"], "领导批示");
  EXPECT_EQ(found.json["hits"][0]["stream"], "task-07");
  EXPECT_EQ(found.json["hits"][0]["by"], "县委副书记 李四");
}

}  // namespace
}  // namespace kuimen::testing
