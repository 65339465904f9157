#include "projections/supervision_view.h"
#include "tests/projections/board_json.h"

#include <map>
#include <set>

#include <gtest/gtest.h>

#include "eventstore/catalog_codec.h"
#include "eventstore/event_codec.h"
#include "tests/support/behaviour_name.h"
#include "tests/projections/envelope_log.h"

namespace kuimen {
namespace {

using nlohmann::json;

const Catalog& Fengjie() {
  static const Catalog catalog = LoadDefaultCatalog().value();
  return catalog;
}

std::chrono::year_month_day Date(int y, unsigned m, unsigned d) {
  return {std::chrono::year(y), std::chrono::month(m), std::chrono::day(d)};
}

std::chrono::year_month Month(int y, unsigned m) { return {std::chrono::year(y), std::chrono::month(m)}; }

// A moment given in China time (UTC+8), as the units and the task force see it.
Timestamp China(int y, unsigned m, unsigned d, int hour = 10) {
  return Timestamp(std::chrono::sys_days(Date(y, m, d)) + std::chrono::hours(hour - 8));
}

const Actor kTaskForce{"p-tf", Role::kTaskForce, ""};
const Actor kAgriculture{"p-nyw", Role::kDepartment, "县农业农村委"};
const Actor kCoop{"p-gxs", Role::kDepartment, "县供销合作社"};
const Actor kFinance{"p-jr", Role::kDepartment, "县政府金融服务中心"};

ProgressReported Progress(std::chrono::year_month period, double percent, std::vector<IndicatorValue> indicators = {}) {
  return ProgressReported{period, "本月进展", percent, std::move(indicators), {}};
}
IndicatorValue Services(double value) { return {"农业生产社会化服务规模", value, "万亩次"}; }
ReportReviewed Approve(std::uint64_t version) { return {StreamVersion(version), ReviewDecision::kApproved, ""}; }
ReportReviewed Return(std::uint64_t version) { return {StreamVersion(version), ReviewDecision::kReturned, "数据不实"}; }
DeadlineSet Deadline(std::string milestone, std::chrono::year_month_day due) { return {std::move(milestone), due}; }
NoticeIssued Notice(std::string id, std::chrono::year_month_day due) { return {std::move(id), "进度滞后", due, ""}; }

using Log = testing::EnvelopeLog;

std::unique_ptr<SupervisionView> NewView() {
  Result<std::unique_ptr<SupervisionView>> view = SupervisionView::Create(Fengjie());
  EXPECT_TRUE(view.ok()) << view.status().ToString();
  return std::move(view).value();
}

std::unique_ptr<SupervisionView> ViewOf(const Log& log) {
  std::unique_ptr<SupervisionView> view = NewView();
  for (const auto& [envelope, data] : log.events()) view->Apply(envelope, data);
  return view;
}

json Item(const SupervisionView& view, const std::string& stream, Timestamp now) {
  Result<json> item = ItemJson(view, StreamId{stream}, now);
  EXPECT_TRUE(item.ok()) << item.status().ToString();
  return item.ok() ? *item : json();
}

std::map<std::string, std::string> RowsOf(SupervisionView& view) {
  std::map<std::string, std::string> rows;
  for (auto& [key, value] : view.TakeChangedRows()) rows[key] = value;
  return rows;
}

std::set<std::string> KeysOf(const std::map<std::string, std::string>& rows) {
  std::set<std::string> keys;
  for (const auto& [key, value] : rows) keys.insert(key);
  return keys;
}

// A render without the supervision start (which the store's first event sets).
json WithoutStart(json render) {
  render.erase("supervision_start");
  return render;
}

// --- status ---------------------------------------------------------------------

struct StatusCase {
  const char* behaviour;
  void (*given)(Log&);
  const char* status;
  const char* label;
};
void PrintTo(const StatusCase& c, std::ostream* os) { *os << c.behaviour; }

class SupervisionStatus : public ::testing::TestWithParam<StatusCase> {};

TEST_P(SupervisionStatus, FollowsTheItemsEvents) {
  Log log;
  GetParam().given(log);
  json item = Item(*ViewOf(log), "task-07", China(2024, 11, 1));
  EXPECT_EQ(item["status"], GetParam().status);
  EXPECT_EQ(item["status_label"], GetParam().label);
}

INSTANTIATE_TEST_SUITE_P(
    Table, SupervisionStatus,
    ::testing::Values(
        StatusCase{"an item without events has not started", [](Log&) {}, "not_started", "未启动"},
        StatusCase{"a deadline alone does not start it",
                   [](Log& l) { l.Add("task-07", China(2024, 10, 20), kTaskForce, Deadline("年度目标", Date(2024, 12, 31))); },
                   "not_started", "未启动"},
        StatusCase{"a report awaits review",
                   [](Log& l) { l.Add("task-07", China(2024, 10, 20), kAgriculture, Progress(Month(2024, 10), 5)); },
                   "pending_review", "待审核"},
        StatusCase{"an approved report puts it in progress",
                   [](Log& l) {
                     l.Add("task-07", China(2024, 10, 20), kAgriculture, Progress(Month(2024, 10), 5));
                     l.Add("task-07", China(2024, 10, 21), kTaskForce, Approve(1));
                   },
                   "in_progress", "推进中"},
        StatusCase{"a returned report goes back to the unit",
                   [](Log& l) {
                     l.Add("task-07", China(2024, 10, 20), kAgriculture, Progress(Month(2024, 10), 5));
                     l.Add("task-07", China(2024, 10, 21), kTaskForce, Return(1));
                   },
                   "returned", "已退回"},
        StatusCase{"a report resent after a return awaits review",
                   [](Log& l) {
                     l.Add("task-07", China(2024, 10, 20), kAgriculture, Progress(Month(2024, 10), 5));
                     l.Add("task-07", China(2024, 10, 21), kTaskForce, Return(1));
                     l.Add("task-07", China(2024, 10, 22), kAgriculture, Progress(Month(2024, 10), 6));
                   },
                   "pending_review", "待审核"},
        StatusCase{"completion ends it",
                   [](Log& l) {
                     l.Add("task-07", China(2024, 10, 20), kAgriculture, Progress(Month(2024, 10), 100));
                     l.Add("task-07", China(2024, 10, 21), kTaskForce, Approve(1));
                     l.Add("task-07", China(2024, 10, 22), kTaskForce, TaskCompleted{"已完成"});
                   },
                   "completed", "已完成"},
        StatusCase{"reopening puts it back in progress",
                   [](Log& l) {
                     l.Add("task-07", China(2024, 10, 20), kTaskForce, TaskCompleted{"已完成"});
                     l.Add("task-07", China(2024, 10, 21), kTaskForce, TaskReopened{"复核未达标"});
                   },
                   "in_progress", "推进中"}),
    testing::ByBehaviour());

// --- reports and indicators ---------------------------------------------------------

TEST(SupervisionView, ShowsTheLastReportWithItsAuthorAndReview) {
  Log log;
  log.Add("task-07", China(2024, 10, 25), kAgriculture, Progress(Month(2024, 10), 5));
  log.Add("task-07", China(2024, 11, 2, 9), kAgriculture, Progress(Month(2024, 10), 15, {Services(12)}));
  log.Add("task-07", China(2024, 11, 3, 9), kTaskForce, Approve(2));
  json report = Item(*ViewOf(log), "task-07", China(2024, 11, 4))["last_report"];
  EXPECT_EQ(report, (json{{"version", 2},
                          {"recorded_at", "2024-11-02T01:00:00.000000Z"},
                          {"principal", "p-nyw"},
                          {"unit", "县农业农村委"},
                          {"period", "2024-10"},
                          {"percent", 15},
                          {"late", false},
                          {"decision", "approved"},
                          {"reviewed_at", "2024-11-03T01:00:00.000000Z"}}));
}

TEST(SupervisionView, ItemNeverReportedHasNoLastReportAndEmptyIndicators) {
  json item = Item(*NewView(), "task-07", China(2024, 11, 1));
  EXPECT_TRUE(item["last_report"].is_null());
  EXPECT_EQ(item["version"], 0);
  ASSERT_EQ(item["indicators"].size(), 1u);
  EXPECT_EQ(item["indicators"][0]["target"], 78);
  EXPECT_TRUE(item["indicators"][0]["latest_value"].is_null());
  EXPECT_TRUE(item["indicators"][0]["progress_percent"].is_null());
}

TEST(SupervisionView, MeasuresIndicatorsAgainstTheItemsTargets) {
  Log log;
  log.Add("task-07", China(2024, 11, 2), kAgriculture, Progress(Month(2024, 10), 15, {Services(12)}));
  log.Add("task-07", China(2024, 11, 3), kTaskForce, Approve(1));
  json indicator = Item(*ViewOf(log), "task-07", China(2024, 11, 4))["indicators"][0];
  EXPECT_EQ(indicator, (json{{"indicator", "农业生产社会化服务规模"},
                             {"target", 78},
                             {"unit", "万亩次"},
                             {"latest_value", 12},
                             {"progress_percent", 15.4},  // 12 / 78, to one decimal
                             {"period", "2024-10"},
                             {"reported_at", "2024-11-02T02:00:00.000000Z"},
                             {"late", false},
                             {"basis", "sum_of_units"},  // one unit's own figure (projections/county_figure.h)
                             {"basis_label", "各单位合计"},
                             {"pending", nullptr}}));  // nothing awaits review
}

// Only approved figures count (session 7, item 3; was: pending figures counted):
// a figure awaiting review shows beside the approved one as 待审核.
TEST(SupervisionView, ShowsPendingFiguresBesideTheApprovedOneAndDropsReturnedOnes) {
  Log log;
  log.Add("task-07", China(2024, 11, 2), kAgriculture, Progress(Month(2024, 10), 15, {Services(12)}));
  log.Add("task-07", China(2024, 11, 3), kTaskForce, Approve(1));
  log.Add("task-07", China(2024, 12, 2), kAgriculture, Progress(Month(2024, 11), 30, {Services(25.5)}));
  const Timestamp now = China(2024, 12, 4);
  json waiting = Item(*ViewOf(log), "task-07", now)["indicators"][0];
  EXPECT_EQ(waiting["latest_value"], 12);
  EXPECT_EQ(waiting["period"], "2024-10");
  EXPECT_EQ(waiting["pending"], (json{{"value", 25.5}, {"amount", 13.5}, {"progress_percent", 32.7},
                                      {"period", "2024-11"}, {"label", "待审核"}}));

  log.Add("task-07", China(2024, 12, 3), kTaskForce, Return(3));
  json indicator = Item(*ViewOf(log), "task-07", now)["indicators"][0];
  EXPECT_EQ(indicator["latest_value"], 12);
  EXPECT_EQ(indicator["period"], "2024-10");
  EXPECT_TRUE(indicator["pending"].is_null());
}

TEST(SupervisionView, RendersMajorItemsWithTheirUnitsAndTargets) {
  Log log;
  log.Add("major-4", China(2024, 11, 2), kCoop, Progress(Month(2024, 10), 40, {{"为农服务中心", 4, "个"}}));
  json item = Item(*ViewOf(log), "major-4", China(2024, 11, 4));
  EXPECT_EQ(item["kind"], "项目");
  EXPECT_EQ(item["units"], (json{"县供销合作社", "县农业农村委"}));
  EXPECT_EQ(item["related_tasks"], (json{2}));
  EXPECT_EQ(item["status"], "pending_review");
  EXPECT_TRUE(item["indicators"][0]["progress_percent"].is_null());  // awaiting review: not counted yet
  EXPECT_EQ(item["indicators"][0]["pending"]["progress_percent"], 40);
}

// --- warnings --------------------------------------------------------------------

struct WarningCase {
  const char* behaviour;
  void (*given)(Log&);
  Timestamp now;
  const char* warning;
  const char* label;
  const char* first_reason;  // "" when there is none
};
void PrintTo(const WarningCase& c, std::ostream* os) { *os << c.behaviour; }

class SupervisionWarning : public ::testing::TestWithParam<WarningCase> {};

TEST_P(SupervisionWarning, IsJudgedAtRenderTime) {
  Log log;
  GetParam().given(log);
  json item = Item(*ViewOf(log), "task-07", GetParam().now);
  EXPECT_EQ(item["warning"], GetParam().warning);
  EXPECT_EQ(item["warning_label"], GetParam().label);
  if (std::string(GetParam().first_reason).empty()) {
    EXPECT_TRUE(item["warning_reasons"].empty()) << item["warning_reasons"].dump();
  } else {
    ASSERT_FALSE(item["warning_reasons"].empty());
    EXPECT_EQ(item["warning_reasons"][0], GetParam().first_reason);
  }
}

void ReportedNov20WithYearEndDeadline(Log& l) {
  l.Add("task-07", China(2024, 11, 20), kAgriculture, Progress(Month(2024, 11), 20));
  l.Add("task-07", China(2024, 11, 21), kTaskForce, Deadline("年度目标", Date(2024, 12, 31)));
}

void ReportedDec20WithYearEndDeadline(Log& l) {
  l.Add("task-07", China(2024, 12, 20), kAgriculture, Progress(Month(2024, 12), 80));
  l.Add("task-07", China(2024, 12, 21), kTaskForce, Deadline("年度目标", Date(2024, 12, 31)));
}

// 2024-12-02 is a Monday.
void ReportedDec1WithUnsignedNoticeDueDec10(Log& l) {
  l.Add("task-07", China(2024, 12, 1), kAgriculture, Progress(Month(2024, 11), 20));
  l.Add("task-07", China(2024, 12, 2), kTaskForce, Notice("DB-1", Date(2024, 12, 10)));
}

void ReportedDec1WithNoticeDueDec10(Log& l) {
  ReportedDec1WithUnsignedNoticeDueDec10(l);
  l.Add("task-07", China(2024, 12, 3), kAgriculture, NoticeSigned{"DB-1"});
}

// 2024-12-06 is a Friday: the weekend does not count towards signing.
void ReportedDec1WithNoticeIssuedFridayDec6(Log& l) {
  l.Add("task-07", China(2024, 12, 1), kAgriculture, Progress(Month(2024, 11), 20));
  l.Add("task-07", China(2024, 12, 6), kTaskForce, Notice("DB-1", Date(2024, 12, 20)));
}

void ReportedDec1ReturnedDec2(Log& l) {
  l.Add("task-07", China(2024, 12, 1), kAgriculture, Progress(Month(2024, 11), 20));
  l.Add("task-07", China(2024, 12, 2), kTaskForce, Return(1));
}

INSTANTIATE_TEST_SUITE_P(
    Table, SupervisionWarning,
    ::testing::Values(
        // 蓝
        WarningCase{"deadline 15 days away without a report this month is blue", ReportedNov20WithYearEndDeadline,
                    China(2024, 12, 16), "blue", "蓝", "时限“年度目标”将于2024-12-31到期（还剩15天），本月尚未报送进度"},
        WarningCase{"deadline 16 days away is not yet blue", ReportedNov20WithYearEndDeadline, China(2024, 12, 15),
                    "none", "无", ""},
        WarningCase{"deadline near but reported this month is not blue",
                    [](Log& l) {
                      ReportedNov20WithYearEndDeadline(l);
                      l.Add("task-07", China(2024, 12, 1), kAgriculture, Progress(Month(2024, 11), 30));
                    },
                    China(2024, 12, 16), "none", "无", ""},
        WarningCase{"a report early on the 1st in China time counts for that month",
                    [](Log& l) {
                      ReportedNov20WithYearEndDeadline(l);
                      // 2024-11-30T23:00Z is 2024-12-01 07:00 in China.
                      l.Add("task-07", China(2024, 12, 1, 7), kAgriculture, Progress(Month(2024, 11), 30));
                    },
                    China(2024, 12, 16), "none", "无", ""},
        WarningCase{"deadline due today without a report this month is blue",
                    [](Log& l) {
                      l.Add("task-07", China(2024, 12, 20), kAgriculture, Progress(Month(2024, 12), 50));
                      l.Add("task-07", China(2024, 12, 21), kTaskForce, Deadline("一季度目标", Date(2025, 1, 5)));
                    },
                    China(2025, 1, 5), "blue", "蓝", "时限“一季度目标”将于2025-01-05到期（还剩0天），本月尚未报送进度"},
        // 黄
        WarningCase{"30 days without a report is tolerated",
                    [](Log& l) { l.Add("task-07", China(2024, 11, 1), kAgriculture, Progress(Month(2024, 10), 10)); },
                    China(2024, 12, 1), "none", "无", ""},
        WarningCase{"31 days without a report is yellow",
                    [](Log& l) { l.Add("task-07", China(2024, 11, 1), kAgriculture, Progress(Month(2024, 10), 10)); },
                    China(2024, 12, 2), "yellow", "黄", "已31天未报送进度（上次报送于2024-11-01）"},
        WarningCase{"an item never reported is not behind until its start month's report is due",
                    [](Log& l) { l.Add("principals", China(2024, 11, 5), kTaskForce, TownshipRegistered{"永安街道"}); },
                    China(2024, 12, 10), "none", "无", ""},
        WarningCase{"an item never reported is yellow the day after its first due date",
                    [](Log& l) { l.Add("principals", China(2024, 11, 5), kTaskForce, TownshipRegistered{"永安街道"}); },
                    China(2024, 12, 11), "yellow", "黄",
                    "自督办起始月份（2024-11）起未报送进度，2024-11的进度应于2024-12-10前报送，已逾期1天"},
        WarningCase{"a report returned 10 days ago is tolerated", ReportedDec1ReturnedDec2, China(2024, 12, 12), "none",
                    "无", ""},
        WarningCase{"a report returned 11 days ago and not resent is yellow", ReportedDec1ReturnedDec2,
                    China(2024, 12, 13), "yellow", "黄", "2024-11的报送于2024-12-02被退回，已11天未重新报送"},
        WarningCase{"a report resent after a return clears the yellow",
                    [](Log& l) {
                      ReportedDec1ReturnedDec2(l);
                      l.Add("task-07", China(2024, 12, 5), kAgriculture, Progress(Month(2024, 11), 20));
                    },
                    China(2024, 12, 13), "none", "无", ""},
        // 红
        WarningCase{"a deadline passed without completion is red", ReportedDec20WithYearEndDeadline, China(2025, 1, 1),
                    "red", "红", "时限“年度目标”已于2024-12-31到期，尚未完成"},
        WarningCase{"a deadline moved later is no longer red",
                    [](Log& l) {
                      ReportedDec20WithYearEndDeadline(l);
                      l.Add("task-07", China(2024, 12, 30), kTaskForce, Deadline("年度目标", Date(2025, 3, 31)));
                    },
                    China(2025, 1, 1), "none", "无", ""},
        WarningCase{"a completed item carries no warning",
                    [](Log& l) {
                      ReportedDec20WithYearEndDeadline(l);
                      l.Add("task-07", China(2024, 12, 30), kTaskForce, TaskCompleted{"已完成"});
                    },
                    China(2025, 3, 1), "none", "无", ""},
        WarningCase{"a notice unsigned two working days after issue does not warn yet",
                    ReportedDec1WithUnsignedNoticeDueDec10, China(2024, 12, 4, 23), "none", "无", ""},
        WarningCase{"a notice unsigned after two working days is yellow (逾期未签收)",
                    ReportedDec1WithUnsignedNoticeDueDec10, China(2024, 12, 5), "yellow", "黄",
                    "督办“DB-1”下发后超过2个工作日未签收（应于2024-12-04前签收）"},
        WarningCase{"a weekend does not count towards signing", ReportedDec1WithNoticeIssuedFridayDec6,
                    China(2024, 12, 10, 23), "none", "无", ""},
        WarningCase{"a notice issued on Friday is overdue for signing on Wednesday",
                    ReportedDec1WithNoticeIssuedFridayDec6, China(2024, 12, 11), "yellow", "黄",
                    "督办“DB-1”下发后超过2个工作日未签收（应于2024-12-10前签收）"},
        WarningCase{"a signed notice is not overdue for signing", ReportedDec1WithNoticeDueDec10, China(2024, 12, 9),
                    "none", "无", ""},
        WarningCase{"an answered notice counts as received",
                    [](Log& l) {
                      ReportedDec1WithUnsignedNoticeDueDec10(l);
                      l.Add("task-07", China(2024, 12, 3), kAgriculture, NoticeAnswered{"DB-1", "已整改"});
                    },
                    China(2024, 12, 9), "none", "无", ""},
        WarningCase{"a notice due today is not yet red", ReportedDec1WithNoticeDueDec10, China(2024, 12, 10), "none",
                    "无", ""},
        WarningCase{"a notice unanswered past its due date is red", ReportedDec1WithNoticeDueDec10,
                    China(2024, 12, 11), "red", "红", "督办“DB-1”已于2024-12-10到期，未按期整改反馈且未销号"},
        WarningCase{"a notice answered late on its due date is not red",
                    [](Log& l) {
                      ReportedDec1WithNoticeDueDec10(l);
                      l.Add("task-07", China(2024, 12, 10, 23), kAgriculture, NoticeAnswered{"DB-1", "已整改"});
                    },
                    China(2024, 12, 11), "none", "无", ""},
        WarningCase{"a notice answered after its due date stays red until closed",
                    [](Log& l) {
                      ReportedDec1WithNoticeDueDec10(l);
                      l.Add("task-07", China(2024, 12, 11, 9), kAgriculture, NoticeAnswered{"DB-1", "已整改"});
                    },
                    China(2024, 12, 12), "red", "红", "督办“DB-1”已于2024-12-10到期，未按期整改反馈且未销号"},
        WarningCase{"a closed notice no longer warns",
                    [](Log& l) {
                      ReportedDec1WithNoticeDueDec10(l);
                      l.Add("task-07", China(2024, 12, 11, 9), kAgriculture, NoticeAnswered{"DB-1", "已整改"});
                      l.Add("task-07", China(2024, 12, 11, 15), kTaskForce, NoticeClosed{"DB-1", "销号", ""});
                    },
                    China(2024, 12, 12), "none", "无", ""},
        WarningCase{"red outranks yellow and blue",
                    [](Log& l) {
                      l.Add("task-07", China(2024, 12, 1), kTaskForce, Deadline("年度目标", Date(2024, 12, 31)));
                      l.Add("task-07", China(2024, 12, 1), kTaskForce, Deadline("一季度目标", Date(2025, 1, 10)));
                    },
                    China(2025, 1, 1), "red", "红", "时限“年度目标”已于2024-12-31到期，尚未完成"}),
    testing::ByBehaviour());

TEST(SupervisionView, ListsEveryApplicableReasonMostSevereFirst) {
  Log log;
  log.Add("task-07", China(2024, 12, 1), kTaskForce, Deadline("年度目标", Date(2024, 12, 31)));
  log.Add("task-07", China(2024, 12, 1), kTaskForce, Deadline("一季度目标", Date(2025, 1, 10)));
  json item = Item(*ViewOf(log), "task-07", China(2025, 1, 1));
  // Supervision started in December (the store's first event): its report is not due until 2025-01-10.
  EXPECT_EQ(item["warning_reasons"], (json{"时限“年度目标”已于2024-12-31到期，尚未完成",
                                           "时限“一季度目标”将于2025-01-10到期（还剩9天），本月尚未报送进度"}));
  ASSERT_EQ(item["deadlines"].size(), 2u);
  for (const char* key : {"milestone", "due", "days_left", "overdue", "state_label"}) {
    EXPECT_EQ(item["deadlines"][0][key], (json{{"milestone", "年度目标"}, {"due", "2024-12-31"}, {"days_left", -1},
                                               {"overdue", true}, {"state_label", "逾期未完成"}})[key]);
    EXPECT_EQ(item["deadlines"][1][key], (json{{"milestone", "一季度目标"}, {"due", "2025-01-10"}, {"days_left", 9},
                                               {"overdue", false}, {"state_label", "临近"}})[key]);
  }
}

TEST(SupervisionView, TheSameEventsShowTheWarningsOfTheMomentRendered) {
  Log log;
  log.Add("task-07", China(2024, 12, 20), kAgriculture, Progress(Month(2024, 12), 80));
  log.Add("task-07", China(2024, 12, 21), kTaskForce, Deadline("年度目标", Date(2024, 12, 31)));
  log.Add("task-07", China(2024, 12, 21), kTaskForce, Notice("DB-1", Date(2025, 1, 20)));
  log.Add("task-07", China(2024, 12, 22), kAgriculture, NoticeSigned{"DB-1"});
  std::unique_ptr<SupervisionView> view = ViewOf(log);

  json before = Item(*view, "task-07", China(2024, 12, 25));
  json after = Item(*view, "task-07", China(2025, 1, 25));
  EXPECT_EQ(before["warning"], "none");
  EXPECT_EQ(before["open_notices"][0]["overdue"], false);
  EXPECT_EQ(after["warning"], "red");
  EXPECT_EQ(after["warning_reasons"].size(), 3u);  // the deadline, the notice, 36 days silent
  EXPECT_EQ(after["open_notices"][0]["overdue"], true);
  EXPECT_EQ(Item(*view, "task-07", China(2024, 12, 25)), before);  // rendering changes nothing
}

TEST(SupervisionView, ShowsANoticesSigningAndAnswerForTheClosingDialog) {
  Log log;
  ReportedDec1WithUnsignedNoticeDueDec10(log);
  log.Add("task-07", China(2024, 12, 3, 9), kAgriculture, NoticeSigned{"DB-1"});
  log.Add("task-07", China(2024, 12, 6), kAgriculture, NoticeAnswered{"DB-1", "已召开专题会，制定整改清单"});
  log.Add("task-07", China(2024, 12, 7), kAgriculture, NoticeAnswered{"DB-1", "整改清单已完成8项"});
  json notice = Item(*ViewOf(log), "task-07", China(2024, 12, 9))["open_notices"][0];
  EXPECT_EQ(notice["signed"], true);
  EXPECT_EQ(notice["signed_by"], "县农业农村委");
  EXPECT_EQ(notice["signed_at"], "2024-12-03T01:00:00.000000Z");
  EXPECT_EQ(notice["sign_by"], "2024-12-04");
  EXPECT_EQ(notice["sign_overdue"], false);
  EXPECT_EQ(notice["answered"], true);
  EXPECT_EQ(notice["answer"], "整改清单已完成8项");  // the latest answer is what the task force reads
}

TEST(SupervisionView, FlagsAnUnsignedNoticeOnTheNoticeItself) {
  Log log;
  ReportedDec1WithUnsignedNoticeDueDec10(log);
  json notice = Item(*ViewOf(log), "task-07", China(2024, 12, 5))["open_notices"][0];
  EXPECT_EQ(notice["signed"], false);
  EXPECT_EQ(notice["signed_at"], nullptr);
  EXPECT_EQ(notice["sign_overdue"], true);
  EXPECT_EQ(notice["answer"], "");
}

TEST(SupervisionView, TakesTheSigningPeriodFromTheCatalog) {
  Catalog catalog = Fengjie();
  catalog.notice_sign_working_days = 4;
  Result<std::unique_ptr<SupervisionView>> view = SupervisionView::Create(catalog);
  ASSERT_TRUE(view.ok()) << view.status().ToString();
  Log log;
  ReportedDec1WithUnsignedNoticeDueDec10(log);  // issued Monday 2 December
  for (const auto& [envelope, data] : log.events()) (*view)->Apply(envelope, data);
  EXPECT_EQ(Item(**view, "task-07", China(2024, 12, 6, 23))["open_notices"][0]["sign_overdue"], false);
  json monday = Item(**view, "task-07", China(2024, 12, 9));
  EXPECT_EQ(monday["open_notices"][0]["sign_overdue"], true);
  EXPECT_EQ(monday["warning_reasons"][0], "督办“DB-1”下发后超过4个工作日未签收（应于2024-12-06前签收）");
}

TEST(SupervisionView, KeepsSigningAcrossARowReload) {
  Log log;
  ReportedDec1WithNoticeDueDec10(log);
  std::unique_ptr<SupervisionView> written = ViewOf(log);
  std::unique_ptr<SupervisionView> loaded = NewView();
  for (const auto& [key, value] : RowsOf(*written)) ASSERT_TRUE(loaded->LoadRow(key, value).ok()) << key;
  EXPECT_EQ(Item(*loaded, "task-07", China(2024, 12, 9)), Item(*written, "task-07", China(2024, 12, 9)));
  EXPECT_EQ(Item(*loaded, "task-07", China(2024, 12, 9))["open_notices"][0]["signed"], true);
}

// --- units, targets, counts ------------------------------------------------------------

json UnitNamed(const json& dashboard, const std::string& name) {
  for (const json& unit : dashboard["units"]) {
    if (unit["unit"] == name) return unit;
  }
  ADD_FAILURE() << "no unit " << name;
  return json();
}

TEST(SupervisionView, CountsEachUnitsItemsByHowTheyFare) {
  Log log;
  log.Add("task-07", China(2024, 10, 20), kTaskForce, Deadline("首期托管", Date(2024, 11, 5)));   // red
  log.Add("task-01", China(2024, 10, 20), kTaskForce, Deadline("县农合联成立", Date(2024, 11, 20)));  // blue
  json dashboard = BoardJson(*ViewOf(log), China(2024, 11, 10));

  json agriculture = UnitNamed(dashboard, "县农业农村委");
  EXPECT_EQ(agriculture["led"], (json{3, 4, 7, 13, 23, 25, 26, 29}));
  EXPECT_EQ(agriculture["major_items"], (json{1, 2, 3, 4}));
  const size_t items = agriculture["led"].size() + agriculture["cooperating"].size() + agriculture["major_items"].size();
  EXPECT_EQ(agriculture["overdue"], 1);  // task 7, which it leads
  EXPECT_EQ(agriculture["warned"], 1);   // task 1, on which it cooperates
  EXPECT_EQ(agriculture["on_track"], items - 2);

  json organisation = UnitNamed(dashboard, "县委组织部");
  EXPECT_EQ(organisation["led"], json::array());
  EXPECT_EQ(organisation["cooperating"], (json{1}));
  EXPECT_EQ(organisation["warned"], 1);
  EXPECT_EQ(organisation["on_track"], 0);
  EXPECT_EQ(organisation["overdue"], 0);

  EXPECT_EQ(dashboard["counts"]["items"], 34);
  EXPECT_EQ(dashboard["counts"]["by_warning"], (json{{"none", 32}, {"blue", 1}, {"yellow", 0}, {"red", 1}}));
  EXPECT_EQ(dashboard["counts"]["by_status"]["not_started"], 34);
}

TEST(SupervisionView, RendersEveryItemUnitAndTargetOfThePlan) {
  // 2024-11-30T17:00Z is already 2024-12-01 in China.
  const Timestamp now = Timestamp(std::chrono::sys_days(Date(2024, 11, 30)) + std::chrono::hours(17));
  json dashboard = BoardJson(*NewView(), now);
  EXPECT_EQ(dashboard["as_of"], "2024-11-30T17:00:00.000000Z");
  EXPECT_EQ(dashboard["today"], "2024-12-01");
  EXPECT_EQ(dashboard["tasks"].size(), 29u);
  EXPECT_EQ(dashboard["major_items"].size(), 5u);
  EXPECT_EQ(dashboard["units"].size(), Fengjie().units.size());
  EXPECT_EQ(dashboard["targets"].size(), 10u);
  EXPECT_EQ(dashboard["tasks"][6]["stream"], "task-07");
  EXPECT_EQ(dashboard["tasks"][6]["lead_unit"], "县农业农村委");
  EXPECT_EQ(dashboard["major_items"][2]["stream"], "major-3");
}

json TargetOf(const json& dashboard, int year, const std::string& unit) {
  for (const json& target : dashboard["targets"]) {
    if (target["year"] == year && target["unit"] == unit) return target;
  }
  ADD_FAILURE() << "no target " << year << " " << unit;
  return json();
}

TEST(SupervisionView, FeedsCountyTargetsFromTheTasksTheCatalogNames) {
  Log log;
  log.Add("task-07", China(2024, 12, 2), kAgriculture, Progress(Month(2024, 11), 20, {Services(12)}));
  log.Add("task-07", China(2024, 12, 3), kTaskForce, Approve(1));
  log.Add("task-07", China(2025, 1, 2), kAgriculture, Progress(Month(2024, 12), 40, {Services(30)}));
  log.Add("task-07", China(2025, 2, 2), kAgriculture, Progress(Month(2025, 1), 55, {Services(45)}));
  log.Add("task-19", China(2025, 1, 3), kFinance, Progress(Month(2024, 12), 20, {{"“三位一体”改革信贷资金规模", 2.5, "亿元"}}));
  // Only approved figures count in the county targets.
  log.Add("task-07", China(2025, 2, 3), kTaskForce, Approve(3));
  log.Add("task-07", China(2025, 2, 3), kTaskForce, Approve(4));
  log.Add("task-19", China(2025, 2, 3), kTaskForce, Approve(1));
  json dashboard = BoardJson(*ViewOf(log), China(2025, 2, 3));

  // The 2024 target keeps the last figure reported for a 2024 period.
  json services_2024 = TargetOf(dashboard, 2024, "万亩次");
  EXPECT_EQ(services_2024["target"], 39);
  EXPECT_EQ(services_2024["latest_value"], 30);
  EXPECT_EQ(services_2024["progress_percent"], 76.9);
  EXPECT_EQ(services_2024["period"], "2024-12");
  EXPECT_EQ(services_2024["source"], (json{{"task", 7}, {"stream", "task-07"}, {"indicator", "农业生产社会化服务规模"}}));
  json services_2027 = TargetOf(dashboard, 2027, "万亩次");
  EXPECT_EQ(services_2027["latest_value"], 45);
  EXPECT_EQ(services_2027["progress_percent"], 57.7);

  EXPECT_EQ(TargetOf(dashboard, 2024, "亿元")["progress_percent"], 50);
  EXPECT_EQ(TargetOf(dashboard, 2027, "亿元")["progress_percent"], 16.7);

  int without_source = 0;
  for (const json& target : dashboard["targets"]) {
    if (!target["source"].is_null()) continue;
    ++without_source;
    EXPECT_TRUE(target["latest_value"].is_null()) << target["indicator"];
    EXPECT_TRUE(target["progress_percent"].is_null()) << target["indicator"];
  }
  EXPECT_EQ(without_source, 6);
}

// --- streams and rows ------------------------------------------------------------

TEST(SupervisionView, IgnoresStreamsThatAreNotSupervisedItems) {
  Log log;
  log.Add("assessment-2024", China(2024, 11, 2), kTaskForce, TaskCompleted{"x"});
  log.Add("task-30", China(2024, 11, 2), kAgriculture, Progress(Month(2024, 10), 5));
  std::unique_ptr<SupervisionView> view = ViewOf(log);
  // Only the store's creation (its first event) is kept, whatever the stream.
  EXPECT_EQ(KeysOf(RowsOf(*view)), std::set<std::string>{"~store"});
  EXPECT_EQ(WithoutStart(BoardJson(*view, China(2024, 11, 3))), WithoutStart(BoardJson(*NewView(), China(2024, 11, 3))));
}

TEST(SupervisionView, IgnoresThePrincipalsStream) {
  Log log;
  log.Add("principals", China(2024, 11, 2), kTaskForce, TownshipRegistered{"永安街道"});
  log.Add("principals", China(2024, 11, 2), kTaskForce,
          PrincipalRegistered{"p-1", "李四", Role::kDepartment, "永安街道", std::string(64, 'a')});
  log.Add("principals", China(2024, 11, 3), kTaskForce, PrincipalRevoked{"p-1"});
  std::unique_ptr<SupervisionView> view = ViewOf(log);
  EXPECT_EQ(KeysOf(RowsOf(*view)), std::set<std::string>{"~store"});
  EXPECT_EQ(WithoutStart(BoardJson(*view, China(2024, 11, 3))), WithoutStart(BoardJson(*NewView(), China(2024, 11, 3))));
}

TEST(SupervisionView, AppliesARepeatedEventOnce) {
  Log log;
  log.Add("task-07", China(2024, 11, 2), kAgriculture, Progress(Month(2024, 10), 5));
  std::unique_ptr<SupervisionView> view = ViewOf(log);
  view->Apply(log.events()[0].first, log.events()[0].second);
  std::unique_ptr<SupervisionView> once = ViewOf(log);
  EXPECT_EQ(RowsOf(*view), RowsOf(*once));
}

TEST(SupervisionView, RenderItemOfAnUnknownStreamIsNotFound) {
  EXPECT_EQ(ItemJson(*NewView(), StreamId{"task-30"}, China(2024, 11, 1)).status().code(), StatusCode::kNotFound);
  EXPECT_EQ(ItemJson(*NewView(), StreamId{"task-7"}, China(2024, 11, 1)).status().code(), StatusCode::kNotFound);
}

TEST(SupervisionView, TakesOnlyTheRowsTouchedSinceTheLastCall) {
  Log log;
  log.Add("task-07", China(2024, 11, 2), kAgriculture, Progress(Month(2024, 10), 5));
  log.Add("major-4", China(2024, 11, 2), kCoop, Progress(Month(2024, 10), 5));
  std::unique_ptr<SupervisionView> view = ViewOf(log);
  std::map<std::string, std::string> rows = RowsOf(*view);
  // Each report has its review-queue row and, while it awaits review, its pending row.
  EXPECT_EQ(KeysOf(rows), (std::set<std::string>{"task-07", "major-4", "~pending/major-4/00000000000000000001",
                                                 "~pending/task-07/00000000000000000001",
                                                 "~reviews/major-4/00000000000000000001",
                                                 "~reviews/task-07/00000000000000000001", "~store"}));
  EXPECT_TRUE(view->TakeChangedRows().empty());

  log.Add("task-07", China(2024, 11, 3), kTaskForce, Approve(1));
  view->Apply(log.events().back().first, log.events().back().second);
  rows = RowsOf(*view);
  EXPECT_EQ(KeysOf(rows), (std::set<std::string>{"task-07", "~pending/task-07/00000000000000000001",
                                                 "~reviews/task-07/00000000000000000001"}));
  EXPECT_EQ(rows["~pending/task-07/00000000000000000001"], "");  // reviewed: its pending row is deleted
  // Canonical: compact, keys sorted.
  EXPECT_EQ(json::parse(rows["task-07"]).dump(), rows["task-07"]);
}

// Something of everything a row holds.
Log RichLog() {
  Log l;
  l.Add("task-07", China(2024, 11, 2), kAgriculture, Progress(Month(2024, 10), 15.5, {Services(12.25)}));
  l.Add("task-19", China(2024, 11, 2), kFinance, Progress(Month(2024, 10), 10, {{"“三位一体”改革信贷资金规模", 1, "亿元"}}));
  l.Add("task-07", China(2024, 11, 3), kTaskForce, Return(1));
  l.Add("major-1", China(2024, 11, 3), kTaskForce, Deadline("两级农合联组建", Date(2024, 12, 31)));
  l.Add("task-07", China(2024, 11, 4), kTaskForce, Deadline("年度目标", Date(2024, 12, 31)));
  l.Add("task-19", China(2024, 11, 4), kTaskForce, Notice("DB-19-1", Date(2024, 11, 30)));
  l.Add("task-07", China(2024, 11, 5), kAgriculture, Progress(Month(2024, 10), 16, {Services(12)}));
  l.Add("task-19", China(2024, 11, 6), kFinance, NoticeAnswered{"DB-19-1", "已整改"});
  l.Add("major-1", China(2024, 11, 7), kTaskForce, TaskCompleted{"两级农合联已组建"});
  l.Add("task-07", China(2024, 11, 8), kTaskForce, Approve(4));
  l.Add("task-19", China(2024, 11, 9), kTaskForce, Notice("DB-19-2", Date(2024, 12, 9)));
  return l;
}

TEST(SupervisionView, RowsLoadedIntoAFreshViewRenderTheSame) {
  Log log = RichLog();
  std::unique_ptr<SupervisionView> live = ViewOf(log);
  std::unique_ptr<SupervisionView> restored = NewView();
  for (const auto& [key, value] : live->TakeChangedRows()) {
    Status status = restored->LoadRow(key, value);
    ASSERT_TRUE(status.ok()) << status.ToString();
  }
  EXPECT_TRUE(restored->TakeChangedRows().empty());  // loading is not a change
  for (Timestamp now : {China(2024, 11, 10), China(2024, 12, 20), China(2025, 2, 1)}) {
    EXPECT_EQ(BoardJson(*restored, now).dump(), BoardJson(*live, now).dump());
  }

  // The review queue too, every state.
  const auto queue = [](const SupervisionView& view) {
    ReviewQueueQuery every;
    every.state.reset();
    std::vector<std::string> out;
    for (const ReviewQueueItem& item : view.ReviewQueue(every).items) {
      out.push_back(item.stream + "/" + std::to_string(item.entry.version.value) + " " +
                    std::string(ReviewStateName(item.entry.state())) + " " + item.entry.summary);
    }
    return out;
  };
  EXPECT_EQ(queue(*restored), queue(*live));
  EXPECT_EQ(queue(*live).size(), 3u);

  // Both carry on alike from there.
  log.Add("task-19", China(2024, 11, 10), kTaskForce, NoticeClosed{"DB-19-1", "销号", ""});
  for (SupervisionView* view : {live.get(), restored.get()}) {
    view->Apply(log.events().back().first, log.events().back().second);
  }
  EXPECT_EQ(RowsOf(*restored), RowsOf(*live));

  // Rows of several takes, the later winning and a review's deletion among
  // them, load into the same view again.
  log.Add("task-19", China(2024, 11, 11), kTaskForce, Approve(1));
  std::map<std::string, std::string> rows;
  std::unique_ptr<SupervisionView> replayed = NewView();
  for (std::size_t i = 0; i < log.events().size(); ++i) {
    replayed->Apply(log.events()[i].first, log.events()[i].second);
    if (i % 3 == 2 || i + 1 == log.events().size()) {
      for (auto& [key, value] : replayed->TakeChangedRows()) rows[key] = value;
    }
  }
  live->Apply(log.events().back().first, log.events().back().second);
  EXPECT_EQ(rows.at("~pending/task-19/00000000000000000001"), "");  // reviewed
  std::unique_ptr<SupervisionView> reloaded = NewView();
  for (const auto& [key, value] : rows) ASSERT_TRUE(reloaded->LoadRow(key, value).ok()) << key;
  EXPECT_EQ(BoardJson(*reloaded, China(2024, 12, 20)).dump(), BoardJson(*live, China(2024, 12, 20)).dump());
  EXPECT_EQ(queue(*reloaded), queue(*live));
}

TEST(SupervisionView, InterleavingsOfTheSameStreamsGiveByteEqualRows) {
  Log log = RichLog();
  // The same per-stream sequences, streams one after another in reverse name order.
  std::vector<std::pair<RecordedEvent, EventData>> by_stream = log.events();
  std::stable_sort(by_stream.begin(), by_stream.end(),
                   [](const auto& a, const auto& b) { return a.first.stream.value > b.first.stream.value; });
  ASSERT_NE(by_stream.front().first.stream, log.events().front().first.stream);

  std::unique_ptr<SupervisionView> interleaved = ViewOf(log);
  std::unique_ptr<SupervisionView> grouped = NewView();
  for (const auto& [envelope, data] : by_stream) grouped->Apply(envelope, data);
  std::map<std::string, std::string> rows = RowsOf(*interleaved);
  // Three streams, the review rows of the three reports, the pending row of the
  // one unreviewed (the returned one came and went between takes: no row), the
  // rows of the two milestones, the store's creation.
  EXPECT_EQ(rows.size(), 10u);
  EXPECT_EQ(RowsOf(*grouped), rows);
}

TEST(SupervisionView, RowStaysTheSameSizeHoweverLongTheStreamsHistory) {
  Log log;
  std::unique_ptr<SupervisionView> view = NewView();
  std::vector<size_t> sizes;
  for (int month = 1; month <= 24; ++month) {
    const Timestamp at = China(2024 + (month - 1) / 12, 1 + (month - 1) % 12, 5);
    // Figures are kept per period: the row grows with the months reported, not
    // with the reports. Two months, reported over and over.
    const auto period = Month(2024, 1 + (month - 1) % 2);
    log.Add("task-07", at, kAgriculture, Progress(period, month, {Services(month)}));
    log.Add("task-07", at, kTaskForce, Approve(2 * month - 1));
    for (size_t i = log.events().size() - 2; i < log.events().size(); ++i) {
      view->Apply(log.events()[i].first, log.events()[i].second);
    }
    sizes.push_back(RowsOf(*view).at("task-07").size());
  }
  // Only the digits of versions and values vary.
  EXPECT_LE(sizes.back(), sizes[12] + 16);
  EXPECT_EQ(Item(*view, "task-07", China(2026, 1, 6))["indicators"][0]["latest_value"], 24);
}

struct BadRowCase {
  const char* behaviour;
  const char* value;
};
void PrintTo(const BadRowCase& c, std::ostream* os) { *os << c.behaviour; }

class SupervisionViewLoadRow : public ::testing::TestWithParam<BadRowCase> {};

TEST_P(SupervisionViewLoadRow, RefusesAnUnreadableRowAsDataLoss) {
  Status status = NewView()->LoadRow("task-07", GetParam().value);
  EXPECT_EQ(status.code(), StatusCode::kDataLoss) << status.ToString();
}

INSTANTIATE_TEST_SUITE_P(
    Table, SupervisionViewLoadRow,
    ::testing::Values(
        BadRowCase{"not JSON", "{\"format\":"},
        BadRowCase{"another row format",
                   R"({"approved_figures":[],"completed_at_us":null,"deadlines":[],"format":1,"last_report":null,"open_notices":[],"pending_reports":[],"started":false,"version":0})"},
        BadRowCase{"a missing field", R"({"format":2,"version":1})"},
        BadRowCase{"a bad date",
                   R"({"approved_figures":[],"completed_at_us":null,"deadlines":[{"due":"2024-13-01","milestone":"m"}],"format":2,"last_report":null,"open_notices":[],"pending_reports":[],"started":false,"version":1})"}),
    testing::ByBehaviour());

// --- options -------------------------------------------------------------------

struct OptionsCase {
  const char* behaviour;
  void (*breakit)(SupervisionOptions&);
  const char* field;
};
void PrintTo(const OptionsCase& c, std::ostream* os) { *os << c.behaviour; }

class SupervisionOptionsRefused : public ::testing::TestWithParam<OptionsCase> {};

TEST_P(SupervisionOptionsRefused, NamingTheOption) {
  SupervisionOptions options;
  GetParam().breakit(options);
  Result<std::unique_ptr<SupervisionView>> view = SupervisionView::Create(Fengjie(), options);
  EXPECT_EQ(view.status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(view.status().subject(), GetParam().field);
}

INSTANTIATE_TEST_SUITE_P(
    Table, SupervisionOptionsRefused,
    ::testing::Values(
        OptionsCase{"negative blue days", [](SupervisionOptions& o) { o.blue_deadline_days = -1; }, "blue_deadline_days"},
        OptionsCase{"silence over a year", [](SupervisionOptions& o) { o.yellow_silence_days = 400; }, "yellow_silence_days"},
        OptionsCase{"negative return days", [](SupervisionOptions& o) { o.yellow_return_days = -5; }, "yellow_return_days"},
        OptionsCase{"offset beyond UTC+14", [](SupervisionOptions& o) { o.utc_offset_minutes = 900; }, "utc_offset_minutes"}),
    testing::ByBehaviour());

TEST(SupervisionView, RefusesACatalogWithoutADocumentDate) {
  Catalog catalog = Fengjie();
  catalog.document.date = "2024年10月15日";
  Result<std::unique_ptr<SupervisionView>> view = SupervisionView::Create(catalog);
  EXPECT_EQ(view.status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(view.status().subject(), "document.date");
}

}  // namespace
}  // namespace kuimen
