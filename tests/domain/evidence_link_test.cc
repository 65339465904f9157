// A 佐证链接 is a web address (session 7, B5): http:// or https:// and a
// host. javascript:, data:, file: and relative paths are refused with the
// stable code link_scheme naming the field; files are uploaded instead. A
// report stored before the rule still folds (validation is for new ones).
#include <gtest/gtest.h>

#include "domain/event_validation.h"
#include "domain/task_aggregate.h"

namespace kuimen {
namespace {

using std::chrono::year;

ProgressReported ReportLinking(const std::string& uri) {
  ProgressReported e;
  e.period = year(2026) / std::chrono::December;
  e.summary = "完成托管服务12万亩次";
  e.percent = 40;
  e.evidence = {{"托管台账", uri}};
  return e;
}

TEST(EvidenceLink, WebAddressesAreAccepted) {
  for (const char* uri : {"https://www.cqfj.gov.cn/tz/1.pdf", "http://10.1.2.3/a", "HTTPS://EXAMPLE.CN/x"}) {
    EXPECT_TRUE(ValidateEventData(ReportLinking(uri)).ok()) << uri;
  }
}

TEST(EvidenceLink, OtherSchemesAreRefusedNamingTheField) {
  for (const char* uri : {"javascript:alert(1)", "JavaScript:alert(1)", "data:text/html,<b>x</b>",
                          "file:///C:/台账.pdf", "file://tuoguan.pdf", "ftp://example.cn/a", "/api/v1/files/abc",
                          "台账.pdf", "https://", "http:///path"}) {
    const Status status = ValidateEventData(ReportLinking(uri));
    EXPECT_EQ(status.code(), StatusCode::kInvalidArgument) << uri;
    EXPECT_EQ(status.field(), "evidence[0].uri") << uri;
    EXPECT_EQ(status.error_code(), "link_scheme") << uri;
  }
}

TEST(EvidenceLink, RefusalTellsTheClerkToUseAWebAddressOrUpload) {
  const Status status = ValidateEventData(ReportLinking("javascript:alert(1)"));
  EXPECT_EQ(status.message(), "第1项佐证材料的链接须为网址，以http://或https://开头（文件请作为附件上传）");
}

TEST(EvidenceLink, AReportStoredWithAFileLinkStillFoldsAndCanBeReviewed) {
  const Target target{"农业生产社会化服务规模", 78.0, "万亩次", std::nullopt, "", "农业生产社会化服务规模达到78万亩次"};
  TaskAggregate task(SupervisedItem{StreamId{"task-07"}, {"县农业农村委"}, {"县供销合作社"}, {target}});
  const Actor lead{"p-lead", Role::kDepartment, "县农业农村委"};
  task.Apply(StreamVersion(1), ReportLinking("file://tuoguan.pdf"), lead);
  EXPECT_EQ(task.version(), StreamVersion(1));
  const Actor taskforce{"p-tf", Role::kTaskForce, ""};
  EXPECT_TRUE(task.Decide(taskforce, ReportReviewed{StreamVersion(1), ReviewDecision::kApproved, ""}).ok());
}

}  // namespace
}  // namespace kuimen
