// The frozen result's row form (projections/assessment_result_row.h): every
// shape a release stored reads into the typed result and writes back the same
// JSON, so a store written by an earlier release opens and shows the same
// figures, and a rewritten year row keeps its kept result unchanged.
#include "projections/assessment_result_row.h"

#include <gtest/gtest.h>

#include "eventstore/catalog_codec.h"
#include "projections/assessment_view.h"

namespace kuimen {
namespace {

using nlohmann::json;

// The result as the first release stored it: no 不适用, scaling, rules, 批示,
// window, bases or scope.
const char* const kFirstRelease =
    R"({"year":2023,"rules_version":"fengjie-2023.1","frozen":true,"frozen_at_position":9,)"
    R"("evaluated_at":"2023-12-20T02:00:00.000000Z","units":[{"unit":"县商务委","score":70,"lines":[)"
    R"({"rule":"timeliness","label":"报送及时","points":15,"max":30,"positions":[4],"detail":"应报2期"},)"
    R"({"rule":"adjustments","label":"加减分","points":-5,"max":null,"positions":[3],"detail":"减分1项共5分"}]}]})";

// As this release stores it: every member, nulls included.
const char* const kCurrent =
    R"({"year":2024,"in_scope":true,"scope_note":null,)"
    R"("timeliness_window":{"from":"2024-10","to":"2024-12","label":"按时报送率统计自2024年10月起"},)"
    R"("rules_version":"r1","rules":{"min_basis":2,"rules":[],"total":100,"utc_offset_minutes":480,"version":"r1"},)"
    R"("frozen":true,"frozen_at_position":40,"frozen_early":true,"frozen_reason":"机构改革",)"
    R"("evaluated_at":"2024-12-19T02:00:00.000000Z","units":[{"unit":"县农业农村委","involvement":"lead_and_cooperating",)"
    R"("score":null,"base":null,"earned":0,"applicable_max":0,"adjustments":-2.5,"not_applicable":["notices"],)"
    R"("basis":{"applicable":0,"components":1,"text":"适用0/1项","thin":[]},)"
    R"("lines":[{"rule":"notices","label":"督办整改","applicable":false,"points":null,"max":15,"positions":[],)"
    R"("basis":{"count":0,"thin":false,"text":"无应计事项"},"detail":"不适用"},)"
    R"({"rule":"adjustments","label":"加减分","applicable":true,"points":-2.5,"max":null,"positions":[7],"basis":null,"detail":"减分"}],)"
    R"("instructions":[{"stream":"task-07","version":3,"position":12,"given_at":"2024-12-01T02:00:00.000000Z",)"
    R"("principal":"p-ld","leader_name":"县委副书记 李四","notice_id":"DB-1","text":"抓紧"}]}]})";

TEST(AssessmentResultRow, ReadsEachStoredShapeAndWritesItBackUnchanged) {
  for (const char* text : {kFirstRelease, kCurrent}) {
    const json stored = json::parse(text);
    Result<AssessmentResult> read = AssessmentResultFromRow(stored);
    ASSERT_TRUE(read.ok()) << read.status().ToString();
    EXPECT_EQ(AssessmentResultToRow(*read).dump(), stored.dump());
  }
}

TEST(AssessmentResultRow, ReadsTheFiguresTypedAndLeavesAbsentMembersAbsent) {
  Result<AssessmentResult> first = AssessmentResultFromRow(json::parse(kFirstRelease));
  ASSERT_TRUE(first.ok());
  EXPECT_FALSE(first->in_scope.has_value());
  EXPECT_FALSE(first->timeliness_window.has_value());
  EXPECT_FALSE(first->rules_json.has_value());
  EXPECT_FALSE(first->units[0].involvement.has_value());
  EXPECT_FALSE(first->units[0].basis.has_value());
  EXPECT_FALSE(first->units[0].instructions.has_value());
  EXPECT_EQ(first->units[0].score, 70);
  EXPECT_EQ(first->units[0].lines[1].points, -5);
  EXPECT_FALSE(first->units[0].lines[1].max.has_value());

  Result<AssessmentResult> current = AssessmentResultFromRow(json::parse(kCurrent));
  ASSERT_TRUE(current.ok());
  EXPECT_EQ(current->frozen_at_position, 40u);
  EXPECT_EQ(current->frozen_reason, "机构改革");
  EXPECT_EQ(current->rules_total, 100);
  EXPECT_EQ(current->rules_min_basis, 2);
  EXPECT_EQ(current->timeliness_window->from, std::chrono::year(2024) / std::chrono::October);
  EXPECT_EQ(current->units[0].involvement, AssessmentInvolvement::kLeadAndCooperating);
  EXPECT_FALSE(current->units[0].score.has_value());
  EXPECT_EQ(current->units[0].instructions->at(0).notice_id, "DB-1");
  EXPECT_EQ(current->units[0].lines[0].applicable, false);
}

TEST(AssessmentResultRow, NamesTheMemberItCannotRead) {
  json stored = json::parse(kCurrent);
  stored["units"][0]["lines"][1]["points"] = "many";
  Result<AssessmentResult> read = AssessmentResultFromRow(stored);
  ASSERT_FALSE(read.ok());
  EXPECT_EQ(read.status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(read.status().field(), "result.units[0].lines[1].points");
}

TEST(AssessmentResultRow, AViewRefusesAYearRowWhoseResultItCannotReadAsDataLoss) {
  std::unique_ptr<AssessmentView> view = AssessmentView::Create(LoadDefaultCatalog().value(), DefaultAssessmentRules()).value();
  const std::string row = R"({"format":2,"version":1,"adjustments":[],"freeze":{"position":9,)"
                          R"("recorded_at_us":1703037600000000,"result":{"year":"2023","units":[]}}})";
  EXPECT_EQ(view->LoadRow("assessment-2023", row).code(), StatusCode::kDataLoss);
}

}  // namespace
}  // namespace kuimen
