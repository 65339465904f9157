#include "domain/message_text.h"

#include <gtest/gtest.h>

#include "tests/support/behaviour_name.h"

namespace kuimen {
namespace {

struct QuoteCase {
  const char* behaviour;
  std::string text;
  std::string quoted;
};

class QuoteForMessageWrites : public ::testing::TestWithParam<QuoteCase> {};

TEST_P(QuoteForMessageWrites, TheTextQuotedAsValidUtf8OnOneLine) {
  EXPECT_EQ(QuoteForMessage(GetParam().text), GetParam().quoted);
}

INSTANTIATE_TEST_SUITE_P(
    Table, QuoteForMessageWrites,
    ::testing::Values(
        QuoteCase{"plain text as it is", "2024-13-01", "\"2024-13-01\""},
        QuoteCase{"Chinese as it is", "县农业农村委", "\"县农业农村委\""},
        QuoteCase{"a byte that is not UTF-8 escaped", "a\xff" "b", "\"a\\xFFb\""},
        QuoteCase{"a truncated sequence escaped byte by byte", "\xe5\xae", "\"\\xE5\\xAE\""},
        QuoteCase{"an overlong slash escaped", "\xc0\xaf", "\"\\xC0\\xAF\""},
        QuoteCase{"a surrogate escaped", "\xed\xa0\x80", "\"\\xED\\xA0\\x80\""},
        QuoteCase{"a code point above U+10FFFF escaped", "\xf4\x90\x80\x80", "\"\\xF4\\x90\\x80\\x80\""},
        QuoteCase{"a newline and ESC escaped", "a\nb\x1b[31m", "\"a\\x0Ab\\x1B[31m\""},
        QuoteCase{"quotes and backslashes escaped", "say \"hi\\\"", "\"say \\x22hi\\x5C\\x22\""},
        QuoteCase{"NUL escaped", std::string("a\0b", 3), "\"a\\x00b\""},
        QuoteCase{"long text cut after 64 characters", std::string(70, 'x'), "\"" + std::string(64, 'x') + "…\""}),
    testing::ByBehaviour());

}  // namespace
}  // namespace kuimen
