// The supervision view's JSON, as the dashboard and API clients read it, is
// pinned by golden files written from the code before the view returned typed
// results (issue 12, item 1): the board and the item pages of a rich fixture
// must render byte for byte as they did. Set KUIMEN_UPDATE_GOLDEN=1 to rewrite
// the files (only when a change of the JSON is intended, and said so).
#include <cstdlib>
#include <fstream>
#include <sstream>

#include <gtest/gtest.h>

#include "gateway/supervision_json.h"
#include "projections/supervision_view.h"
#include "tests/projections/supervision_fixture.h"

namespace kuimen {
namespace {

using namespace kuimen::testing::fengjie;
using std::chrono::year;
using namespace std::chrono_literals;

const Actor kLeader{"p-leader", Role::kLeader, ""};
IndicatorValue Services(double value, IndicatorScope scope = IndicatorScope::kOwn) {
  return {"农业生产社会化服务规模", value, "万亩次", scope};
}
Attachment File(const std::string& name) { return {std::string(64, 'a'), name, 2048, "application/pdf"}; }

// Task 7 (lead 县农业农村委, cooperating 县供销合作社 and the townships) with
// reports approved, returned and pending, from the lead, a cooperating unit and
// a township; milestones set, moved, met by a report and by the task force,
// cancelled, claimed by a pending report, and one overdue; notices signed and
// answered, open and overdue, closed; 批示 on the item and on a notice. Task 2
// approved, task 3 completed, major item 4 pending.
Log RichLog() {
  Log log;
  auto task7 = [&log](Timestamp at, const Actor& actor, EventData data) {
    return log.Add("task-07", at, actor, std::move(data));
  };
  task7(China(2024, 10, 20), kAgriculture, Progress(Month(2024, 10), 5, {Services(10)}));              // v1
  task7(China(2024, 10, 21), kTaskForce, DeadlineSet{"完成托管服务台账", year(2024) / 11 / 30d});       // v2
  task7(China(2024, 10, 21, 11), kTaskForce, DeadlineSet{"建成为农服务中心", year(2024) / 12 / 31d});   // v3
  task7(China(2024, 10, 21, 12), kTaskForce, DeadlineSet{"召开现场推进会", year(2024) / 11 / 15d});     // v4
  task7(China(2024, 10, 21, 13), kTaskForce, DeadlineSet{"完成年度培训", year(2024) / 11 / 20d});       // v5
  task7(China(2024, 10, 22), kTaskForce, Approve(1));                                                   // v6
  task7(China(2024, 11, 2), kCoop, Progress(Month(2024, 10), 15, {Services(2)}));                       // v7
  task7(China(2024, 11, 3), kTaskForce, Return(7));                                                     // v8
  task7(China(2024, 11, 5), kYongan, Progress(Month(2024, 10), 50, {Services(1.2)}));                   // v9
  task7(China(2024, 11, 10), kTaskForce,
        DeadlineSet{"完成托管服务台账", year(2024) / 12 / 15d, "受天气影响，经专班同意顺延"});            // v10
  task7(China(2024, 11, 11), kTaskForce, MilestoneCancelled{"召开现场推进会", "并入年度目标，不再单列"}); // v11
  task7(China(2024, 11, 12), kTaskForce,
        NoticeIssued{"DB-7", "进度滞后于序时", year(2024) / 11 / 20d, "奉三位一体督〔2024〕1号"});          // v12
  task7(China(2024, 11, 13), kAgriculture, NoticeSigned{"DB-7"});                                       // v13
  task7(China(2024, 11, 18), kAgriculture, NoticeAnswered{"DB-7", "已补齐台账", {File("整改报告.pdf")}}); // v14
  task7(China(2024, 11, 19), kTaskForce, NoticeIssued{"DB-8", "台账不全", year(2024) / 11 / 28d, ""});   // v15
  task7(China(2024, 11, 20), kTaskForce, NoticeIssued{"DB-9", "数据不实", year(2024) / 11 / 25d, ""});   // v16
  task7(China(2024, 11, 21), kAgriculture, NoticeAnswered{"DB-9", "已核实更正"});                        // v17
  task7(China(2024, 11, 22), kTaskForce, NoticeClosed{"DB-9", "整改到位", ""});                          // v18
  task7(China(2024, 12, 2), kLeader, InstructionGiven{"加快进度，确保完成年度目标", "", "县委副书记 李四", {File("批示.pdf")}});  // v19
  task7(China(2024, 12, 2, 11), kLeader, InstructionGiven{"抓紧整改，按期销号", "DB-8", ""});          // v20
  ProgressReported november = Progress(Month(2024, 11), 40, {Services(30, IndicatorScope::kCounty)});
  november.milestones_met = {"完成托管服务台账"};
  task7(China(2024, 12, 3), kAgriculture, november);                                                     // v21
  task7(China(2024, 12, 4), kTaskForce, Approve(21));                                                   // v22
  task7(China(2024, 12, 4, 11), kTaskForce, MilestoneMet{"完成年度培训", "经专班现场核查，已完成"});   // v23
  ProgressReported december = Progress(Month(2024, 12), 55.5, {Services(33.25, IndicatorScope::kCounty)});
  december.milestones_met = {"建成为农服务中心"};
  task7(China(2024, 12, 5), kAgriculture, december);                                                    // v24, pending

  log.Add("task-02", China(2024, 11, 1), kCoop, Progress(Month(2024, 10), 20));
  log.Add("task-02", China(2024, 11, 2), kTaskForce, Approve(1));
  log.Add("task-02", China(2024, 11, 3), kTaskForce, DeadlineSet{"完成社有企业改革", year(2024) / 12 / 10d});
  log.Add("task-03", China(2024, 11, 1), kAgriculture, Progress(Month(2024, 10), 100));
  log.Add("task-03", China(2024, 11, 2), kTaskForce, Approve(1));
  log.Add("task-03", China(2024, 11, 3), kTaskForce, TaskCompleted{"全面完成"});
  log.Add("major-4", China(2024, 11, 2), kCoop, Progress(Month(2024, 10), 40, {{"为农服务中心", 4, "个"}}));
  log.Add("major-4", China(2024, 11, 20), kLeader, InstructionGiven{"统筹推进", "", "县长 王五"});
  return log;
}

const Timestamp kNow = China(2024, 12, 6, 15);

std::string GoldenPath(const std::string& name) {
  return std::string(KUIMEN_SOURCE_DIR) + "/tests/gateway/golden/" + name;
}

// Compares `text` with the golden file `name` (or rewrites it on request).
void ExpectGolden(const std::string& name, const std::string& text) {
  if (std::getenv("KUIMEN_UPDATE_GOLDEN") != nullptr) {
    std::ofstream(GoldenPath(name), std::ios::binary) << text << "\n";
    return;
  }
  std::ifstream in(GoldenPath(name), std::ios::binary);
  ASSERT_TRUE(in.good()) << "missing golden file " << name;
  std::stringstream golden;
  golden << in.rdbuf();
  EXPECT_EQ(text + "\n", golden.str()) << "the JSON of " << name << " changed";
}

TEST(SupervisionJson, TheBoardRendersAsItsGoldenFile) {
  const auto view = ViewOf(RichLog());
  ExpectGolden("supervision_board.json", SupervisionBoardJson(view->Board(kNow)).dump(1));
}

// Weeks later: a milestone overdue (red), silence and an unanswered return (yellow).
TEST(SupervisionJson, TheBoardWeeksLaterRendersAsItsGoldenFile) {
  const auto view = ViewOf(RichLog());
  ExpectGolden("supervision_board_2025-01-20.json", SupervisionBoardJson(view->Board(China(2025, 1, 20))).dump(1));
}

TEST(SupervisionJson, AnItemRendersAsItsGoldenFile) {
  const auto view = ViewOf(RichLog());
  ExpectGolden("supervision_item_task07.json", ItemBoardJson(*view->Item(StreamId{"task-07"}, kNow)).dump(1));
  ExpectGolden("supervision_item_major04.json", ItemBoardJson(*view->Item(StreamId{"major-4"}, kNow)).dump(1));
}

TEST(SupervisionJson, AnItemForAPeriodRendersAsItsGoldenFile) {
  const auto view = ViewOf(RichLog());
  ExpectGolden("supervision_item_task07_2024-10.json",
               ItemBoardJson(*view->Item(StreamId{"task-07"}, kNow, Month(2024, 10))).dump(1));
}

TEST(SupervisionJson, ABoardBeforeAnyEventRendersAsItsGoldenFile) {
  const auto view = ViewOf(Log());
  ExpectGolden("supervision_board_empty.json", SupervisionBoardJson(view->Board(China(2024, 11, 1))).dump(1));
}

}  // namespace
}  // namespace kuimen
