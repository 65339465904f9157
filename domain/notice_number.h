#pragma once

#include <optional>
#include <string>
#include <string_view>

// 督办文号: how the server numbers notices, e.g. "奉三位一体督〔2026〕7号" — a
// prefix (the catalog's notice_number_prefix), the year of issue in 〔〕 and a
// sequence per year across every item, from 1.
namespace kuimen {

struct NoticeNumber {
  int year = 0;
  int sequence = 0;
  bool operator==(const NoticeNumber&) const = default;
};

// "奉三位一体督〔2026〕7号".
std::string FormatNoticeNumber(std::string_view prefix, NoticeNumber number);

// The year and sequence of a number written by FormatNoticeNumber, whatever
// its prefix; nullopt for any other text (an empty one included).
std::optional<NoticeNumber> ParseNoticeNumber(std::string_view text);

}  // namespace kuimen
