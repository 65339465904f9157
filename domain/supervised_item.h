#pragma once

#include <string>
#include <vector>

#include "domain/catalog.h"
#include "domain/ids.h"
#include "domain/status.h"

namespace kuimen {

// What the rules need to know about the thing one stream supervises: a key
// task of 附件2 (stream "task-07") or an item of the 四个重大 list (stream "major-3").
struct SupervisedItem {
  StreamId stream;
  std::vector<std::string> lead_units;         // a major item's units all lead
  std::vector<std::string> cooperating_units;
  std::vector<Target> targets;

  bool Involves(const std::string& unit) const;
  const Target* FindTarget(const std::string& indicator) const;
};

StreamId TaskStream(TaskNo no);     // "task-07"
StreamId MajorStream(MajorNo no);   // "major-3"

// Every stream the catalog defines: tasks first, then major items.
std::vector<StreamId> AllStreams(const Catalog& catalog);

// The item behind a stream name, or NotFound when the catalog has none.
Result<SupervisedItem> ResolveStream(const Catalog& catalog, const StreamId& stream);

}  // namespace kuimen
