// 待办 (projections/todo_list.h) on dates chosen by a seeded clock: events
// decided and stored through the real write path (command handler, RocksDB,
// the "urges" stream for 催办), the supervision view replayed from the log up
// to each date, and what each unit owes read from it.
#include <gtest/gtest.h>

#include <algorithm>

#include "domain/calendar.h"
#include "domain/stream_kind.h"
#include "eventstore/catalog_codec.h"
#include "eventstore/command_handler.h"
#include "eventstore/event_codec.h"
#include "projections/replay.h"
#include "projections/supervision_view.h"
#include "projections/todo_list.h"
#include "tests/eventstore/store_fixture.h"

namespace kuimen {
namespace {

using std::chrono::year;
using namespace std::chrono_literals;

const Catalog& Fengjie() {
  static const Catalog catalog = LoadDefaultCatalog().value();
  return catalog;
}

// A moment given in China time (UTC+8).
Timestamp China(int y, unsigned m, unsigned d, int hour = 10) {
  return Timestamp(std::chrono::sys_days(std::chrono::year_month_day{year(y), std::chrono::month(m), std::chrono::day(d)}) +
                   std::chrono::hours(hour - 8));
}

const Actor kTaskForce{"p-tf", Role::kTaskForce, ""};
const Actor kAgriculture{"p-nyw", Role::kDepartment, "县农业农村委"};  // leads task 3
const Actor kForestry{"p-lyj", Role::kDepartment, "县林业局"};         // cooperates on task 3 only
const std::string kForestryUnit = "县林业局";
const std::string kAgricultureUnit = "县农业农村委";
const StreamId kTask3{"task-03"};

class TodoList : public testing::StoreTest {
 protected:
  void SetUp() override {
    store_ = Open();
    handler_ = std::make_unique<CommandHandler>(*store_, Fengjie(), clock_);
  }

  std::uint64_t Submit(Timestamp at, const Actor& actor, EventData event, const StreamId& stream = kTask3) {
    clock_.Set(at);
    Result<RecordedEvent> stored = handler_->Submit(Submission{stream, actor, std::move(event), {}, {}});
    EXPECT_TRUE(stored.ok()) << stored.status().ToString();
    return stored.ok() ? stored->version.value : 0;
  }

  std::vector<UrgeRecord> Urges() {
    std::vector<UrgeRecord> urges;
    for (auto it = store_->ReadStream(UrgesStream(), StreamVersion(1)); it->Valid(); it->Next()) {
      const RecordedEvent& e = it->event();
      EventData data = DecodeEvent(e.type, e.schema_version, e.data).value();
      urges.push_back(UrgeRecord{e.position, e.recorded_at, e.actor.principal, std::get<UrgeSent>(data)});
    }
    return urges;
  }

  // The unit's 待办 as it stood at `at`: the view replayed up to then.
  UnitTodo TodoAt(const std::string& unit, Timestamp at) {
    std::unique_ptr<SupervisionView> view = SupervisionView::Create(Fengjie()).value();
    EXPECT_TRUE(ReplayLog(*view, *store_, ReplayLimit{std::nullopt, at}).ok());
    return ComputeUnitTodo(*view, unit, Urges(), at);
  }

  std::vector<UnitTodo> OwingAt(Timestamp at) {
    std::unique_ptr<SupervisionView> view = SupervisionView::Create(Fengjie()).value();
    EXPECT_TRUE(ReplayLog(*view, *store_, ReplayLimit{std::nullopt, at}).ok());
    return ComputeOwingUnits(*view, Urges(), at);
  }

  static std::vector<TodoKind> Kinds(const UnitTodo& todo) {
    std::vector<TodoKind> kinds;
    for (const TodoItem& item : todo.items) kinds.push_back(item.kind);
    return kinds;
  }

  // Supervision starts in November 2024 (the store's first event); a
  // milestone on task 3 due 2024-12-12; a notice on task 3 issued on Monday
  // 2024-12-02, due 2024-12-20.
  void SeedNovemberAndANotice() {
    Submit(China(2024, 11, 5), kTaskForce, DeadlineSet{"首批示范", year(2024) / std::chrono::December / 12d});
    NoticeIssued notice{"DB-1", "进度滞后", year(2024) / std::chrono::December / 20d, "奉三位一体督〔2024〕1号"};
    Submit(China(2024, 12, 2, 9), kTaskForce, notice);
  }

  std::unique_ptr<EventStore> store_;
  std::unique_ptr<CommandHandler> handler_;
};

TEST_F(TodoList, OwesNothingBeforeTheFirstReportOfSupervisionIsDue) {
  SeedNovemberAndANotice();
  // In November the October report would be due, but supervision starts in November.
  const UnitTodo todo = TodoAt(kForestryUnit, China(2024, 11, 20));
  EXPECT_TRUE(todo.items.empty());
  EXPECT_FALSE(todo.owes());
  EXPECT_EQ(todo.counts.at(TodoKind::kReport), 0u);
}

TEST_F(TodoList, TheReportDueThisMonthIsOwedByACooperatingUnitAndOverdueAfterTheDueDay) {
  SeedNovemberAndANotice();
  const UnitTodo before = TodoAt(kForestryUnit, China(2024, 12, 10));
  ASSERT_EQ(before.counts.at(TodoKind::kReport), 1u);
  const auto report = std::find_if(before.items.begin(), before.items.end(),
                                   [](const TodoItem& i) { return i.kind == TodoKind::kReport; });
  EXPECT_EQ(report->stream, "task-03");
  EXPECT_EQ(report->item.rfind("第3项 ", 0), 0u) << report->item;
  EXPECT_EQ(FormatMonth(*report->period), "2024-11");
  EXPECT_EQ(FormatDate(*report->due), "2024-12-10");
  EXPECT_FALSE(report->overdue);
  EXPECT_EQ(report->reason, "2024年11月进展应于2024-12-10前报送，尚未报送");

  const UnitTodo after = TodoAt(kForestryUnit, China(2024, 12, 11));
  const auto late = std::find_if(after.items.begin(), after.items.end(),
                                 [](const TodoItem& i) { return i.kind == TodoKind::kReport; });
  EXPECT_TRUE(late->overdue);
  EXPECT_EQ(late->reason, "2024年11月进展应于2024-12-10前报送，尚未报送，已逾期1天");
}

TEST_F(TodoList, ANoticeIsOwedByTheLeadUnitToSignWithinTheWorkingDaysAndToAnswerByItsDueDate) {
  SeedNovemberAndANotice();
  // Addressed to the 责任单位: a cooperating unit owes neither.
  const UnitTodo cooperating = TodoAt(kForestryUnit, China(2024, 12, 5));
  EXPECT_EQ(cooperating.counts.at(TodoKind::kNoticeSign), 0u);
  EXPECT_EQ(cooperating.counts.at(TodoKind::kNoticeAnswer), 0u);
  const UnitTodo todo = TodoAt(kAgricultureUnit, China(2024, 12, 5));
  EXPECT_EQ(todo.counts.at(TodoKind::kNoticeSign), 1u);
  EXPECT_EQ(todo.counts.at(TodoKind::kNoticeAnswer), 1u);
  EXPECT_EQ(todo.overdue, 1u);  // the signing, due Wednesday 12-04
  EXPECT_EQ(todo.items.front().kind, TodoKind::kNoticeSign);  // overdue first
  EXPECT_EQ(FormatDate(*todo.items.front().due), "2024-12-04");
  EXPECT_EQ(todo.items.front().notice_number, "奉三位一体督〔2024〕1号");

  // Signed; answering is still owed.
  Submit(China(2024, 12, 6), kAgriculture, NoticeSigned{"DB-1"});
  const UnitTodo signed_for = TodoAt(kAgricultureUnit, China(2024, 12, 6, 12));
  EXPECT_EQ(signed_for.counts.at(TodoKind::kNoticeSign), 0u);
  EXPECT_EQ(signed_for.counts.at(TodoKind::kNoticeAnswer), 1u);
}

TEST_F(TodoList, AMilestoneIsOwedByTheLeadUnitFromThreeDaysBeforeItsDate) {
  SeedNovemberAndANotice();
  EXPECT_EQ(TodoAt(kAgricultureUnit, China(2024, 12, 8)).counts.at(TodoKind::kMilestone), 0u);
  const UnitTodo near = TodoAt(kAgricultureUnit, China(2024, 12, 9));
  ASSERT_EQ(near.counts.at(TodoKind::kMilestone), 1u);
  EXPECT_EQ(TodoAt(kForestryUnit, China(2024, 12, 9)).counts.at(TodoKind::kMilestone), 0u);  // cooperating only

  const UnitTodo overdue = TodoAt(kAgricultureUnit, China(2024, 12, 13));
  const auto milestone = std::find_if(overdue.items.begin(), overdue.items.end(),
                                      [](const TodoItem& i) { return i.kind == TodoKind::kMilestone; });
  ASSERT_NE(milestone, overdue.items.end());
  EXPECT_TRUE(milestone->overdue);
  EXPECT_EQ(milestone->reason, "时限“首批示范”已于2024-12-12到期，尚未完成，已逾期1天");

  Submit(China(2024, 12, 14), kTaskForce, MilestoneMet{"首批示范", ""});
  EXPECT_EQ(TodoAt(kAgricultureUnit, China(2024, 12, 15)).counts.at(TodoKind::kMilestone), 0u);
}

TEST_F(TodoList, AnUrgeShowsLatestFirstUntilTheUnitReportsAndAReturnedReportIsOwedAgain) {
  SeedNovemberAndANotice();
  Submit(China(2024, 12, 11), kTaskForce, UrgeSent{{kForestryUnit}, false, "请尽快报送11月进展"}, UrgesStream());
  Submit(China(2024, 12, 11, 15), kTaskForce, UrgeSent{{kAgricultureUnit, kForestryUnit}, true, ""}, UrgesStream());

  const UnitTodo urged = TodoAt(kForestryUnit, China(2024, 12, 11, 16));
  ASSERT_EQ(urged.counts.at(TodoKind::kUrge), 2u);
  EXPECT_EQ(urged.items[0].kind, TodoKind::kUrge);
  EXPECT_EQ(urged.items[0].reason, "工作专班催办全部有待办的单位");  // the later one first
  EXPECT_EQ(urged.items[1].urge_text, "请尽快报送11月进展");
  EXPECT_EQ(urged.items[1].urged_by, "p-tf");

  const std::uint64_t report =
      Submit(China(2024, 12, 12), kForestry, ProgressReported{year(2024) / std::chrono::November, "完成林下经济摸底", 20, {}, {}});
  const UnitTodo reported = TodoAt(kForestryUnit, China(2024, 12, 12, 12));
  EXPECT_EQ(reported.counts.at(TodoKind::kUrge), 0u);
  EXPECT_EQ(reported.counts.at(TodoKind::kReport), 0u);
  EXPECT_EQ(reported.counts.at(TodoKind::kNoticeAnswer), 0u);  // the notice is the lead unit's to answer

  Submit(China(2024, 12, 13), kTaskForce, ReportReviewed{StreamVersion(report), ReviewDecision::kReturned, "数据不全"});
  const UnitTodo returned = TodoAt(kForestryUnit, China(2024, 12, 13, 12));
  ASSERT_EQ(returned.counts.at(TodoKind::kReport), 1u);
  const auto row = std::find_if(returned.items.begin(), returned.items.end(),
                                [](const TodoItem& i) { return i.kind == TodoKind::kReport; });
  EXPECT_EQ(row->reason, "2024年11月进展应于2024-12-10前报送，报送已退回，须重新报送，已逾期3天");

  // As of before the urges, none shows.
  EXPECT_EQ(TodoAt(kForestryUnit, China(2024, 12, 10)).counts.at(TodoKind::kUrge), 0u);
}

TEST_F(TodoList, TheUrgeListHoldsEveryUnitThatOwesSomethingInTheCatalogsOrder) {
  SeedNovemberAndANotice();
  const std::vector<UnitTodo> owing = OwingAt(China(2024, 12, 5));
  std::vector<std::string> units;
  for (const UnitTodo& todo : owing) units.push_back(todo.unit);
  // Every unit with a task or major item owes its November report; 县林业局 among them.
  EXPECT_NE(std::find(units.begin(), units.end(), kForestryUnit), units.end());
  EXPECT_EQ(units.front(), "县供销合作社");
  for (const UnitTodo& todo : owing) EXPECT_TRUE(todo.owes()) << todo.unit;
  // Nobody owes anything in November.
  EXPECT_TRUE(OwingAt(China(2024, 11, 20)).empty());
}

}  // namespace
}  // namespace kuimen
