#include "domain/event_validation.h"

#include <cmath>

#include <gtest/gtest.h>

#include "tests/support/behaviour_name.h"

namespace kuimen {
namespace {

using std::chrono::year;
using namespace std::chrono_literals;

ProgressReported ValidReport() {
  ProgressReported e;
  e.period = year(2024) / std::chrono::October;
  e.summary = "本月组建乡镇农合联2个";
  e.percent = 25;
  e.evidence = {{"成立大会纪要", "https://intranet.example/fj/1.pdf"}};
  return e;
}

struct FieldCase {
  const char* behaviour;
  EventData event;
  std::string field;  // empty: valid
};

class EventValidation : public ::testing::TestWithParam<FieldCase> {};

TEST_P(EventValidation, NamesTheOffendingField) {
  Status status = ValidateEventData(GetParam().event);
  if (GetParam().field.empty()) {
    EXPECT_TRUE(status.ok()) << status.ToString();
  } else {
    EXPECT_EQ(status.code(), StatusCode::kInvalidArgument);
    EXPECT_EQ(status.subject(), GetParam().field) << status.ToString();
  }
}

INSTANTIATE_TEST_SUITE_P(
    Table, EventValidation,
    ::testing::Values(
        FieldCase{"valid report", ValidReport(), ""},
        FieldCase{"blank summary", [] { auto e = ValidReport(); e.summary = "  "; return e; }(), "summary"},
        FieldCase{"summary of 4000 characters is fine",
                  [] { auto e = ValidReport(); e.summary.clear(); for (int i = 0; i < 4000; ++i) e.summary += "字"; return e; }(), ""},
        FieldCase{"summary of 4001 characters is too long",
                  [] { auto e = ValidReport(); e.summary.clear(); for (int i = 0; i < 4001; ++i) e.summary += "字"; return e; }(), "summary"},
        FieldCase{"negative percent", [] { auto e = ValidReport(); e.percent = -1; return e; }(), "percent"},
        FieldCase{"period month out of range", [] { auto e = ValidReport(); e.period = year(2024) / std::chrono::month(13); return e; }(), "period"},
        FieldCase{"negative indicator value",
                  [] { auto e = ValidReport(); e.indicators = {{"农合联", -1, "个"}}; return e; }(), "indicators[0].value"},
        FieldCase{"evidence without uri",
                  [] { auto e = ValidReport(); e.evidence.push_back({"照片", ""}); return e; }(), "evidence[1].uri"},
        FieldCase{"deadline on a day that does not exist",
                  DeadlineSet{"年底", year(2024) / std::chrono::February / 30d}, "due"},
        FieldCase{"notice id with spaces", NoticeIssued{"DB 1", "滞后", year(2024) / std::chrono::March / 1d}, "notice_id"},
        FieldCase{"empty completion summary", TaskCompleted{""}, "summary"},
        FieldCase{"empty reopen reason", TaskReopened{""}, "reason"},
        FieldCase{"valid adjustment", AssessmentAdjusted{"县供销合作社", 2024, -2.5, "督办逾期"}, ""},
        FieldCase{"adjustment of zero points", AssessmentAdjusted{"县供销合作社", 2024, 0, "无"}, "points"},
        FieldCase{"adjustment beyond twenty points", AssessmentAdjusted{"县供销合作社", 2024, -21, "逾期"}, "points"},
        FieldCase{"adjustment of no number", AssessmentAdjusted{"县供销合作社", 2024, std::nan(""), "逾期"}, "points"},
        FieldCase{"adjustment without a unit", AssessmentAdjusted{"", 2024, 2, "成效突出"}, "unit"},
        FieldCase{"adjustment reason of 4001 characters",
                  [] { AssessmentAdjusted e{"县供销合作社", 2024, 2, ""}; for (int i = 0; i < 4001; ++i) e.reason += "字"; return e; }(),
                  "reason"},
        FieldCase{"freeze of a year after 2100", YearFrozen{2101, ""}, "year"},
        FieldCase{"valid principal",
                  PrincipalRegistered{"p-3f2a9c01", "张三", Role::kDepartment, "县农业农村委", std::string(64, 'f')}, ""},
        FieldCase{"principal id with a slash",
                  PrincipalRegistered{"p/1", "张三", Role::kAuditor, "", std::string(64, 'f')}, "principal_id"},
        FieldCase{"principal unit with a trailing space",
                  PrincipalRegistered{"p-1", "张三", Role::kDepartment, "县农业农村委 ", std::string(64, 'f')}, "unit"},
        FieldCase{"token hash in upper case",
                  PrincipalRegistered{"p-1", "张三", Role::kAuditor, "", std::string(64, 'F')}, "token_sha256"},
        FieldCase{"revocation without an id", PrincipalRevoked{""}, "principal_id"},
        FieldCase{"summary with line breaks and tabs is fine",
                  [] { auto e = ValidReport(); e.summary = "一、组建农合联\n\t二、托管服务"; return e; }(), ""},
        FieldCase{"summary with a NUL",
                  [] { auto e = ValidReport(); e.summary = std::string("完成\0一半", 10); return e; }(), "summary"},
        FieldCase{"summary with an escape sequence",
                  [] { auto e = ValidReport(); e.summary = "完成\x1b[2J"; return e; }(), "summary"},
        FieldCase{"summary with a carriage return", [] { auto e = ValidReport(); e.summary = "完成\r伪造"; return e; }(),
                  "summary"},
        FieldCase{"summary with a C1 control", [] { auto e = ValidReport(); e.summary = "完成\xc2\x85"; return e; }(),
                  "summary"},
        FieldCase{"indicator name with a line break",
                  [] { auto e = ValidReport(); e.indicators = {{"农合联\n", 1, "个"}}; return e; }(), "indicators[0].indicator"},
        FieldCase{"evidence title with a tab",
                  [] { auto e = ValidReport(); e.evidence = {{"纪要\t", "https://x/1"}}; return e; }(), "evidence[0].title"},
        FieldCase{"evidence uri with a DEL",
                  [] { auto e = ValidReport(); e.evidence = {{"纪要", "https://x/\x7f"}}; return e; }(), "evidence[0].uri"},
        FieldCase{"milestone with a NUL", DeadlineSet{std::string("年\0底", 7), year(2024) / std::chrono::May / 1d},
                  "milestone"},
        FieldCase{"notice reason with a line break is fine",
                  NoticeIssued{"DB-1", "滞后\n请整改", year(2024) / std::chrono::March / 1d}, ""},
        FieldCase{"notice answer with a bell", NoticeAnswered{"DB-1", "已整改\a"}, "summary"},
        FieldCase{"review comment with an escape", ReportReviewed{StreamVersion(1), ReviewDecision::kApproved, "好\x1b"},
                  "comment"},
        FieldCase{"principal name with a line break",
                  PrincipalRegistered{"p-1", "张三\n管理员", Role::kAuditor, "", std::string(64, 'f')}, "name"},
        FieldCase{"township of 201 characters",
                  [] { TownshipRegistered e; for (int i = 0; i < 201; ++i) e.name += "镇"; return e; }(), "name"}),
    testing::ByBehaviour());

TEST(Utf8Length, CountsCharactersNotBytes) {
  EXPECT_EQ(Utf8Length("农合联"), 3u);
  EXPECT_EQ(Utf8Length("abc"), 3u);
  EXPECT_EQ(Utf8Length(""), 0u);
}

TEST(FindControlCharacter, AllowsLineBreaksAndTabsOnlyInLongText) {
  EXPECT_EQ(FindControlCharacter("一\n二\t三", TextKind::kLongText), std::nullopt);
  EXPECT_EQ(FindControlCharacter("一\n二", TextKind::kLine), std::optional<size_t>(3));
  EXPECT_EQ(FindControlCharacter("ab\x1b", TextKind::kLongText), std::optional<size_t>(2));
  EXPECT_EQ(FindControlCharacter("农合联 café", TextKind::kLine), std::nullopt);  // U+00E9 is no control
}

TEST(EventValidation, NamesTheControlCharacterInChinese) {
  auto e = ValidReport();
  e.summary = "完成\x1b[2J";
  Status status = ValidateEventData(e);
  EXPECT_EQ(status.field(), "summary");
  EXPECT_EQ(status.error_code(), "control_character");
  EXPECT_EQ(status.message(), "进展情况含有不可见的控制字符（第3个字符），请删除后重新填写");
}

// Each problem has its stable code, the field as the event names it, and a
// sentence for the clerk that names the field as the form does.
TEST(EventValidation, NamesEachProblemWithACodeTheFieldAndTheFormsWords) {
  struct Case {
    EventData event;
    std::string field;
    std::string code;
    std::string message;
  };
  ProgressReported blank = ValidReport();
  blank.summary = " ";
  ProgressReported percent = ValidReport();
  percent.percent = 101;
  ProgressReported negative = ValidReport();
  negative.indicators.push_back({"指标", -1, "万亩次"});
  const std::vector<Case> cases = {
      {blank, "summary", "required", "进展情况不能为空"},
      {NoticeAnswered{"n-1", " "}, "summary", "required", "整改情况不能为空"},
      {percent, "percent", "out_of_range", "总体进度应为0到100之间的数"},
      {negative, "indicators[" + std::to_string(negative.indicators.size() - 1) + "].value", "out_of_range",
       "第" + std::to_string(negative.indicators.size()) + "项指标完成值不能小于0"},
      {TaskReopened{std::string(4001, 'x')}, "reason", "too_long", "重新启动的理由不能超过4000个字"},
  };
  for (const Case& c : cases) {
    Status status = ValidateEventData(c.event);
    EXPECT_EQ(status.code(), StatusCode::kInvalidArgument) << status.ToString();
    EXPECT_EQ(status.field(), c.field) << status.ToString();
    EXPECT_EQ(status.error_code(), c.code) << status.ToString();
    EXPECT_EQ(status.message(), c.message) << status.ToString();
  }
}

}  // namespace
}  // namespace kuimen
