// Who may report a county-wide figure (全县数): only a lead unit of the item
// (issue 10 item 2). Everyone else reports its own contribution.
#include <gtest/gtest.h>

#include "domain/task_aggregate.h"
#include "domain/task_rules.h"

namespace kuimen {
namespace {

using std::chrono::year;

// Task 7: lead 县农业农村委; cooperating 县供销合作社 and the township group.
SupervisedItem Task7() {
  Target target{"农业生产社会化服务规模", 78.0, "万亩次", std::nullopt, "", "农业生产社会化服务规模达到78万亩次"};
  return SupervisedItem{StreamId{"task-07"}, {"县农业农村委"}, {"县供销合作社", "各乡镇人民政府、街道办事处"}, {target}};
}

const Actor kLead{"p-lead", Role::kDepartment, "县农业农村委"};
const Actor kCooperating{"p-coop", Role::kDepartment, "县供销合作社"};
const Actor kTownship{"p-yazd", Role::kDepartment, "永安街道", "各乡镇人民政府、街道办事处"};

ProgressReported Report(IndicatorScope scope) {
  ProgressReported e;
  e.period = year(2024) / std::chrono::November;
  e.summary = "完成托管服务";
  e.percent = 40;
  e.indicators = {IndicatorValue{"农业生产社会化服务规模", 12, "万亩次", scope}};
  return e;
}

TEST(CountyScopeRules, LeadUnitMayReportTheCountyWideFigure) {
  EXPECT_TRUE(TaskAggregate(Task7()).Decide(kLead, Report(IndicatorScope::kCounty)).ok());
}

TEST(CountyScopeRules, EveryInvolvedUnitMayReportItsOwnContribution) {
  for (const Actor& actor : {kLead, kCooperating, kTownship}) {
    EXPECT_TRUE(TaskAggregate(Task7()).Decide(actor, Report(IndicatorScope::kOwn)).ok()) << actor.unit;
  }
}

TEST(CountyScopeRules, RefusesACountyWideFigureFromACooperatingUnitOrATownship) {
  for (const Actor& actor : {kCooperating, kTownship}) {
    Status status = TaskAggregate(Task7()).Decide(actor, Report(IndicatorScope::kCounty));
    EXPECT_EQ(status.code(), StatusCode::kPermissionDenied) << actor.unit;
    EXPECT_EQ(status.subject(), RuleId(TaskRule::kCountyFigureLeadOnly)) << actor.unit;
    EXPECT_NE(status.message().find("只有牵头单位（县农业农村委）可以报送全县数"), std::string::npos)
        << status.message();
  }
}

TEST(CountyScopeRules, EveryUnitOfAMajorItemLeadsAndMayReportCountyWide) {
  SupervisedItem major{StreamId{"major-1"}, {"县供销合作社", "县农业农村委"}, {}, Task7().targets};
  EXPECT_TRUE(TaskAggregate(major).Decide(kCooperating, Report(IndicatorScope::kCounty)).ok());
}

}  // namespace
}  // namespace kuimen
