#pragma once

#include <vector>

#include "domain/events.h"
#include "domain/status.h"
#include "gateway/api.h"

// What the write path asks of uploaded files (api_files.cc): an event may
// cite only files that are stored, with their size and media type as stored.
namespace kuimen {

// kInvalidArgument, field "attachments[i].…" (the caller adds "data."):
// "attachment_not_found" when a cited file is not stored, "attachment_mismatch"
// when its size or media type differs, "required"/"too_long" for its name,
// "too_many_items" over 20 files.
Status CheckAttachments(ApiContext& api, const EventData& event);

// After an event citing `files` is stored (downloads are authorized by it).
void NoteCitations(ApiContext& api, const StreamId& stream, const std::vector<Attachment>& files);

}  // namespace kuimen
