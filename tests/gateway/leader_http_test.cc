// 领导批示 through the HTTP API (issue 11, item 3): a county leader is
// registered like any other principal, reads what the task force reads,
// writes a 批示 signed with its registered name, and is refused (403, with a
// stable code and nothing appended) everything else it tries to write.
#include <gtest/gtest.h>

#include "tests/gateway/api_server.h"

namespace kuimen::testing {
namespace {

class LeaderHttp : public ApiServerTest {
 protected:
  std::uint64_t Head() { return service_->store().Head().position.value; }

  static nlohmann::json Instruction(const std::string& text, const std::string& notice = "") {
    nlohmann::json data = {{"text", text}};
    if (!notice.empty()) data["notice_id"] = notice;
    return {{"type", "InstructionGiven"}, {"data", data}};
  }
};

TEST_F(LeaderHttp, ALeaderWritesAnInstructionSignedWithItsRegisteredName) {
  const std::string leader = Principal("leader", "", "县委副书记 李四");
  Reply me = Get("/api/v1/me", leader);
  ASSERT_EQ(me.status, 200) << me.body;
  EXPECT_EQ(me.json["role"], "leader");

  // Whatever name the client puts in, the server signs with the registered one.
  nlohmann::json body = Instruction("请县农业农村委月底前拿出整改方案。\n专班跟踪督办。");
  body["data"]["leader_name"] = "冒名";
  Reply given = Post("/api/v1/tasks/7/events", leader, body);
  ASSERT_EQ(given.status, 201) << given.body;
  EXPECT_EQ(given.json["event"]["data"]["leader_name"], "县委副书记 李四");

  Reply item = Get("/api/v1/tasks/7?min_position=" +
                       std::to_string(given.json["event"]["position"].get<std::uint64_t>()),
                   leader);
  ASSERT_EQ(item.status, 200) << item.body;
  ASSERT_EQ(item.json["item"]["instructions"].size(), 1u) << item.body;
  EXPECT_EQ(item.json["item"]["instructions"][0]["leader_name"], "县委副书记 李四");
  EXPECT_EQ(item.json["item"]["instructions"][0]["text"], "请县农业农村委月底前拿出整改方案。\n专班跟踪督办。");
}

TEST_F(LeaderHttp, ALeaderReadsWhatTheTaskForceReads) {
  const std::string leader = Principal("leader", "", "县长 王五");
  for (const char* path : {"/api/v1/views/supervision", "/api/v1/tasks/7", "/api/v1/tasks/7/events",
                           "/api/v1/events", "/api/v1/reviews", "/api/v1/principals"}) {
    EXPECT_EQ(Get(path, leader).status, 200) << path;
  }
}

TEST_F(LeaderHttp, ALeaderIsRefusedEverythingElseItTriesToWrite) {
  const std::string leader = Principal("leader", "", "县委副书记 李四");
  const std::string lead = Principal("department", "县农业农村委");  // leads task 7
  Reply report = Post("/api/v1/tasks/7/events", lead, Report(30));
  ASSERT_EQ(report.status, 201) << report.body;
  Reply notice = Post("/api/v1/tasks/7/events", admin_token_,
                      {{"type", "NoticeIssued"},
                       {"data", {{"notice_id", "DB-7"}, {"reason", "进度滞后"}, {"due", "2099-12-31"}}}});
  ASSERT_EQ(notice.status, 201) << notice.body;

  struct Attempt {
    const char* what;
    std::string path;
    nlohmann::json body;
  };
  const std::vector<Attempt> attempts = {
      {"a report", "/api/v1/tasks/7/events", Report(40)},
      {"a review", "/api/v1/tasks/7/events",
       {{"type", "ReportReviewed"}, {"data", {{"report_version", 1}, {"decision", "approved"}}}}},
      {"a notice", "/api/v1/tasks/7/events",
       {{"type", "NoticeIssued"}, {"data", {{"notice_id", "DB-8"}, {"reason", "进度滞后"}, {"due", "2099-12-31"}}}}},
      {"an answer", "/api/v1/tasks/7/events",
       {{"type", "NoticeAnswered"}, {"data", {{"notice_id", "DB-7"}, {"summary", "已整改"}}}}},
      {"a 加减分", "/api/v1/assessment/2024/events",
       {{"type", "AssessmentAdjusted"},
        {"data", {{"unit", "县农业农村委"}, {"year", 2024}, {"points", 2}, {"reason", "成效突出"}}}}},
      {"a principal", "/api/v1/principals", {{"name", "张三"}, {"role", "auditor"}}},
  };
  for (const Attempt& a : attempts) {
    const std::uint64_t before = Head();
    Reply reply = Post(a.path, leader, a.body);
    EXPECT_EQ(reply.status, 403) << a.what << ": " << reply.body;
    EXPECT_EQ(reply.json["error"].value("code", ""), "leader_instructions_only") << a.what << ": " << reply.body;
    EXPECT_NE(reply.json["error"].value("message", "").find("县领导"), std::string::npos) << a.what;
    EXPECT_EQ(Head(), before) << a.what;
  }
  // A 批示 on that notice is fine; on one the item lacks, 400.
  EXPECT_EQ(Post("/api/v1/tasks/7/events", leader, Instruction("抓紧整改", "DB-7")).status, 201);
  Reply unknown = Post("/api/v1/tasks/7/events", leader, Instruction("抓紧整改", "DB-9"));
  EXPECT_EQ(unknown.status, 400) << unknown.body;
  EXPECT_EQ(unknown.json["error"].value("field", ""), "data.notice_id");
}

TEST_F(LeaderHttp, NoOneButALeaderWritesAnInstruction) {
  const std::string lead = Principal("department", "县农业农村委");
  const std::string auditor = Principal("auditor");
  for (const auto& [who, token, code] : std::vector<std::tuple<const char*, std::string, const char*>>{
           {"the task force", admin_token_, "leader_only"},
           {"a responsible unit", lead, "leader_only"},
           {"an auditor", auditor, "auditor_read_only"}}) {
    const std::uint64_t before = Head();
    Reply reply = Post("/api/v1/tasks/7/events", token, Instruction("抓紧整改"));
    EXPECT_EQ(reply.status, 403) << who << ": " << reply.body;
    EXPECT_EQ(reply.json["error"].value("code", ""), code) << who << ": " << reply.body;
    EXPECT_EQ(Head(), before) << who;
  }
}

}  // namespace
}  // namespace kuimen::testing
