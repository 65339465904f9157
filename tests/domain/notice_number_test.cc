// 督办文号: the form the server numbers notices in, and reading it back.
#include "domain/notice_number.h"

#include <gtest/gtest.h>

namespace kuimen {
namespace {

TEST(NoticeNumber, IsWrittenAsPrefixYearInTortoiseShellBracketsAndSequence) {
  EXPECT_EQ(FormatNoticeNumber("奉三位一体督", {2026, 7}), "奉三位一体督〔2026〕7号");
}

TEST(NoticeNumber, ReadsBackWhateverThePrefix) {
  EXPECT_EQ(ParseNoticeNumber("奉三位一体督〔2026〕7号"), (NoticeNumber{2026, 7}));
  EXPECT_EQ(ParseNoticeNumber("奉节督〔2027〕128号"), (NoticeNumber{2027, 128}));
  EXPECT_EQ(ParseNoticeNumber(FormatNoticeNumber("x", {2030, 1})), (NoticeNumber{2030, 1}));
}

TEST(NoticeNumber, RefusesAnythingElse) {
  for (const char* text : {"", "DB-2024-001", "奉三位一体督〔2026〕号", "奉三位一体督〔2026〕07号", "奉三位一体督〔26〕7号",
                           "奉三位一体督〔2026〕7", "奉三位一体督2026〕7号", "奉三位一体督〔2026〕-7号"}) {
    EXPECT_EQ(ParseNoticeNumber(text), std::nullopt) << text;
  }
}

}  // namespace
}  // namespace kuimen
