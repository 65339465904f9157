// 待办 and 催办 over HTTP: the whole service in the test process, a real
// client, a manual clock. Who may urge, what "all" expands to, what a unit's
// 待办 shows, and that every refusal appends nothing.
#include <gtest/gtest.h>

#include <algorithm>

#include "tests/gateway/api_server.h"

namespace kuimen::testing {
namespace {

const std::string kForestry = "县林业局";         // cooperates on task 3 only
const std::string kAgriculture = "县农业农村委";  // leads task 3

class UrgeHttp : public ApiServerTest {
 protected:
  // 2024-12-05 10:00 in Fengjie: the November report is due on 12-10.
  static Timestamp December5() { return Timestamp(std::chrono::seconds(kStartSeconds + 15 * 86400)); }
  std::uint64_t Head() { return service_->store().Head().position.value; }
  std::string Fresh() { return "min_position=" + std::to_string(Head()); }
};

TEST_F(UrgeHttp, OnlyTheTaskForceUrgesAndARefusalAppendsNothing) {
  clock_.Set(December5());
  const std::string forestry = Principal("department", kForestry);
  const std::string auditor = Principal("auditor");
  const std::uint64_t head = Head();

  Reply department = Post("/api/v1/urge", forestry, {{"unit", kAgriculture}});
  EXPECT_EQ(department.status, 403) << department.body;
  EXPECT_EQ(department.json["error"]["code"], "taskforce_only");
  Reply audit = Post("/api/v1/urge", auditor, {{"unit", "all"}});
  EXPECT_EQ(audit.status, 403) << audit.body;
  EXPECT_EQ(audit.json["error"]["code"], "auditor_read_only");
  Reply unknown = Post("/api/v1/urge", admin_token_, {{"unit", "县教委"}});
  EXPECT_EQ(unknown.status, 400) << unknown.body;
  EXPECT_EQ(unknown.json["error"]["code"], "unknown_unit");
  EXPECT_EQ(unknown.json["error"]["field"], "unit");
  Reply control = Post("/api/v1/urge", admin_token_, {{"unit", kForestry}, {"text", "请\u001b报送"}});
  EXPECT_EQ(control.status, 400) << control.body;
  EXPECT_EQ(control.json["error"]["code"], "control_character");
  EXPECT_EQ(control.json["error"]["field"], "text");
  Reply too_long = Post("/api/v1/urge", admin_token_, {{"unit", kForestry}, {"text", std::string(201, 'a')}});
  EXPECT_EQ(too_long.json["error"]["code"], "too_long");
  Reply missing = Post("/api/v1/urge", admin_token_, nlohmann::json::object());
  EXPECT_EQ(missing.json["error"]["code"], "required");
  EXPECT_EQ(Head(), head);

  Reply sent = Post("/api/v1/urge", admin_token_, {{"unit", kForestry}, {"text", "请于12月10日前报送11月进展"}});
  ASSERT_EQ(sent.status, 201) << sent.body;
  EXPECT_EQ(sent.json["event"]["stream"], "urges");
  EXPECT_EQ(sent.json["event"]["type"], "UrgeSent");
  EXPECT_EQ(sent.json["event"]["data"]["units"], nlohmann::json::array({kForestry}));
  EXPECT_EQ(sent.json["event"]["data"]["all"], false);
  EXPECT_EQ(Head(), head + 1);
}

TEST_F(UrgeHttp, UrgingAllExpandsToEveryUnitThatOwesAndItsTodoShowsTheUrgeFirst) {
  const std::string forestry = Principal("department", kForestry);
  clock_.Set(December5());
  Reply sent = Post("/api/v1/urge?" + Fresh(), admin_token_, {{"unit", "all"}, {"text", "请按时报送"}});
  ASSERT_EQ(sent.status, 201) << sent.body;
  const auto units = sent.json["units"].get<std::vector<std::string>>();
  EXPECT_NE(std::find(units.begin(), units.end(), kForestry), units.end());
  EXPECT_EQ(sent.json["event"]["data"]["all"], true);
  EXPECT_EQ(sent.json["event"]["data"]["units"], sent.json["units"]);

  Reply todo = Get("/api/v1/todo?" + Fresh(), forestry);
  ASSERT_EQ(todo.status, 200) << todo.body;
  EXPECT_EQ(todo.json["unit"], kForestry);
  EXPECT_EQ(todo.json["today"], "2024-12-05");
  EXPECT_EQ(todo.json["counts"]["urge"], 1);
  EXPECT_EQ(todo.json["counts"]["report"], 1);
  EXPECT_EQ(todo.json["items"][0]["kind"], "urge");
  EXPECT_EQ(todo.json["items"][0]["urge_text"], "请按时报送");
  EXPECT_EQ(todo.json["items"][1]["kind"], "report");
  EXPECT_EQ(todo.json["items"][1]["due"], "2024-12-10");
  EXPECT_EQ(todo.json["items"][1]["reason"], "2024年11月进展应于2024-12-10前报送，尚未报送");

  Reply list = Get("/api/v1/urge?" + Fresh(), admin_token_);
  ASSERT_EQ(list.status, 200) << list.body;
  EXPECT_EQ(list.json["units"].size(), units.size());
}

TEST_F(UrgeHttp, ADepartmentReadsOnlyItsOwnTodoAndTheTaskForceNamesTheUnit) {
  clock_.Set(December5());
  const std::string forestry = Principal("department", kForestry);
  const std::string auditor = Principal("auditor");
  Reply other = Get("/api/v1/todo?unit=" + std::string("%E5%8E%BF%E5%86%9C%E4%B8%9A%E5%86%9C%E6%9D%91%E5%A7%94"), forestry);
  EXPECT_EQ(other.status, 403) << other.body;
  EXPECT_EQ(other.json["error"]["code"], "own_unit_only");
  Reply unnamed = Get("/api/v1/todo", admin_token_);
  EXPECT_EQ(unnamed.status, 400) << unnamed.body;
  EXPECT_EQ(unnamed.json["error"]["field"], "unit");
  Reply named = Get("/api/v1/todo?unit=%E5%8E%BF%E6%9E%97%E4%B8%9A%E5%B1%80", admin_token_);
  EXPECT_EQ(named.status, 200) << named.body;
  EXPECT_EQ(named.json["unit"], kForestry);
  EXPECT_EQ(Get("/api/v1/urge", forestry).status, 403);
  EXPECT_EQ(Get("/api/v1/urge", auditor).status, 200);
}

TEST_F(UrgeHttp, UrgingAllWhenNobodyOwesIsRefusedAndAppendsNothing) {
  // 2024-11-20, the store's first month: no report is due yet.
  const std::uint64_t head = Head();
  Reply none = Post("/api/v1/urge?" + Fresh(), admin_token_, {{"unit", "all"}});
  EXPECT_EQ(none.status, 409) << none.body;
  EXPECT_EQ(none.json["error"]["code"], "nothing_owed");
  EXPECT_EQ(Head(), head);
}

}  // namespace
}  // namespace kuimen::testing
