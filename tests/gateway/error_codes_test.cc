// The code table (gateway/error_codes.cc) is the one list of error codes:
// openapi.json lists exactly its codes with the same HTTP status, every rule
// of the domain has an entry, and each entry's sentence reads as Chinese.
#include "gateway/error_codes.h"

#include <regex>
#include <set>
#include <string>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "domain/principal_rules.h"
#include "domain/status.h"
#include "domain/task_rules.h"
#include "gateway/http_error.h"
#include "gateway/openapi.h"

namespace kuimen {
namespace {

nlohmann::json ErrorCodeSchema() {
  return nlohmann::json::parse(kOpenApiJson)["components"]["schemas"]["ErrorCode"];
}

TEST(ErrorCodes, OpenApiListsEveryCodeOfTheTableAndNoOther) {
  const nlohmann::json schema = ErrorCodeSchema();
  std::set<std::string> table;
  for (const ErrorCodeEntry& entry : ErrorCodes()) {
    EXPECT_TRUE(table.insert(std::string(entry.code)).second) << entry.code << " is listed twice";
    ASSERT_TRUE(schema["x-http-status"].contains(std::string(entry.code))) << entry.code;
    EXPECT_EQ(schema["x-http-status"][std::string(entry.code)], entry.http_status) << entry.code;
    EXPECT_NE(schema["description"].get<std::string>().find("`" + std::string(entry.code) + "`"), std::string::npos)
        << entry.code << " is not described";
  }
  const std::set<std::string> listed = schema["enum"].get<std::set<std::string>>();
  EXPECT_EQ(listed, table);
  EXPECT_EQ(schema["x-http-status"].size(), table.size());
}

TEST(ErrorCodes, EveryRuleOfTheDomainHasAnEntryWithItsStatus) {
  for (int i = 0; i <= static_cast<int>(kLastTaskRule); ++i) {
    const std::string_view id = RuleId(static_cast<TaskRule>(i));
    EXPECT_NE(id, "unknown_rule");
    EXPECT_NE(FindErrorCode(id), nullptr) << id;
  }
  for (int i = 0; i <= static_cast<int>(PrincipalRule::kNoWebhook); ++i) {
    const std::string_view id = RuleId(static_cast<PrincipalRule>(i));
    EXPECT_NE(FindErrorCode(id), nullptr) << id;
  }
  EXPECT_NE(FindErrorCode(kDueInPast), nullptr);
  EXPECT_NE(FindErrorCode(kDiskFullCause), nullptr);
  // The class names a Status falls back to when it states no reason.
  for (StatusCode code : {StatusCode::kInvalidArgument, StatusCode::kUnauthenticated, StatusCode::kPermissionDenied,
                          StatusCode::kNotFound, StatusCode::kFailedPrecondition, StatusCode::kEventIdReused,
                          StatusCode::kUnavailable, StatusCode::kResourceExhausted, StatusCode::kDataLoss,
                          StatusCode::kInternal}) {
    const ErrorCodeEntry* entry = FindErrorCode(StatusCodeName(code));
    ASSERT_NE(entry, nullptr) << StatusCodeName(code);
    EXPECT_EQ(entry->http_status, HttpStatusOf(code)) << StatusCodeName(code);
  }
  EXPECT_EQ(FindErrorCode(Status::Aborted("x").error_code())->http_status, 409);
}

TEST(ErrorCodes, EachSentenceIsChineseWithNoEnglishWord) {
  static const std::regex kLatinWord("[A-Za-z]{4,}");
  for (const ErrorCodeEntry& entry : ErrorCodes()) {
    const std::string message(entry.message);
    EXPECT_FALSE(message.empty()) << entry.code;
    EXPECT_FALSE(std::regex_search(message, kLatinWord)) << entry.code << ": " << message;
    EXPECT_NE(message.find_first_of("\xE4\xE5\xE6\xE7\xE8\xE9"), std::string::npos) << entry.code << ": " << message;
  }
}

// A failure's English message stays in the log: the client gets the table's sentence.
TEST(ErrorBody, AFailureShowsTheTablesSentenceAndARefusalItsOwn) {
  const nlohmann::json failure = ErrorBody(Status::Unavailable("cannot read position 7: IO error"));
  EXPECT_EQ(failure["error"]["code"], "unavailable");
  EXPECT_EQ(failure["error"]["message"], std::string(FindErrorCode("unavailable")->message));

  const nlohmann::json refusal =
      ErrorBody(Status::FailedPrecondition("该报告已审核，不能重复审核", "report_already_reviewed"));
  EXPECT_EQ(refusal["error"]["code"], "report_already_reviewed");
  EXPECT_EQ(refusal["error"]["kind"], "failed_precondition");
  EXPECT_EQ(refusal["error"]["rule"], "report_already_reviewed");
  EXPECT_EQ(refusal["error"]["message"], "该报告已审核，不能重复审核");

  const nlohmann::json field = ErrorBody(Status::InvalidArgument("整改情况不能为空", "data.summary", "required"));
  EXPECT_EQ(field["error"]["code"], "required");
  EXPECT_EQ(field["error"]["field"], "data.summary");
  EXPECT_FALSE(field["error"].contains("rule"));
}

}  // namespace
}  // namespace kuimen
