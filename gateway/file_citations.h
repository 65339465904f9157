#pragma once

#include <map>
#include <functional>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "domain/actor.h"
#include "domain/events.h"
#include "domain/status.h"
#include "eventstore/event_store.h"

// Which streams cite which uploaded file: read from the log once, on first
// use, then kept up to date by the write path (Add after each stored event).
// A download is allowed to whoever may read a stream that cites the file;
// the sweep keeps every cited file. Thread-safe.
namespace kuimen {

// The files an event cites (empty for types that cite none).
const std::vector<Attachment>& AttachmentsOf(const EventData& event);

// Every (stream, attachment) cited in the log, in log order; stops at the
// first unreadable event with its status.
Status ForEachCitation(EventStore& store,
                       const std::function<void(const RecordedEvent& event, const Attachment& file)>& visit);

// True when `actor` may read `stream`'s events: task and major items are
// open to every principal (GET /api/v1/tasks/{no}/events); the rest to the
// task force and auditors (the global log).
bool MayReadStream(const Actor& actor, const StreamId& stream);

// How the log cites one file.
struct FileCitation {
  std::set<std::string> streams;  // that cite it
  std::string media_type;         // as the first citing event recorded it
};

class FileCitations {
 public:
  explicit FileCitations(EventStore& store) : store_(store) {}

  // How `sha256` is cited; nullopt when no event cites it.
  Result<std::optional<FileCitation>> Find(const std::string& sha256);
  // Every cited hash.
  Result<std::set<std::string>> AllCited();
  // After an event citing `files` is stored on `stream`.
  void Add(const StreamId& stream, const std::vector<Attachment>& files);

 private:
  Status LoadLocked();
  void AddLocked(const std::string& stream, const Attachment& file);
  EventStore& store_;
  std::mutex mu_;
  bool loaded_ = false;
  std::map<std::string, FileCitation> by_file_;
};

}  // namespace kuimen
