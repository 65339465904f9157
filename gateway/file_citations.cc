#include "gateway/file_citations.h"

#include "domain/stream_kind.h"
#include "eventstore/event_codec.h"

namespace kuimen {

const std::vector<Attachment>& AttachmentsOf(const EventData& event) {
  static const std::vector<Attachment> kNone;
  if (const auto* report = std::get_if<ProgressReported>(&event)) return report->attachments;
  if (const auto* answer = std::get_if<NoticeAnswered>(&event)) return answer->attachments;
  if (const auto* instruction = std::get_if<InstructionGiven>(&event)) return instruction->attachments;
  return kNone;
}

namespace {

// Whether a stored event can cite a file, read from its bytes without decoding
// them: the log is mostly events that cite none, and decoding each (a JSON
// parse) is most of the cost of a scan (kuimen verify, the first download).
// Stored payloads are canonical JSON (no spaces), and inside a JSON string a
// quote is escaped, so a non-empty list can only appear as this key.
bool MayCiteFiles(const RecordedEvent& event) {
  return event.data.find(R"("attachments":[{)") != std::string::npos;
}

}  // namespace

Status ForEachCitation(EventStore& store,
                       const std::function<void(const RecordedEvent& event, const Attachment& file)>& visit) {
  std::unique_ptr<EventIterator> events = store.ReadAll(GlobalPosition(1));
  for (; events->Valid(); events->Next()) {
    const RecordedEvent& recorded = events->event();
    if (!MayCiteFiles(recorded)) continue;
    Result<EventData> event = DecodeEvent(recorded.type, recorded.schema_version, recorded.data);
    if (!event.ok()) {
      return Status::DataLoss("event at position " + std::to_string(recorded.position.value) +
                              " cannot be read: " + event.status().message());
    }
    for (const Attachment& file : AttachmentsOf(*event)) visit(recorded, file);
  }
  return events->status();
}

bool MayReadStream(const Actor& actor, const StreamId& stream) {
  Result<StreamKind> kind = ClassifyStream(stream);
  if (kind.ok() && (*kind == StreamKind::kTask || *kind == StreamKind::kMajor)) return true;
  return actor.role == Role::kTaskForce || actor.role == Role::kAuditor;
}

void FileCitations::AddLocked(const std::string& stream, const Attachment& file) {
  FileCitation& citation = by_file_[file.sha256];
  citation.streams.insert(stream);
  if (citation.media_type.empty()) citation.media_type = file.media_type;
}

Status FileCitations::LoadLocked() {
  if (loaded_) return Status::Ok();
  RETURN_IF_ERROR(ForEachCitation(store_, [this](const RecordedEvent& event, const Attachment& file) {
    AddLocked(event.stream.value, file);
  }));
  loaded_ = true;
  return Status::Ok();
}

Result<std::optional<FileCitation>> FileCitations::Find(const std::string& sha256) {
  std::lock_guard lock(mu_);
  RETURN_IF_ERROR(LoadLocked());
  const auto it = by_file_.find(sha256);
  if (it == by_file_.end()) return std::optional<FileCitation>();
  return std::optional<FileCitation>(it->second);
}

Result<std::set<std::string>> FileCitations::AllCited() {
  std::lock_guard lock(mu_);
  RETURN_IF_ERROR(LoadLocked());
  std::set<std::string> cited;
  for (const auto& [file, citation] : by_file_) cited.insert(file);
  return cited;
}

void FileCitations::Add(const StreamId& stream, const std::vector<Attachment>& files) {
  std::lock_guard lock(mu_);
  // Before the first load the log holds this event already; the load finds it.
  if (!loaded_) return;
  for (const Attachment& file : files) AddLocked(stream.value, file);
}

}  // namespace kuimen
