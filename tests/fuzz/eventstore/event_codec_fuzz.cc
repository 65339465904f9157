// The event codec (eventstore/event_codec.h) on arbitrary input.
//
// Input: a first line naming the type and schema version, the payload after it:
//   ProgressReported v1
//   {"percent":16,"period":"2024-11",...}
// (a first line without " v<N>" is a type name at schema 1), so the seeds in
// corpus/event_codec_fuzz/ read as the golden files do.
//
// Properties: no crash, no undefined behaviour, no exception out of the
// codec's API; a refusal is kInvalidArgument, its message valid UTF-8; whatever decodes
// re-encodes to canonical bytes that decode to the same value, and encoding
// that value again gives the same bytes (one event, one encoding); the JSON
// form (API responses) reads back to the same value too.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "domain/event_validation.h"
#include "eventstore/event_codec.h"
#include "tests/fuzz/fuzz_check.h"

namespace {

struct Input {
  std::string type;
  std::uint32_t schema_version = 1;
  std::string_view data;
};

Input Split(std::string_view bytes) {
  Input input;
  const size_t newline = bytes.find('\n');
  std::string_view head = bytes.substr(0, newline);
  input.data = newline == std::string_view::npos ? std::string_view() : bytes.substr(newline + 1);
  const size_t v = head.rfind(" v");
  if (v != std::string_view::npos) {
    std::uint64_t schema = 0;
    bool digits = v + 2 < head.size() && head.size() - v - 2 <= 10;
    for (char c : head.substr(v + 2)) {
      digits = digits && c >= '0' && c <= '9';
      if (digits) schema = schema * 10 + static_cast<std::uint64_t>(c - '0');
    }
    if (digits && schema <= UINT32_MAX) {
      input.schema_version = static_cast<std::uint32_t>(schema);
      head = head.substr(0, v);
    }
  }
  input.type = std::string(head);
  return input;
}

void Check(std::string_view bytes) {
  using kuimen::EventData;
  const Input input = Split(bytes);
  kuimen::Result<EventData> decoded = kuimen::DecodeEvent(input.type, input.schema_version, input.data);
  if (!decoded.ok()) {
    FUZZ_CHECK(decoded.status().code() == kuimen::StatusCode::kInvalidArgument, "a refusal is kInvalidArgument");
    // Not checked: that subject() is set. A member named "" is refused as field "".
    // The refusal reaches a client as a JSON body: its text must be UTF-8.
    (void)nlohmann::json{{"message", decoded.status().message()}, {"field", decoded.status().subject()}}.dump();
    return;
  }
  const EventData& event = *decoded;
  // The domain's checks run on every decoded event (the aggregates call them);
  // their answer does not matter here, only that they run cleanly.
  (void)kuimen::ValidateEventData(event);

  const kuimen::EncodedEvent encoded = kuimen::EncodeEvent(event);
  FUZZ_CHECK(encoded.type == input.type, "an event re-encodes under the type it was decoded as");
  // An older schema version is upcast when read, so it is written at the
  // current one; never at an older version than it was read at.
  FUZZ_CHECK(encoded.schema_version >= input.schema_version, "an event re-encodes at the schema it was read at or newer");
  kuimen::Result<EventData> again = kuimen::DecodeEvent(encoded.type, encoded.schema_version, encoded.data);
  FUZZ_CHECK(again.ok(), "canonical bytes written by the codec decode");
  FUZZ_CHECK(*again == event, "decode(encode(e)) == e");
  FUZZ_CHECK(kuimen::EncodeEvent(*again).data == encoded.data, "encode(decode(encode(e))) == encode(e)");

  const nlohmann::json as_json = kuimen::EventToJson(event);
  kuimen::Result<EventData> from_json = kuimen::EventFromJson(input.type, as_json);
  FUZZ_CHECK(from_json.ok(), "the JSON form of an event reads back");
  FUZZ_CHECK(*from_json == event, "EventFromJson(EventToJson(e)) == e");
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  return kuimen::fuzz::Guarded([&] { Check(std::string_view(reinterpret_cast<const char*>(data), size)); });
}
