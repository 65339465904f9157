#pragma once

#include <array>
#include <chrono>
#include <compare>
#include <cstdint>
#include <optional>
#include <random>
#include <string>
#include <string_view>

namespace kuimen {

// A UUID naming one event. Clients may choose it (for idempotent retries;
// any version, as given); otherwise the store makes a time-ordered one
// (TimeOrderedIds). Stores written before hold random version 4 ids.
class EventId {
 public:
  EventId() = default;  // the nil UUID
  explicit EventId(const std::array<std::uint8_t, 16>& bytes) : bytes_(bytes) {}

  // Accepts the canonical 8-4-4-4-12 hexadecimal form, either case.
  static std::optional<EventId> Parse(std::string_view text);
  // A version 4 UUID drawn from `random` (what the store made before
  // TimeOrderedIds; tests and clients use it for ids of their own).
  static EventId Random(std::mt19937_64& random);

  std::string ToString() const;  // lower-case canonical form
  const std::array<std::uint8_t, 16>& bytes() const { return bytes_; }
  std::string_view AsBytes() const {
    return {reinterpret_cast<const char*>(bytes_.data()), bytes_.size()};
  }
  auto operator<=>(const EventId&) const = default;

 private:
  std::array<std::uint8_t, 16> bytes_{};
};

// The ids the store makes: UUID version 7 (RFC 9562), the event's
// recorded_at in Unix milliseconds first, then a 12-bit counter (rand_a, the
// RFC's "fixed bit-length dedicated counter": it starts at a random value
// below 2048 in each new millisecond and counts up within it, carrying into
// the millisecond when it runs out) and 62 random bits. Each id is greater
// than the one before, even when the clock stands still or steps back, so
// the id index is appended to at its end rather than written all over (the
// random ids' inserts were the costliest part of a group's write). The id
// tells nothing the envelope's recorded_at does not. One writer only.
class TimeOrderedIds {
 public:
  explicit TimeOrderedIds(std::uint64_t seed) : random_(seed) {}
  EventId Next(std::chrono::sys_time<std::chrono::microseconds> at);
  // Goes on after `last`, the id of the newest stored event (at open), so
  // that the order holds across a restart whose clock is behind: only for a
  // version 7 id carrying the event's own `recorded_at` (to the second: a
  // client's id far from it does not move the store's clock).
  void ContinueAfter(const EventId& last, std::chrono::sys_time<std::chrono::microseconds> recorded_at);

 private:
  std::mt19937_64 random_;
  std::uint64_t last_millis_ = 0;
  std::uint32_t counter_ = 0;
};

}  // namespace kuimen
