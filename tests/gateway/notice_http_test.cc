// 督办 notices through the HTTP API (issue 10, item 6): the server's 文号,
// never shared however many are issued at once; a due date in the past
// refused; 签收; closing without an answer (未整改销号) only with a reason.
#include <algorithm>
#include <chrono>
#include <set>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

#include "tests/gateway/api_server.h"

namespace kuimen::testing {
namespace {

// 县林业局 cooperates on task 3.
constexpr const char* kForestry = "县林业局";

class NoticeHttp : public ApiServerTest {
 protected:
  std::uint64_t Head() { return service_->store().Head().position.value; }

  static nlohmann::json Issue(const std::string& id, const std::string& due = "2025-01-15") {
    return {{"type", "NoticeIssued"}, {"data", {{"notice_id", id}, {"due", due}, {"reason", "进度滞后于序时"}}}};
  }
  static nlohmann::json Close(const std::string& id, const std::string& unanswered_reason = "") {
    nlohmann::json data = {{"notice_id", id}, {"comment", ""}};
    if (!unanswered_reason.empty()) data["unanswered_reason"] = unanswered_reason;
    return {{"type", "NoticeClosed"}, {"data", data}};
  }
};

TEST_F(NoticeHttp, NumbersNoticesPerYearAcrossItemsWithoutCollisionWhenIssuedAtOnce) {
  const std::string taskforce = Principal("taskforce");
  constexpr int kThreads = 8;
  constexpr int kEach = 4;
  std::vector<std::vector<std::string>> numbers(kThreads);
  const auto started = std::chrono::steady_clock::now();
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kEach; ++i) {
        // Each thread on its own task: streams append in parallel.
        Reply reply = Post("/api/v1/tasks/" + std::to_string(t + 1) + "/events", taskforce,
                           Issue("DB-" + std::to_string(t) + "-" + std::to_string(i)));
        if (reply.status == 201) numbers[t].push_back(reply.json["event"]["data"].value("number", ""));
      }
    });
  }
  for (std::thread& thread : threads) thread.join();
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  std::set<std::string> distinct;
  for (const auto& list : numbers) distinct.insert(list.begin(), list.end());
  EXPECT_EQ(distinct.size(), static_cast<std::size_t>(kThreads * kEach));
  for (int n = 1; n <= kThreads * kEach; ++n) {
    EXPECT_TRUE(distinct.count("奉三位一体督〔2024〕" + std::to_string(n) + "号")) << n;
  }
  std::printf("[ figure ] %d notices issued by %d clients at once on %d items: %zu distinct 文号 in %.2f s\n",
              kThreads * kEach, kThreads, kThreads, distinct.size(), seconds);
}

TEST_F(NoticeHttp, NumberingContinuesAfterARestartAndStartsAgainInANewYear) {
  const std::string taskforce = Principal("taskforce");
  EXPECT_EQ(Post("/api/v1/tasks/3/events", taskforce, Issue("DB-1")).json["event"]["data"]["number"],
            "奉三位一体督〔2024〕1号");
  EXPECT_EQ(Post("/api/v1/tasks/7/events", taskforce, Issue("DB-2")).json["event"]["data"]["number"],
            "奉三位一体督〔2024〕2号");
  Stop();
  Start();
  EXPECT_EQ(Post("/api/v1/tasks/3/events", taskforce, Issue("DB-3")).json["event"]["data"]["number"],
            "奉三位一体督〔2024〕3号");
  // 2025-01-02 in Fengjie.
  clock_.Set(Timestamp(std::chrono::sys_days(std::chrono::year(2025) / 1 / 2)));
  EXPECT_EQ(Post("/api/v1/tasks/3/events", taskforce, Issue("DB-4", "2025-02-01")).json["event"]["data"]["number"],
            "奉三位一体督〔2025〕1号");
}

TEST_F(NoticeHttp, TheServerReplacesANumberTheClientSent) {
  const std::string taskforce = Principal("taskforce");
  nlohmann::json notice = Issue("DB-1");
  notice["data"]["number"] = "奉三位一体督〔2024〕99号";
  Reply reply = Post("/api/v1/tasks/3/events", taskforce, notice);
  ASSERT_EQ(reply.status, 201) << reply.body;
  EXPECT_EQ(reply.json["event"]["data"]["number"], "奉三位一体督〔2024〕1号");
}

TEST_F(NoticeHttp, RefusesADueDateInThePastAndAppendsNothing) {
  const std::string taskforce = Principal("taskforce");
  const std::uint64_t head = Head();
  Reply reply = Post("/api/v1/tasks/3/events", taskforce, Issue("DB-1", "2024-11-19"));  // today is 2024-11-20
  EXPECT_EQ(reply.status, 400) << reply.body;
  EXPECT_EQ(reply.json["error"]["code"], "due_in_past");
  EXPECT_EQ(reply.json["error"]["field"], "data.due");
  EXPECT_NE(reply.json["error"]["message"].get<std::string>().find("办理时限不能早于今天"), std::string::npos)
      << reply.body;
  EXPECT_EQ(Head(), head);
  EXPECT_EQ(Post("/api/v1/tasks/3/events", taskforce, Issue("DB-1", "2024-11-20")).status, 201);  // today is fine
}

TEST_F(NoticeHttp, UnitSignsAndTheTaskForceClosesUnansweredOnlyWithAReason) {
  const std::string taskforce = Principal("taskforce");
  const std::string forestry = Principal("department", kForestry);
  ASSERT_EQ(Post("/api/v1/tasks/3/events", taskforce, Issue("DB-1")).status, 201);

  Reply signed_for = Post("/api/v1/tasks/3/events", forestry,
                          {{"type", "NoticeSigned"}, {"data", {{"notice_id", "DB-1"}}}});
  ASSERT_EQ(signed_for.status, 201) << signed_for.body;
  Reply again = Post("/api/v1/tasks/3/events", forestry, {{"type", "NoticeSigned"}, {"data", {{"notice_id", "DB-1"}}}});
  EXPECT_EQ(again.status, 409);
  EXPECT_EQ(again.json["error"]["code"], "notice_already_signed");
  EXPECT_EQ(again.json["error"]["message"], "该督办通知已签收，不能重复签收");

  const std::uint64_t position = signed_for.json["event"]["position"];
  Reply item = Get("/api/v1/tasks/3?min_position=" + std::to_string(position), taskforce);
  ASSERT_EQ(item.status, 200) << item.body;
  const nlohmann::json& notice = item.json["item"]["open_notices"][0];
  EXPECT_EQ(notice["number"], "奉三位一体督〔2024〕1号");
  EXPECT_EQ(notice["signed"], true);
  EXPECT_EQ(notice["signed_by"], kForestry);
  EXPECT_EQ(notice["answered"], false);

  Reply bare = Post("/api/v1/tasks/3/events", taskforce, Close("DB-1"));
  EXPECT_EQ(bare.status, 409) << bare.body;
  EXPECT_EQ(bare.json["error"]["code"], "notice_unanswered");

  Reply with_reason = Post("/api/v1/tasks/3/events", taskforce, Close("DB-1", "逾期未反馈，按未整改销号"));
  ASSERT_EQ(with_reason.status, 201) << with_reason.body;
  EXPECT_EQ(with_reason.json["event"]["schema_version"], 2);
  EXPECT_EQ(with_reason.json["event"]["data"]["unanswered_reason"], "逾期未反馈，按未整改销号");
}

TEST_F(NoticeHttp, AnAnsweredNoticeClosesWithoutAReason) {
  const std::string taskforce = Principal("taskforce");
  const std::string forestry = Principal("department", kForestry);
  ASSERT_EQ(Post("/api/v1/tasks/3/events", taskforce, Issue("DB-1")).status, 201);
  ASSERT_EQ(Post("/api/v1/tasks/3/events", forestry,
                 {{"type", "NoticeAnswered"}, {"data", {{"notice_id", "DB-1"}, {"summary", "已整改"}}}})
                .status,
            201);
  Reply closed = Post("/api/v1/tasks/3/events", taskforce, Close("DB-1"));
  EXPECT_EQ(closed.status, 201) << closed.body;
}

}  // namespace
}  // namespace kuimen::testing
