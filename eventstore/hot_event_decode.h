#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

#include "domain/events.h"

// A direct reader for the payloads of the events a log holds most of
// (ProgressReported and ReportReviewed at their current schema), used by
// DecodeEvent (eventstore/event_codec.h) before it builds a JSON tree: a
// rebuild decodes every event of the log, and the tree (a node and a string
// per field) was half of that. It reads with simdjson's On-Demand API, which
// builds no tree.
namespace kuimen {

// The payload of a ProgressReported (schema 4) or a ReportReviewed (schema 1)
// decoded from `data_json`, exactly as DecodeEvent's JSON-tree path would
// decode it; nullopt for anything this reader does not take on itself (a
// missing, repeated or unknown field, evidence or attachments, a negative
// zero, which the tree reads differently, bytes that are not JSON or not
// UTF-8, ...): the tree path then reads it and says what is wrong, if
// anything. Never an error of its own. DecodeEvent (which knows the wire
// names and schemas) chooses which to call.
std::optional<ProgressReported> DecodeHotProgressReported(std::string_view data_json);
std::optional<ReportReviewed> DecodeHotReportReviewed(std::string_view data_json);

}  // namespace kuimen
