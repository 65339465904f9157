#include "domain/notice_number.h"

#include <charconv>

namespace kuimen {

namespace {

constexpr std::string_view kOpen = "〔";
constexpr std::string_view kClose = "〕";
constexpr std::string_view kSuffix = "号";

std::optional<int> Digits(std::string_view text) {
  if (text.empty() || text.size() > 9 || text.front() == '0') return std::nullopt;
  for (char c : text) {
    if (c < '0' || c > '9') return std::nullopt;
  }
  int value = 0;
  auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (error != std::errc() || end != text.data() + text.size()) return std::nullopt;
  return value;
}

}  // namespace

std::string FormatNoticeNumber(std::string_view prefix, NoticeNumber number) {
  return std::string(prefix) + std::string(kOpen) + std::to_string(number.year) + std::string(kClose) +
         std::to_string(number.sequence) + std::string(kSuffix);
}

std::optional<NoticeNumber> ParseNoticeNumber(std::string_view text) {
  const size_t open = text.rfind(kOpen);
  const size_t close = text.rfind(kClose);
  if (open == std::string_view::npos || close == std::string_view::npos || close < open) return std::nullopt;
  if (text.size() < kSuffix.size() || text.substr(text.size() - kSuffix.size()) != kSuffix) return std::nullopt;
  const size_t year_at = open + kOpen.size();
  const size_t sequence_at = close + kClose.size();
  if (sequence_at > text.size() - kSuffix.size()) return std::nullopt;
  std::optional<int> year = Digits(text.substr(year_at, close - year_at));
  std::optional<int> sequence = Digits(text.substr(sequence_at, text.size() - kSuffix.size() - sequence_at));
  if (!year || !sequence || *year < 1000 || *year > 9999) return std::nullopt;
  return NoticeNumber{*year, *sequence};
}

}  // namespace kuimen
