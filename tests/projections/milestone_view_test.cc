// Milestones (时限) on the supervision view, decided and stored through the
// real write path (command handler, RocksDB) and replayed from the log: only
// an unmet, uncancelled milestone past its date is red, and the history of
// every change stays, so an as-of replay before a change shows it as it was.
#include <gtest/gtest.h>

#include "eventstore/catalog_codec.h"
#include "eventstore/command_handler.h"
#include "eventstore/event_codec.h"
#include "projections/replay.h"
#include "projections/supervision_view.h"
#include "tests/projections/board_json.h"
#include "tests/eventstore/store_fixture.h"

namespace kuimen {
namespace {

using nlohmann::json;
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
const Actor kAgriculture{"p-nyw", Role::kDepartment, "县农业农村委"};  // task 7's lead
const std::string kFirst = "首期托管";
const auto kNov30 = year(2024) / std::chrono::November / 30d;

class MilestoneView : public testing::StoreTest {
 protected:
  void SetUp() override {
    store_ = Open();
    handler_ = std::make_unique<CommandHandler>(*store_, Fengjie(), clock_);
  }

  // Decides and stores `event` on task 7 at `at`; returns its stream version.
  std::uint64_t Submit(Timestamp at, const Actor& actor, EventData event) {
    clock_.Set(at);
    Result<RecordedEvent> stored = handler_->Submit(Submission{StreamId{"task-07"}, actor, std::move(event), {}, {}});
    EXPECT_TRUE(stored.ok()) << stored.status().ToString();
    return stored.ok() ? stored->version.value : 0;
  }

  // Task 7 as the board showed it at `at`: a replay of the log recorded by then.
  json ItemAt(Timestamp at) {
    std::unique_ptr<SupervisionView> view = SupervisionView::Create(Fengjie()).value();
    EXPECT_TRUE(ReplayLog(*view, *store_, ReplayLimit{std::nullopt, at}).ok());
    return ItemJson(*view, StreamId{"task-07"}, at).value();
  }

  static json Milestone(const json& item, const std::string& name) {
    for (const json& milestone : item["deadlines"]) {
      if (milestone["milestone"] == name) return milestone;
    }
    ADD_FAILURE() << "no milestone " << name << " in " << item["deadlines"].dump();
    return json();
  }

  static bool MilestoneIsRed(const json& item, const std::string& name) {
    for (const json& reason : item["warning_reasons"]) {
      if (reason.get<std::string>().find("时限“" + name + "”已于") != std::string::npos) return item["warning"] == "red";
    }
    return false;
  }

  // The milestone set on 11-01, due 11-30, and a report of 11-25 that says it meets it.
  std::uint64_t ReportMeetingTheFirstMilestone() {
    Submit(China(2024, 11, 1), kTaskForce, DeadlineSet{kFirst, kNov30});
    ProgressReported report{year(2024) / std::chrono::November, "完成首期托管服务", 30, {}, {}};
    report.milestones_met = {kFirst};
    return Submit(China(2024, 11, 25), kAgriculture, report);
  }

  std::unique_ptr<EventStore> store_;
  std::unique_ptr<CommandHandler> handler_;
};

TEST_F(MilestoneView, APassedMilestoneMetByAnApprovedReportTurnsGreen) {
  const std::uint64_t report = ReportMeetingTheFirstMilestone();
  // Past its date, the report not yet approved: still red, the claim shown.
  const json waiting = ItemAt(China(2024, 12, 2));
  EXPECT_TRUE(MilestoneIsRed(waiting, kFirst)) << waiting["warning_reasons"].dump();
  EXPECT_EQ(Milestone(waiting, kFirst)["state_label"], "逾期未完成");
  EXPECT_EQ(Milestone(waiting, kFirst)["pending_claims"], json::array({report}));

  Submit(China(2024, 12, 3), kTaskForce, ReportReviewed{StreamVersion(report), ReviewDecision::kApproved, ""});
  const json met = ItemAt(China(2024, 12, 5));
  EXPECT_EQ(met["warning"], "none") << met["warning_reasons"].dump();
  const json milestone = Milestone(met, kFirst);
  EXPECT_EQ(milestone["state"], "met");
  EXPECT_EQ(milestone["state_label"], "已完成");
  EXPECT_EQ(milestone["overdue"], false);
  EXPECT_EQ(milestone["met"]["date"], "2024-11-25");  // as of the report, confirmed by the approval
  EXPECT_EQ(milestone["met"]["by_label"], "报告v" + std::to_string(report));
  EXPECT_EQ(milestone["met"]["on_time"], true);
  EXPECT_EQ(milestone["history"].size(), 2u);
  EXPECT_EQ(milestone["history"][1]["label"], "完成");
  EXPECT_EQ(milestone["history"][1]["principal"], "p-tf");  // who approved it
  EXPECT_EQ(milestone["history"][1]["report_version"], report);

  // History kept: the board as it stood before the approval is still red.
  EXPECT_TRUE(MilestoneIsRed(ItemAt(China(2024, 12, 2)), kFirst));
}

TEST_F(MilestoneView, APassedMilestoneNamedByAReturnedReportStaysRed) {
  const std::uint64_t report = ReportMeetingTheFirstMilestone();
  Submit(China(2024, 12, 3), kTaskForce, ReportReviewed{StreamVersion(report), ReviewDecision::kReturned, "佐证不足"});
  const json item = ItemAt(China(2024, 12, 5));
  EXPECT_TRUE(MilestoneIsRed(item, kFirst)) << item["warning_reasons"].dump();
  EXPECT_EQ(Milestone(item, kFirst)["state"], "overdue");
  EXPECT_EQ(Milestone(item, kFirst)["met"], nullptr);
  EXPECT_EQ(Milestone(item, kFirst)["pending_claims"], json::array());
}

TEST_F(MilestoneView, AMovedMilestoneShowsTheNewDateAndIsNotRed) {
  Submit(China(2024, 11, 1), kTaskForce, DeadlineSet{kFirst, kNov30});
  Submit(China(2024, 12, 3), kTaskForce,
         DeadlineSet{kFirst, year(2025) / std::chrono::February / 28d, "受寒潮影响，经县政府同意顺延"});
  const json item = ItemAt(China(2024, 12, 5));
  const json milestone = Milestone(item, kFirst);
  EXPECT_FALSE(MilestoneIsRed(item, kFirst));
  EXPECT_EQ(milestone["due"], "2025-02-28");
  EXPECT_EQ(milestone["original_due"], "2024-11-30");
  EXPECT_EQ(milestone["state_label"], "未到期");
  EXPECT_EQ(milestone["adjusted"]["from"], "2024-11-30");
  EXPECT_EQ(milestone["adjusted"]["to"], "2025-02-28");
  EXPECT_EQ(milestone["adjusted"]["reason"], "受寒潮影响，经县政府同意顺延");
  ASSERT_EQ(milestone["history"].size(), 2u);
  EXPECT_EQ(milestone["history"][1]["label"], "调整");
  EXPECT_EQ(milestone["history"][1]["by"], "工作专班");
  EXPECT_EQ(milestone["history"][1]["at"], "2024-12-03T02:00:00.000000Z");

  // Before the move it was red, with its first date.
  const json before = ItemAt(China(2024, 12, 2));
  EXPECT_TRUE(MilestoneIsRed(before, kFirst));
  EXPECT_EQ(Milestone(before, kFirst)["due"], "2024-11-30");
  // Moved and passed again, it is red again, and says it was moved.
  const json again = ItemAt(China(2025, 3, 1));
  EXPECT_EQ(again["warning_reasons"][0], "时限“首期托管”已于2025-02-28到期，尚未完成（原定2024-11-30，已调整）");
}

TEST_F(MilestoneView, ACancelledMilestoneIsNotRed) {
  Submit(China(2024, 11, 1), kTaskForce, DeadlineSet{kFirst, kNov30});
  Submit(China(2024, 12, 3), kTaskForce, MilestoneCancelled{kFirst, "并入年度目标，不再单列"});
  const json item = ItemAt(China(2024, 12, 5));
  const json milestone = Milestone(item, kFirst);
  EXPECT_FALSE(MilestoneIsRed(item, kFirst));
  EXPECT_EQ(milestone["state_label"], "已取消");
  EXPECT_EQ(milestone["cancelled"]["reason"], "并入年度目标，不再单列");
  EXPECT_EQ(milestone["overdue"], false);
  EXPECT_TRUE(MilestoneIsRed(ItemAt(China(2024, 12, 2)), kFirst));
}

TEST_F(MilestoneView, AMilestoneTheTaskForceMarksMetSaysSo) {
  Submit(China(2024, 11, 1), kTaskForce, DeadlineSet{kFirst, kNov30});
  Submit(China(2024, 12, 3), kTaskForce, MilestoneMet{kFirst, "经专班现场核查，已完成"});
  const json milestone = Milestone(ItemAt(China(2024, 12, 5)), kFirst);
  EXPECT_EQ(milestone["state_label"], "已完成");
  EXPECT_EQ(milestone["met"]["by"], "taskforce");
  EXPECT_EQ(milestone["met"]["by_label"], "专班");
  EXPECT_EQ(milestone["met"]["on_time"], false);  // marked after its date
  EXPECT_EQ(milestone["history"][1]["text"], "经专班现场核查，已完成");
}

// The state and history survive the view's row: what a restarted server
// loads renders as what it wrote.
TEST_F(MilestoneView, RowsKeepStateAndHistory) {
  const std::uint64_t report = ReportMeetingTheFirstMilestone();
  Submit(China(2024, 11, 26), kTaskForce, DeadlineSet{"年度目标", year(2024) / std::chrono::December / 31d});
  Submit(China(2024, 12, 3), kTaskForce, ReportReviewed{StreamVersion(report), ReviewDecision::kApproved, ""});
  Submit(China(2024, 12, 4), kTaskForce, DeadlineSet{"年度目标", year(2025) / std::chrono::January / 31d, "顺延"});
  // Fed by hand, as the projector does: ReplayLog keeps no rows.
  std::unique_ptr<SupervisionView> written = SupervisionView::Create(Fengjie()).value();
  for (auto it = store_->ReadAll(GlobalPosition(1)); it->Valid(); it->Next()) {
    const RecordedEvent& event = it->event();
    written->Apply(event, DecodeEvent(event.type, event.schema_version, event.data).value());
  }
  std::unique_ptr<SupervisionView> loaded = SupervisionView::Create(Fengjie()).value();
  for (const auto& [key, value] : written->TakeChangedRows()) ASSERT_TRUE(loaded->LoadRow(key, value).ok()) << value;
  const Timestamp now = China(2024, 12, 5);
  EXPECT_EQ(ItemJson(*loaded, StreamId{"task-07"}, now).value(), ItemJson(*written, StreamId{"task-07"}, now).value());
}

// A row written before milestones kept their state holds only "deadlines":
// each reads as an open milestone with no recorded history.
TEST(MilestoneViewRows, ARowOfDeadlinesOnlyReadsAsOpenMilestones) {
  std::unique_ptr<SupervisionView> view = SupervisionView::Create(Fengjie()).value();
  ASSERT_TRUE(view->LoadRow("task-07", R"({"approved_figures":[],"completed_at_us":null,"deadlines":[{"due":"2024-11-30","milestone":"首期托管"}],"format":2,"last_report":null,"open_notices":[],"pending_reports":[],"started":false,"version":1})").ok());
  const json item = ItemJson(*view, StreamId{"task-07"}, China(2024, 12, 5)).value();
  EXPECT_EQ(item["deadlines"][0]["state_label"], "逾期未完成");
  EXPECT_EQ(item["deadlines"][0]["history"], json::array());
  EXPECT_EQ(item["warning"], "red");
}

}  // namespace
}  // namespace kuimen
