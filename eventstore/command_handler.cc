#include "eventstore/command_handler.h"

#include "eventstore/event_codec.h"

namespace kuimen {

std::mutex& CommandHandler::StreamLock(const StreamId& stream) {
  std::lock_guard lock(cache_mu_);
  std::unique_ptr<std::mutex>& mutex = stream_locks_[stream];
  if (!mutex) mutex = std::make_unique<std::mutex>();
  return *mutex;
}

Result<TaskAggregate> CommandHandler::Load(const StreamId& stream) {
  ASSIGN_OR_RETURN(SupervisedItem item, ResolveStream(catalog_, stream));
  std::optional<TaskAggregate> aggregate;
  {
    std::lock_guard lock(cache_mu_);
    if (auto it = cache_.find(stream); it != cache_.end()) aggregate = it->second;
  }
  if (!aggregate.has_value()) aggregate.emplace(std::move(item));

  std::unique_ptr<EventIterator> it = store_.ReadStream(stream, aggregate->version().Next());
  for (; it->Valid(); it->Next()) {
    const RecordedEvent& stored = it->event();
    Result<EventData> event = DecodeEvent(stored.type, stored.schema_version, stored.data);
    if (!event.ok()) {
      return Status::DataLoss("stored event at position " + std::to_string(stored.position.value) +
                              " cannot be read: " + event.status().message());
    }
    aggregate->Apply(stored.version, *event);
  }
  RETURN_IF_ERROR(it->status());

  std::lock_guard lock(cache_mu_);
  auto [cached, inserted] = cache_.try_emplace(stream, *aggregate);
  if (!inserted && cached->second.version() < aggregate->version()) cached->second = *aggregate;
  return *std::move(aggregate);
}

Result<RecordedEvent> CommandHandler::Submit(const Submission& submission) {
  RETURN_IF_ERROR(ResolveStream(catalog_, submission.stream).status());  // before a lock is made for it
  const EncodedEvent encoded = EncodeEvent(submission.event);
  // Held across the append: the next decision on this stream must see this
  // event, and a concurrent retry of it must find it stored.
  std::lock_guard stream_lock(StreamLock(submission.stream));
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
  ASSIGN_OR_RETURN(TaskAggregate aggregate, Load(submission.stream));
  RETURN_IF_ERROR(aggregate.Decide(submission.actor, submission.event));

  ProposedEvent proposed{submission.event_id, encoded.type, encoded.schema_version, submission.actor, encoded.data};
  // Without a client's expected version, the version just decided on is
  // expected; only another writer of the same store could make it stale.
  const StreamVersion expected = submission.expected_version.value_or(aggregate.version());
  ASSIGN_OR_RETURN(std::vector<RecordedEvent> stored,
                   store_.Append(submission.stream, expected, {std::move(proposed)}));
  return std::move(stored.front());
}

}  // namespace kuimen
