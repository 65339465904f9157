// The hot-event reader (eventstore/hot_event_decode.h) against the JSON-tree
// path it stands in for, on arbitrary payloads.
//
// Input: a first line naming the type ("ProgressReported" or
// "ReportReviewed"; anything else is read as ReportReviewed), the payload
// after it, as in corpus/hot_event_decode_fuzz/.
//
// Properties: no crash, no undefined behaviour; whatever the reader returns,
// the tree path decodes too, to an equal event with the same canonical bytes
// (so a rebuild reads every stored event as the tree would). A payload the
// reader declines is the tree's to judge: nothing is checked of it here.
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "eventstore/event_codec.h"
#include "eventstore/hot_event_decode.h"
#include "tests/fuzz/fuzz_check.h"

namespace {

void Check(std::string_view bytes) {
  const std::size_t newline = bytes.find('\n');
  const std::string_view type = bytes.substr(0, newline);
  const std::string_view payload = newline == std::string_view::npos ? std::string_view() : bytes.substr(newline + 1);
  const bool progress = type == "ProgressReported";

  std::optional<kuimen::EventData> hot;
  if (progress) {
    if (auto e = kuimen::DecodeHotProgressReported(payload)) hot = kuimen::EventData(std::move(*e));
  } else if (auto e = kuimen::DecodeHotReportReviewed(payload)) {
    hot = kuimen::EventData(std::move(*e));
  }
  if (!hot.has_value()) return;

  const nlohmann::json tree = nlohmann::json::parse(payload, nullptr, /*allow_exceptions=*/false);
  FUZZ_CHECK(!tree.is_discarded(), "what the reader takes is JSON to the tree");
  const kuimen::Result<kuimen::EventData> from_tree =
      kuimen::EventFromJson(progress ? "ProgressReported" : "ReportReviewed", tree);
  FUZZ_CHECK(from_tree.ok(), "what the reader takes the tree path decodes");
  FUZZ_CHECK(*from_tree == *hot, "the reader's event equals the tree path's");
  FUZZ_CHECK(kuimen::EncodeEvent(*from_tree).data == kuimen::EncodeEvent(*hot).data,
             "the reader's event encodes to the tree path's bytes");
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  return kuimen::fuzz::Guarded([&] { Check(std::string_view(reinterpret_cast<const char*>(data), size)); });
}
