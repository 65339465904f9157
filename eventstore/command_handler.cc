#include "eventstore/command_handler.h"

#include "domain/stream_kind.h"
#include "domain/supervised_item.h"
#include "eventstore/event_codec.h"

namespace kuimen {

namespace {

// CommandHandler::StreamAggregate, which is private.
using AnyAggregate = std::variant<TaskAggregate, AssessmentAggregate, PrincipalDirectory>;

StreamVersion VersionOf(const AnyAggregate& aggregate) {
  return std::visit([](const auto& a) { return a.version(); }, aggregate);
}

// The loader that returns what `held` is.
Status WrongKind(const StreamId& stream, const AnyAggregate& held) {
  struct Loader {
    const char* operator()(const TaskAggregate&) const { return "Load"; }
    const char* operator()(const AssessmentAggregate&) const { return "LoadAssessment"; }
    const char* operator()(const PrincipalDirectory&) const { return "LoadPrincipals"; }
  };
  return Status::InvalidArgument(
      "stream: " + stream.value + " is not a stream of this kind; use " + std::visit(Loader{}, held), "stream");
}

}  // namespace

Result<std::mutex*> CommandHandler::StreamLock(const StreamId& stream) {
  {
    std::lock_guard lock(cache_mu_);
    if (auto it = stream_locks_.find(stream); it != stream_locks_.end()) return it->second.get();
  }
  // Checked once per stream, so a made-up stream name never gets a lock.
  RETURN_IF_ERROR(NewAggregate(stream).status());
  std::lock_guard lock(cache_mu_);
  std::unique_ptr<std::mutex>& mutex = stream_locks_[stream];
  if (!mutex) mutex = std::make_unique<std::mutex>();
  return mutex.get();
}

Result<CommandHandler::StreamAggregate> CommandHandler::NewAggregate(const StreamId& stream) const {
  ASSIGN_OR_RETURN(StreamKind kind, ClassifyStream(stream));
  switch (kind) {
    case StreamKind::kTask:
    case StreamKind::kMajor: {
      ASSIGN_OR_RETURN(SupervisedItem item, ResolveStream(catalog_, stream));
      return StreamAggregate(TaskAggregate(std::move(item)));
    }
    case StreamKind::kAssessment: {
      ASSIGN_OR_RETURN(AssessmentAggregate aggregate, NewAssessmentAggregate(catalog_, stream));
      return StreamAggregate(std::move(aggregate));
    }
    case StreamKind::kPrincipals:
      return StreamAggregate(NewPrincipalDirectory(catalog_));
  }
  return Status::Internal("unhandled stream kind of " + stream.value);
}

Result<CommandHandler::StreamAggregate> CommandHandler::LoadAny(const StreamId& stream) {
  std::optional<StreamAggregate> aggregate;
  {
    std::lock_guard lock(cache_mu_);
    if (auto it = cache_.find(stream); it != cache_.end()) aggregate = it->second;
  }
  if (!aggregate.has_value()) {
    ASSIGN_OR_RETURN(StreamAggregate fresh, NewAggregate(stream));
    aggregate.emplace(std::move(fresh));
  }

  std::unique_ptr<EventIterator> it = store_.ReadStream(stream, VersionOf(*aggregate).Next());
  for (; it->Valid(); it->Next()) {
    const RecordedEvent& stored = it->event();
    Result<EventData> event = DecodeEvent(stored.type, stored.schema_version, stored.data);
    if (!event.ok()) {
      return Status::DataLoss("stored event at position " + std::to_string(stored.position.value) +
                              " cannot be read: " + event.status().message());
    }
    std::visit([&](auto& a) { a.Apply(stored.version, *event); }, *aggregate);
  }
  RETURN_IF_ERROR(it->status());

  std::lock_guard lock(cache_mu_);
  auto [cached, inserted] = cache_.try_emplace(stream, *aggregate);
  if (!inserted && VersionOf(cached->second) < VersionOf(*aggregate)) cached->second = *aggregate;
  return *std::move(aggregate);
}

Result<TaskAggregate> CommandHandler::Load(const StreamId& stream) {
  ASSIGN_OR_RETURN(StreamAggregate aggregate, LoadAny(stream));
  if (auto* task = std::get_if<TaskAggregate>(&aggregate)) return std::move(*task);
  return WrongKind(stream, aggregate);
}

Result<AssessmentAggregate> CommandHandler::LoadAssessment(const StreamId& stream) {
  ASSIGN_OR_RETURN(StreamAggregate aggregate, LoadAny(stream));
  if (auto* assessment = std::get_if<AssessmentAggregate>(&aggregate)) return std::move(*assessment);
  return WrongKind(stream, aggregate);
}

Result<PrincipalDirectory> CommandHandler::LoadPrincipals() {
  const StreamId stream = PrincipalsStream();
  ASSIGN_OR_RETURN(StreamAggregate aggregate, LoadAny(stream));
  if (auto* directory = std::get_if<PrincipalDirectory>(&aggregate)) return std::move(*directory);
  return WrongKind(stream, aggregate);
}

Result<RecordedEvent> CommandHandler::Submit(const Submission& submission) {
  const EncodedEvent encoded = EncodeEvent(submission.event);
  // Held across the append: the next decision on this stream must see this
  // event, and a concurrent retry of it must find it stored.
  ASSIGN_OR_RETURN(std::mutex* mutex, StreamLock(submission.stream));
  std::lock_guard stream_lock(*mutex);
  if (submission.event_id.has_value()) {
    ASSIGN_OR_RETURN(std::optional<RecordedEvent> stored, store_.FindById(*submission.event_id));
    if (stored.has_value()) {
      if (stored->stream != submission.stream) {
        return Status::InvalidArgument("event_id: " + submission.event_id->ToString() +
                                           " is already used in " + stored->stream.value,
                                       "event_id");
      }
      return *std::move(stored);  // a retry: the first outcome stands, no second decision
    }
  }
  ASSIGN_OR_RETURN(StreamAggregate aggregate, LoadAny(submission.stream));
  RETURN_IF_ERROR(std::visit([&](const auto& a) { return a.Decide(submission.actor, submission.event); }, aggregate));

  ProposedEvent proposed{submission.event_id, encoded.type, encoded.schema_version, submission.actor, encoded.data};
  // Without a client's expected version, the version just decided on is
  // expected; only another writer of the same store could make it stale.
  const StreamVersion expected = submission.expected_version.value_or(VersionOf(aggregate));
  ASSIGN_OR_RETURN(std::vector<RecordedEvent> stored,
                   store_.Append(submission.stream, expected, {std::move(proposed)}));
  return std::move(stored.front());
}

}  // namespace kuimen
