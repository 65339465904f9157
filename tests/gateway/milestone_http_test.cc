// Milestones (时限) through the HTTP API (issue 10, item 5): the refusals a
// clerk meets, each with its code, field or rule and a Chinese message, and
// nothing appended; a met milestone is shown so on the item.
#include <gtest/gtest.h>

#include "tests/gateway/api_server.h"

namespace kuimen::testing {
namespace {

class MilestoneHttp : public ApiServerTest {
 protected:
  std::uint64_t Head() { return service_->store().Head().position.value; }

  static nlohmann::json Set(const std::string& due, const std::string& reason = "") {
    nlohmann::json data = {{"milestone", "首期托管"}, {"due", due}};
    if (!reason.empty()) data["reason"] = reason;
    return {{"type", "DeadlineSet"}, {"data", data}};
  }
};

TEST_F(MilestoneHttp, RefusesWhatTheRulesForbidAndAppendsNothing) {
  const std::string lead = Principal("department", "县农业农村委");  // leads task 7
  ASSERT_EQ(Post("/api/v1/tasks/7/events", admin_token_, Set("2024-11-30")).status, 201);

  struct Refusal {
    const char* what;
    std::string token;
    nlohmann::json body;
    int status;
    const char* key;    // "field" or "code"
    const char* value;
  };
  const std::vector<Refusal> refusals = {
      {"a move without a reason", admin_token_, Set("2025-01-31"), 400, "code", "milestone_reason_required"},
      {"a department marking it met", lead,
       {{"type", "MilestoneMet"}, {"data", {{"milestone", "首期托管"}}}}, 403, "rule", "taskforce_only"},
      {"a department cancelling it", lead,
       {{"type", "MilestoneCancelled"}, {"data", {{"milestone", "首期托管"}, {"reason", "不需要"}}}}, 403, "rule",
       "taskforce_only"},
      {"an unknown milestone", admin_token_,
       {{"type", "MilestoneMet"}, {"data", {{"milestone", "年度目标"}}}}, 400, "field", "data.milestone"},
      {"a report naming an unknown milestone", lead,
       {{"type", "ProgressReported"},
        {"data", {{"period", "2024-11"}, {"summary", "完成首期托管"}, {"percent", 20}, {"milestones_met", {"年度目标"}}}}},
       400, "field", "data.milestones_met[0]"},
  };
  for (const Refusal& r : refusals) {
    const std::uint64_t before = Head();
    Reply reply = Post("/api/v1/tasks/7/events", r.token, r.body);
    EXPECT_EQ(reply.status, r.status) << r.what << ": " << reply.body;
    EXPECT_EQ(reply.json["error"].value(r.key, ""), r.value) << r.what << ": " << reply.body;
    // The milestone rules' own messages name the 时限 (taskforce_only is the shared rule's).
    if (r.status != 403) {
      EXPECT_NE(reply.json["error"].value("message", "").find("时限"), std::string::npos) << r.what << ": " << reply.body;
    }
    EXPECT_EQ(Head(), before) << r.what;
  }

  // Moved with a reason, then met by the task force: a second 'met' is 409.
  ASSERT_EQ(Post("/api/v1/tasks/7/events", admin_token_, Set("2025-01-31", "汛期顺延")).status, 201);
  Reply met = Post("/api/v1/tasks/7/events", admin_token_,
                   {{"type", "MilestoneMet"}, {"data", {{"milestone", "首期托管"}, {"note", "现场核查"}}}});
  ASSERT_EQ(met.status, 201) << met.body;
  Reply again = Post("/api/v1/tasks/7/events", admin_token_, {{"type", "MilestoneMet"}, {"data", {{"milestone", "首期托管"}}}});
  EXPECT_EQ(again.status, 409) << again.body;
  EXPECT_EQ(again.json["error"].value("rule", ""), "milestone_already_met");

  Reply item = Get("/api/v1/tasks/7?min_position=" + std::to_string(met.json["event"]["position"].get<std::uint64_t>()),
                   admin_token_);
  ASSERT_EQ(item.status, 200) << item.body;
  const nlohmann::json& milestone = item.json["item"]["deadlines"][0];
  EXPECT_EQ(milestone["state_label"], "已完成");
  EXPECT_EQ(milestone["adjusted"]["reason"], "汛期顺延");
  EXPECT_EQ(milestone["history"].size(), 3u);
}

}  // namespace
}  // namespace kuimen::testing
