#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json_fwd.hpp>

#include "domain/events.h"
#include "domain/status.h"

// The one place where event types get their wire names ("ProgressReported")
// and schema versions, and their payloads a JSON form. Stored payloads are
// canonical JSON: keys sorted, no whitespace, so equal events give equal bytes.
namespace kuimen {

struct EncodedEvent {
  std::string type;
  std::uint32_t schema_version = 1;
  std::string data;  // canonical JSON

  bool operator==(const EncodedEvent&) const = default;
};

EncodedEvent EncodeEvent(const EventData& event);

// Reads a payload. kInvalidArgument naming the field (within the data object)
// for a missing, mistyped or unknown field, an unknown type, or a schema
// version this build cannot read.
Result<EventData> DecodeEvent(std::string_view type, std::uint32_t schema_version,
                              std::string_view data_json);
Result<EventData> EventFromJson(std::string_view type, const nlohmann::json& data);

// The payload as a JSON value (for API responses).
nlohmann::json EventToJson(const EventData& event);

// The "attachments" list of a payload (佐证材料), for views that keep an
// event's files: written and read exactly as the events hold them.
nlohmann::json AttachmentsJson(const std::vector<Attachment>& attachments);
class JsonReader;
Result<std::vector<Attachment>> ReadAttachments(const JsonReader& r);

std::string_view EventTypeName(const EventData& event);
// Every wire name, in the order of the EventData variant.
std::vector<std::string_view> EventTypeNames();

}  // namespace kuimen
