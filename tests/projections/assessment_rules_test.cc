#include "projections/assessment_rules.h"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "tests/support/behaviour_name.h"

namespace kuimen {
namespace {

using nlohmann::json;

TEST(AssessmentRules, DefaultIsFengjie2024With100PointsInFiveRulesAndAdjustments) {
  const AssessmentRules rules = DefaultAssessmentRules();
  EXPECT_TRUE(ValidateAssessmentRules(rules).ok());
  EXPECT_EQ(rules.version, "fengjie-2024.3");
  EXPECT_EQ(rules.total, 100);
  EXPECT_EQ(rules.utc_offset_minutes, 480);
  std::vector<std::string> ids;
  double total = 0;
  for (const AssessmentRule& rule : rules.rules) {
    ids.emplace_back(AssessmentRuleId(rule.kind));
    total += rule.max_points;
  }
  EXPECT_EQ(ids, (std::vector<std::string>{"timeliness", "approval", "targets", "notices", "completion", "adjustments"}));
  EXPECT_EQ(total, 100);
  ASSERT_NE(rules.Find(AssessmentRuleKind::kTimeliness), nullptr);
  EXPECT_EQ(rules.Find(AssessmentRuleKind::kTimeliness)->label, "报送及时");
  EXPECT_EQ(rules.Find(AssessmentRuleKind::kTimeliness)->max_points, 30);
  EXPECT_EQ(rules.Find(AssessmentRuleKind::kTimeliness)->Parameter("due_day"), 10);
  EXPECT_EQ(rules.Find(AssessmentRuleKind::kCompletion)->label, "任务完成");
}

TEST(AssessmentRules, RoundTripThroughJson) {
  const AssessmentRules rules = DefaultAssessmentRules();
  Result<AssessmentRules> parsed = ParseAssessmentRules(AssessmentRulesToJson(rules));
  ASSERT_TRUE(parsed.ok()) << parsed.status().ToString();
  EXPECT_EQ(*parsed, rules);
}

TEST(AssessmentRules, ParseFillsDefaultsAndKeepsTheOrderGiven) {
  Result<AssessmentRules> parsed = ParseAssessmentRules(R"({
    "version": "test-2025.1",
    "rules": [
      {"id": "completion", "label": "任务完成", "max_points": 40},
      {"id": "timeliness", "label": "按时报送", "max_points": 60},
      {"id": "adjustments", "label": "加减分"}
    ]})");
  ASSERT_TRUE(parsed.ok()) << parsed.status().ToString();
  EXPECT_EQ(parsed->version, "test-2025.1");
  EXPECT_EQ(parsed->total, 100);
  EXPECT_EQ(parsed->utc_offset_minutes, 480);
  ASSERT_EQ(parsed->rules.size(), 3u);
  EXPECT_EQ(parsed->rules[0].kind, AssessmentRuleKind::kCompletion);
  EXPECT_EQ(parsed->rules[1].label, "按时报送");
  EXPECT_EQ(parsed->rules[1].Parameter("due_day"), 10);
  EXPECT_EQ(parsed->Find(AssessmentRuleKind::kNotices), nullptr);
}

struct BadRules {
  const char* behaviour;
  const char* text;
  const char* field;
};

class AssessmentRulesRefuse : public ::testing::TestWithParam<BadRules> {};

TEST_P(AssessmentRulesRefuse, NamingTheField) {
  Result<AssessmentRules> parsed = ParseAssessmentRules(GetParam().text);
  EXPECT_EQ(parsed.status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(parsed.status().subject(), GetParam().field) << parsed.status().ToString();
}

#define ONE_RULE(rule) R"({"version":"v1","total":30,"rules":[)" rule "]}"

INSTANTIATE_TEST_SUITE_P(
    Table, AssessmentRulesRefuse,
    ::testing::Values(
        BadRules{"not JSON", "{version", "body"},
        BadRules{"not an object", "[]", "body"},
        BadRules{"no version", R"({"rules":[{"id":"timeliness","label":"报送及时","max_points":100}]})", "version"},
        BadRules{"blank version", R"({"version":" ","rules":[{"id":"timeliness","label":"报送及时","max_points":100}]})",
                 "version"},
        BadRules{"unknown top-level field", R"({"version":"v1","rule":[]})", "rule"},
        BadRules{"no rules", R"({"version":"v1"})", "rules"},
        BadRules{"rules not a list", R"({"version":"v1","rules":{}})", "rules"},
        BadRules{"empty rules", R"({"version":"v1","rules":[]})", "rules"},
        BadRules{"a rule not an object", R"({"version":"v1","rules":[3]})", "rules[0]"},
        BadRules{"unknown rule id", ONE_RULE(R"({"id":"speed","label":"速度","max_points":30})"), "rules[0].id"},
        BadRules{"rule without a label", ONE_RULE(R"({"id":"timeliness","max_points":30})"), "rules[0].label"},
        BadRules{"rule without max points", ONE_RULE(R"({"id":"timeliness","label":"报送及时"})"),
                 "rules[0].max_points"},
        BadRules{"negative max points", ONE_RULE(R"({"id":"timeliness","label":"报送及时","max_points":-30})"),
                 "rules[0].max_points"},
        BadRules{"unknown field of a rule", ONE_RULE(R"({"id":"timeliness","label":"报送及时","max_points":30,"weight":1})"),
                 "rules[0].weight"},
        BadRules{"unknown parameter",
                 ONE_RULE(R"({"id":"timeliness","label":"报送及时","max_points":30,"parameters":{"due_dy":10}})"),
                 "rules[0].parameters.due_dy"},
        BadRules{"parameter of another rule",
                 ONE_RULE(R"({"id":"approval","label":"审核通过","max_points":30,"parameters":{"due_day":10}})"),
                 "rules[0].parameters.due_day"},
        BadRules{"due day past the 28th",
                 ONE_RULE(R"({"id":"timeliness","label":"报送及时","max_points":30,"parameters":{"due_day":31}})"),
                 "rules[0].parameters.due_day"},
        BadRules{"fractional due day",
                 ONE_RULE(R"({"id":"timeliness","label":"报送及时","max_points":30,"parameters":{"due_day":10.5}})"),
                 "rules[0].parameters.due_day"},
        BadRules{"due day as text",
                 ONE_RULE(R"({"id":"timeliness","label":"报送及时","max_points":30,"parameters":{"due_day":"10"}})"),
                 "rules[0].parameters.due_day"},
        BadRules{"a rule listed twice",
                 R"({"version":"v1","rules":[{"id":"approval","label":"审核通过","max_points":50},
                                            {"id":"approval","label":"审核","max_points":50}]})",
                 "rules[1].id"},
        BadRules{"max points below the total",
                 R"({"version":"v1","rules":[{"id":"approval","label":"审核通过","max_points":50},
                                            {"id":"completion","label":"任务完成","max_points":45}]})",
                 "rules"},
        BadRules{"adjustments with a maximum",
                 R"({"version":"v1","rules":[{"id":"approval","label":"审核通过","max_points":100},
                                            {"id":"adjustments","label":"加减分","max_points":10}]})",
                 "rules[1].max_points"},
        BadRules{"a time zone beyond UTC+14",
                 R"({"version":"v1","utc_offset_minutes":900,"rules":[{"id":"approval","label":"审核通过","max_points":100}]})",
                 "utc_offset_minutes"},
        BadRules{"a total of zero",
                 R"({"version":"v1","total":0,"rules":[{"id":"approval","label":"审核通过","max_points":0}]})", "total"}),
    testing::ByBehaviour());

#undef ONE_RULE

TEST(AssessmentRules, ValidationNamesAMissingParameterOfRulesBuiltInCode) {
  AssessmentRules rules = DefaultAssessmentRules();
  rules.rules[0].parameters.clear();
  Status status = ValidateAssessmentRules(rules);
  EXPECT_EQ(status.code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(status.subject(), "rules[0].parameters.due_day");
}

}  // namespace
}  // namespace kuimen
