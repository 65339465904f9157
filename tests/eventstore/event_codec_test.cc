// Every event type against a golden file of its canonical JSON: a change to a
// wire name, field or format shows up here before it reaches stored data.
#include "eventstore/event_codec.h"

#include <fstream>
#include <sstream>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "tests/support/behaviour_name.h"

namespace kuimen {
namespace {

using std::chrono::year;
using namespace std::chrono_literals;

std::string ReadGolden(const std::string& name) {
  std::ifstream in(std::string(KUIMEN_SOURCE_DIR) + "/tests/eventstore/golden/" + name);
  std::stringstream text;
  text << in.rdbuf();
  std::string content = text.str();
  while (!content.empty() && content.back() == '\n') content.pop_back();
  return content;
}

struct GoldenCase {
  const char* file;
  EventData event;
};

class EventCodecGolden : public ::testing::TestWithParam<GoldenCase> {};

TEST_P(EventCodecGolden, EncodesToTheGoldenBytesAndBack) {
  const GoldenCase& c = GetParam();
  const std::string golden = ReadGolden(c.file);
  ASSERT_FALSE(golden.empty()) << "missing golden file " << c.file;
  EncodedEvent encoded = EncodeEvent(c.event);
  EXPECT_EQ(encoded.type + ".v" + std::to_string(encoded.schema_version) + ".json", c.file);
  EXPECT_EQ(encoded.data, golden);
  Result<EventData> decoded = DecodeEvent(encoded.type, encoded.schema_version, golden);
  ASSERT_TRUE(decoded.ok()) << decoded.status().ToString();
  EXPECT_EQ(*decoded, c.event);
}

ProgressReported SampleReport() {
  ProgressReported e;
  e.period = year(2024) / std::chrono::November;
  e.summary = "完成农业生产托管服务12.5万亩次";
  e.percent = 16;
  e.indicators = {{"农业生产社会化服务规模", 12.5, "万亩次"}};
  e.evidence = {{"托管服务台账", "https://intranet.example/fj/t7-2024-11.xlsx"}};
  return e;
}

// Schema 2: the lead unit reports the county-wide figure (全县数).
ProgressReported SampleCountyWideReport() {
  ProgressReported e = SampleReport();
  e.indicators[0].scope = IndicatorScope::kCounty;
  return e;
}

// Schema 3: a report that also says which milestones it meets.
ProgressReported SampleReportMeetingAMilestone() {
  ProgressReported e = SampleCountyWideReport();
  e.milestones_met = {"2024年11月底前完成托管服务12万亩次"};
  return e;
}

// Schema 4: a report that also cites an uploaded file (佐证材料).
ProgressReported SampleReportWithAttachment() {
  ProgressReported e = SampleReportMeetingAMilestone();
  e.attachments = {{"9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08", "托管服务台账.pdf", 48213,
                    "application/pdf"}};
  return e;
}

// Schema 2: early, with a reason, and the rules recorded (a short rules text
// here; the gateway records the whole rules file).
YearFrozen SampleEarlyFreeze() {
  YearFrozen e{2024, "2024年度综合考核结果定格"};
  e.early = true;
  e.reason = "县委常委会12月下旬研究年度考核结果，提前定格";
  e.rules_version = "fengjie-2024.2";
  e.rules = R"({"rules":[{"id":"completion","label":"任务完成","max_points":100}],"total":100,"utc_offset_minutes":480,"version":"fengjie-2024.2"})";
  return e;
}

INSTANTIATE_TEST_SUITE_P(
    AllTypes, EventCodecGolden,
    ::testing::Values(
        GoldenCase{"ProgressReported.v4.json", SampleReportWithAttachment()},
        GoldenCase{"DeadlineSet.v2.json",
                   DeadlineSet{"年度目标", year(2025) / std::chrono::June / 30d, "受汛期影响，经县政府同意顺延"}},
        GoldenCase{"MilestoneMet.v1.json", MilestoneMet{"年度目标", "经专班现场核查，已完成"}},
        GoldenCase{"MilestoneCancelled.v1.json", MilestoneCancelled{"年度目标", "县政府调整工作安排，该节点不再单列"}},
        GoldenCase{"ReportReviewed.v1.json", ReportReviewed{StreamVersion(3), ReviewDecision::kReturned, "缺少佐证材料"}},
        GoldenCase{"NoticeIssued.v2.json", NoticeIssued{"DB-2024-007", "进度滞后于序时", year(2025) / std::chrono::January / 15d,
                                                        "奉三位一体督〔2024〕7号"}},
        GoldenCase{"NoticeAnswered.v2.json",
                   NoticeAnswered{"DB-2024-007", "已召开专题会，制定整改清单",
                                  {{"2c26b46b68ffc68ff99b453c1d30413413422d706483bfa0f98a5e886266e7ae", "整改清单.docx",
                                    20480, "application/vnd.openxmlformats-officedocument.wordprocessingml.document"}}}},
        GoldenCase{"NoticeClosed.v2.json",
                   NoticeClosed{"DB-2024-007", "", "责任单位逾期未反馈整改情况，转入年终考核扣分"}},
        GoldenCase{"NoticeSigned.v1.json", NoticeSigned{"DB-2024-007"}},
        GoldenCase{"InstructionGiven.v2.json",
                   InstructionGiven{"请县农业农村委月底前拿出整改方案。\n专班跟踪督办，每周报告进展。", "DB-2024-007",
                                    "县委副书记 李四",
                                    {{"fcde2b2edba56bf408601fb721fe9b5c338d10ee429ea04fae5511b68fbf8fb9", "调研报告.pdf",
                                      51200, "application/pdf"}}}},
        GoldenCase{"TaskCompleted.v1.json", TaskCompleted{"全年目标已完成"}},
        GoldenCase{"TaskReopened.v1.json", TaskReopened{"复核发现数据口径不一致"}},
        GoldenCase{"AssessmentAdjusted.v1.json", AssessmentAdjusted{"县供销合作社", 2024, -2.5, "督办事项逾期未整改"}},
        GoldenCase{"YearFrozen.v2.json", SampleEarlyFreeze()},
        GoldenCase{"PrincipalRegistered.v1.json",
                   PrincipalRegistered{"p-3f2a9c01", "县农业农村委 张三", Role::kDepartment, "县农业农村委",
                                       "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08"}},
        GoldenCase{"PrincipalRevoked.v1.json", PrincipalRevoked{"p-3f2a9c01"}},
        GoldenCase{"TownshipRegistered.v1.json", TownshipRegistered{"永安街道"}},
        GoldenCase{"UrgeSent.v1.json", UrgeSent{{"县农业农村委", "县供销合作社"}, true, "请于本周内报送11月进展"}},
        GoldenCase{"WebhookRegistered.v1.json",
                   WebhookRegistered{"县农业农村委", "https://oapi.dingtalk.example/robot/send",
                                     "AAECAwQFBgcICQoLc2VhbGVkLXNlY3JldA=="}},
        GoldenCase{"WebhookRemoved.v1.json", WebhookRemoved{"县农业农村委"}}),
    [](const ::testing::TestParamInfo<GoldenCase>& info) {
      std::string name = info.param.file;
      return name.substr(0, name.find('.'));
    });

// Stores written before NoticeClosed version 2 hold version-1 closings; they
// must keep reading, upcast to an empty unanswered_reason.
TEST(EventCodec, ReadsAVersionOneClosingAsHavingNoUnansweredReason) {
  Result<EventData> decoded = DecodeEvent("NoticeClosed", 1, ReadGolden("NoticeClosed.v1.json"));
  ASSERT_TRUE(decoded.ok()) << decoded.status().ToString();
  EXPECT_EQ(*decoded, EventData(NoticeClosed{"DB-2024-007", "整改到位，予以销号", ""}));
}

// Reports stored before scopes (schema 1) read as each unit's own contribution.
TEST(EventCodec, ReadsAVersionOneReportsFiguresAsTheUnitsOwnContribution) {
  Result<EventData> decoded = DecodeEvent("ProgressReported", 1, ReadGolden("ProgressReported.v1.json"));
  ASSERT_TRUE(decoded.ok()) << decoded.status().ToString();
  EXPECT_EQ(*decoded, EventData(SampleReport()));
  EXPECT_EQ(std::get<ProgressReported>(*decoded).indicators.at(0).scope, IndicatorScope::kOwn);
}

// Reports stored with schema 2 (scopes, before milestones) meet no milestone.
TEST(EventCodec, ReadsAVersionTwoReportAsMeetingNoMilestone) {
  Result<EventData> decoded = DecodeEvent("ProgressReported", 2, ReadGolden("ProgressReported.v2.json"));
  ASSERT_TRUE(decoded.ok()) << decoded.status().ToString();
  EXPECT_EQ(*decoded, EventData(SampleCountyWideReport()));
}

TEST(EventCodec, RefusesAVersionOneReportWhoseIndicatorCarriesAScope) {
  Result<EventData> decoded = DecodeEvent(
      "ProgressReported", 1,
      R"({"indicators":[{"indicator":"x","scope":"county","unit":"u","value":1}],"percent":1,"period":"2024-11","summary":"s"})");
  EXPECT_EQ(decoded.status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(decoded.status().subject(), "scope");
}

TEST(EventCodec, ReadsAClientsReportWithoutScopeAsOwnAndRefusesAnUnknownScope) {
  const auto parse = [](const char* scope) {
    nlohmann::json data = {{"period", "2024-11"}, {"summary", "s"}, {"percent", 1},
                           {"indicators", {{{"indicator", "x"}, {"value", 1}, {"unit", "u"}}}}};
    if (scope != nullptr) data["indicators"][0]["scope"] = scope;
    return EventFromJson("ProgressReported", data);
  };
  ASSERT_TRUE(parse(nullptr).ok());
  EXPECT_EQ(std::get<ProgressReported>(*parse(nullptr)).indicators[0].scope, IndicatorScope::kOwn);
  EXPECT_EQ(std::get<ProgressReported>(*parse("county")).indicators[0].scope, IndicatorScope::kCounty);
  EXPECT_EQ(parse("township").status().subject(), "indicators[0].scope");
}

TEST(EventCodec, ReadsAVersionOneNoticeAsUnnumbered) {
  Result<EventData> decoded = DecodeEvent("NoticeIssued", 1, ReadGolden("NoticeIssued.v1.json"));
  ASSERT_TRUE(decoded.ok()) << decoded.status().ToString();
  EXPECT_EQ(*decoded, EventData(NoticeIssued{"DB-2024-007", "进度滞后于序时", year(2025) / std::chrono::January / 15d, ""}));
}

// Stores written before milestones could be met hold version-1 reports and
// deadlines: a report then met no milestone, a deadline carried no reason.
TEST(EventCodec, ReadsAVersionOneReportAsMeetingNoMilestone) {
  Result<EventData> decoded = DecodeEvent("ProgressReported", 1, ReadGolden("ProgressReported.v1.json"));
  ASSERT_TRUE(decoded.ok()) << decoded.status().ToString();
  EXPECT_EQ(*decoded, EventData(SampleReport()));
  EXPECT_TRUE(std::get<ProgressReported>(*decoded).milestones_met.empty());
}

// Stores written before uploads hold version-3 reports and version-1
// answers: they cite no file.
TEST(EventCodec, ReadsAVersionThreeReportAsCitingNoFile) {
  Result<EventData> decoded = DecodeEvent("ProgressReported", 3, ReadGolden("ProgressReported.v3.json"));
  ASSERT_TRUE(decoded.ok()) << decoded.status().ToString();
  EXPECT_EQ(*decoded, EventData(SampleReportMeetingAMilestone()));
}

TEST(EventCodec, ReadsAVersionOneAnswerAsCitingNoFile) {
  Result<EventData> decoded = DecodeEvent("NoticeAnswered", 1, ReadGolden("NoticeAnswered.v1.json"));
  ASSERT_TRUE(decoded.ok()) << decoded.status().ToString();
  EXPECT_EQ(*decoded, EventData(NoticeAnswered{"DB-2024-007", "已召开专题会，制定整改清单"}));
}

TEST(EventCodec, ReadsAVersionOneInstructionAsCitingNoFile) {
  Result<EventData> decoded = DecodeEvent("InstructionGiven", 1, ReadGolden("InstructionGiven.v1.json"));
  ASSERT_TRUE(decoded.ok()) << decoded.status().ToString();
  EXPECT_EQ(*decoded, EventData(InstructionGiven{"请县农业农村委月底前拿出整改方案。\n专班跟踪督办，每周报告进展。",
                                                 "DB-2024-007", "县委副书记 李四"}));
}

TEST(EventCodec, RefusesAnAttachmentWhoseHashIsNotSixtyFourHexDigits) {
  Result<EventData> decoded = EventFromJson(
      "NoticeAnswered",
      nlohmann::json::parse(R"({"notice_id":"DB-1","summary":"s","attachments":[{"sha256":"ABC","name":"a.pdf","size":1,"media_type":"application/pdf"}]})"));
  EXPECT_EQ(decoded.status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(decoded.status().reason(), "invalid_format");
}

TEST(EventCodec, ReadsAVersionOneDeadlineAsHavingNoReason) {
  Result<EventData> decoded = DecodeEvent("DeadlineSet", 1, ReadGolden("DeadlineSet.v1.json"));
  ASSERT_TRUE(decoded.ok()) << decoded.status().ToString();
  EXPECT_EQ(*decoded, EventData(DeadlineSet{"年度目标", year(2024) / std::chrono::December / 31d, ""}));
}

TEST(EventCodec, RefusesAVersionOneDeadlineThatCarriesAReason) {
  Result<EventData> decoded =
      DecodeEvent("DeadlineSet", 1, R"({"due":"2024-12-31","milestone":"m","reason":"x"})");
  EXPECT_EQ(decoded.status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(decoded.status().subject(), "reason");
}

TEST(EventCodec, RefusesAMilestoneNamedByAReportThatIsNotAString) {
  Result<EventData> decoded = DecodeEvent(
      "ProgressReported", 3,
      R"({"period":"2024-11","summary":"s","percent":1,"indicators":[],"evidence":[],"milestones_met":["a",3]})");
  EXPECT_EQ(decoded.status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(decoded.status().subject(), "milestones_met[1]");
}

TEST(EventCodec, RefusesAVersionOneClosingThatCarriesAVersionTwoField) {
  Result<EventData> decoded =
      DecodeEvent("NoticeClosed", 1, R"({"comment":"","notice_id":"DB-1","unanswered_reason":"x"})");
  EXPECT_EQ(decoded.status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(decoded.status().subject(), "unanswered_reason");
}

TEST(EventCodec, RefusesASchemaVersionNewerThanItReads) {
  Result<EventData> decoded = DecodeEvent("NoticeClosed", 3, R"({"notice_id":"DB-1"})");
  EXPECT_EQ(decoded.status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(decoded.status().subject(), "schema_version");
}

TEST(EventCodec, NamesEveryTypeOnce) {
  std::vector<std::string_view> names = EventTypeNames();
  EXPECT_EQ(names.size(), std::variant_size_v<EventData>);
  EXPECT_EQ(names.front(), "ProgressReported");
}

struct BadCase {
  const char* behaviour;
  const char* type;
  const char* data;
  const char* field;
};

class EventCodecRefuses : public ::testing::TestWithParam<BadCase> {};

TEST_P(EventCodecRefuses, NamingTheField) {
  Result<EventData> decoded = DecodeEvent(GetParam().type, 1, GetParam().data);
  EXPECT_EQ(decoded.status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(decoded.status().subject(), GetParam().field) << decoded.status().ToString();
}

INSTANTIATE_TEST_SUITE_P(
    Table, EventCodecRefuses,
    ::testing::Values(
        BadCase{"unknown type", "ProgressDeleted", "{}", "type"},
        BadCase{"not JSON", "TaskCompleted", "{summary", "data"},
        BadCase{"not an object", "TaskCompleted", "[1]", "data"},
        BadCase{"missing field", "TaskCompleted", "{}", "summary"},
        BadCase{"unknown field", "TaskCompleted", R"({"summary":"完成","sumary":"x"})", "sumary"},
        BadCase{"wrong type", "ProgressReported", R"({"period":"2024-11","summary":"x","percent":"50"})", "percent"},
        BadCase{"bad month", "ProgressReported", R"({"period":"2024-13","summary":"x","percent":5})", "period"},
        BadCase{"month in the wrong form", "ProgressReported", R"({"period":"2024/11","summary":"x","percent":5})", "period"},
        BadCase{"nested field", "ProgressReported",
                R"({"period":"2024-11","summary":"x","percent":5,"indicators":[{"indicator":"a","value":1}]})",
                "indicators[0].unit"},
        BadCase{"impossible date", "DeadlineSet", R"({"milestone":"m","due":"2024-02-30"})", "due"},
        BadCase{"unknown decision", "ReportReviewed", R"({"report_version":1,"decision":"maybe"})", "decision"},
        BadCase{"fractional version", "ReportReviewed", R"({"report_version":1.5,"decision":"approved"})",
                "report_version"},
        BadCase{"adjustment without points", "AssessmentAdjusted",
                R"({"unit":"县供销合作社","year":2024,"reason":"x"})", "points"},
        BadCase{"adjustment points as text", "AssessmentAdjusted",
                R"({"unit":"县供销合作社","year":2024,"points":"5","reason":"x"})", "points"},
        BadCase{"fractional year", "AssessmentAdjusted",
                R"({"unit":"县供销合作社","year":2024.5,"points":5,"reason":"x"})", "year"},
        BadCase{"year of five digits", "YearFrozen", R"({"year":20240})", "year"},
        BadCase{"unknown field of a freeze", "YearFrozen", R"({"year":2024,"units":[]})", "units"},
        BadCase{"unknown role of a principal", "PrincipalRegistered",
                R"({"principal_id":"p-1","name":"张三","role":"admin","token_sha256":"00"})", "role"},
        BadCase{"principal without a token hash", "PrincipalRegistered",
                R"({"principal_id":"p-1","name":"张三","role":"auditor"})", "token_sha256"},
        BadCase{"township without a name", "TownshipRegistered", "{}", "name"}),
    testing::ByBehaviour());

TEST(EventCodec, ReadsAFreezeWithoutAComment) {
  Result<EventData> decoded = DecodeEvent("YearFrozen", 1, R"({"year":2024})");
  ASSERT_TRUE(decoded.ok()) << decoded.status().ToString();
  EXPECT_EQ(std::get<YearFrozen>(*decoded), (YearFrozen{2024, ""}));
}

TEST(EventCodec, ReadsAPrincipalWithoutAUnit) {
  Result<EventData> decoded =
      DecodeEvent("PrincipalRegistered", 1, R"({"principal_id":"p-1","name":"审计","role":"auditor","token_sha256":"ab"})");
  ASSERT_TRUE(decoded.ok()) << decoded.status().ToString();
  EXPECT_EQ(std::get<PrincipalRegistered>(*decoded), (PrincipalRegistered{"p-1", "审计", Role::kAuditor, "", "ab"}));
}

// A store written before YearFrozen 2 holds version 1 events (pinned by the
// golden file): they still decode, as a freeze that was not early and
// recorded no rules.
TEST(EventCodec, UpcastsAVersion1FreezeFromItsGoldenFile) {
  const std::string v1 = ReadGolden("YearFrozen.v1.json");
  ASSERT_FALSE(v1.empty());
  Result<EventData> decoded = DecodeEvent("YearFrozen", 1, v1);
  ASSERT_TRUE(decoded.ok()) << decoded.status().ToString();
  const YearFrozen expected{2024, "2024年度综合考核结果定格", false, "", "", ""};
  EXPECT_EQ(std::get<YearFrozen>(*decoded), expected);
  // Re-encoded, it is written as the current version.
  const EncodedEvent encoded = EncodeEvent(*decoded);
  EXPECT_EQ(encoded.schema_version, 2u);
  EXPECT_EQ(*DecodeEvent(encoded.type, encoded.schema_version, encoded.data), *decoded);
}

TEST(EventCodec, RefusesAVersion1FreezeCarryingVersion2Fields) {
  Result<EventData> decoded = DecodeEvent("YearFrozen", 1, R"({"year":2024,"early":true,"reason":"x"})");
  EXPECT_EQ(decoded.status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(decoded.status().subject(), "early");
}

TEST(EventCodec, RefusesAFreezeVersionNewerThanItReads) {
  Result<EventData> decoded = DecodeEvent("YearFrozen", 3, R"({"year":2024})");
  EXPECT_EQ(decoded.status().subject(), "schema_version");
}

TEST(EventCodec, RefusesASchemaVersionItCannotRead) {
  Result<EventData> decoded = DecodeEvent("TaskCompleted", 2, R"({"summary":"完成"})");
  EXPECT_EQ(decoded.status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(decoded.status().subject(), "schema_version");
}

// Found by tests/fuzz/eventstore/event_codec_fuzz: the type of a damaged
// record went into the message as it was, and writing that message as JSON
// threw (type_error.316).
TEST(EventCodec, QuotesAnUnknownTypeThatIsNotUtf8SoItsMessageIsValidJson) {
  Result<EventData> decoded = DecodeEvent("Task\x97" "Completed\n", 1, R"({"summary":"完成"})");
  EXPECT_EQ(decoded.status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(decoded.status().subject(), "type");
  EXPECT_EQ(decoded.status().message(), R"(type: "Task\x97Completed\x0A" is not an event type)");
  EXPECT_NO_THROW((void)nlohmann::json(decoded.status().message()).dump());
}

// Found by tests/fuzz/gateway/request_body_fuzz under UBSan: NumberJson cast
// 6.4e28 to int64 before it checked the range (undefined behaviour).
TEST(EventCodec, WritesAValueBeyondInt64AsADoubleAndReadsItBack) {
  ProgressReported report{std::chrono::year(2024) / 11, "完成", 16, {{"指标", 6.444444444444444e28, "万亩次"}}, {}};
  EncodedEvent encoded = EncodeEvent(report);
  EXPECT_NE(encoded.data.find("6.444444444444444e+28"), std::string::npos) << encoded.data;
  Result<EventData> decoded = DecodeEvent(encoded.type, encoded.schema_version, encoded.data);
  ASSERT_TRUE(decoded.ok()) << decoded.status().ToString();
  EXPECT_EQ(std::get<ProgressReported>(*decoded), report);
}

}  // namespace
}  // namespace kuimen
