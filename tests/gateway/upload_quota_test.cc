// The count of uploads no event cites yet (gateway/upload_quota.h) and the
// file-name check (gateway/file_store.h), as tables of behaviour; the free
// space of the file system is given by the test.
#include "gateway/upload_quota.h"

#include <gtest/gtest.h>

#include "gateway/file_store.h"

namespace kuimen {
namespace {

constexpr std::uint64_t kMiB = 1024 * 1024;

UploadQuotaOptions Limits(std::uint64_t per_principal, std::uint64_t total, std::uint64_t min_free) {
  UploadQuotaOptions options;
  options.per_principal_bytes = per_principal;
  options.total_bytes = total;
  options.min_free_bytes = min_free;
  return options;
}

std::string ErrorCodeOf(const Result<std::uint64_t>& reserved) {
  return reserved.ok() ? "ok" : reserved.status().error_code();
}

TEST(UploadQuota, AReservationCountsUntilReleasedAndASettledNewFileUntilCitedOrRemoved) {
  UploadQuota quota("/nonexistent", Limits(10 * kMiB, 0, 0), [](const auto&) { return 1000 * kMiB; });
  Result<std::uint64_t> a = quota.Reserve("p-a", 6 * kMiB);
  ASSERT_TRUE(a.ok());
  EXPECT_EQ(ErrorCodeOf(quota.Reserve("p-a", 5 * kMiB)), "upload_quota_exceeded");
  EXPECT_EQ(quota.Reserve("p-a", 5 * kMiB).status().field(), "file");
  EXPECT_EQ(ErrorCodeOf(quota.Reserve("p-b", 5 * kMiB)), "ok");  // another principal's own share

  // Committed as a new 4 MiB file: the 6 MiB reservation becomes 4 MiB stored.
  quota.Settle(*a, std::string(64, 'a'), 4 * kMiB, /*new_file=*/true);
  EXPECT_EQ(quota.UsedBy("p-a"), 4 * kMiB);
  Result<std::uint64_t> again = quota.Reserve("p-a", 6 * kMiB);
  ASSERT_TRUE(again.ok());
  // The same content stored already: nothing more is counted.
  quota.Settle(*again, std::string(64, 'a'), 4 * kMiB, /*new_file=*/false);
  EXPECT_EQ(quota.UsedBy("p-a"), 4 * kMiB);

  Result<std::uint64_t> dropped = quota.Reserve("p-a", 6 * kMiB);
  ASSERT_TRUE(dropped.ok());
  quota.Release(*dropped);
  quota.Release(*dropped);  // twice is harmless
  EXPECT_EQ(quota.UsedBy("p-a"), 4 * kMiB);

  quota.Forget(std::string(64, 'a'));  // cited, or swept
  EXPECT_EQ(quota.UsedBy("p-a"), 0u);
}

TEST(UploadQuota, TheTotalBindsEveryPrincipalAndTheFloorCountsWhatIsInFlight) {
  std::uint64_t free = 100 * kMiB;
  UploadQuota quota("/nonexistent", Limits(0, 30 * kMiB, 50 * kMiB), [&free](const auto&) { return free; });
  ASSERT_TRUE(quota.Reserve("p-a", 20 * kMiB).ok());
  const Result<std::uint64_t> over = quota.Reserve("p-b", 20 * kMiB);
  EXPECT_EQ(ErrorCodeOf(over), "upload_total_exceeded");
  EXPECT_EQ(over.status().code(), StatusCode::kResourceExhausted);
  EXPECT_EQ(over.status().field(), "file");
  // 100 MiB free, 20 MiB about to be written, a 50 MiB floor: 30 MiB more would pass it.
  ASSERT_TRUE(quota.Reserve("p-b", 10 * kMiB).ok());
  free = 70 * kMiB;
  EXPECT_EQ(ErrorCodeOf(quota.Reserve("p-c", 1)), "upload_total_exceeded");
  UploadQuota roomy("/nonexistent", Limits(0, 0, 50 * kMiB), [&free](const auto&) { return free; });
  EXPECT_EQ(ErrorCodeOf(roomy.Reserve("p-a", 20 * kMiB)), "ok");
  EXPECT_EQ(ErrorCodeOf(roomy.Reserve("p-a", 1)), "disk_space_low");
  free = 10 * kMiB;  // below the floor already
  EXPECT_EQ(ErrorCodeOf(roomy.Reserve("p-b", 1)), "disk_space_low");
}

TEST(UploadQuota, ARecountReplacesTheStoredFilesAndKeepsReservations) {
  UploadQuota quota("/nonexistent", Limits(10 * kMiB, 0, 0), [](const auto&) { return 1000 * kMiB; });
  ASSERT_TRUE(quota.Reserve("p-a", 2 * kMiB).ok());
  quota.Recount({{std::string(64, 'b'), {"p-a", 7 * kMiB}}, {std::string(64, 'c'), {"", 1 * kMiB}}});
  EXPECT_EQ(quota.UsedBy("p-a"), 9 * kMiB);
  EXPECT_EQ(quota.Used(), 10 * kMiB);
  EXPECT_EQ(ErrorCodeOf(quota.Reserve("p-a", 2 * kMiB)), "upload_quota_exceeded");
  quota.Recount({});
  EXPECT_EQ(quota.UsedBy("p-a"), 2 * kMiB);
}

TEST(UploadQuota, TheDailyCapCountsNewFilesCitedOrNotAndWhatIsInFlight) {
  UploadQuotaOptions options = Limits(0, 0, 0);
  options.daily_bytes = 10 * kMiB;
  UploadQuota quota("/nonexistent", options, [](const auto&) { return 1000 * kMiB; });
  Result<std::uint64_t> first = quota.Reserve("p-a", 4 * kMiB);
  ASSERT_TRUE(first.ok());
  quota.Settle(*first, std::string(64, 'a'), 4 * kMiB, /*new_file=*/true);
  quota.Forget(std::string(64, 'a'));  // cited: the share is free again, the day's count is not
  EXPECT_EQ(quota.UsedBy("p-a"), 0u);
  EXPECT_EQ(quota.UploadedToday("p-a"), 4 * kMiB);

  Result<std::uint64_t> in_flight = quota.Reserve("p-a", 5 * kMiB);
  ASSERT_TRUE(in_flight.ok());
  const Result<std::uint64_t> over = quota.Reserve("p-a", 2 * kMiB);  // 4 + 5 + 2 > 10
  EXPECT_EQ(ErrorCodeOf(over), "upload_daily_exceeded");
  EXPECT_EQ(over.status().code(), StatusCode::kInvalidArgument);  // answered 413
  EXPECT_EQ(over.status().field(), "file");
  EXPECT_NE(over.status().message().find("10 MB"), std::string::npos) << over.status().message();
  EXPECT_EQ(ErrorCodeOf(quota.Reserve("p-b", 2 * kMiB)), "ok");  // another principal's own day

  // Content stored already costs no disk and counts nothing; a failed upload releases its bytes.
  quota.Settle(*in_flight, std::string(64, 'a'), 4 * kMiB, /*new_file=*/false);
  EXPECT_EQ(quota.UploadedToday("p-a"), 4 * kMiB);
  Result<std::uint64_t> failed = quota.Reserve("p-a", 6 * kMiB);
  ASSERT_TRUE(failed.ok());
  quota.Release(*failed);
  EXPECT_EQ(quota.UploadedToday("p-a"), 4 * kMiB);

  UploadQuotaOptions unlimited = options;
  unlimited.daily_bytes = 0;
  UploadQuota open("/nonexistent", unlimited, [](const auto&) { return 1000 * kMiB; });
  EXPECT_EQ(ErrorCodeOf(open.Reserve("p-a", 100 * kMiB)), "ok");
}

TEST(UploadQuota, ARecountOfTheDaysUploadsKeepsOnlyTheLast24Hours) {
  UploadQuotaOptions options = Limits(0, 0, 0);
  options.daily_bytes = 10 * kMiB;
  UploadQuota quota("/nonexistent", options, [](const auto&) { return 1000 * kMiB; });
  const auto now = std::chrono::system_clock::now();
  quota.RecountUploads({{"p-a",
                         {{now - std::chrono::hours(1), 6 * kMiB},
                          {now - std::chrono::hours(25), 9 * kMiB},  // yesterday's: no longer counts
                          {now - std::chrono::minutes(5), 3 * kMiB}}}});
  EXPECT_EQ(quota.UploadedToday("p-a"), 9 * kMiB);
  EXPECT_EQ(ErrorCodeOf(quota.Reserve("p-a", 2 * kMiB)), "upload_daily_exceeded");
  EXPECT_EQ(ErrorCodeOf(quota.Reserve("p-a", 1 * kMiB)), "ok");
}

TEST(FileNames, ControlAndInvisibleFormatCharactersAreRefusedWithTheField) {
  struct Case {
    std::string name;
    std::string code;  // "ok" when accepted
  };
  const std::vector<Case> cases = {
      {"托管服务台账.xlsx", "ok"},
      {"2024年11月 进展（第3次）.pdf", "ok"},
      {"Résumé – 报告.docx", "ok"},
      {"", "required"},
      {std::string(601, 'a'), "too_long"},
      {"bad\xff.pdf", "invalid_encoding"},
      {"台账\t.pdf", "control_character"},
      {"台账\x7f.pdf", "control_character"},
      {"台账\u0085.pdf", "control_character"},  // C1 NEXT LINE
      {"../台账.pdf", "control_character"},
      {"a\\b.pdf", "control_character"},
      {"报告\u202Efdp.exe", "invisible_character"},  // RIGHT-TO-LEFT OVERRIDE
      {"报告\u202Bx.pdf", "invisible_character"},    // RIGHT-TO-LEFT EMBEDDING
      {"报告\u2067x.pdf", "invisible_character"},    // RIGHT-TO-LEFT ISOLATE
      {"台账\u200B.pdf", "invisible_character"},     // ZERO WIDTH SPACE
      {"台账\u200D.pdf", "invisible_character"},     // ZERO WIDTH JOINER
      {"\uFEFF台账.pdf", "invisible_character"},     // BYTE ORDER MARK
      {"台账\u00AD.pdf", "invisible_character"},     // SOFT HYPHEN
      {"台账\u2028.pdf", "invisible_character"},     // LINE SEPARATOR
      {"台账\U000E0041.pdf", "invisible_character"},  // TAG LATIN CAPITAL LETTER A
      {"台账\u3164.pdf", "invisible_character"},      // HANGUL FILLER
      {"台账\u2800.pdf", "invisible_character"},      // BRAILLE PATTERN BLANK
      {"台账\u034f.pdf", "invisible_character"},      // COMBINING GRAPHEME JOINER
      {"台账\ufe0f.pdf", "invisible_character"},      // VARIATION SELECTOR-16
      {"台账\ue000.pdf", "invisible_character"},      // private use
      {" ", "invalid_format"},
      {"..", "invalid_format"},
  };
  for (const Case& c : cases) {
    const Status checked = CheckFileName(c.name, "attachments[0].name");
    EXPECT_EQ(checked.ok() ? "ok" : checked.error_code(), c.code) << c.name;
    if (!checked.ok()) {
      EXPECT_EQ(checked.field(), "attachments[0].name") << c.name;
    }
  }
}

}  // namespace
}  // namespace kuimen
