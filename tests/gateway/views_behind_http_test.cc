// The write path's refusal when the views fall behind (issue 12, items 1 and
// 4), over real HTTP: a write is refused 503 `views_behind` with
// Retry-After only while a view is held more than --max-view-lag events
// behind for the whole admission wait; nothing is appended; the same write
// goes through once the view moves again.
#include <future>
#include <thread>

#include <gtest/gtest.h>

#include "projections/projector.h"
#include "tests/gateway/api_server.h"

namespace kuimen {
namespace {

class ViewsBehindHttp : public testing::ApiServerTest {
 protected:
  ViewsBehindHttp() { max_view_lag_ = 1; }

  static nlohmann::json Deadline(const std::string& milestone) {
    return {{"type", "DeadlineSet"}, {"data", {{"due", "2024-12-31"}, {"milestone", milestone}}}};
  }

  std::uint64_t Head() { return service_->store().Head().position.value; }
};

TEST_F(ViewsBehindHttp, AWriteIsRefused503WithRetryAfterWhileAViewIsHeldBehindAndAppendsNothing) {
  Projector* supervision = service_->projector("supervision");
  ASSERT_NE(supervision, nullptr);
  ASSERT_TRUE(supervision->WaitForApplied(GlobalPosition(Head()), std::chrono::seconds(30)));

  // Hold the supervision view still: its fold needs the lock a reader holds.
  std::promise<void> held;
  std::promise<void> release;
  std::shared_future<void> released = release.get_future().share();
  std::thread reader([&] {
    supervision->WithView([&](const View&) {
      held.set_value();
      released.wait();
      return 0;
    });
  });
  held.get_future().wait();
  const std::uint64_t applied = supervision->applied_through().value;

  // Within the bound of one event: the first two writes are admitted.
  ASSERT_EQ(Post("/api/v1/tasks/7/events", admin_token_, Deadline("一")).status, 201);
  ASSERT_EQ(Post("/api/v1/tasks/7/events", admin_token_, Deadline("二")).status, 201);
  const std::uint64_t head = Head();
  ASSERT_GT(head, applied + 1);  // the view is now more than one event behind

  Reply refused = Post("/api/v1/tasks/7/events", admin_token_, Deadline("三"));
  EXPECT_EQ(refused.status, 503) << refused.body;
  EXPECT_EQ(refused.json["error"]["code"], "views_behind") << refused.body;
  EXPECT_EQ(refused.json["error"]["message"], "系统正在更新看板数据，本次提交未保存，请稍后重试");
  ASSERT_EQ(refused.headers.count("Retry-After"), 1u);
  EXPECT_EQ(refused.headers.find("Retry-After")->second, "1");
  EXPECT_EQ(Head(), head);  // nothing appended

  release.set_value();
  reader.join();
  // The view moves again: the same write, sent again, is admitted.
  Reply again = Post("/api/v1/tasks/7/events", admin_token_, Deadline("三"));
  EXPECT_EQ(again.status, 201) << again.body;
  EXPECT_NE(Get("/metrics", "").body.find("kuimen_submissions_total{outcome=\"views_behind\"} 1"), std::string::npos);
}

}  // namespace
}  // namespace kuimen
