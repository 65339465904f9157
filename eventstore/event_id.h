#pragma once

#include <array>
#include <compare>
#include <cstdint>
#include <optional>
#include <random>
#include <string>
#include <string_view>

namespace kuimen {

// A UUID naming one event. Clients may choose it (for idempotent retries);
// otherwise the store draws a random (version 4) one.
class EventId {
 public:
  EventId() = default;  // the nil UUID
  explicit EventId(const std::array<std::uint8_t, 16>& bytes) : bytes_(bytes) {}

  // Accepts the canonical 8-4-4-4-12 hexadecimal form, either case.
  static std::optional<EventId> Parse(std::string_view text);
  // A version 4 UUID drawn from `random`.
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

}  // namespace kuimen
