#pragma once

#include <optional>
#include <string_view>

#include "domain/events.h"
#include "domain/status.h"

namespace kuimen {

// Limits on event fields, in Unicode characters unless noted.
inline constexpr size_t kMaxTextChars = 4000;      // summaries, reasons, comments
inline constexpr size_t kMaxNameChars = 200;       // milestones, indicator names, titles
inline constexpr size_t kMaxUriBytes = 2048;
inline constexpr size_t kMaxListItems = 50;        // indicators, evidence
inline constexpr size_t kMaxNoticeIdBytes = 64;
inline constexpr size_t kMaxPrincipalIdBytes = 64;
inline constexpr double kMaxAdjustmentPoints = 20;  // 加减分: -20..+20 per event
inline constexpr size_t kMaxUrgeTextChars = 200;   // 催办: the optional text
inline constexpr size_t kMaxUrgeUnits = 200;       // 催办: units urged at once
inline constexpr int kMinAssessmentYear = 2000;     // assessment years, as of streams
inline constexpr int kMaxAssessmentYear = 2100;

// Checks the values of an event's fields, independent of any state: lengths,
// ranges, formats. On failure the Status is kInvalidArgument, field() is
// the field's path within the event data ("indicators[1].unit"), reason() the
// problem (required, too_long, control_character, out_of_range,
// invalid_format, too_many_items, surrounding_space) and message() a Chinese
// sentence naming the field as the form does ("整改情况不能为空").
// Precondition: strings are valid UTF-8 (the codec's input is checked).
Status ValidateEventData(const EventData& data);

// Number of Unicode code points in a valid UTF-8 string.
size_t Utf8Length(std::string_view text);

// Which control characters a text field may hold.
enum class TextKind {
  kLine,      // names, titles, units, URIs: none
  kLongText,  // summaries, reasons, comments, answers: line feed and tab only
};

// Byte offset of the first control character (U+0000..U+001F, U+007F,
// U+0080..U+009F) `kind` does not allow in `text`, or nullopt. The one check
// every text field of every event goes through (ValidateEventData).
std::optional<size_t> FindControlCharacter(std::string_view text, TextKind kind);

}  // namespace kuimen
