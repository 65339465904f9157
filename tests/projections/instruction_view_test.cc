// 领导批示 on the supervision view, stored through the real write path
// (command handler, RocksDB) and replayed from the log: a 批示 shows on its
// item (with the leader's name, time and text) and in the lists of the units
// that lead or cooperate on it, not elsewhere; a replay as of a moment before
// it shows none; and a view restored from its rows shows the same.
#include <gtest/gtest.h>

#include "eventstore/catalog_codec.h"
#include "eventstore/command_handler.h"
#include "eventstore/event_codec.h"
#include "projections/assessment_view.h"
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
const Actor kLeader{"p-leader", Role::kLeader, ""};
const std::string kText = "请县农业农村委月底前拿出整改方案。\n专班跟踪督办。";

class InstructionView : public testing::StoreTest {
 protected:
  void SetUp() override {
    store_ = Open();
    handler_ = std::make_unique<CommandHandler>(*store_, Fengjie(), clock_);
  }

  void Submit(Timestamp at, const std::string& stream, const Actor& actor, EventData event) {
    clock_.Set(at);
    Result<RecordedEvent> stored = handler_->Submit(Submission{StreamId{stream}, actor, std::move(event), {}, {}});
    ASSERT_TRUE(stored.ok()) << stored.status().ToString();
  }

  std::unique_ptr<SupervisionView> ReplayedTo(Timestamp at) {
    std::unique_ptr<SupervisionView> view = SupervisionView::Create(Fengjie()).value();
    EXPECT_TRUE(ReplayLog(*view, *store_, ReplayLimit{std::nullopt, at}).ok());
    return view;
  }

  static UnitBoard Unit(const SupervisionBoard& board, const std::string& name) {
    for (const UnitBoard& unit : board.units) {
      if (unit.unit == name) return unit;
    }
    ADD_FAILURE() << "no unit " << name;
    return {};
  }

  static std::vector<std::string> StreamsOf(const std::vector<InstructionRow>& instructions) {
    std::vector<std::string> streams;
    for (const InstructionRow& i : instructions) streams.push_back(i.stream.value);
    return streams;
  }

  // Task 7 (lead 县农业农村委, cooperating 县供销合作社 and the townships) gets a
  // notice on 12-02 and two 批示 on 12-05: one on the item, one on the notice.
  void GiveTwoInstructionsOnTask7() {
    Submit(China(2024, 12, 2), "task-07", kTaskForce,
           NoticeIssued{"DB-7", "进度滞后于序时", year(2024) / std::chrono::December / 20d, "奉三位一体督〔2024〕1号"});
    Submit(China(2024, 12, 5), "task-07", kLeader, InstructionGiven{kText, "", "县委副书记 李四"});
    Submit(China(2024, 12, 5, 11), "task-07", kLeader, InstructionGiven{"抓紧整改，按期销号", "DB-7", "县委副书记 李四"});
  }

  std::unique_ptr<EventStore> store_;
  std::unique_ptr<CommandHandler> handler_;
};

TEST_F(InstructionView, AnInstructionShowsOnItsItemWithTheLeaderTheTimeAndTheText) {
  GiveTwoInstructionsOnTask7();
  const json item = ItemJson(*ReplayedTo(China(2024, 12, 6)), StreamId{"task-07"}, China(2024, 12, 6)).value();
  ASSERT_EQ(item["instructions"].size(), 2u) << item["instructions"].dump();
  const json& first = item["instructions"][0];
  EXPECT_EQ(first["leader_name"], "县委副书记 李四");
  EXPECT_EQ(first["principal"], "p-leader");
  EXPECT_EQ(first["text"], kText);
  EXPECT_EQ(first["given_at"], "2024-12-05T02:00:00.000000Z");
  EXPECT_TRUE(first["notice_id"].is_null());
  const json& second = item["instructions"][1];
  EXPECT_EQ(second["notice_id"], "DB-7");
  EXPECT_EQ(second["notice_number"], "奉三位一体督〔2024〕1号");
}

TEST_F(InstructionView, AnInstructionShowsForTheLeadAndCooperatingUnitsOnly) {
  GiveTwoInstructionsOnTask7();
  Submit(China(2024, 12, 7), "task-08", kLeader, InstructionGiven{"加大财政支持", "", "县委副书记 李四"});
  const SupervisionBoard board = ReplayedTo(China(2024, 12, 8))->Board(China(2024, 12, 8));
  // Task 7's lead, its cooperating unit, and 县财政局 which cooperates on task 8 only.
  EXPECT_EQ(StreamsOf(Unit(board, "县农业农村委").instructions),
            (std::vector<std::string>{"task-07", "task-07", "task-08"}));
  // 县供销合作社 leads task 8 and cooperates on task 7: led items first.
  EXPECT_EQ(StreamsOf(Unit(board, "县供销合作社").instructions),
            (std::vector<std::string>{"task-08", "task-07", "task-07"}));
  EXPECT_EQ(StreamsOf(Unit(board, "县财政局").instructions), (std::vector<std::string>{"task-08"}));
  EXPECT_TRUE(Unit(board, "县林业局").instructions.empty());
  // Other items carry none.
  for (const ItemBoard& task : board.tasks) {
    if (task.stream.value != "task-07" && task.stream.value != "task-08") {
      EXPECT_TRUE(task.instructions.empty()) << task.stream.value;
    }
  }
}

TEST_F(InstructionView, AReplayAsOfBeforeTheInstructionShowsNone) {
  GiveTwoInstructionsOnTask7();
  const ItemBoard before = ReplayedTo(China(2024, 12, 4))->Item(StreamId{"task-07"}, China(2024, 12, 4)).value();
  EXPECT_TRUE(before.instructions.empty());
  const ItemBoard between =
      ReplayedTo(China(2024, 12, 5, 10))->Item(StreamId{"task-07"}, China(2024, 12, 5, 10)).value();
  EXPECT_EQ(between.instructions.size(), 1u);
}

TEST_F(InstructionView, AViewRestoredFromItsRowsShowsTheSameInstructions) {
  GiveTwoInstructionsOnTask7();
  // Fed by hand, as the projector does: ReplayLog keeps no rows.
  std::unique_ptr<SupervisionView> live = SupervisionView::Create(Fengjie()).value();
  for (auto it = store_->ReadAll(GlobalPosition(1)); it->Valid(); it->Next()) {
    const RecordedEvent& event = it->event();
    live->Apply(event, DecodeEvent(event.type, event.schema_version, event.data).value());
  }
  std::unique_ptr<SupervisionView> restored = SupervisionView::Create(Fengjie()).value();
  for (const auto& [key, value] : live->TakeChangedRows()) ASSERT_TRUE(restored->LoadRow(key, value).ok()) << key;
  ASSERT_EQ(ItemJson(*live, StreamId{"task-07"}, China(2024, 12, 6)).value()["instructions"].size(), 2u);
  EXPECT_EQ(ItemJson(*restored, StreamId{"task-07"}, China(2024, 12, 6)).value()["instructions"],
            ItemJson(*live, StreamId{"task-07"}, China(2024, 12, 6)).value()["instructions"]);
}

// The assessment's per-unit evidence lists the 批示 on the unit's tasks and
// scores exactly as without them.
class InstructionAssessment : public InstructionView {
 protected:
  std::unique_ptr<AssessmentView> AssessmentTo(Timestamp at) {
    std::unique_ptr<AssessmentView> view = AssessmentView::Create(Fengjie(), DefaultAssessmentRules()).value();
    EXPECT_TRUE(ReplayLog(*view, *store_, ReplayLimit{std::nullopt, at}).ok());
    return view;
  }
  static AssessmentUnitResult UnitOf(const AssessmentResult& result, const std::string& name) {
    for (const AssessmentUnitResult& unit : result.units) {
      if (unit.unit == name) return unit;
    }
    ADD_FAILURE() << "no unit " << name;
    return {};
  }
  static std::vector<AssessmentInstruction> InstructionsOf(const AssessmentResult& result, const std::string& name) {
    return UnitOf(result, name).instructions.value_or(std::vector<AssessmentInstruction>{});
  }
  static AssessmentResult WithoutInstructions(AssessmentResult result) {
    for (AssessmentUnitResult& unit : result.units) unit.instructions.reset();
    return result;
  }
};

TEST_F(InstructionAssessment, TheUnitsOfATaskListItsInstructionsAndScoreAsWithout) {
  Submit(China(2024, 12, 2), "task-07", kTaskForce,
         NoticeIssued{"DB-7", "进度滞后于序时", year(2024) / std::chrono::December / 20d, "奉三位一体督〔2024〕1号"});
  const Timestamp now = China(2024, 12, 8);
  const AssessmentResult before = AssessmentTo(now)->Render(2024, now);
  Submit(China(2024, 12, 5), "task-07", kLeader, InstructionGiven{kText, "", "县委副书记 李四"});
  const AssessmentResult after = AssessmentTo(now)->Render(2024, now);

  EXPECT_EQ(WithoutInstructions(after), WithoutInstructions(before));
  ASSERT_TRUE(UnitOf(after, "县农业农村委").instructions.has_value());
  const std::vector<AssessmentInstruction> lead = InstructionsOf(after, "县农业农村委");
  ASSERT_EQ(lead.size(), 1u);
  EXPECT_EQ(lead[0].stream, "task-07");
  EXPECT_EQ(lead[0].leader_name, "县委副书记 李四");
  EXPECT_EQ(lead[0].text, kText);
  EXPECT_EQ(InstructionsOf(after, "县供销合作社").size(), 1u);
  ASSERT_TRUE(UnitOf(after, "县财政局").instructions.has_value());
  EXPECT_TRUE(InstructionsOf(after, "县财政局").empty());
  // Another year's assessment lists none.
  EXPECT_TRUE(InstructionsOf(AssessmentTo(now)->Render(2025, now), "县农业农村委").empty());
}

TEST_F(InstructionAssessment, AFrozenYearListsTheInstructionsGivenBeforeItsFreeze) {
  Submit(China(2024, 12, 5), "task-07", kLeader, InstructionGiven{kText, "", "县委副书记 李四"});
  Submit(China(2024, 12, 10), "assessment-2024", kTaskForce, YearFrozen{2024, "", true, "县委决定提前考核"});
  Submit(China(2024, 12, 12), "task-07", kLeader, InstructionGiven{"定格后的批示", "", "县委副书记 李四"});
  const Timestamp now = China(2024, 12, 13);
  EXPECT_EQ(InstructionsOf(AssessmentTo(now)->Render(2024, now), "县农业农村委").size(), 1u);
}

TEST_F(InstructionAssessment, AViewRestoredFromItsRowsListsTheSameInstructions) {
  Submit(China(2024, 12, 5), "task-07", kLeader, InstructionGiven{kText, "", "县委副书记 李四"});
  Submit(China(2024, 12, 6), "task-08", kLeader, InstructionGiven{"加大财政支持", "", "县委副书记 李四"});
  // Fed by hand, as the projector does: ReplayLog keeps no rows.
  std::unique_ptr<AssessmentView> live = AssessmentView::Create(Fengjie(), DefaultAssessmentRules()).value();
  for (auto it = store_->ReadAll(GlobalPosition(1)); it->Valid(); it->Next()) {
    const RecordedEvent& event = it->event();
    live->Apply(event, DecodeEvent(event.type, event.schema_version, event.data).value());
  }
  std::unique_ptr<AssessmentView> restored = AssessmentView::Create(Fengjie(), DefaultAssessmentRules()).value();
  for (const auto& [key, value] : live->TakeChangedRows()) ASSERT_TRUE(restored->LoadRow(key, value).ok()) << key;
  const Timestamp now = China(2024, 12, 8);
  ASSERT_EQ(InstructionsOf(live->Render(2024, now), "县农业农村委").size(), 2u);
  EXPECT_EQ(restored->Render(2024, now), live->Render(2024, now));
}

}  // namespace
}  // namespace kuimen
