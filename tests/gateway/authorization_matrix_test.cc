// Who may do what, as one table: every role against every action, on a task
// the caller's unit is involved in ("own") and on one it is not ("other").
// Each row is sent through HTTP and must get exactly the status written here.
#include <gtest/gtest.h>

#include "tests/gateway/api_server.h"

namespace kuimen::testing {
namespace {

// 县林业局 cooperates on task 3 and not on task 1. For the task force and the
// auditor "own" and "other" are the same two tasks, to show the difference
// only matters for departments.
constexpr int kOwnTask = 3;
constexpr int kOtherTask = 1;

enum class Action {
  kReadTask,       // GET /tasks/{no}
  kReadHistory,    // GET /tasks/{no}/events
  kReport,         // POST ProgressReported
  kReview,         // POST ReportReviewed of the task's latest report
  kSetDeadline,    // POST DeadlineSet
  kIssueNotice,    // POST NoticeIssued (督办)
  kReadLog,        // GET /events
  kVerify,         // GET /audit/verify
  kRegister,       // POST /principals
};

struct Row {
  const char* role;
  Action action;
  bool own;
  int status;
};

// clang-format off
constexpr Row kMatrix[] = {
  // role         action                  own    status
  {"taskforce",  Action::kReadTask,      true,  200}, {"taskforce",  Action::kReadTask,      false, 200},
  {"taskforce",  Action::kReadHistory,   true,  200}, {"taskforce",  Action::kReadHistory,   false, 200},
  {"taskforce",  Action::kReport,        true,  403}, {"taskforce",  Action::kReport,        false, 403},
  {"taskforce",  Action::kReview,        true,  201}, {"taskforce",  Action::kReview,        false, 201},
  {"taskforce",  Action::kSetDeadline,   true,  201}, {"taskforce",  Action::kSetDeadline,   false, 201},
  {"taskforce",  Action::kIssueNotice,   true,  201}, {"taskforce",  Action::kIssueNotice,   false, 201},
  {"taskforce",  Action::kReadLog,       true,  200},
  {"taskforce",  Action::kVerify,        true,  200},
  {"taskforce",  Action::kRegister,      true,  201},

  {"department", Action::kReadTask,      true,  200}, {"department", Action::kReadTask,      false, 200},
  {"department", Action::kReadHistory,   true,  200}, {"department", Action::kReadHistory,   false, 200},
  {"department", Action::kReport,        true,  201}, {"department", Action::kReport,        false, 403},
  {"department", Action::kReview,        true,  403}, {"department", Action::kReview,        false, 403},
  {"department", Action::kSetDeadline,   true,  403}, {"department", Action::kSetDeadline,   false, 403},
  {"department", Action::kIssueNotice,   true,  403}, {"department", Action::kIssueNotice,   false, 403},
  {"department", Action::kReadLog,       true,  403},
  {"department", Action::kVerify,        true,  403},
  {"department", Action::kRegister,      true,  403},

  {"auditor",    Action::kReadTask,      true,  200}, {"auditor",    Action::kReadTask,      false, 200},
  {"auditor",    Action::kReadHistory,   true,  200}, {"auditor",    Action::kReadHistory,   false, 200},
  {"auditor",    Action::kReport,        true,  403}, {"auditor",    Action::kReport,        false, 403},
  {"auditor",    Action::kReview,        true,  403}, {"auditor",    Action::kReview,        false, 403},
  {"auditor",    Action::kSetDeadline,   true,  403}, {"auditor",    Action::kSetDeadline,   false, 403},
  {"auditor",    Action::kIssueNotice,   true,  403}, {"auditor",    Action::kIssueNotice,   false, 403},
  {"auditor",    Action::kReadLog,       true,  200},
  {"auditor",    Action::kVerify,        true,  200},
  {"auditor",    Action::kRegister,      true,  403},
};
// clang-format on

class AuthorizationMatrix : public ApiServerTest {
 protected:
  // Each task gets a fresh report from its lead unit, so a review has
  // something to review; returns the report's version.
  std::uint64_t FreshReport(int task) {
    const std::string& lead = leads_.at(task);
    Reply reply = Post("/api/v1/tasks/" + std::to_string(task) + "/events", lead, Report(10));
    EXPECT_EQ(reply.status, 201) << reply.body;
    return reply.json["event"]["version"];
  }

  Reply Perform(const std::string& token, Action action, int task, int row) {
    const std::string base = "/api/v1/tasks/" + std::to_string(task);
    switch (action) {
      case Action::kReadTask: return Get(base, token);
      case Action::kReadHistory: return Get(base + "/events", token);
      case Action::kReport: return Post(base + "/events", token, Report(20));
      case Action::kReview: {
        const std::uint64_t version = FreshReport(task);
        return Post(base + "/events", token,
                    {{"type", "ReportReviewed"}, {"data", {{"report_version", version}, {"decision", "approved"}}}});
      }
      case Action::kSetDeadline:
        return Post(base + "/events", token,
                    {{"type", "DeadlineSet"}, {"data", {{"due", "2024-12-31"}, {"milestone", "年度目标"}}}});
      case Action::kIssueNotice:
        return Post(base + "/events", token,
                    {{"type", "NoticeIssued"},
                     {"data", {{"notice_id", "DB-" + std::to_string(row)}, {"due", "2025-01-15"}, {"reason", "进度滞后"}}}});
      case Action::kReadLog: return Get("/api/v1/events", token);
      case Action::kVerify: return Get("/api/v1/audit/verify", token);
      case Action::kRegister:
        return Post("/api/v1/principals", token, {{"name", "新用户"}, {"role", "auditor"}});
    }
    return {};
  }

  std::map<int, std::string> leads_;
};

TEST_F(AuthorizationMatrix, EveryRoleGetsExactlyTheStatusTheTableSays) {
  leads_[kOwnTask] = Principal("department", "县农业农村委", "农业农村委联络员");
  leads_[kOtherTask] = Principal("department", "县供销合作社", "供销社联络员");
  const std::map<std::string, std::string> tokens = {{"taskforce", Principal("taskforce")},
                                                     {"department", Principal("department", "县林业局")},
                                                     {"auditor", Principal("auditor")}};
  int row = 0;
  for (const Row& expected : kMatrix) {
    ++row;
    const std::uint64_t head_before = service_->store().Head().position.value;
    Reply reply = Perform(tokens.at(expected.role), expected.action, expected.own ? kOwnTask : kOtherTask, row);
    EXPECT_EQ(reply.status, expected.status)
        << "row " << row << ": " << expected.role << " action " << static_cast<int>(expected.action)
        << (expected.own ? " own" : " other") << " -> " << reply.body;
    if (reply.status >= 400) {
      EXPECT_TRUE(reply.json["error"].contains("message")) << "row " << row;
      // A refusal appends nothing (the fresh report a review row makes aside).
      const std::uint64_t made = expected.action == Action::kReview ? 1 : 0;
      EXPECT_EQ(service_->store().Head().position.value, head_before + made) << "row " << row;
    }
  }
}

}  // namespace
}  // namespace kuimen::testing
