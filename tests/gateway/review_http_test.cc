// The review queue and batch approval over HTTP (issue 10 item 8): a superseded
// report leaves the queue and cannot be reviewed; the queue filters and pages;
// a batch is approved with one comment, all or nothing on refusal, safely
// retried, limited in size, and only by the task force.
#include <gtest/gtest.h>

#include "tests/gateway/api_server.h"

namespace kuimen::testing {
namespace {

constexpr const char* kAgriculture = "县农业农村委";  // leads task 7
constexpr const char* kForestry = "县林业局";         // cooperates on task 3
constexpr const char* kBatchId = "6f1c2b0e-3d4a-4c5b-9e8f-0a1b2c3d4e5f";

class ReviewHttp : public ApiServerTest {
 protected:
  std::uint64_t Head() { return service_->store().Head().position.value; }

  // The queue once the view holds everything written so far.
  Reply Queue(const std::string& query, const std::string& token = "") {
    const std::string sep = query.empty() ? "" : "&";
    return Get("/api/v1/reviews?min_position=" + std::to_string(Head()) + sep + query,
               token.empty() ? admin_token_ : token);
  }

  std::uint64_t Report(const std::string& token, int task, int percent, const std::string& period = "2024-11") {
    Reply reply = Post("/api/v1/tasks/" + std::to_string(task) + "/events", token, ApiServerTest::Report(percent, period));
    EXPECT_EQ(reply.status, 201) << reply.body;
    return reply.json["event"]["version"].get<std::uint64_t>();
  }

  static nlohmann::json Batch(const std::vector<std::pair<std::string, std::uint64_t>>& items,
                              const std::string& batch_id = kBatchId) {
    nlohmann::json body = {{"batch_id", batch_id}, {"comment", "同意，继续推进"}, {"items", nlohmann::json::array()}};
    for (const auto& [stream, version] : items) body["items"].push_back({{"stream", stream}, {"report_version", version}});
    return body;
  }

  // (stream, report_version) of each queue item, in order.
  static std::vector<std::pair<std::string, std::uint64_t>> Keys(const Reply& reply) {
    std::vector<std::pair<std::string, std::uint64_t>> keys;
    for (const auto& item : reply.json["items"]) {
      keys.emplace_back(item["stream"].get<std::string>(), item["report_version"].get<std::uint64_t>());
    }
    return keys;
  }
  using Keys_t = std::vector<std::pair<std::string, std::uint64_t>>;
};

TEST_F(ReviewHttp, ASupersededReportLeavesTheQueueAndItsReviewIsRefused) {
  const std::string lead = Principal("department", kAgriculture);
  Report(lead, 7, 30);
  Report(lead, 7, 35);

  Reply pending = Queue("");
  ASSERT_EQ(pending.status, 200) << pending.body;
  EXPECT_EQ(pending.json["total"], 1);
  EXPECT_EQ(Keys(pending), (Keys_t{{"task-07", 2}}));
  EXPECT_EQ(pending.json["items"][0]["state_label"], "待审核");

  Reply superseded = Queue("state=superseded");
  ASSERT_EQ(Keys(superseded), (Keys_t{{"task-07", 1}}));
  EXPECT_EQ(superseded.json["items"][0]["state_label"], "已被替代");
  EXPECT_EQ(superseded.json["items"][0]["superseded_by"], 2);

  const std::uint64_t head = Head();
  Reply review = Post("/api/v1/tasks/7/events", admin_token_,
                      {{"type", "ReportReviewed"}, {"data", {{"report_version", 1}, {"decision", "approved"}}}});
  EXPECT_EQ(review.status, 409) << review.body;
  EXPECT_EQ(review.json["error"]["rule"], "report_superseded");
  EXPECT_EQ(review.json["error"]["message"], "该报告已被新的报告替代，请审核最新报告");
  EXPECT_EQ(Head(), head);
}

TEST_F(ReviewHttp, QueueFiltersByUnitTaskPeriodAndStateAndPages) {
  const std::string lead = Principal("department", kAgriculture);
  const std::string forestry = Principal("department", kForestry);
  Report(lead, 7, 20, "2024-10");
  Report(lead, 7, 30, "2024-11");
  Report(forestry, 3, 10, "2024-11");
  Report(forestry, 3, 12, "2024-10");

  EXPECT_EQ(Queue("").json["total"], 4);
  EXPECT_EQ(Keys(Queue("unit=" + std::string("%E5%8E%BF%E6%9E%97%E4%B8%9A%E5%B1%80"))),  // 县林业局
            (Keys_t{{"task-03", 2}, {"task-03", 1}}));
  EXPECT_EQ(Keys(Queue("task=7")), (Keys_t{{"task-07", 2}, {"task-07", 1}}));
  EXPECT_EQ(Keys(Queue("task=task-07&period=2024-10")), (Keys_t{{"task-07", 1}}));
  EXPECT_EQ(Queue("state=approved").json["total"], 0);

  // Two pages of three and one, newest first, the total on each.
  Reply first = Queue("limit=3");
  Reply second = Queue("limit=3&offset=3");
  EXPECT_EQ(first.json["total"], 4);
  EXPECT_EQ(second.json["total"], 4);
  EXPECT_EQ(Keys(first), (Keys_t{{"task-03", 2}, {"task-03", 1}, {"task-07", 2}}));
  EXPECT_EQ(Keys(second), (Keys_t{{"task-07", 1}}));
  // By due date: October's reports first.
  EXPECT_EQ(Keys(Queue("order=due")), (Keys_t{{"task-07", 1}, {"task-03", 2}, {"task-07", 2}, {"task-03", 1}}));

  Reply bad = Queue("state=finished");
  EXPECT_EQ(bad.status, 400);
  EXPECT_EQ(bad.json["error"]["field"], "state");
  EXPECT_EQ(Queue("task=30").json["error"]["field"], "task");
  EXPECT_EQ(Queue("limit=101").json["error"]["field"], "limit");
}

TEST_F(ReviewHttp, ABatchApprovesEverySelectedReportWithOneComment) {
  const std::string lead = Principal("department", kAgriculture);
  const std::string forestry = Principal("department", kForestry);
  Report(lead, 7, 30);
  Report(forestry, 3, 10);
  Report(lead, 7, 25, "2024-10");

  Reply reply = Post("/api/v1/reviews/approve", admin_token_, Batch({{"task-07", 1}, {"task-03", 1}, {"task-07", 2}}));
  ASSERT_EQ(reply.status, 200) << reply.body;
  EXPECT_EQ(reply.json["complete"], true);
  ASSERT_EQ(reply.json["results"].size(), 3u);
  for (const auto& result : reply.json["results"]) EXPECT_EQ(result["status"], "approved") << result.dump();

  EXPECT_EQ(Queue("").json["total"], 0);
  Reply approved = Queue("state=approved");
  ASSERT_EQ(approved.json["total"], 3);
  for (const auto& item : approved.json["items"]) EXPECT_EQ(item["comment"], "同意，继续推进");
  // One ReportReviewed in each report's own stream.
  Reply history = Get("/api/v1/tasks/7/events", admin_token_);
  ASSERT_EQ(history.json["events"].size(), 4u) << history.body;
  EXPECT_EQ(history.json["events"][2]["type"], "ReportReviewed");
  EXPECT_EQ(history.json["events"][3]["type"], "ReportReviewed");
}

TEST_F(ReviewHttp, ABatchWithOneRefusedItemAppendsNothing) {
  const std::string lead = Principal("department", kAgriculture);
  const std::string forestry = Principal("department", kForestry);
  Report(forestry, 3, 10);
  Report(lead, 7, 30);
  Report(lead, 7, 35);  // supersedes task-07 v1
  const std::uint64_t head = Head();

  Reply superseded = Post("/api/v1/reviews/approve", admin_token_, Batch({{"task-03", 1}, {"task-07", 1}}));
  EXPECT_EQ(superseded.status, 409) << superseded.body;
  EXPECT_EQ(superseded.json["error"]["rule"], "report_superseded");
  EXPECT_NE(superseded.json["error"]["message"].get<std::string>().find("第2项"), std::string::npos) << superseded.body;

  Reply missing = Post("/api/v1/reviews/approve", admin_token_, Batch({{"task-03", 1}, {"task-07", 9}}));
  EXPECT_EQ(missing.status, 400) << missing.body;
  EXPECT_EQ(missing.json["error"]["field"], "items[1].report_version");

  Reply twice = Post("/api/v1/reviews/approve", admin_token_, Batch({{"task-03", 1}, {"task-03", 1}}));
  EXPECT_EQ(twice.status, 400) << twice.body;
  EXPECT_EQ(twice.json["error"]["field"], "items[1]");

  EXPECT_EQ(Head(), head);
  EXPECT_EQ(Queue("").json["total"], 2);
}

TEST_F(ReviewHttp, ARetriedBatchAppendsEachApprovalOnce) {
  const std::string lead = Principal("department", kAgriculture);
  const std::string forestry = Principal("department", kForestry);
  Report(lead, 7, 30);
  Report(forestry, 3, 10);

  Reply first = Post("/api/v1/reviews/approve", admin_token_, Batch({{"task-07", 1}, {"task-03", 1}}));
  ASSERT_EQ(first.status, 200) << first.body;
  const std::uint64_t head = Head();
  Reply again = Post("/api/v1/reviews/approve", admin_token_, Batch({{"task-07", 1}, {"task-03", 1}}));
  ASSERT_EQ(again.status, 200) << again.body;
  EXPECT_EQ(again.json["results"], first.json["results"]);
  EXPECT_EQ(Head(), head);

  // Another batch id is another request: the reports are reviewed already.
  Reply other = Post("/api/v1/reviews/approve", admin_token_,
                     Batch({{"task-07", 1}}, "0e9d8c7b-6a5f-4e3d-8c2b-1a0f9e8d7c6b"));
  EXPECT_EQ(other.status, 409) << other.body;
  EXPECT_EQ(other.json["error"]["rule"], "report_already_reviewed");
}

TEST_F(ReviewHttp, ABatchIsLimitedToAHundredReports) {
  std::vector<std::pair<std::string, std::uint64_t>> items;
  for (std::uint64_t v = 1; v <= 101; ++v) items.emplace_back("task-07", v);
  Reply reply = Post("/api/v1/reviews/approve", admin_token_, Batch(items));
  EXPECT_EQ(reply.status, 400) << reply.body;
  EXPECT_EQ(reply.json["error"]["field"], "items");
  EXPECT_NE(reply.json["error"]["message"].get<std::string>().find("100"), std::string::npos);

  Reply empty = Post("/api/v1/reviews/approve", admin_token_, Batch({}));
  EXPECT_EQ(empty.status, 400);
  EXPECT_EQ(empty.json["error"]["field"], "items");

  nlohmann::json no_id = Batch({{"task-07", 1}});
  no_id.erase("batch_id");
  EXPECT_EQ(Post("/api/v1/reviews/approve", admin_token_, no_id).json["error"]["field"], "batch_id");
}

TEST_F(ReviewHttp, OnlyTheTaskForceApprovesAndOnlyItAndAuditorsReadTheQueue) {
  const std::string lead = Principal("department", kAgriculture);
  const std::string auditor = Principal("auditor");
  Report(lead, 7, 30);
  const std::uint64_t head = Head();

  EXPECT_EQ(Post("/api/v1/reviews/approve", lead, Batch({{"task-07", 1}})).status, 403);
  EXPECT_EQ(Post("/api/v1/reviews/approve", auditor, Batch({{"task-07", 1}})).status, 403);
  EXPECT_EQ(Post("/api/v1/reviews/approve", "", Batch({{"task-07", 1}})).status, 401);
  EXPECT_EQ(Head(), head);

  EXPECT_EQ(Queue("", auditor).status, 200);
  EXPECT_EQ(Queue("", lead).status, 403);
}

}  // namespace
}  // namespace kuimen::testing
