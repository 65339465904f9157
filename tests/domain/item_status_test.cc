// The one status rule of a task or major item (domain/item_status.h), as a
// table, and the write model folding it from events with their actors.
#include "domain/item_status.h"

#include <gtest/gtest.h>

#include "domain/task_aggregate.h"

namespace kuimen {
namespace {

const std::vector<std::string> kLeads{"县农业农村委"};
constexpr auto kApproved = ReviewDecision::kApproved;
constexpr auto kReturned = ReviewDecision::kReturned;

ReportForStatus Lead(std::optional<ReviewDecision> decision) { return {"县农业农村委", decision}; }
ReportForStatus Coop(std::optional<ReviewDecision> decision) { return {"县供销合作社", decision}; }
ReportForStatus Township(std::optional<ReviewDecision> decision) { return {"永安街道", decision}; }

struct Case {
  const char* behaviour;
  std::vector<ReportForStatus> reports;
  TaskStatus expected;
};

class ItemStatusTable : public ::testing::TestWithParam<Case> {};

TEST_P(ItemStatusTable, FollowsTheLeadUnitsReports) {
  EXPECT_EQ(ItemStatus(false, !GetParam().reports.empty(), GetParam().reports, kLeads), GetParam().expected)
      << GetParam().behaviour;
}

INSTANTIATE_TEST_SUITE_P(
    Table, ItemStatusTable,
    ::testing::Values(
        Case{"no report", {}, TaskStatus::kNotStarted},
        Case{"the lead's report approved, then a cooperating unit's returned",
             {Lead(kApproved), Coop(kReturned)}, TaskStatus::kInProgress},
        Case{"a township's returned report is not the task's", {Lead(kApproved), Township(kReturned)},
             TaskStatus::kInProgress},
        Case{"only a cooperating unit reported, and it was returned", {Coop(kReturned)}, TaskStatus::kInProgress},
        Case{"the lead's latest report returned", {Coop(kApproved), Lead(kReturned)}, TaskStatus::kReturned},
        Case{"the lead's latest returned though a cooperating unit's later one approved",
             {Lead(kReturned), Coop(kApproved)}, TaskStatus::kReturned},
        Case{"the lead resent after its return and was approved", {Lead(kReturned), Lead(kApproved)},
             TaskStatus::kInProgress},
        Case{"the lead's report awaiting review makes it 待审核", {Coop(kApproved), Lead(std::nullopt)},
             TaskStatus::kPendingReview},
        Case{"only a cooperating unit's report awaits review: the lead's approved one decides",
             {Lead(kApproved), Township(std::nullopt)}, TaskStatus::kInProgress},
        Case{"the lead's return is shown though a cooperating unit's report awaits review",
             {Lead(kReturned), Coop(std::nullopt)}, TaskStatus::kReturned},
        Case{"the lead's latest returned though its earlier one awaits review",
             {Lead(std::nullopt), Lead(kReturned)}, TaskStatus::kReturned},
        Case{"the lead resent after its return: awaiting review", {Lead(kReturned), Lead(std::nullopt)},
             TaskStatus::kPendingReview},
        Case{"a superseded report awaits nothing",
             {ReportForStatus{"县供销合作社", std::nullopt, true}, Coop(kApproved)}, TaskStatus::kInProgress},
        Case{"a report of an unknown unit counts as the lead's, as before the rule",
             {Lead(kApproved), ReportForStatus{"", kReturned}}, TaskStatus::kReturned}));

TEST(ItemStatus, CompletedWinsOverEverything) {
  EXPECT_EQ(ItemStatus(true, true, {Lead(std::nullopt)}, kLeads), TaskStatus::kCompleted);
}

TEST(ItemStatus, ReopenedWithoutReportsIsInProgress) {
  EXPECT_EQ(ItemStatus(false, true, {}, kLeads), TaskStatus::kInProgress);
}

TEST(ItemStatus, EveryUnitOfAMajorItemLeads) {
  const std::vector<std::string> major_units{"县供销合作社", "县农业农村委"};
  EXPECT_EQ(ItemStatus(false, true, {Lead(kApproved), Coop(kReturned)}, major_units), TaskStatus::kReturned);
}

TEST(ItemStatus, NamesTheUnitsWhoseOwnLatestReportWasReturned) {
  EXPECT_EQ(UnitsWithReturnedReport({Lead(kReturned), Township(kReturned), Coop(kReturned), Township(kApproved)},
                                    kLeads),
            std::vector<std::string>{"县供销合作社"});
  EXPECT_TRUE(UnitsWithReturnedReport({Lead(kReturned)}, kLeads).empty());
}

TEST(ItemStatus, NamesTheCooperatingUnitsWithAReportAwaitingReview) {
  EXPECT_EQ(UnitsWithPendingReport({Lead(std::nullopt), Township(std::nullopt), Coop(kApproved), Township(std::nullopt),
                                    ReportForStatus{"县供销合作社", std::nullopt, true}},
                                   kLeads),
            std::vector<std::string>{"永安街道"});
  EXPECT_TRUE(UnitsWithPendingReport({Lead(std::nullopt)}, kLeads).empty());
}

TEST(TaskAggregateStatusByUnit, ACooperatingUnitsReturnDoesNotReturnTheTask) {
  SupervisedItem item{StreamId("task-07"), {"县农业农村委"}, {"县供销合作社"}, {}};
  TaskAggregate aggregate(item);
  const Actor lead{"p-lead", Role::kDepartment, "县农业农村委"};
  const Actor coop{"p-coop", Role::kDepartment, "县供销合作社"};
  const Actor taskforce{"p-tf", Role::kTaskForce, ""};
  const auto month = std::chrono::year(2026) / std::chrono::November;
  aggregate.Apply(StreamVersion(1), ProgressReported{month, "完成托管", 20, {}, {}}, lead);
  aggregate.Apply(StreamVersion(2), ReportReviewed{StreamVersion(1), kApproved, ""}, taskforce);
  aggregate.Apply(StreamVersion(3), ProgressReported{month, "配合完成", 10, {}, {}}, coop);
  aggregate.Apply(StreamVersion(4), ReportReviewed{StreamVersion(3), kReturned, "数据不全"}, taskforce);
  EXPECT_EQ(aggregate.status(), TaskStatus::kInProgress);
  aggregate.Apply(StreamVersion(5), ProgressReported{month, "配合再报", 12, {}, {}}, coop);
  EXPECT_EQ(aggregate.status(), TaskStatus::kInProgress) << "a cooperating unit's pending report is not the task's";

  aggregate.Apply(StreamVersion(7), ProgressReported{month, "补充", 25, {}, {}}, lead);
  aggregate.Apply(StreamVersion(8), ReportReviewed{StreamVersion(7), kReturned, "佐证不足"}, taskforce);
  EXPECT_EQ(aggregate.status(), TaskStatus::kReturned);
}

}  // namespace
}  // namespace kuimen

namespace kuimen {
namespace {

TEST(MajorItemStatus, ItsOwnEvidenceDecides) {
  const MajorItemStatusResult r = MajorItemStatus(TaskStatus::kReturned, {true});
  EXPECT_EQ(r.status, TaskStatus::kReturned);
  EXPECT_FALSE(r.from_related_tasks);
}

TEST(MajorItemStatus, WithoutItsOwnReportsALinkedTaskWithAnApprovedReportMakesItInProgress) {
  const MajorItemStatusResult r = MajorItemStatus(TaskStatus::kNotStarted, {false, true});
  EXPECT_EQ(r.status, TaskStatus::kInProgress);
  EXPECT_TRUE(r.from_related_tasks);
}

TEST(MajorItemStatus, ALinkedTasksReportAwaitingReviewOrReturnedDoesNotStartIt) {
  EXPECT_FALSE(AnyApproved({Lead(std::nullopt), Coop(kReturned)}));
  EXPECT_TRUE(AnyApproved({Lead(std::nullopt), Coop(kApproved)}));
  const MajorItemStatusResult r =
      MajorItemStatus(TaskStatus::kNotStarted, {AnyApproved({Lead(std::nullopt)}), AnyApproved({Lead(kReturned)})});
  EXPECT_EQ(r.status, TaskStatus::kNotStarted);
  EXPECT_FALSE(r.from_related_tasks);
}

TEST(MajorItemStatus, NothingApprovedAnywhereIsNotStarted) {
  EXPECT_EQ(MajorItemStatus(TaskStatus::kNotStarted, {false}).status, TaskStatus::kNotStarted);
  EXPECT_EQ(MajorItemStatus(TaskStatus::kNotStarted, {}).status, TaskStatus::kNotStarted);
}

}  // namespace
}  // namespace kuimen
