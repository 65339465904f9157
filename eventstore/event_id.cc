#include "eventstore/event_id.h"

namespace kuimen {

namespace {

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

}  // namespace

std::optional<EventId> EventId::Parse(std::string_view text) {
  if (text.size() != 36) return std::nullopt;
  std::array<std::uint8_t, 16> bytes{};
  size_t out = 0;
  for (size_t i = 0; i < text.size();) {
    if (i == 8 || i == 13 || i == 18 || i == 23) {
      if (text[i] != '-') return std::nullopt;
      ++i;
      continue;
    }
    int high = HexValue(text[i]);
    int low = HexValue(text[i + 1]);
    if (high < 0 || low < 0) return std::nullopt;
    bytes[out++] = static_cast<std::uint8_t>(high * 16 + low);
    i += 2;
  }
  return EventId(bytes);
}

EventId EventId::Random(std::mt19937_64& random) {
  std::array<std::uint8_t, 16> bytes{};
  for (size_t i = 0; i < 16; i += 8) {
    std::uint64_t word = random();
    for (size_t j = 0; j < 8; ++j) bytes[i + j] = static_cast<std::uint8_t>(word >> (8 * j));
  }
  bytes[6] = static_cast<std::uint8_t>((bytes[6] & 0x0F) | 0x40);  // version 4
  bytes[8] = static_cast<std::uint8_t>((bytes[8] & 0x3F) | 0x80);  // RFC 4122 variant
  return EventId(bytes);
}

EventId TimeOrderedIds::Next(std::chrono::sys_time<std::chrono::microseconds> at) {
  constexpr std::uint32_t kCounterLimit = 1 << 12;  // rand_a's 12 bits
  constexpr std::uint32_t kCounterStartBelow = 1 << 11;  // leaves at least 2048 ids per millisecond
  const std::int64_t since_epoch = std::chrono::duration_cast<std::chrono::milliseconds>(at.time_since_epoch()).count();
  const std::uint64_t millis = since_epoch > 0 ? static_cast<std::uint64_t>(since_epoch) : 0;
  if (millis > last_millis_) {
    last_millis_ = millis;
    counter_ = static_cast<std::uint32_t>(random_() % kCounterStartBelow);
  } else if (++counter_ == kCounterLimit) {
    // The same (or an earlier) millisecond again: counting on keeps the order;
    // past the counter's end the next millisecond is taken early.
    ++last_millis_;
    counter_ = 0;
  }
  const std::uint64_t random = random_();
  std::array<std::uint8_t, 16> bytes{};
  for (int i = 0; i < 6; ++i) bytes[i] = static_cast<std::uint8_t>(last_millis_ >> (8 * (5 - i)));  // 48 bits, big-endian
  bytes[6] = static_cast<std::uint8_t>(0x70 | (counter_ >> 8));  // version 7
  bytes[7] = static_cast<std::uint8_t>(counter_ & 0xFF);
  for (int i = 8; i < 16; ++i) bytes[i] = static_cast<std::uint8_t>(random >> (8 * (i - 8)));
  bytes[8] = static_cast<std::uint8_t>((bytes[8] & 0x3F) | 0x80);  // RFC 9562 variant
  return EventId(bytes);
}

void TimeOrderedIds::ContinueAfter(const EventId& last, std::chrono::sys_time<std::chrono::microseconds> recorded_at) {
  const std::array<std::uint8_t, 16>& bytes = last.bytes();
  if ((bytes[6] >> 4) != 7) return;  // a random id (an earlier release's, or a client's)
  std::uint64_t millis = 0;
  for (int i = 0; i < 6; ++i) millis = (millis << 8) | bytes[i];
  const std::int64_t recorded =
      std::chrono::duration_cast<std::chrono::milliseconds>(recorded_at.time_since_epoch()).count();
  const std::int64_t apart = static_cast<std::int64_t>(millis) - recorded;
  if (apart < 0 || apart > 1000) return;  // not the store's own
  const std::uint32_t counter = static_cast<std::uint32_t>(((bytes[6] & 0x0F) << 8) | bytes[7]);
  if (millis > last_millis_ || (millis == last_millis_ && counter > counter_)) {
    last_millis_ = millis;
    counter_ = counter;
  }
}

std::string EventId::ToString() const {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string text;
  text.reserve(36);
  for (size_t i = 0; i < bytes_.size(); ++i) {
    if (i == 4 || i == 6 || i == 8 || i == 10) text.push_back('-');
    text.push_back(kHex[bytes_[i] >> 4]);
    text.push_back(kHex[bytes_[i] & 0x0F]);
  }
  return text;
}

}  // namespace kuimen
