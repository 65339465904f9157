#include "projections/view_digest.h"

#include <gtest/gtest.h>

namespace kuimen {
namespace {

std::string DigestOf(std::initializer_list<std::pair<std::string, std::string>> rows) {
  ViewDigest digest;
  for (const auto& [key, value] : rows) digest.AddRow(key, value);
  return digest.Finish();
}

TEST(ViewDigest, IsTheSameForTheSameRows) {
  EXPECT_EQ(DigestOf({{"a", "1"}, {"b", "2"}}), DigestOf({{"a", "1"}, {"b", "2"}}));
  EXPECT_EQ(DigestOf({}).size(), 64u);
}

TEST(ViewDigest, ChangesWithAnyByteOrFraming) {
  const std::string base = DigestOf({{"ab", "c"}});
  EXPECT_NE(base, DigestOf({{"a", "bc"}}));
  EXPECT_NE(base, DigestOf({{"ab", "d"}}));
  EXPECT_NE(base, DigestOf({{"ab", "c"}, {"b", ""}}));
}

}  // namespace
}  // namespace kuimen
