// Printable documents through the HTTP API (issue 11, item 4): the 督办通知单
// of a notice, and the monthly 情况通报 as JSON, .xlsx (read back by
// LibreOffice) and an A4 page, reproducible as of the month's end.
#include <chrono>
#include <cstdio>
#include <string>

#include <gtest/gtest.h>

#include "tests/gateway/api_server.h"
#include "tests/support/spreadsheet.h"

namespace kuimen::testing {
namespace {

// 县农业农村委 leads tasks 3, 4 and 7; 县供销合作社 leads task 1.
constexpr const char* kAgriculture = "县农业农村委";

Timestamp Fengjie(int year, unsigned month, unsigned day, int hour = 10) {
  return Timestamp(std::chrono::sys_days(std::chrono::year(year) / month / day)) + std::chrono::hours(hour - 8);
}

class PrintHttp : public ApiServerTest {
 protected:
  static nlohmann::json Issue(const std::string& id, const std::string& due) {
    return {{"type", "NoticeIssued"}, {"data", {{"notice_id", id}, {"due", due}, {"reason", "进度滞后于序时，请加快推进"}}}};
  }
  static nlohmann::json Notice(const std::string& type, const std::string& id) {
    nlohmann::json data = {{"notice_id", id}};
    if (type == "NoticeAnswered") data["summary"] = "已召开专题会议，整改到位";
    if (type == "NoticeClosed") data["comment"] = "";
    return {{"type", type}, {"data", data}};
  }
  static const nlohmann::json* Find(const nlohmann::json& list, const std::string& stream) {
    for (const nlohmann::json& entry : list) {
      if (entry.value("stream", "") == stream) return &entry;
    }
    return nullptr;
  }
};

TEST_F(PrintHttp, NoticeSheetShowsNumberItemUnitsDueRequirementsAndWhoSigned) {
  const std::string taskforce = Principal("taskforce");
  const std::string agriculture = Principal("department", kAgriculture, "张明");
  ASSERT_EQ(Post("/api/v1/tasks/7/events", taskforce, Issue("DB-1", "2024-12-20")).status, 201);

  Reply unsigned_sheet = Get("/api/v1/tasks/7/notices/DB-1/print", agriculture);
  ASSERT_EQ(unsigned_sheet.status, 200) << unsigned_sheet.body;
  EXPECT_EQ(unsigned_sheet.headers.find("Content-Type")->second, "text/html; charset=utf-8");
  for (const char* text : {"<title>督办通知单 奉三位一体督〔2024〕1号</title>", "<h1>督办通知单</h1>",
                           "奉三位一体督〔2024〕1号", "第7项 创新农业生产服务方式和手段", kAgriculture,
                           "2024年12月20日前", "进度滞后于序时，请加快推进", "2个工作日内签收", "签收单位（盖章）",
                           "下发日期：2024年11月20日", "@page", "counter(page)", "size: A4"}) {
    EXPECT_NE(unsigned_sheet.body.find(text), std::string::npos) << text;
  }

  clock_.Advance(std::chrono::hours(24));
  ASSERT_EQ(Post("/api/v1/tasks/7/events", agriculture, Notice("NoticeSigned", "DB-1")).status, 201);
  Reply signed_sheet = Get("/api/v1/tasks/7/notices/DB-1/print", taskforce);
  ASSERT_EQ(signed_sheet.status, 200);
  EXPECT_NE(signed_sheet.body.find("签收单位：县农业农村委<br>签收人：张明<br>签收时间：2024年11月21日"),
            std::string::npos)
      << signed_sheet.body;
  EXPECT_EQ(signed_sheet.body.find("签收单位（盖章）"), std::string::npos);

  // A closed notice still prints: the sheet is the record.
  ASSERT_EQ(Post("/api/v1/tasks/7/events", agriculture, Notice("NoticeAnswered", "DB-1")).status, 201);
  ASSERT_EQ(Post("/api/v1/tasks/7/events", taskforce, Notice("NoticeClosed", "DB-1")).status, 201);
  Reply closed_sheet = Get("/api/v1/tasks/7/notices/DB-1/print", taskforce);
  ASSERT_EQ(closed_sheet.status, 200);
  EXPECT_NE(closed_sheet.body.find("已于2024年11月21日销号"), std::string::npos);
  EXPECT_NE(closed_sheet.body.find("已召开专题会议，整改到位"), std::string::npos);
}

// Session 7, item 7: the 批示 written on a notice print on its sheet; one on the item does not.
TEST_F(PrintHttp, NoticeSheetCarriesTheLeadersInstructionsOnThatNotice) {
  const std::string taskforce = Principal("taskforce");
  const std::string leader = Principal("leader", "", "县委副书记 李四");
  ASSERT_EQ(Post("/api/v1/tasks/7/events", taskforce, Issue("DB-1", "2024-12-20")).status, 201);
  ASSERT_EQ(Post("/api/v1/tasks/7/events", taskforce, Issue("DB-2", "2024-12-20")).status, 201);
  const auto instruct = [&](const std::string& text, const std::string& notice) {
    nlohmann::json data = {{"text", text}};
    if (!notice.empty()) data["notice_id"] = notice;
    return Post("/api/v1/tasks/7/events", leader, {{"type", "InstructionGiven"}, {"data", data}}).status;
  };
  ASSERT_EQ(instruct("请农业农村委本周内报送整改方案", "DB-1"), 201);
  ASSERT_EQ(instruct("全县托管服务要提速", ""), 201);
  ASSERT_EQ(instruct("另一份通知的批示", "DB-2"), 201);

  Reply sheet = Get("/api/v1/tasks/7/notices/DB-1/print", taskforce);
  ASSERT_EQ(sheet.status, 200) << sheet.body;
  EXPECT_NE(sheet.body.find("<th class=\"side\">领导批示</th>"), std::string::npos) << sheet.body;
  EXPECT_NE(sheet.body.find("请农业农村委本周内报送整改方案<br>——县委副书记 李四，2024年11月20日"), std::string::npos)
      << sheet.body;
  EXPECT_EQ(sheet.body.find("全县托管服务要提速"), std::string::npos);
  EXPECT_EQ(sheet.body.find("另一份通知的批示"), std::string::npos);
  // A notice without 批示 has no such row.
  ASSERT_EQ(Post("/api/v1/tasks/7/events", taskforce, Issue("DB-3", "2024-12-20")).status, 201);
  EXPECT_EQ(Get("/api/v1/tasks/7/notices/DB-3/print", taskforce).body.find("领导批示"), std::string::npos);
}

TEST_F(PrintHttp, NoticeSheetOfAnUnknownNoticeOrItemIsNotFound) {
  const std::string taskforce = Principal("taskforce");
  ASSERT_EQ(Post("/api/v1/tasks/7/events", taskforce, Issue("DB-1", "2024-12-20")).status, 201);
  Reply other_item = Get("/api/v1/tasks/8/notices/DB-1/print", taskforce);
  EXPECT_EQ(other_item.status, 404);
  EXPECT_EQ(other_item.json["error"]["code"], "notice_not_issued");
  EXPECT_EQ(other_item.json["error"]["message"], "该事项没有这份督办通知");
  Reply no_item = Get("/api/v1/tasks/99/notices/DB-1/print", taskforce);
  EXPECT_EQ(no_item.status, 404);
  EXPECT_EQ(no_item.json["error"]["code"], "item_not_found");
  Reply no_major = Get("/api/v1/majors/9/notices/DB-1/print", taskforce);
  EXPECT_EQ(no_major.json["error"]["code"], "item_not_found");
}

TEST_F(PrintHttp, NoticeSheetAndBulletinShowMarkupInAReasonAsText) {
  const std::string taskforce = Principal("taskforce");
  nlohmann::json issue = Issue("DB-1", "2024-12-20");
  issue["data"]["reason"] = "<script>alert(1)</script>\"未按期\"&";
  ASSERT_EQ(Post("/api/v1/majors/2/events", taskforce, issue).status, 201);
  for (const std::string route : {"/api/v1/majors/2/notices/DB-1/print", "/api/v1/bulletins/2024-11/print"}) {
    Reply page = Get(route, taskforce);
    ASSERT_EQ(page.status, 200) << route << page.body;
    EXPECT_EQ(page.body.find("<script>"), std::string::npos) << route;
    EXPECT_NE(page.body.find("&lt;script&gt;alert(1)&lt;/script&gt;&quot;未按期&quot;&amp;"), std::string::npos) << route;
  }
}

// The month ends at midnight China time: a notice issued a second before is
// in November's bulletin, one issued at midnight is December's.
TEST_F(PrintHttp, BulletinEndsAtTheMonthsLastMomentInChinaTime) {
  const std::string taskforce = Principal("taskforce");
  clock_.Set(Fengjie(2024, 12, 1, 0) - std::chrono::seconds(1));
  ASSERT_EQ(Post("/api/v1/tasks/1/events", taskforce, Issue("DB-1", "2024-12-20")).status, 201);
  clock_.Set(Fengjie(2024, 12, 1, 0));
  ASSERT_EQ(Post("/api/v1/tasks/2/events", taskforce, Issue("DB-2", "2024-12-20")).status, 201);
  clock_.Set(Fengjie(2024, 12, 2));
  Reply november = Get("/api/v1/bulletins/2024-11", taskforce);
  ASSERT_EQ(november.status, 200) << november.body;
  EXPECT_EQ(november.json["as_of"], "2024-11-30T15:59:59.999999Z");
  ASSERT_EQ(november.json["notices"].size(), 1u) << november.body;
  EXPECT_EQ(november.json["notices"][0]["stream"], "task-01");
  Reply december = Get("/api/v1/bulletins/2024-12", taskforce);
  ASSERT_EQ(december.status, 200) << december.body;
  EXPECT_EQ(december.json["month_complete"], false);
  EXPECT_EQ(december.json["new_notices"], 1);
  EXPECT_EQ(december.json["notices"].size(), 2u);
}

TEST_F(PrintHttp, BulletinRefusesAMalformedOrFutureMonth) {
  const std::string taskforce = Principal("taskforce");
  Reply malformed = Get("/api/v1/bulletins/2024-13", taskforce);
  EXPECT_EQ(malformed.status, 400);
  EXPECT_EQ(malformed.json["error"]["code"], "invalid_format");
  EXPECT_EQ(malformed.json["error"]["field"], "month");
  Reply ancient = Get("/api/v1/bulletins/0000-01/print", taskforce);
  EXPECT_EQ(ancient.status, 400);
  EXPECT_EQ(ancient.json["error"]["code"], "out_of_range");
  EXPECT_EQ(ancient.json["error"]["field"], "month");
  Reply future = Get("/api/v1/bulletins/2024-12/xlsx", taskforce);
  EXPECT_EQ(future.status, 400);
  EXPECT_EQ(future.json["error"]["code"], "bulletin_month_future");
  EXPECT_EQ(future.json["error"]["message"], "通报月份不能晚于本月");
}

// November: a notice on task 3 falls due unanswered (red); December: its
// report for November comes late, the other items' never comes.
TEST_F(PrintHttp, BulletinListsRedAndYellowLapsesOpenNoticesAndChangesAndNeverChangesAfterwards) {
  const std::string taskforce = Principal("taskforce");
  const std::string agriculture = Principal("department", kAgriculture);
  ASSERT_EQ(Post("/api/v1/tasks/7/events", agriculture, Report(20)).status, 201);
  ASSERT_EQ(Post("/api/v1/tasks/3/events", taskforce, Issue("DB-1", "2024-11-25")).status, 201);

  clock_.Set(Fengjie(2024, 12, 5));
  Reply november = Get("/api/v1/bulletins/2024-11", taskforce);
  ASSERT_EQ(november.status, 200) << november.body;
  const nlohmann::json& bulletin = november.json;
  EXPECT_EQ(bulletin["title"], "“三位一体”改革工作情况通报（2024年11月）");
  EXPECT_EQ(bulletin["as_of_date"], "2024-11-30");
  EXPECT_EQ(bulletin["month_complete"], true);
  EXPECT_EQ(bulletin["report_period"], "2024-10");
  EXPECT_EQ(bulletin["reports"].size(), 0u) << "October is before supervision started";
  ASSERT_EQ(bulletin["items"].size(), 1u) << bulletin.dump(2);
  EXPECT_EQ(bulletin["items"][0]["stream"], "task-03");
  EXPECT_EQ(bulletin["items"][0]["warning"], "red");
  EXPECT_EQ(bulletin["items"][0]["units"][0], kAgriculture);
  ASSERT_EQ(bulletin["notices"].size(), 1u);
  EXPECT_EQ(bulletin["notices"][0]["number"], "奉三位一体督〔2024〕1号");
  EXPECT_EQ(bulletin["notices"][0]["overdue"], true);
  EXPECT_EQ(bulletin["notices"][0]["issued_this_month"], true);
  EXPECT_EQ(bulletin["new_notices"], 1);
  ASSERT_EQ(bulletin["changes"].size(), 1u);
  EXPECT_EQ(bulletin["changes"][0]["from"], "none");
  EXPECT_EQ(bulletin["changes"][0]["to"], "red");
  ASSERT_EQ(bulletin["units"].size(), 1u);
  EXPECT_EQ(bulletin["units"][0]["unit"], kAgriculture);
  EXPECT_EQ(bulletin["units"][0]["red"], 1);
  EXPECT_EQ(bulletin["units"][0]["open_notices"], 1);
  const std::string page = Get("/api/v1/bulletins/2024-11/print", taskforce).body;
  const std::string workbook = Get("/api/v1/bulletins/2024-11/xlsx", taskforce).body;
  EXPECT_NE(page.find("红色预警事项1项"), std::string::npos) << page;

  // Later events: the notice answered and closed, task 3's November report, late.
  ASSERT_EQ(Post("/api/v1/tasks/3/events", agriculture, Notice("NoticeAnswered", "DB-1")).status, 201);
  ASSERT_EQ(Post("/api/v1/tasks/3/events", taskforce, Notice("NoticeClosed", "DB-1")).status, 201);
  clock_.Set(Fengjie(2024, 12, 12));
  ASSERT_EQ(Post("/api/v1/tasks/3/events", agriculture, Report(30)).status, 201);
  clock_.Set(Fengjie(2025, 1, 5));

  Reply again = Get("/api/v1/bulletins/2024-11", taskforce);
  EXPECT_EQ(again.body, november.body);
  EXPECT_EQ(Get("/api/v1/bulletins/2024-11/print", taskforce).body, page);
  EXPECT_EQ(Get("/api/v1/bulletins/2024-11/xlsx", taskforce).body, workbook);

  Reply december = Get("/api/v1/bulletins/2024-12", taskforce);
  ASSERT_EQ(december.status, 200) << december.body;
  EXPECT_EQ(december.json["report_period"], "2024-11");
  const nlohmann::json* late = Find(december.json["reports"], "task-03");
  ASSERT_NE(late, nullptr);
  EXPECT_EQ((*late)["lapse"], "late");
  EXPECT_EQ((*late)["due"], "2024-12-10");
  EXPECT_EQ(Find(december.json["reports"], "task-07"), nullptr) << "reported on time";
  const nlohmann::json* missing = Find(december.json["reports"], "task-01");
  ASSERT_NE(missing, nullptr);
  EXPECT_EQ((*missing)["lapse"], "missing");
  EXPECT_EQ((*missing)["unit"], "县供销合作社");
  EXPECT_EQ(december.json["notices"].size(), 0u);
  const nlohmann::json* recovered = Find(december.json["changes"], "task-03");
  ASSERT_NE(recovered, nullptr);
  EXPECT_EQ((*recovered)["from"], "red");
  EXPECT_EQ((*recovered)["to"], "none");
  std::printf("[ figure ] 2024-12 bulletin: %zu red/yellow items, %zu report lapses, %zu colour changes\n",
              december.json["items"].size(), december.json["reports"].size(), december.json["changes"].size());

  // The workbook as a clerk's office suite reads it.
  Reply xlsx = Get("/api/v1/bulletins/2024-12/xlsx", taskforce);
  ASSERT_EQ(xlsx.status, 200);
  const std::map<std::string, SheetRows> sheets = ReadWorkbookWithLibreOffice(xlsx.body);
  ASSERT_TRUE(sheets.contains("进度报送情况")) << sheets.size();
  const SheetRows& reports = sheets.at("进度报送情况");
  EXPECT_EQ(reports[0][0], "“三位一体”改革工作情况通报（2024年12月）（数据截至2024年12月31日）");
  const int title = ColumnOf(reports, "事项");
  const int lapse = ColumnOf(reports, "情况");
  ASSERT_GE(title, 0);
  ASSERT_GE(lapse, 0);
  bool found_late = false;
  for (const auto& row : reports) {
    if (row.size() > static_cast<size_t>(lapse) && row[title].rfind("第3项 ", 0) == 0) {
      EXPECT_EQ(row[lapse], "逾期报送（2024年12月12日报送）");
      found_late = true;
    }
  }
  EXPECT_TRUE(found_late);
  ASSERT_TRUE(sheets.contains("与上月相比"));
  EXPECT_NE(FindRow(sheets.at("与上月相比"), 1, "红"), nullptr);
}

// The plan's supervision start named in the catalog (督办起始月份): 2024-11.
class PrintHttpSupervised : public PrintHttp {
 protected:
  void SetUp() override {
    Result<Catalog> catalog = LoadDefaultCatalog();
    ASSERT_TRUE(catalog.ok()) << catalog.status().message();
    catalog_ = std::move(catalog).value();
    catalog_.supervision_start = std::chrono::year(2024) / std::chrono::November;
    Start();
  }
};

// Clerk review A3: supervision began in 2024-11, so November's bulletin covers
// October's reports, which were never due: it says 未纳入督办, not 0项, and
// states the window in the assessment's words.
TEST_F(PrintHttpSupervised, BulletinForAPeriodBeforeSupervisionSaysNotInScopeAndStatesTheWindow) {
  const std::string taskforce = Principal("taskforce");
  clock_.Set(Fengjie(2024, 12, 5));
  Reply november = Get("/api/v1/bulletins/2024-11", taskforce);
  ASSERT_EQ(november.status, 200) << november.body;
  EXPECT_EQ(november.json["supervision_start"], "2024-11");
  EXPECT_EQ(november.json["reports_in_scope"], false);
  EXPECT_EQ(november.json["window_label"], "按时报送率统计自2024年11月起，尚无已到报送期限的月份");
  const std::string page = Get("/api/v1/bulletins/2024-11/print", taskforce).body;
  EXPECT_NE(page.find("2024年10月进度未纳入督办"), std::string::npos) << page;
  EXPECT_EQ(page.find("逾期报送0项"), std::string::npos) << page;
  EXPECT_NE(page.find("2024年10月未纳入督办，不统计报送情况。"), std::string::npos) << page;
  EXPECT_NE(page.find("按时报送率统计自2024年11月起，尚无已到报送期限的月份。"), std::string::npos) << page;

  clock_.Set(Fengjie(2025, 1, 5));
  Reply december = Get("/api/v1/bulletins/2024-12", taskforce);
  ASSERT_EQ(december.status, 200) << december.body;
  EXPECT_EQ(december.json["reports_in_scope"], true);
  const std::string window = "按时报送率统计自2024年11月起，至2024年11月止（每月进展于次月10日前报送为按时）";
  EXPECT_EQ(december.json["window_label"], window);
  const std::string december_page = Get("/api/v1/bulletins/2024-12/print", taskforce).body;
  EXPECT_NE(december_page.find("2024年11月进度逾期报送0项、未报送"), std::string::npos) << december_page;
  EXPECT_NE(december_page.find(window), std::string::npos);
  // The same words as 考核's window, which for 2024 runs to December.
  Reply assessment = Get("/api/v1/views/assessment?year=2024", taskforce);
  ASSERT_EQ(assessment.status, 200) << assessment.body;
  EXPECT_EQ(assessment.json["rendered"]["timeliness_window"]["label"],
            "按时报送率统计自2024年11月起，至2024年12月止（每月进展于次月10日前报送为按时）");

  const std::map<std::string, SheetRows> sheets =
      ReadWorkbookWithLibreOffice(Get("/api/v1/bulletins/2024-11/xlsx", taskforce).body);
  ASSERT_TRUE(sheets.contains("进度报送情况"));
  EXPECT_NE(FindRow(sheets.at("进度报送情况"), 0, "未纳入督办"), nullptr);
}

// Clerk review A2: a year before supervision began answers 200 with in_scope false.
TEST_F(PrintHttpSupervised, AssessmentOfAYearBeforeSupervisionIsNotInScope) {
  const std::string taskforce = Principal("taskforce");
  Reply before = Get("/api/v1/views/assessment?year=2023", taskforce);
  ASSERT_EQ(before.status, 200) << before.body;
  EXPECT_EQ(before.json["rendered"]["in_scope"], false);
  EXPECT_EQ(before.json["rendered"]["scope_note"], "2023年未纳入督办（督办自2024年11月起），不计分、不排名");
  for (const auto& unit : before.json["rendered"]["units"]) EXPECT_TRUE(unit["rank"].is_null()) << unit["unit"];
  Reply started = Get("/api/v1/views/assessment?year=2024", taskforce);
  EXPECT_EQ(started.json["rendered"]["in_scope"], true);
}

}  // namespace
}  // namespace kuimen::testing
