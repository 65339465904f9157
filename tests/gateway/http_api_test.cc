// The HTTP API through a real client against a real server on an ephemeral
// port: the scenarios of issue 4, each refusal's status and body, and that a
// refused request appends nothing.
#include <gtest/gtest.h>

#include "tests/gateway/api_server.h"

namespace kuimen::testing {
namespace {

// 县林业局 cooperates on task 3 and has nothing to do with task 1.
constexpr const char* kForestry = "县林业局";

class HttpApi : public ApiServerTest {
 protected:
  std::uint64_t Head() { return service_->store().Head().position.value; }
};

TEST_F(HttpApi, DepartmentReportsOnItsOwnTaskAndIsRefusedOnAnother) {
  const std::string forestry = Principal("department", kForestry);

  Reply own = Post("/api/v1/tasks/3/events", forestry, Report(20));
  ASSERT_EQ(own.status, 201) << own.body;
  EXPECT_EQ(own.json["event"]["stream"], "task-03");
  EXPECT_EQ(own.json["event"]["version"], 1);
  EXPECT_EQ(own.json["event"]["type"], "ProgressReported");
  EXPECT_EQ(own.json["event"]["actor"]["unit"], kForestry);
  EXPECT_TRUE(own.json["event"].contains("hash"));
  EXPECT_TRUE(own.json["event"].contains("recorded_at"));

  const std::uint64_t head = Head();
  Reply other = Post("/api/v1/tasks/1/events", forestry, Report(20));
  EXPECT_EQ(other.status, 403) << other.body;
  EXPECT_EQ(other.json["error"]["code"], "unit_not_involved");
  EXPECT_EQ(other.json["error"]["kind"], "permission_denied");
  EXPECT_EQ(other.json["error"]["rule"], "unit_not_involved");
  EXPECT_EQ(Head(), head);
}

TEST_F(HttpApi, InvalidFieldIsNamedAndAppendsNothing) {
  const std::string forestry = Principal("department", kForestry);
  const std::uint64_t head = Head();
  nlohmann::json report = Report(20);
  report["data"]["percent"] = 140;
  Reply reply = Post("/api/v1/tasks/3/events", forestry, report);
  EXPECT_EQ(reply.status, 400) << reply.body;
  EXPECT_EQ(reply.json["error"]["code"], "out_of_range");
  EXPECT_EQ(reply.json["error"]["kind"], "invalid_argument");
  EXPECT_EQ(reply.json["error"]["field"], "data.percent");
  EXPECT_EQ(reply.json["error"]["message"], "总体进度应为0到100之间的数");

  report = Report(20);
  report["type"] = "ProgressTeleported";
  reply = Post("/api/v1/tasks/3/events", forestry, report);
  EXPECT_EQ(reply.status, 400);
  EXPECT_EQ(reply.json["error"]["field"], "type");

  report = Report(20);
  report["expected_versoin"] = 0;
  reply = Post("/api/v1/tasks/3/events", forestry, report);
  EXPECT_EQ(reply.status, 400);
  EXPECT_EQ(reply.json["error"]["field"], "expected_versoin");

  reply = Send("POST", "/api/v1/tasks/3/events", forestry, "{\"type\": ");
  EXPECT_EQ(reply.status, 400);
  EXPECT_EQ(reply.json["error"]["field"], "body");

  reply = Send("POST", "/api/v1/tasks/3/events", forestry,
               std::string("{\"type\":\"ProgressReported\",\"data\":{\"summary\":\"\xff\xfe\"}}"));
  EXPECT_EQ(reply.status, 400);
  EXPECT_NE(reply.json["error"]["message"].get<std::string>().find("UTF-8"), std::string::npos) << reply.body;

  EXPECT_EQ(Head(), head);
}

TEST_F(HttpApi, UnknownTaskIsNotFound) {
  const std::string forestry = Principal("department", kForestry);
  for (const char* path : {"/api/v1/tasks/30/events", "/api/v1/tasks/0/events", "/api/v1/tasks/x/events",
                           "/api/v1/majors/6/events"}) {
    Reply reply = Post(path, forestry, Report(20));
    EXPECT_EQ(reply.status, 404) << path;
    EXPECT_EQ(reply.json["error"]["code"], "item_not_found") << path;
  }
}

TEST_F(HttpApi, StaleExpectedVersionIsAConflict) {
  const std::string forestry = Principal("department", kForestry);
  nlohmann::json first = Report(20);
  first["expected_version"] = 0;
  ASSERT_EQ(Post("/api/v1/tasks/3/events", forestry, first).status, 201);

  const std::uint64_t head = Head();
  nlohmann::json stale = Report(30);
  stale["expected_version"] = 0;
  Reply reply = Post("/api/v1/tasks/3/events", forestry, stale);
  EXPECT_EQ(reply.status, 409) << reply.body;
  EXPECT_EQ(reply.json["error"]["code"], "version_conflict");
  EXPECT_EQ(reply.json["error"]["kind"], "aborted");
  EXPECT_EQ(reply.json["error"]["field"], "expected_version");
  EXPECT_EQ(Head(), head);
}

TEST_F(HttpApi, TaskForceReviewsAReportOnceOnly) {
  const std::string forestry = Principal("department", kForestry);
  const std::string taskforce = Principal("taskforce");
  ASSERT_EQ(Post("/api/v1/tasks/3/events", forestry, Report(20)).status, 201);

  const nlohmann::json review = {{"type", "ReportReviewed"},
                                 {"data", {{"report_version", 1}, {"decision", "approved"}, {"comment", "同意"}}}};
  Reply first = Post("/api/v1/tasks/3/events", taskforce, review);
  ASSERT_EQ(first.status, 201) << first.body;
  Reply again = Post("/api/v1/tasks/3/events", taskforce, review);
  EXPECT_EQ(again.status, 409) << again.body;
  EXPECT_EQ(again.json["error"]["code"], "report_already_reviewed");
  EXPECT_EQ(again.json["error"]["rule"], "report_already_reviewed");
  EXPECT_EQ(again.json["error"]["message"], "该报告已审核，不能重复审核");

  // A department may not review, even its own task's report.
  Reply by_department = Post("/api/v1/tasks/3/events", forestry, review);
  EXPECT_EQ(by_department.status, 403);
}

TEST_F(HttpApi, ResentEventIdReturnsTheStoredEvent) {
  const std::string forestry = Principal("department", kForestry);
  nlohmann::json report = Report(20);
  report["event_id"] = "3f2504e0-4f89-41d3-9a0c-0305e82c3301";
  Reply first = Post("/api/v1/tasks/3/events", forestry, report);
  ASSERT_EQ(first.status, 201) << first.body;
  const std::uint64_t head = Head();
  Reply again = Post("/api/v1/tasks/3/events", forestry, report);
  EXPECT_EQ(again.json["event"], first.json["event"]);
  EXPECT_EQ(again.json["event"]["id"], "3f2504e0-4f89-41d3-9a0c-0305e82c3301");
  EXPECT_EQ(Head(), head);
}

// Issue 9, item 7: an event_id never lets a request past the rules, and is a
// retry only of the same principal's same request.
TEST_F(HttpApi, AResentEventIdIsAuthorizedFirstAndMustBeTheSameRequest) {
  const std::string forestry = Principal("department", kForestry);
  const std::string colleague = Principal("department", kForestry, "林业局另一联络员");
  const std::string commerce = Principal("department", "县商务委");  // not on task 3
  const std::string auditor = Principal("auditor");
  const std::string taskforce = Principal("taskforce");
  Reply created = Post("/api/v1/principals", admin_token_,
                       {{"name", "将被撤销的联络员"}, {"role", "department"}, {"unit", kForestry}});
  ASSERT_EQ(created.status, 201) << created.body;
  const std::string revoked = created.json["token"];

  nlohmann::json report = Report(20);
  report["event_id"] = "3f2504e0-4f89-41d3-9a0c-0305e82c3302";
  Reply first = Post("/api/v1/tasks/3/events", forestry, report);
  ASSERT_EQ(first.status, 201) << first.body;
  nlohmann::json other_data = report;
  other_data["data"]["percent"] = 21;
  nlohmann::json other_type = {{"type", "DeadlineSet"},
                               {"data", {{"milestone", "年底完成"}, {"due", "2024-12-31"}}},
                               {"event_id", report["event_id"]}};

  nlohmann::json revoked_report = Report(30);
  revoked_report["event_id"] = "3f2504e0-4f89-41d3-9a0c-0305e82c3303";
  ASSERT_EQ(Post("/api/v1/tasks/3/events", revoked, revoked_report).status, 201);
  ASSERT_EQ(Send("DELETE", "/api/v1/principals/" + created.json["id"].get<std::string>(), admin_token_).status, 200);

  struct Case {
    const char* what;
    std::string token;
    std::string path;
    nlohmann::json body;
    int status;
    std::string code;
    std::string subject;  // field or rule
  };
  const std::vector<Case> cases = {
      {"same principal, same content", forestry, "/api/v1/tasks/3/events", report, 201, "", ""},
      {"same principal, other data", forestry, "/api/v1/tasks/3/events", other_data, 409, "event_id_reused",
       "event_id"},
      {"same principal, another type it may not write", forestry, "/api/v1/tasks/3/events", other_type, 403,
       "taskforce_only", "taskforce_only"},
      {"the task force, another type it may write", taskforce, "/api/v1/tasks/3/events", other_type, 409,
       "event_id_reused", "event_id"},
      {"another principal of the same unit, same content", colleague, "/api/v1/tasks/3/events", report, 409,
       "event_id_reused", "event_id"},
      {"an unrelated department, same content", commerce, "/api/v1/tasks/3/events", report, 403,
       "unit_not_involved", "unit_not_involved"},
      {"an auditor, same content", auditor, "/api/v1/tasks/3/events", report, 403, "auditor_read_only",
       "auditor_read_only"},
      {"same principal, same content, another task it may not write", forestry, "/api/v1/tasks/1/events", report, 403,
       "unit_not_involved", "unit_not_involved"},
      {"a revoked principal, its own event again", revoked, "/api/v1/tasks/3/events", revoked_report, 401,
       "token_unknown", ""},
  };
  const std::uint64_t head = Head();
  for (const Case& c : cases) {
    SCOPED_TRACE(c.what);
    Reply reply = Post(c.path, c.token, c.body);
    EXPECT_EQ(reply.status, c.status) << reply.body;
    if (c.status == 201) {
      EXPECT_EQ(reply.json["event"], first.json["event"]);
      continue;
    }
    EXPECT_EQ(reply.json["error"]["code"], c.code) << reply.body;
    if (c.code == "event_id_reused") {
      EXPECT_EQ(reply.json["error"]["field"], c.subject) << reply.body;
    }
    if (c.status == 403) {
      EXPECT_EQ(reply.json["error"]["rule"], c.subject) << reply.body;
    }
  }
  EXPECT_EQ(Head(), head);
}

// A review's retry still gets the stored review, though a second review of
// the same report would now be refused.
TEST_F(HttpApi, AResentReviewReturnsTheStoredReview) {
  const std::string forestry = Principal("department", kForestry);
  const std::string taskforce = Principal("taskforce");
  ASSERT_EQ(Post("/api/v1/tasks/3/events", forestry, Report(20)).status, 201);
  const nlohmann::json review = {{"type", "ReportReviewed"},
                                 {"data", {{"report_version", 1}, {"decision", "approved"}}},
                                 {"event_id", "3f2504e0-4f89-41d3-9a0c-0305e82c3304"}};
  Reply first = Post("/api/v1/tasks/3/events", taskforce, review);
  ASSERT_EQ(first.status, 201) << first.body;
  Reply again = Post("/api/v1/tasks/3/events", taskforce, review);
  EXPECT_EQ(again.status, 201) << again.body;
  EXPECT_EQ(again.json["event"], first.json["event"]);
}

// Issue 9, item 12: numbers beyond double's range and control characters are
// refused with the field named, and nothing is appended.
TEST_F(HttpApi, HugeNumbersAndControlCharactersAreRefusedWithTheFieldNamed) {
  const std::string forestry = Principal("department", kForestry);
  const std::uint64_t head = Head();
  const std::string huge =
      R"({"type":"ProgressReported","data":{"period":"2024-11","summary":"完成","percent":1e400,"indicators":[]}})";
  Reply reply = Send("POST", "/api/v1/tasks/3/events", forestry, huge);
  EXPECT_EQ(reply.status, 400) << reply.body;
  EXPECT_EQ(reply.json["error"]["code"], "out_of_range");
  EXPECT_EQ(reply.json["error"]["field"], "data.percent") << reply.body;

  const std::string huge_in_list =
      R"({"type":"ProgressReported","data":{"period":"2024-11","summary":"完成","percent":1,)"
      R"("indicators":[{"indicator":"x","value":-1e999,"unit":"个"}]}})";
  reply = Send("POST", "/api/v1/tasks/3/events", forestry, huge_in_list);
  EXPECT_EQ(reply.status, 400) << reply.body;
  EXPECT_EQ(reply.json["error"]["field"], "data.indicators[0].value") << reply.body;

  for (const std::string& summary : {std::string("完成\u0000一半", 13), std::string("完成\x1b[31m"),
                                     std::string("完成\r伪造日志")}) {
    nlohmann::json report = Report(20);
    report["data"]["summary"] = summary;
    reply = Post("/api/v1/tasks/3/events", forestry, report);
    EXPECT_EQ(reply.status, 400) << reply.body;
    EXPECT_EQ(reply.json["error"]["field"], "data.summary") << reply.body;
    EXPECT_EQ(reply.json["error"]["code"], "control_character") << reply.body;
    EXPECT_NE(reply.json["error"]["message"].get<std::string>().find("进展情况含有不可见的控制字符"), std::string::npos);
  }
  Reply name = Post("/api/v1/principals", admin_token_, {{"name", "张三\n管理员"}, {"role", "auditor"}});
  EXPECT_EQ(name.status, 400) << name.body;
  EXPECT_EQ(name.json["error"]["field"], "name") << name.body;
  EXPECT_EQ(Head(), head);

  nlohmann::json multiline = Report(20);
  multiline["data"]["summary"] = "一、组建农合联\n\t二、托管服务";
  EXPECT_EQ(Post("/api/v1/tasks/3/events", forestry, multiline).status, 201);
}

// Issue 9, item 10: each view's state and lag.
TEST_F(HttpApi, HealthReportsEachViewsStateAndLag) {
  const std::string forestry = Principal("department", kForestry);
  Reply report = Post("/api/v1/tasks/3/events", forestry, Report(20));
  ASSERT_EQ(report.status, 201);
  const std::uint64_t position = report.json["event"]["position"];
  ASSERT_EQ(Get("/api/v1/views/supervision?min_position=" + std::to_string(position), forestry).status, 200);
  ASSERT_TRUE(service_->projector("assessment")->WaitForApplied(GlobalPosition(position), std::chrono::seconds(10)));

  Reply health = Get("/healthz", "");
  ASSERT_EQ(health.status, 200);
  EXPECT_EQ(health.json["status"], "ok") << health.body;
  for (const char* view : {"supervision", "assessment"}) {
    SCOPED_TRACE(view);
    const nlohmann::json& entry = health.json["views"][view];
    EXPECT_EQ(entry["status"], "ok") << health.body;
    EXPECT_FALSE(entry.contains("reason"));
    EXPECT_GE(entry["applied_through"].get<std::uint64_t>(), position);
    EXPECT_EQ(entry["untrusted_messages"], 0);
    EXPECT_TRUE(entry["lag"].is_number_unsigned()) << health.body;
    // Issue 12, item 4: the lag in seconds and the bound the write path keeps.
    EXPECT_TRUE(entry["lag_seconds"].is_number()) << health.body;
    EXPECT_GE(entry["lag_seconds"].get<double>(), 0.0);
    EXPECT_EQ(entry["max_lag"], kDefaultMaxViewLag) << health.body;
  }
  const std::string metrics = Get("/metrics", "").body;
  EXPECT_NE(metrics.find("kuimen_projector_lag_seconds{view=\"supervision\"}"), std::string::npos) << metrics;
  EXPECT_NE(metrics.find("kuimen_projector_max_lag_events{view=\"assessment\"} 10000"), std::string::npos);
  EXPECT_NE(metrics.find("kuimen_submissions_total{outcome=\"views_behind\"} 0"), std::string::npos);
  EXPECT_NE(metrics.find("kuimen_view_state{view=\"supervision\",state=\"ok\"} 1"), std::string::npos) << metrics;
  EXPECT_NE(metrics.find("kuimen_view_state{view=\"supervision\",state=\"failed\"} 0"), std::string::npos);
  EXPECT_NE(metrics.find("kuimen_projector_untrusted_messages{view=\"assessment\"} 0"), std::string::npos);
}

// A view whose last batch could not be applied (here: an event whose
// earlier versions the log does not hold, handed to its projector) makes
// /healthz degraded, naming the view and the error, until a batch goes through.
TEST_F(HttpApi, HealthIsDegradedWhileAViewHasFailed) {
  Projector* supervision = service_->projector("supervision");
  ASSERT_NE(supervision, nullptr);
  RecordedEvent orphan;
  orphan.stream = StreamId{"task-05"};
  orphan.version = StreamVersion(5);
  orphan.position = GlobalPosition(Head() + 1);
  ASSERT_TRUE(supervision->Apply({orphan}).ok());

  Reply health = Get("/healthz", "");
  ASSERT_EQ(health.status, 200);
  EXPECT_EQ(health.json["status"], "degraded") << health.body;
  EXPECT_EQ(health.json["views"]["supervision"]["status"], "degraded") << health.body;
  EXPECT_EQ(health.json["views"]["supervision"]["reason"], "failed") << health.body;
  EXPECT_NE(health.json["views"]["supervision"]["error"].get<std::string>().find("task-05"), std::string::npos);
  EXPECT_EQ(health.json["views"]["assessment"]["status"], "ok") << health.body;
  EXPECT_NE(Get("/metrics", "").body.find("kuimen_view_state{view=\"supervision\",state=\"failed\"} 1"),
            std::string::npos);

  // The next batch from the feed goes through, and the view is healthy again.
  const std::string forestry = Principal("department", kForestry);
  ASSERT_EQ(Post("/api/v1/tasks/3/events", forestry, Report(20)).status, 201);
  const std::uint64_t head = Head();
  ASSERT_TRUE(supervision->WaitForApplied(GlobalPosition(head), std::chrono::seconds(10)));
  EXPECT_EQ(Get("/healthz", "").json["views"]["supervision"]["status"], "ok");
}

TEST_F(HttpApi, AuditorSeesTheViewAsItStoodBeforeTheReport) {
  const std::string forestry = Principal("department", kForestry);
  const std::string auditor = Principal("auditor");
  const std::string before = "2024-11-20T10:30:00+08:00";  // 02:30Z
  clock_.Advance(std::chrono::hours(1));                   // the report comes at 03:00Z
  Reply report = Post("/api/v1/tasks/3/events", forestry, Report(35));
  ASSERT_EQ(report.status, 201);
  const std::uint64_t position = report.json["event"]["position"];

  Reply now = Get("/api/v1/tasks/3?min_position=" + std::to_string(position), auditor);
  ASSERT_EQ(now.status, 200) << now.body;
  // 县林业局 cooperates on task 3: its report awaiting review is listed beside the
  // status, which follows the lead unit (clerk review A1).
  EXPECT_EQ(now.json["item"]["status"], "in_progress") << now.body;
  EXPECT_EQ(now.json["item"]["pending_units"], nlohmann::json::array({kForestry})) << now.body;

  Reply then = Get("/api/v1/tasks/3?as_of=" + httplib::detail::encode_query_param(before), auditor);
  ASSERT_EQ(then.status, 200) << then.body;
  EXPECT_EQ(then.json["item"]["status"], "not_started") << then.body;
  EXPECT_LT(then.json["through_position"].get<std::uint64_t>(), position);

  Reply by_position = Get("/api/v1/views/supervision?as_of_position=" + std::to_string(position - 1), auditor);
  ASSERT_EQ(by_position.status, 200);
  EXPECT_EQ(by_position.json["through_position"], position - 1);

  Reply bad = Get("/api/v1/views/supervision?as_of=yesterday", auditor);
  EXPECT_EQ(bad.status, 400);
  EXPECT_EQ(bad.json["error"]["field"], "as_of");
}

TEST_F(HttpApi, MinPositionReadsYourOwnWrite) {
  const std::string forestry = Principal("department", kForestry);
  for (int percent = 10; percent <= 50; percent += 10) {
    Reply report = Post("/api/v1/tasks/3/events", forestry, Report(percent));
    ASSERT_EQ(report.status, 201);
    const std::uint64_t position = report.json["event"]["position"];
    Reply view = Get("/api/v1/views/supervision?min_position=" + std::to_string(position), forestry);
    ASSERT_EQ(view.status, 200) << view.body;
    EXPECT_GE(view.json["through_position"].get<std::uint64_t>(), position);
    const nlohmann::json& task3 = view.json["rendered"]["tasks"][2];
    EXPECT_EQ(task3["last_report"]["percent"], percent);
  }
}

// The fixture's clock reads 2024-11-20: the year 2024 is not over.
TEST_F(HttpApi, AFreezeBeforeTheYearsLastDayIsRefusedUnlessEarlyWithAReason) {
  const nlohmann::json freeze = {{"type", "YearFrozen"}, {"data", {{"year", 2024}, {"comment", "年终定格"}}}};
  const std::uint64_t head = Head();
  Reply refused = Post("/api/v1/assessment/2024/events", admin_token_, freeze);
  EXPECT_EQ(refused.status, 409) << refused.body;
  EXPECT_EQ(refused.json["error"]["rule"], "year_not_over");
  nlohmann::json without_reason = freeze;
  without_reason["data"]["early"] = true;
  Reply no_reason = Post("/api/v1/assessment/2024/events", admin_token_, without_reason);
  EXPECT_EQ(no_reason.status, 400) << no_reason.body;
  EXPECT_EQ(no_reason.json["error"]["field"], "data.reason");
  nlohmann::json naming_rules = freeze;
  naming_rules["data"]["rules_version"] = "my-own-rules";
  Reply named = Post("/api/v1/assessment/2024/events", admin_token_, naming_rules);
  EXPECT_EQ(named.status, 400) << named.body;
  EXPECT_EQ(named.json["error"]["field"], "data.rules_version");
  EXPECT_EQ(Head(), head);

  nlohmann::json early = without_reason;
  early["data"]["reason"] = "县委常委会11月下旬研究年度考核";
  Reply frozen = Post("/api/v1/assessment/2024/events", admin_token_, early);
  ASSERT_EQ(frozen.status, 201) << frozen.body;
  // The server recorded the rules the year is frozen with.
  const nlohmann::json& data = frozen.json["event"]["data"];
  EXPECT_EQ(data["rules_version"], "fengjie-2024.3");
  EXPECT_EQ(nlohmann::json::parse(data["rules"].get<std::string>())["version"], "fengjie-2024.3");
  EXPECT_EQ(frozen.json["event"]["schema_version"], 2);

  const std::uint64_t position = frozen.json["event"]["position"];
  Reply view = Get("/api/v1/views/assessment?year=2024&min_position=" + std::to_string(position), admin_token_);
  ASSERT_EQ(view.status, 200) << view.body;
  EXPECT_EQ(view.json["rendered"]["frozen"], true);
  EXPECT_EQ(view.json["rendered"]["frozen_early"], true);
  EXPECT_EQ(view.json["rendered"]["frozen_reason"], "县委常委会11月下旬研究年度考核");
  // A year not begun cannot be frozen, early or not.
  Reply future = Post("/api/v1/assessment/2025/events", admin_token_,
                      {{"type", "YearFrozen"}, {"data", {{"year", 2025}, {"early", true}, {"reason", "提前"}}}});
  EXPECT_EQ(future.status, 409) << future.body;
  EXPECT_EQ(future.json["error"]["rule"], "year_not_over");
}

TEST_F(HttpApi, TokensAreRequiredAndRevocable) {
  EXPECT_EQ(Get("/api/v1/tasks", "").status, 401);
  Reply unknown = Get("/api/v1/tasks", "kmt_not-a-token");
  EXPECT_EQ(unknown.status, 401);
  EXPECT_EQ(unknown.json["error"]["code"], "token_unknown");
  EXPECT_EQ(Get("/healthz", "").status, 200);
  EXPECT_EQ(Get("/metrics", "").status, 200);
  EXPECT_EQ(Get("/api/v1/openapi.json", "").status, 200);

  Reply created = Post("/api/v1/principals", admin_token_,
                       {{"name", "林业局联络员"}, {"role", "department"}, {"unit", kForestry}});
  ASSERT_EQ(created.status, 201) << created.body;
  const std::string token = created.json["token"];
  EXPECT_EQ(Get("/api/v1/me", token).json["unit"], kForestry);
  EXPECT_EQ(Send("DELETE", "/api/v1/principals/" + created.json["id"].get<std::string>(), admin_token_).status, 200);
  EXPECT_EQ(Get("/api/v1/me", token).status, 401);

  // The token is shown once and stored only as its hash.
  // The reply is held in a variable: a range-for over a member of a temporary
  // reads it after it is destroyed (found by ASan, ops/sanitize.sh).
  Reply principals = Get("/api/v1/principals", admin_token_);
  for (const nlohmann::json& principal : principals.json["principals"]) {
    EXPECT_FALSE(principal.contains("token"));
  }
}

TEST_F(HttpApi, DepartmentUnitMustBeKnown) {
  Reply reply = Post("/api/v1/principals", admin_token_, {{"name", "某人"}, {"role", "department"}, {"unit", "县宇航局"}});
  EXPECT_EQ(reply.status, 400) << reply.body;
  EXPECT_EQ(reply.json["error"]["field"], "unit");

  ASSERT_EQ(Post("/api/v1/townships", admin_token_, {{"name", "永安街道"}}).status, 201);
  const std::string township = Principal("department", "永安街道");
  // Task 7 names 各乡镇人民政府、街道办事处 among its cooperating units; task 3 does not.
  EXPECT_EQ(Post("/api/v1/tasks/7/events", township, Report(10)).status, 201);
  EXPECT_EQ(Post("/api/v1/tasks/3/events", township, Report(10)).status, 403);
}

TEST_F(HttpApi, OversizedBodyIsRefusedBeforeParsing) {
  const std::string forestry = Principal("department", kForestry);
  const std::uint64_t head = Head();
  nlohmann::json report = Report(20);
  report["data"]["summary"] = std::string(70 * 1024, 'x');
  Reply reply = Post("/api/v1/tasks/3/events", forestry, report);
  EXPECT_EQ(reply.status, 413);
  EXPECT_EQ(reply.json["error"]["code"], "payload_too_large") << reply.body;
  EXPECT_EQ(Head(), head);
}

TEST_F(HttpApi, UnknownRouteAnswersJson) {
  Reply reply = Get("/api/v1/nothing-here", admin_token_);
  EXPECT_EQ(reply.status, 404);
  EXPECT_EQ(reply.json["error"]["code"], "route_not_found");
}

TEST_F(HttpApi, HistoriesArePagedByVersionAndPosition) {
  const std::string forestry = Principal("department", kForestry);
  const std::string auditor = Principal("auditor");
  for (int percent : {10, 20, 30}) ASSERT_EQ(Post("/api/v1/tasks/3/events", forestry, Report(percent)).status, 201);

  Reply page = Get("/api/v1/tasks/3/events?from_version=2&limit=1", forestry);
  ASSERT_EQ(page.status, 200) << page.body;
  ASSERT_EQ(page.json["events"].size(), 1u);
  EXPECT_EQ(page.json["events"][0]["version"], 2);
  EXPECT_EQ(page.json["next_version"], 3);

  Reply log = Get("/api/v1/events?from_position=1&limit=1000", auditor);
  ASSERT_EQ(log.status, 200);
  EXPECT_EQ(log.json["events"].size(), Head());
  EXPECT_EQ(log.json["next_position"], Head() + 1);

  EXPECT_EQ(Get("/api/v1/events", forestry).status, 403);
  EXPECT_EQ(Get("/api/v1/events?limit=0", auditor).json["error"]["field"], "limit");
}

TEST_F(HttpApi, AuditorVerifiesTheChainAndChecksASignedDigest) {
  const std::string forestry = Principal("department", kForestry);
  const std::string auditor = Principal("auditor");
  ASSERT_EQ(Post("/api/v1/tasks/3/events", forestry, Report(20)).status, 201);

  Reply verify = Get("/api/v1/audit/verify", auditor);
  ASSERT_EQ(verify.status, 200);
  EXPECT_EQ(verify.json["ok"], true);
  EXPECT_EQ(verify.json["events"], Head());

  Reply digest = Get("/api/v1/audit/digest", auditor);
  ASSERT_EQ(digest.status, 200) << digest.body;
  EXPECT_EQ(digest.json["position"], Head());
  Reply check = Post("/api/v1/audit/digest/check", auditor, digest.json);
  ASSERT_EQ(check.status, 200) << check.body;
  EXPECT_EQ(check.json["ok"], true);

  nlohmann::json forged = digest.json;
  forged["hash"] = std::string(64, '0');
  Reply forged_check = Post("/api/v1/audit/digest/check", auditor, forged);
  ASSERT_EQ(forged_check.status, 200);
  EXPECT_EQ(forged_check.json["ok"], false);

  EXPECT_EQ(Get("/api/v1/audit/public-key", auditor).json["algorithm"], "Ed25519");
  EXPECT_EQ(Get("/api/v1/audit/verify", forestry).status, 403);
}

TEST_F(HttpApi, ExportsDownloadAsSpreadsheets) {
  const std::string forestry = Principal("department", kForestry);
  ASSERT_EQ(Post("/api/v1/tasks/3/events", forestry, Report(20)).status, 201);

  Reply tasks = Get("/api/v1/exports/tasks.xlsx", forestry);
  ASSERT_EQ(tasks.status, 200) << tasks.body;
  EXPECT_EQ(tasks.body.substr(0, 2), "PK");  // a zip, as every xlsx is
  EXPECT_NE(tasks.headers.find("Content-Disposition")->second.find("filename*=UTF-8''"), std::string::npos);

  Reply csv = Get("/api/v1/exports/assessment.csv?year=2024", forestry);
  ASSERT_EQ(csv.status, 200) << csv.body;
  EXPECT_EQ(csv.body.substr(0, 3), "\xEF\xBB\xBF");
  EXPECT_NE(csv.body.find("县农业农村委"), std::string::npos);  // task 3's lead unit has a row

  Reply xlsx = Get("/api/v1/exports/assessment.xlsx?year=2024", forestry);
  ASSERT_EQ(xlsx.status, 200);
  EXPECT_EQ(xlsx.body.substr(0, 2), "PK");
}

TEST_F(HttpApi, MetricsCountRequestsAndSubmissions) {
  const std::string forestry = Principal("department", kForestry);
  ASSERT_EQ(Post("/api/v1/tasks/3/events", forestry, Report(20)).status, 201);
  ASSERT_EQ(Post("/api/v1/tasks/1/events", forestry, Report(20)).status, 403);
  const std::string metrics = Get("/metrics", "").body;
  EXPECT_NE(metrics.find("kuimen_submissions_total{outcome=\"appended\"} 1"), std::string::npos) << metrics;
  EXPECT_NE(metrics.find("kuimen_submissions_total{outcome=\"refused\"} 1"), std::string::npos);
  EXPECT_NE(metrics.find("kuimen_http_request_duration_seconds_bucket{method=\"POST\",route=\"/api/v1/tasks/{no}/events\""),
            std::string::npos);
  EXPECT_NE(metrics.find("kuimen_projector_lag_events{view=\"supervision\"}"), std::string::npos);
  EXPECT_NE(metrics.find("kuimen_relay_lag_events"), std::string::npos);
}

TEST_F(HttpApi, EventsSurviveARestart) {
  const std::string forestry = Principal("department", kForestry);
  ASSERT_EQ(Post("/api/v1/tasks/3/events", forestry, Report(20)).status, 201);
  const std::uint64_t head = Head();
  Stop();
  Start();
  EXPECT_EQ(Head(), head);
  // The administrator's token was written once; the department's still works.
  Reply view = Get("/api/v1/tasks/3?min_position=" + std::to_string(head), forestry);
  ASSERT_EQ(view.status, 200) << view.body;
  EXPECT_EQ(view.json["item"]["last_report"]["percent"], 20);
}

}  // namespace
}  // namespace kuimen::testing
