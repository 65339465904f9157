#pragma once

#include <compare>
#include <cstdint>
#include <functional>
#include <string>

namespace kuimen {

// A distinct integer type per kind of id, so a version is never passed as a
// position (after Redpanda's model::offset).
template <typename Tag>
struct StrongInt {
  std::uint64_t value = 0;

  constexpr StrongInt() = default;
  constexpr explicit StrongInt(std::uint64_t v) : value(v) {}
  constexpr auto operator<=>(const StrongInt&) const = default;
  constexpr StrongInt Next() const { return StrongInt(value + 1); }
};

// Number of a key task in the plan's 附件2 (1-based, as printed).
using TaskNo = StrongInt<struct TaskNoTag>;
// Number of an item of the "四个重大" list in 附件1 (1-based, as printed).
using MajorNo = StrongInt<struct MajorNoTag>;
// Version of an event within its stream: the first event is 1; 0 means "empty stream".
using StreamVersion = StrongInt<struct StreamVersionTag>;
// Position of an event in the whole log: gapless, the first event is 1; 0 means "none".
using GlobalPosition = StrongInt<struct GlobalPositionTag>;

// Name of a stream: "task-07", "major-3" (see domain/streams.h).
struct StreamId {
  std::string value;
  auto operator<=>(const StreamId&) const = default;
};

}  // namespace kuimen

template <typename Tag>
struct std::hash<kuimen::StrongInt<Tag>> {
  size_t operator()(const kuimen::StrongInt<Tag>& id) const noexcept {
    return std::hash<std::uint64_t>()(id.value);
  }
};

template <>
struct std::hash<kuimen::StreamId> {
  size_t operator()(const kuimen::StreamId& id) const noexcept {
    return std::hash<std::string>()(id.value);
  }
};
