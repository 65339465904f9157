// The stored-record decoder (eventstore/storage_format.h) on arbitrary bytes,
// as a damaged or hostile store would hand them to it.
//
// Properties: no crash, no undefined behaviour, no exception; a malformed
// record is kDataLoss; a record that decodes encodes back to exactly the same
// bytes (one event, one encoding: the hash chain depends on it), and its
// canonical part is what EncodeCanonical writes. The head value (40 bytes)
// and the big-endian keys round-trip the same way.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "eventstore/event_codec.h"
#include "eventstore/storage_format.h"
#include "tests/fuzz/fuzz_check.h"

namespace {

namespace storage = kuimen::storage;

void Check(std::string_view bytes) {
  kuimen::Result<kuimen::RecordedEvent> record = storage::DecodeRecord(bytes);
  if (!record.ok()) {
    FUZZ_CHECK(record.status().code() == kuimen::StatusCode::kDataLoss, "a malformed record is kDataLoss");
  } else {
    FUZZ_CHECK(storage::EncodeRecord(*record) == bytes, "encode(decode(bytes)) == bytes");
    FUZZ_CHECK(storage::CanonicalPart(bytes) == storage::EncodeCanonical(*record),
               "the canonical part of a record is EncodeCanonical of its event");
    // Readers decode the payload next (views, `kuimen log`): whatever a record
    // holds, that must not crash either.
    (void)kuimen::DecodeEvent(record->type, record->schema_version, record->data);
  }

  kuimen::Result<std::pair<kuimen::GlobalPosition, kuimen::Sha256Digest>> head = storage::DecodeHead(bytes);
  if (head.ok()) {
    FUZZ_CHECK(storage::EncodeHead(head->first, head->second) == bytes, "encode(decode(head)) == head");
  } else {
    FUZZ_CHECK(head.status().code() == kuimen::StatusCode::kDataLoss, "a malformed head is kDataLoss");
  }

  if (bytes.size() >= 8) {
    const std::string_view key = bytes.substr(0, 8);
    FUZZ_CHECK(storage::EncodeU64Key(storage::DecodeU64Key(key)) == key, "u64 keys round-trip");
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  return kuimen::fuzz::Guarded([&] { Check(std::string_view(reinterpret_cast<const char*>(data), size)); });
}
