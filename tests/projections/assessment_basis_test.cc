// What each score rests on (session 7, score basis): every line carries its
// basis ("据1件督办"), a line resting on fewer than the rules' min_basis items
// is marked 依据不足, and none of it changes a score.
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "projections/assessment_rules.h"
#include "projections/assessment_view.h"
#include "tests/projections/envelope_log.h"

namespace kuimen {
namespace {

using nlohmann::json;

std::chrono::year_month_day Date(int y, unsigned m, unsigned d) {
  return {std::chrono::year(y), std::chrono::month(m), std::chrono::day(d)};
}
Timestamp China(int y, unsigned m, unsigned d, int hour = 10) {
  return Timestamp(std::chrono::sys_days(Date(y, m, d)) + std::chrono::hours(hour - 8));
}

// 县农业农村委 leads task 7; 县供销合作社 leads tasks 1, 2 and 3.
Catalog Plan() {
  Catalog c;
  c.document = {"奉节府办发〔2024〕62号", "奉节县人民政府办公室", "2024-10-15", "实施方案", ""};
  c.supervision_start = std::chrono::year(2024) / std::chrono::October;
  c.units = {{"县农业农村委", "department"}, {"县供销合作社", "department"}};
  c.tasks = {
      TaskSpec{TaskNo(1), "构建为农服务平台", "组建农合联", "组建农合联11个", "县供销合作社", {}, {}},
      TaskSpec{TaskNo(2), "构建为农服务平台", "发挥服务功能", "建设为农服务中心", "县供销合作社", {}, {}},
      TaskSpec{TaskNo(3), "构建为农服务平台", "发挥服务功能", "建设服务站", "县供销合作社", {}, {}},
      TaskSpec{TaskNo(7), "全面推进农业生产合作", "创新农业生产服务方式", "托管服务", "县农业农村委", {}, {}},
  };
  return c;
}

const Actor kTaskForce{"p-tf", Role::kTaskForce, ""};
const Actor kAgriculture{"p-nyw", Role::kDepartment, "县农业农村委"};
const Actor kCoop{"p-gxs", Role::kDepartment, "县供销合作社"};

// 县农业农村委: one notice, answered on time. 县供销合作社: three notices, one
// answered late.
testing::EnvelopeLog Notices() {
  testing::EnvelopeLog log;
  log.Add("task-07", China(2024, 12, 1), kTaskForce, NoticeIssued{"DB-A", "进度滞后", Date(2024, 12, 10), ""});
  log.Add("task-07", China(2024, 12, 5), kAgriculture, NoticeAnswered{"DB-A", "已整改"});
  log.Add("task-01", China(2024, 12, 1), kTaskForce, NoticeIssued{"DB-B", "进度滞后", Date(2024, 12, 10), ""});
  log.Add("task-02", China(2024, 12, 1), kTaskForce, NoticeIssued{"DB-C", "进度滞后", Date(2024, 12, 10), ""});
  log.Add("task-03", China(2024, 12, 1), kTaskForce, NoticeIssued{"DB-D", "进度滞后", Date(2024, 12, 10), ""});
  log.Add("task-01", China(2024, 12, 5), kCoop, NoticeAnswered{"DB-B", "已整改"});
  log.Add("task-02", China(2024, 12, 5), kCoop, NoticeAnswered{"DB-C", "已整改"});
  log.Add("task-03", China(2024, 12, 12), kCoop, NoticeAnswered{"DB-D", "已整改"});
  return log;
}

AssessmentResult Render(const AssessmentRules& rules) {
  Result<std::unique_ptr<AssessmentView>> view = AssessmentView::Create(Plan(), rules);
  EXPECT_TRUE(view.ok()) << view.status().ToString();
  const testing::EnvelopeLog log = Notices();  // kept alive: events() refers into it
  for (const auto& [envelope, data] : log.events()) (*view)->Apply(envelope, data);
  return (*view)->Render(2024, China(2024, 12, 20));
}

const AssessmentUnitResult& UnitOf(const AssessmentResult& render, const std::string& unit) {
  for (const AssessmentUnitResult& entry : render.units) {
    if (entry.unit == unit) return entry;
  }
  ADD_FAILURE() << "no unit " << unit;
  static const AssessmentUnitResult kNone;
  return kNone;
}

const AssessmentLine& LineOf(const AssessmentUnitResult& unit, const std::string& rule) {
  for (const AssessmentLine& line : unit.lines) {
    if (line.rule == rule) return line;
  }
  ADD_FAILURE() << "no line " << rule;
  static const AssessmentLine kNone;
  return kNone;
}

TEST(AssessmentBasis, AFullNoticeScoreRestingOnOneNoticeIsMarkedThin) {
  const AssessmentResult render = Render(DefaultAssessmentRules());
  const AssessmentUnitResult& agriculture = UnitOf(render, "县农业农村委");
  const AssessmentLine& notices = LineOf(agriculture, "notices");
  EXPECT_EQ(notices.points, 15);  // full, as the rules say
  EXPECT_EQ(notices.basis, (AssessmentLineBasis{1, true, "据1件督办（依据不足）"}));
  ASSERT_TRUE(agriculture.basis.has_value());
  EXPECT_EQ(agriculture.basis->thin, (std::vector<std::string>{"timeliness", "approval", "notices", "completion"}));

  const AssessmentLine& coop = LineOf(UnitOf(render, "县供销合作社"), "notices");
  EXPECT_EQ(coop.points, 10);
  EXPECT_EQ(coop.basis, (AssessmentLineBasis{3, false, "据3件督办"}));
}

TEST(AssessmentBasis, CountsTheComponentsThatAppliedAndGivesAdjustmentsNoBasis) {
  const AssessmentResult render = Render(DefaultAssessmentRules());
  const AssessmentUnitResult& agriculture = UnitOf(render, "县农业农村委");
  // 报送及时 and 审核通过 have due months (Oct, Nov), 目标达成 has no target:
  // 不适用; 督办整改 and 任务完成 apply.
  ASSERT_TRUE(agriculture.basis.has_value());
  EXPECT_EQ(agriculture.basis->applicable, 4);
  EXPECT_EQ(agriculture.basis->components, 5);
  EXPECT_EQ(agriculture.basis->text, "适用4/5项，4项依据不足");
  ASSERT_TRUE(LineOf(agriculture, "timeliness").basis.has_value());
  EXPECT_EQ(LineOf(agriculture, "timeliness").basis->text, "据2期报送（依据不足）");
  ASSERT_TRUE(LineOf(agriculture, "completion").basis.has_value());
  EXPECT_EQ(LineOf(agriculture, "completion").basis->text, "据1项任务（依据不足）");
  EXPECT_EQ(LineOf(agriculture, "targets").basis, (AssessmentLineBasis{0, false, "无应计事项"}));
  EXPECT_FALSE(LineOf(agriculture, "adjustments").basis.has_value());
}

TEST(AssessmentBasis, TheThresholdComesFromTheRulesAndNeverChangesAScore) {
  AssessmentRules lenient = DefaultAssessmentRules();
  lenient.min_basis = 1;
  const AssessmentResult strict = Render(DefaultAssessmentRules());
  const AssessmentResult relaxed = Render(lenient);
  const AssessmentLine& notices = LineOf(UnitOf(relaxed, "县农业农村委"), "notices");
  ASSERT_TRUE(notices.basis.has_value());
  EXPECT_EQ(notices.basis->thin, false);
  EXPECT_EQ(notices.basis->text, "据1件督办");
  for (const char* unit : {"县农业农村委", "县供销合作社"}) {
    EXPECT_EQ(UnitOf(strict, unit).score, UnitOf(relaxed, unit).score) << unit;
    EXPECT_EQ(UnitOf(strict, unit).rank, UnitOf(relaxed, unit).rank) << unit;
  }
}

TEST(AssessmentRulesMinBasis, IsReadWhenGivenWrittenOnlyWhenNotTheDefaultAndRefusedOutOfRange) {
  AssessmentRules rules = DefaultAssessmentRules();
  EXPECT_FALSE(json::parse(AssessmentRulesToJson(rules)).contains("min_basis"));  // rules recorded before it read back equal
  rules.min_basis = 5;
  json text = json::parse(AssessmentRulesToJson(rules));
  EXPECT_EQ(text.at("min_basis"), 5);
  Result<AssessmentRules> parsed = ParseAssessmentRules(text.dump());
  ASSERT_TRUE(parsed.ok()) << parsed.status().ToString();
  EXPECT_EQ(parsed.value(), rules);

  text["min_basis"] = 0;
  Result<AssessmentRules> refused = ParseAssessmentRules(text.dump());
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(refused.status().ToString().find("min_basis"), std::string::npos);
}

}  // namespace
}  // namespace kuimen
