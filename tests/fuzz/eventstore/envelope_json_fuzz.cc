// The wire form of an event (eventstore/envelope_json.h) as the projectors
// read it from the Kafka topic, on arbitrary bytes: anyone who reaches the
// broker can write there (issue 9, item 8), so this decoder meets hostile input.
//
// Properties: no crash, no undefined behaviour, no exception; a refusal is
// kInvalidArgument whose message is valid UTF-8; an envelope that decodes
// writes back (EnvelopeToJson) to text that decodes to the same event, except
// that a `data` given as a string of JSON comes back in canonical form; after
// that one step the form is stable.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "eventstore/envelope_json.h"
#include "eventstore/storage_format.h"
#include "tests/fuzz/fuzz_check.h"

namespace {

using kuimen::RecordedEvent;

RecordedEvent RoundTrip(const RecordedEvent& event) {
  const std::string text = kuimen::EnvelopeToJson(event).dump();
  kuimen::Result<RecordedEvent> back = kuimen::EnvelopeFromJson(text);
  FUZZ_CHECK(back.ok(), "an envelope EnvelopeToJson wrote decodes");
  return *back;
}

void Check(std::string_view bytes) {
  kuimen::Result<RecordedEvent> decoded = kuimen::EnvelopeFromJson(bytes);
  if (!decoded.ok()) {
    FUZZ_CHECK(decoded.status().code() == kuimen::StatusCode::kInvalidArgument, "a refusal is kInvalidArgument");
    (void)nlohmann::json(decoded.status().message()).dump();
    return;
  }
  RecordedEvent once = RoundTrip(*decoded);
  RecordedEvent expected = *decoded;
  expected.data = once.data;  // the one normalisation allowed
  // EncodeRecord covers every field of an event, so equal bytes are equal events.
  FUZZ_CHECK(kuimen::storage::EncodeRecord(once) == kuimen::storage::EncodeRecord(expected),
             "decode(encode(e)) == e, but for data's canonical form");
  RecordedEvent twice = RoundTrip(once);
  FUZZ_CHECK(kuimen::storage::EncodeRecord(twice) == kuimen::storage::EncodeRecord(once),
             "the written form is stable after one round trip");
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  return kuimen::fuzz::Guarded([&] { Check(std::string_view(reinterpret_cast<const char*>(data), size)); });
}
