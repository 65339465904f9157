#pragma once

#include <string>

#include "eventstore/recorded_event.h"

namespace kuimen {

// The answer to an accepted write, {"event": envelope}, as JSON text: the
// same bytes as DumpJson({{"event", EnvelopeToJson(event)}}), written without
// building a JSON tree. The payload is spliced in as stored: it is the codec's
// canonical text (nlohmann's dump of the event, eventstore/event_codec.h), which
// parsing and dumping again gives back unchanged. Building and dumping the
// tree (and parsing the payload into it) was about 6 % of the service's CPU
// per POST (profile of ops/bench/http.sh).
std::string SubmittedEventJson(const RecordedEvent& event);

}  // namespace kuimen
