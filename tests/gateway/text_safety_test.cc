#include "gateway/text_safety.h"

#include <gtest/gtest.h>

#include "gateway/http_error.h"

namespace kuimen {
namespace {

TEST(TextSafety, LogEscapingKeepsChineseAndEscapesControlsAndBrokenBytes) {
  EXPECT_EQ(EscapeForLog("/api/v1/tasks/7 县农业农村委"), "/api/v1/tasks/7 县农业农村委");
  EXPECT_EQ(EscapeForLog("a\nb\r\tc"), "a\\nb\\r\\tc");
  EXPECT_EQ(EscapeForLog("\x1b[31m"), "\\x1b[31m");
  EXPECT_EQ(EscapeForLog("x\\n"), "x\\\\n");  // a backslash cannot forge an escape
  EXPECT_EQ(EscapeForLog("\xff\xc3"), "\\xff\\xc3");
  EXPECT_EQ(EscapeForLog("\xc2\x9b"), "\\u{009b}");        // C1 CSI
  EXPECT_EQ(EscapeForLog("\xe2\x80\xae"), "\\u{202e}");    // right-to-left override
}

TEST(TextSafety, Utf8ValidationRefusesOverlongsSurrogatesAndTruncation) {
  EXPECT_TRUE(IsValidUtf8("夔门 ok"));
  EXPECT_FALSE(IsValidUtf8("\xc0\xaf"));          // overlong "/"
  EXPECT_FALSE(IsValidUtf8("\xed\xa0\x80"));      // surrogate
  EXPECT_FALSE(IsValidUtf8("\xe5\xa5"));          // truncated
  EXPECT_FALSE(IsValidUtf8("\xf4\x90\x80\x80"));  // above U+10FFFF
  EXPECT_EQ(ReplaceInvalidUtf8("a\xff" "b"), "a\xef\xbf\xbd" "b");
}

TEST(TextSafety, ErrorBodiesDumpWhateverTheMessageQuotes) {
  const nlohmann::json body = ErrorBody("route_not_found\xff");
  EXPECT_NO_THROW(body.dump());
  EXPECT_NO_THROW(ErrorBody(Status::InvalidArgument("bad \xfe", "data.\xff")).dump());
}

TEST(TextSafety, RequestIdsArePrintableAsciiAndShort) {
  EXPECT_EQ(SanitizeRequestId("abc-123"), "abc-123");
  EXPECT_EQ(SanitizeRequestId("a\r\nb"), "a\\x0d\\x0ab");
  EXPECT_EQ(SanitizeRequestId(std::string(100, 'x')).size(), 64u);
}

}  // namespace
}  // namespace kuimen
