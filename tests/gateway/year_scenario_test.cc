// A year of supervision acted out over HTTP with a seeded clock (issue 10's
// scenario): the whole service in this process, its clock moved day by day
// through 2025, three units that behave differently, and at the end the ranks,
// each unit's components, the county figures and the task states checked
// against the rules as README's 计分规则 states them, and the board, the item
// pages, both .xlsx exports (read by LibreOffice) and the CSV checked to agree
// with the view.
//
// The cast (附件2):
//   县政府金融服务中心 leads tasks 18–21 and cooperates on none: reports every
//     month on time, except task 19's March (补报 on 04-20); task 20's May is
//     returned and sent again; task 19 carries the county's 信贷资金规模.
//   县发展改革委 leads task 17 and cooperates on 10 and 16: reports on its own
//     task only; task 17 is completed in December.
//   县政府口岸物流办 leads task 9 only: silent all year; its 督办 notice is
//     closed unanswered (未整改销号).
//   县农业农村委 (lead of task 7) and 永安街道 (a township of the cooperating
//     各乡镇人民政府、街道办事处) report the same indicator: September's county
//     figure is their sum, October's the lead's 全县数.
// Milestones (时限): task 19's first-quarter one is met by the (late) March
// report once approved; task 18's is moved with a reason before it falls due.
#include <cmath>
#include <cstdio>
#include <map>
#include <random>
#include <string>
#include <tuple>
#include <vector>

#include <gtest/gtest.h>

#include "tests/gateway/api_server.h"
#include "tests/support/spreadsheet.h"

namespace kuimen::testing {
namespace {

using nlohmann::json;

constexpr const char* kFinance = "县政府金融服务中心";
constexpr const char* kDevelopment = "县发展改革委";
constexpr const char* kPort = "县政府口岸物流办";
constexpr const char* kAgriculture = "县农业农村委";
constexpr const char* kTownship = "永安街道";
constexpr const char* kServiceScale = "农业生产社会化服务规模";
constexpr const char* kCredit = "“三位一体”改革信贷资金规模";
constexpr int kYear = 2025;

Timestamp China(int y, unsigned m, unsigned d, int hour = 10) {
  const std::chrono::year_month_day day{std::chrono::year(y), std::chrono::month(m), std::chrono::day(d)};
  return Timestamp(std::chrono::sys_days(day) + std::chrono::hours(hour - 8));
}

std::string Period(int month) {
  char text[8];
  std::snprintf(text, sizeof text, "%04d-%02d", kYear, month);
  return text;
}

// Task 19's credit figure for a month: 0.75亿元 more each month, 9亿元 in December.
double CreditFor(int month) { return 0.75 * month; }

double Rounded(double points) { return std::round(points * 100) / 100; }

class YearScenario : public ApiServerTest {
 protected:
  // The store is created on 2025-01-06, so supervision starts in January.
  YearScenario() { clock_.Set(China(kYear, 1, 6)); }

  void At(unsigned month, unsigned day, int hour = 10) { clock_.Set(China(kYear, month, day, hour)); }

  std::string Path(int task) const { return "/api/v1/tasks/" + std::to_string(task) + "/events"; }

  json ReportOn(int task, int month, int percent) const {
    json report = Report(percent, Period(month));
    report["data"]["summary"] = std::to_string(month) + "月工作推进情况";
    if (task == 19) {
      report["data"]["indicators"] = json::array({{{"indicator", kCredit}, {"value", CreditFor(month)}, {"unit", "亿元"}}});
    }
    return report;
  }

  // Posts a report and returns its stream version.
  std::uint64_t Reported(const std::string& token, int task, int month, int percent) {
    Reply reply = Post(Path(task), token, ReportOn(task, month, percent));
    EXPECT_EQ(reply.status, 201) << "task " << task << " " << Period(month) << ": " << reply.body;
    return reply.json["event"].value("version", std::uint64_t{0});
  }

  void Reviewed(int task, std::uint64_t version, const std::string& decision, const std::string& comment = "") {
    json body = {{"type", "ReportReviewed"}, {"data", {{"report_version", version}, {"decision", decision}}}};
    if (!comment.empty()) body["data"]["comment"] = comment;
    Reply reply = Post(Path(task), taskforce_, body);
    EXPECT_EQ(reply.status, 201) << "review of task " << task << " v" << version << ": " << reply.body;
  }

  std::uint64_t Head() const { return service_->store().Head().position.value; }
  std::string Fresh() const { return "min_position=" + std::to_string(Head()); }

  std::string taskforce_;
};

TEST_F(YearScenario, ScoresRanksFiguresAndEveryExportAgreeAfterAYear) {
  const std::uint64_t seed = 20250106;
  std::printf("year scenario seed %llu\n", static_cast<unsigned long long>(seed));
  std::mt19937_64 random(seed);
  std::uniform_int_distribution<unsigned> on_time_day(1, 8);  // reports due by the 10th

  taskforce_ = Principal("taskforce", "", "专班联络员");
  const std::string finance = Principal("department", kFinance, "金融中心联络员");
  const std::string development = Principal("department", kDevelopment, "发改委联络员");
  Principal("department", kPort, "口岸物流办联络员");  // never used: the silent unit
  const std::string agriculture = Principal("department", kAgriculture, "农业农村委联络员");
  ASSERT_EQ(Post("/api/v1/townships", taskforce_, {{"name", kTownship}}).status, 201);
  const std::string township = Principal("department", kTownship, "永安街道联络员");

  // 时限 set at the start of the year.
  for (const auto& [task, milestone, due] : {std::tuple{19, "一季度信贷投放", "2025-03-31"},
                                             std::tuple{18, "制定实施方案", "2025-04-30"}}) {
    ASSERT_EQ(Post(Path(task), taskforce_,
                   {{"type", "DeadlineSet"}, {"data", {{"milestone", milestone}, {"due", due}}}})
                  .status,
              201);
  }

  // January to November: each month's report in the first days of the next month.
  for (int month = 1; month <= 11; ++month) {
    const unsigned day = on_time_day(random);
    At(month + 1, day);
    std::vector<std::pair<int, std::uint64_t>> reports;
    for (int task : {18, 19, 20, 21}) {
      if (task == 19 && month == 3) continue;  // March comes late, below
      reports.emplace_back(task, Reported(finance, task, month, month * 8));
    }
    reports.emplace_back(17, Reported(development, 17, month, month * 8));
    At(month + 1, day, 15);  // the task force reviews them the same afternoon
    for (const auto& [task, version] : reports) {
      if (task == 20 && month == 5) {
        Reviewed(task, version, "returned", "请补充佐证材料");
      } else {
        Reviewed(task, version, "approved");
      }
    }

    if (month == 3) {
      At(4, 20);  // 补报: March's report on task 19, ten days after its due day; it meets the milestone
      json report = ReportOn(19, 3, 24);
      report["data"]["milestones_met"] = json::array({"一季度信贷投放"});
      Reply late = Post(Path(19), finance, report);
      ASSERT_EQ(late.status, 201) << late.body;
      Reviewed(19, late.json["event"]["version"], "approved");
      Reply item = Get("/api/v1/tasks/19?" + Fresh(), taskforce_);
      EXPECT_EQ(item.json["item"]["last_report"]["late"], true) << item.body;
    }
    if (month == 5) {
      At(6, 9);  // the returned May report on task 20, sent again before the due day
      Reviewed(20, Reported(finance, 20, 5, 40), "approved");

      At(6, 15);  // a report for a month not yet begun is refused and appends nothing
      const std::uint64_t head = Head();
      Reply future = Post(Path(18), finance, ReportOn(18, 7, 50));
      EXPECT_EQ(future.status, 400) << future.body;
      EXPECT_EQ(future.json["error"]["code"], "period_in_future");
      EXPECT_EQ(Head(), head);

      // 督办 on task 19: signed, answered before its due day, closed.
      At(6, 16);
      ASSERT_EQ(Post(Path(19), taskforce_,
                     {{"type", "NoticeIssued"},
                      {"data", {{"notice_id", "DB-19"}, {"reason", "信贷投放进度偏慢"}, {"due", "2025-06-30"}}}})
                    .status,
                201);
      ASSERT_EQ(Post(Path(19), finance, {{"type", "NoticeSigned"}, {"data", {{"notice_id", "DB-19"}}}}).status, 201);
      At(6, 25);
      ASSERT_EQ(Post(Path(19), finance,
                     {{"type", "NoticeAnswered"}, {"data", {{"notice_id", "DB-19"}, {"summary", "已督促各银行加快投放"}}}})
                    .status,
                201);
      At(6, 26);
      Reply item = Get("/api/v1/tasks/19?" + Fresh(), taskforce_);
      ASSERT_EQ(item.status, 200) << item.body;
      EXPECT_EQ(item.json["item"]["open_notices"][0]["signed_by"], kFinance);
      EXPECT_EQ(item.json["item"]["open_notices"][0]["answered"], true);
      ASSERT_EQ(Post(Path(19), taskforce_, {{"type", "NoticeClosed"}, {"data", {{"notice_id", "DB-19"}}}}).status, 201);

      // 督办 on the silent unit's task 9: never signed or answered.
      ASSERT_EQ(Post(Path(9), taskforce_,
                     {{"type", "NoticeIssued"},
                      {"data", {{"notice_id", "DB-09"}, {"reason", "长期未报送进度"}, {"due", "2025-06-30"}}}})
                    .status,
                201);
    }
    if (month == 4) {
      At(5, 20);  // task 18's milestone moved before it falls due: only with a reason
      Reply bare = Post(Path(18), taskforce_,
                        {{"type", "DeadlineSet"}, {"data", {{"milestone", "制定实施方案"}, {"due", "2026-03-31"}}}});
      EXPECT_EQ(bare.status, 400) << bare.body;
      EXPECT_EQ(bare.json["error"]["code"], "milestone_reason_required");
      ASSERT_EQ(Post(Path(18), taskforce_,
                     {{"type", "DeadlineSet"},
                      {"data", {{"milestone", "制定实施方案"}, {"due", "2026-03-31"}, {"reason", "待省级文件出台后制定"}}}})
                    .status,
                201);
    }
    if (month == 9 || month == 10) {
      // Task 7's indicator from its lead and a township: September's figures
      // are each unit's own; October's is the lead's 全县数.
      At(month + 1, 9);
      auto report = [&](double value, const char* scope) {
        json body = Report(month * 8, Period(month));
        body["data"]["indicators"] =
            json::array({{{"indicator", kServiceScale}, {"value", value}, {"unit", "万亩次"}, {"scope", scope}}});
        return body;
      };
      if (month == 9) {
        Reply own = Post(Path(7), township, report(1.2, "own"));
        ASSERT_EQ(own.status, 201) << own.body;
        Reviewed(7, own.json["event"]["version"], "approved");
        Reply county = Post(Path(7), township, report(1.2, "county"));
        EXPECT_EQ(county.status, 403) << county.body;
        EXPECT_EQ(county.json["error"]["code"], "county_figure_lead_only");
      }
      Reply lead = Post(Path(7), agriculture, report(month == 9 ? 12 : 30, month == 9 ? "own" : "county"));
      ASSERT_EQ(lead.status, 201) << lead.body;
      Reviewed(7, lead.json["event"]["version"], "approved");
    }
    if (month == 6) {
      At(7, 15);  // closing it unanswered needs a reason (未整改销号)
      Reply bare = Post(Path(9), taskforce_, {{"type", "NoticeClosed"}, {"data", {{"notice_id", "DB-09"}}}});
      EXPECT_EQ(bare.status, 409) << bare.body;
      EXPECT_EQ(bare.json["error"]["code"], "notice_unanswered");
      ASSERT_EQ(Post(Path(9), taskforce_,
                     {{"type", "NoticeClosed"},
                      {"data", {{"notice_id", "DB-09"}, {"unanswered_reason", "逾期未反馈，按未整改销号"}}}})
                    .status,
                201);
    }
  }

  // December: the reports of the month itself, then task 17 completed, a bonus.
  At(12, 18);
  for (int task : {18, 19, 20, 21}) Reviewed(task, Reported(finance, task, 12, 96), "approved");
  Reviewed(17, Reported(development, 17, 12, 100), "approved");
  ASSERT_EQ(Post(Path(17), taskforce_, {{"type", "TaskCompleted"}, {"data", {{"summary", "任务已完成"}}}}).status, 201);
  const std::string assessment = "/api/v1/assessment/2025/events";
  ASSERT_EQ(Post(assessment, taskforce_,
                 {{"type", "AssessmentAdjusted"},
                  {"data", {{"unit", kFinance}, {"year", kYear}, {"points", 2}, {"reason", "信贷投放成效突出"}}}})
                .status,
            201);

  // An early freeze is refused without a reason and allowed with one.
  At(12, 20);
  const std::uint64_t head = Head();
  Reply refused = Post(assessment, taskforce_, {{"type", "YearFrozen"}, {"data", {{"year", kYear}}}});
  EXPECT_EQ(refused.status, 409) << refused.body;
  EXPECT_EQ(refused.json["error"]["code"], "year_not_over");
  EXPECT_EQ(Head(), head);
  At(12, 30);
  Reply frozen = Post(assessment, taskforce_,
                      {{"type", "YearFrozen"},
                       {"data", {{"year", kYear}, {"early", true}, {"reason", "县委年终考核提前至12月底"}}}});
  ASSERT_EQ(frozen.status, 201) << frozen.body;

  // --- The assessment, against 计分规则 (projections/README.md) -------------
  Reply view = Get("/api/v1/views/assessment?year=2025&" + Fresh(), taskforce_);
  ASSERT_EQ(view.status, 200) << view.body;
  const json& result = view.json["rendered"];
  EXPECT_EQ(result["frozen"], true);
  EXPECT_EQ(result["frozen_early"], true);
  EXPECT_EQ(result["rules_version"], "fengjie-2024.3");

  auto unit_of = [&](const std::string& name) -> const json& {
    for (const json& unit : result["units"]) {
      if (unit["unit"] == name) return unit;
    }
    ADD_FAILURE() << name << " is not in the assessment";
    static const json none;
    return none;
  };
  auto points = [&](const std::string& name, const std::string& rule) -> json {
    for (const json& line : unit_of(name)["lines"]) {
      if (line["rule"] == rule) return line["points"];
    }
    return nullptr;
  };

  // 金融服务中心: 48 reports due, 47 on time; every month approved in the end
  // (May's return was followed by an approved report); credit 9 of 15亿元;
  // its one notice answered on time; none of 4 tasks completed; +2.
  const double finance_timeliness = Rounded(30.0 * 47 / 48);
  const double finance_base = Rounded((finance_timeliness + 20 + 20 * 9 / 15.0 + 15 + 0) / 100 * 100);
  EXPECT_DOUBLE_EQ(points(kFinance, "timeliness").get<double>(), finance_timeliness);
  EXPECT_DOUBLE_EQ(points(kFinance, "approval").get<double>(), 20);
  EXPECT_DOUBLE_EQ(points(kFinance, "targets").get<double>(), 12);
  EXPECT_DOUBLE_EQ(points(kFinance, "notices").get<double>(), 15);
  EXPECT_DOUBLE_EQ(points(kFinance, "completion").get<double>(), 0);
  EXPECT_NEAR(unit_of(kFinance)["score"].get<double>(), finance_base + 2, 0.011);

  // 发展改革委: task 17's twelve reports all on time and approved (December's
  // counts although the completed task no longer owed it: a report in time
  // earns, 计分规则); tasks 10 and 16 (配合, ×0.5) owed January–November and
  // never reported (December's due day, 2026-01-10, had not passed at the
  // freeze): 12 of 12 + 11. No quantitative target, no notice: 目标达成 and
  // 督办整改 不适用, and the total is scaled over 65.
  const double development_timeliness = Rounded(30.0 * 12 / 23);
  const double development_approval = Rounded(20.0 * 12 / 23);
  EXPECT_DOUBLE_EQ(points(kDevelopment, "timeliness").get<double>(), development_timeliness);
  EXPECT_DOUBLE_EQ(points(kDevelopment, "approval").get<double>(), development_approval);
  EXPECT_TRUE(points(kDevelopment, "targets").is_null());
  EXPECT_TRUE(points(kDevelopment, "notices").is_null());
  EXPECT_DOUBLE_EQ(points(kDevelopment, "completion").get<double>(), 15);
  EXPECT_EQ(unit_of(kDevelopment)["not_applicable"], json({"targets", "notices"}));
  EXPECT_NEAR(unit_of(kDevelopment)["score"].get<double>(),
              Rounded((development_timeliness + development_approval + 15) / 65 * 100), 0.011);

  // 口岸物流办: twelve reports due and none came, its notice closed unanswered.
  for (const char* rule : {"timeliness", "approval", "notices", "completion"}) {
    EXPECT_DOUBLE_EQ(points(kPort, rule).get<double>(), 0) << rule;
  }
  EXPECT_DOUBLE_EQ(unit_of(kPort)["score"].get<double>(), 0);

  // Ranks: silence never beats reporting. The view ranks (名次), in its order.
  std::vector<std::string> ranked;
  std::int64_t previous_rank = 0;
  for (const json& unit : result["units"]) {
    const std::string name = unit["unit"];
    if (name == kFinance || name == kDevelopment || name == kPort) ranked.push_back(name);
    if (unit["rank"].is_null()) continue;
    EXPECT_GE(unit["rank"].get<std::int64_t>(), previous_rank) << name;
    previous_rank = unit["rank"];
  }
  EXPECT_EQ(ranked, (std::vector<std::string>{kFinance, kDevelopment, kPort}));
  EXPECT_EQ(unit_of(kFinance)["rank"], 1);

  // --- Task states and county figures ---------------------------------------
  Reply board = Get("/api/v1/views/supervision?" + Fresh(), taskforce_);
  ASSERT_EQ(board.status, 200) << board.body;
  const json& tasks = board.json["rendered"]["tasks"];
  auto row_of = [&](int no) -> const json& { return tasks[no - 1]; };
  EXPECT_EQ(row_of(17)["status"], "completed");
  EXPECT_EQ(row_of(19)["status"], "in_progress");
  EXPECT_EQ(row_of(19)["progress"]["percent"], 96);
  EXPECT_EQ(row_of(19)["progress"]["period"], "2025-12");
  EXPECT_EQ(row_of(9)["status"], "not_started");
  EXPECT_EQ(row_of(9)["open_notices"].size(), 0u);
  EXPECT_EQ(row_of(19)["indicators"][0]["latest_value"], CreditFor(12));
  // The county's credit targets read task 19: 2024's (5亿元) keeps its 2024
  // figure, and nothing was reported for 2024; 2027's (15亿元) has 2025-12's 9.
  int credit_targets = 0;
  for (const json& target : board.json["rendered"]["targets"]) {
    if (!target["source"].is_object() || target["source"]["task"] != 19) continue;
    ++credit_targets;
    if (target["year"] == 2024) {
      EXPECT_TRUE(target["latest_value"].is_null()) << target.dump();
    } else {
      EXPECT_EQ(target["year"], 2027);
      EXPECT_EQ(target["latest_value"], CreditFor(12)) << target.dump();
      EXPECT_EQ(target["period"], "2025-12");
      EXPECT_EQ(target["progress_percent"], 60);
    }
  }
  EXPECT_EQ(credit_targets, 2);

  // Task 7: October's county figure is the lead's 全县数 (30), not the
  // township's 1.2; September's was their sum (12 + 1.2).
  const json& service = row_of(7)["indicators"][0];
  EXPECT_EQ(service["indicator"], kServiceScale);
  EXPECT_EQ(service["latest_value"], 30) << service.dump();
  EXPECT_EQ(service["period"], "2025-10");
  EXPECT_EQ(service["basis_label"], "牵头单位报全县数") << service.dump();
  Reply september = Get("/api/v1/tasks/7?period=2025-09&as_of=2026-01-01T00:00:00Z", taskforce_);
  ASSERT_EQ(september.status, 200) << september.body;
  EXPECT_DOUBLE_EQ(september.json["item"]["indicators"][0]["latest_value"].get<double>(), 13.2)
      << september.json["item"]["indicators"].dump();
  Reply task7 = Get("/api/v1/tasks/7?" + Fresh(), taskforce_);
  std::map<std::string, double> breakdown;
  for (const json& target : task7.json["item"]["unit_breakdown"]) {
    for (const json& unit : target["units"]) breakdown[unit["unit"]] = unit["value"];
  }
  EXPECT_EQ(breakdown, (std::map<std::string, double>{{kAgriculture, 30}, {kTownship, 1.2}}))
      << task7.json["item"]["unit_breakdown"].dump();

  // 时限: task 19's met by the approved March report, task 18's moved; neither is red.
  auto milestone_of = [&](int no, const std::string& name) -> json {
    for (const json& deadline : row_of(no)["deadlines"]) {
      if (deadline["milestone"] == name) return deadline;
    }
    ADD_FAILURE() << "task " << no << " has no milestone " << name;
    return json();
  };
  EXPECT_EQ(milestone_of(19, "一季度信贷投放")["state_label"], "已完成");
  EXPECT_EQ(milestone_of(19, "一季度信贷投放")["met"]["by"], "report");
  const json moved = milestone_of(18, "制定实施方案");
  EXPECT_EQ(moved["due"], "2026-03-31");
  EXPECT_EQ(moved["adjusted"]["reason"], "待省级文件出台后制定") << moved.dump();
  EXPECT_NE(moved["state_label"], "逾期未完成");
  for (int no : {18, 19}) EXPECT_NE(row_of(no)["warning"], "red") << row_of(no)["warning_reasons"].dump();

  // --- One number from one place: item pages and exports agree with the view -
  for (int no : {7, 9, 17, 18, 19, 20, 21}) {
    Reply item = Get("/api/v1/tasks/" + std::to_string(no) + "?" + Fresh(), taskforce_);
    ASSERT_EQ(item.status, 200) << item.body;
    for (const char* key : {"status", "progress", "warning", "indicators", "last_report"}) {
      EXPECT_EQ(item.json["item"][key], row_of(no)[key]) << "task " << no << " " << key;
    }
  }

  Reply tasks_book = Get("/api/v1/exports/tasks.xlsx?" + Fresh(), taskforce_);
  ASSERT_EQ(tasks_book.status, 200);
  const auto task_sheets = ReadWorkbookWithLibreOffice(tasks_book.body);
  const SheetRows& attachment2 = task_sheets.at("附件2 重点任务分工");
  const int status_column = ColumnOf(attachment2, "状态");
  const int progress_column = ColumnOf(attachment2, "进度（%）");
  const int target_column = ColumnOf(attachment2, "目标进展");
  ASSERT_GE(status_column, 0);
  ASSERT_GE(progress_column, 0);
  for (int no : {7, 9, 17, 18, 19, 20, 21}) {
    const auto* row = FindRow(attachment2, 0, std::to_string(no));
    ASSERT_NE(row, nullptr) << "task " << no << " is not in tasks.xlsx";
    EXPECT_EQ((*row)[status_column], row_of(no)["status_label"].get<std::string>()) << "task " << no;
    const json& progress = row_of(no)["progress"];
    EXPECT_EQ((*row)[progress_column], progress.is_object() ? std::to_string(progress["percent"].get<int>()) : "")
        << "task " << no;
  }
  EXPECT_NE((*FindRow(attachment2, 0, "19"))[target_column].find("9/15亿元"), std::string::npos)
      << (*FindRow(attachment2, 0, "19"))[target_column];
  EXPECT_NE((*FindRow(attachment2, 0, "7"))[target_column].find("30/78万亩次"), std::string::npos)
      << (*FindRow(attachment2, 0, "7"))[target_column];

  Reply csv = Get("/api/v1/exports/assessment.csv?year=2025&" + Fresh(), taskforce_);
  ASSERT_EQ(csv.status, 200);
  const SheetRows csv_rows = ParseCsv(csv.body);
  Reply assessment_book = Get("/api/v1/exports/assessment.xlsx?year=2025&" + Fresh(), taskforce_);
  ASSERT_EQ(assessment_book.status, 200);
  const auto assessment_sheets = ReadWorkbookWithLibreOffice(assessment_book.body);
  ASSERT_EQ(assessment_sheets.size(), 1u);
  const SheetRows& book_rows = assessment_sheets.begin()->second;
  for (const SheetRows* rows : {&csv_rows, &book_rows}) {
    const int total = ColumnOf(*rows, "总分");
    const int timeliness = ColumnOf(*rows, "报送及时（30分）");
    const int targets = ColumnOf(*rows, "目标达成（20分）");
    ASSERT_GE(total, 0);
    size_t index = 0;
    for (const json& unit : result["units"]) {
      const std::string name = unit["unit"];
      const auto* row = FindRow(*rows, 1, name);
      ASSERT_NE(row, nullptr) << name << " is missing from an export";
      EXPECT_EQ(row, &(*rows)[ColumnRow(*rows, "名次") + 1 + index++]) << name << " is out of the view's order";
      EXPECT_EQ((*row)[0], unit["rank"].is_null() ? "不适用" : std::to_string(unit["rank"].get<int>())) << name;
      if (unit["score"].is_null()) {
        EXPECT_EQ((*row)[total], "不适用") << name;
      } else {
        EXPECT_NEAR(std::stod((*row)[total]), unit["score"].get<double>(), 1e-9) << name;
      }
      const json timely = unit["lines"][0]["points"];
      if (timely.is_null()) {
        EXPECT_EQ((*row)[timeliness], "不适用") << name;
      } else {
        EXPECT_NEAR(std::stod((*row)[timeliness]), timely.get<double>(), 1e-9) << name;
      }
      if (name == kDevelopment) {
        EXPECT_EQ((*row)[targets], "不适用");
      }
    }
  }
  std::printf("year scenario: %llu events; 金融服务中心 %.2f, 发展改革委 %.2f, 口岸物流办 %.2f\n",
              static_cast<unsigned long long>(Head()), unit_of(kFinance)["score"].get<double>(),
              unit_of(kDevelopment)["score"].get<double>(), unit_of(kPort)["score"].get<double>());
}

}  // namespace
}  // namespace kuimen::testing
