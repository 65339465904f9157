#include "eventstore/command_handler.h"

#include <algorithm>
#include <type_traits>

#include "domain/stream_kind.h"
#include "domain/supervised_item.h"
#include "eventstore/event_codec.h"

namespace kuimen {

namespace {

// CommandHandler::StreamAggregate, which is private.
using AnyAggregate = std::variant<TaskAggregate, AssessmentAggregate, PrincipalDirectory, UrgeAggregate>;

StreamVersion VersionOf(const AnyAggregate& aggregate) {
  return std::visit([](const auto& a) { return a.version(); }, aggregate);
}

// The loader that returns what `held` is.
Status WrongKind(const StreamId& stream, const AnyAggregate& held) {
  struct Loader {
    const char* operator()(const TaskAggregate&) const { return "Load"; }
    const char* operator()(const AssessmentAggregate&) const { return "LoadAssessment"; }
    const char* operator()(const PrincipalDirectory&) const { return "LoadPrincipals"; }
    const char* operator()(const UrgeAggregate&) const { return "Submit"; }
  };
  return Status::InvalidArgument(
      "stream: " + stream.value + " is not a stream of this kind; use " + std::visit(Loader{}, held), "stream");
}

// The refusal of an event_id that already names another request.
Status Reused() {
  return Status::EventIdReused("该请求编号已用于另一次不同的提交，新的提交请使用新的编号");
}

// Whether a submission that repeats an event_id may be answered with the
// stored event at all. Authorization comes first, so an id never lets anyone
// past the rules: the submission is decided on the stream's current state,
// and any refusal but a state rule is returned as is. A state rule
// (kFailedPrecondition) may refuse because the stored event itself changed
// the state (a second ReportReviewed of the same report is
// `report_already_reviewed`); every aggregate checks role and unit before
// state (domain/task_rules.h), so reaching a state rule means the principal
// may still write this.
Status AuthorizeReplay(const AnyAggregate& running, const Submission& submission) {
  Status decided = std::visit([&](const auto& a) { return a.Decide(submission.actor, submission.event); }, running);
  if (!decided.ok() && decided.code() != StatusCode::kFailedPrecondition) return decided;
  return Status::Ok();
}

// The outcome of a submission whose event_id is already stored: once
// authorized, the stored event when it is the same request again (same
// stream, actor, type and canonical data), else kEventIdReused.
Result<RecordedEvent> Replay(const AnyAggregate& running, const Submission& submission, RecordedEvent stored) {
  RETURN_IF_ERROR(AuthorizeReplay(running, submission));
  const EncodedEvent encoded = EncodeEvent(submission.event);
  if (stored.stream != submission.stream || stored.actor != submission.actor || stored.type != encoded.type ||
      stored.schema_version != encoded.schema_version || stored.data != encoded.data) {
    return Reused();
  }
  return stored;  // a retry: the first outcome stands
}

}  // namespace

Result<CommandHandler::StreamQueue*> CommandHandler::QueueOf(const StreamId& stream) {
  {
    std::lock_guard lock(queues_mu_);
    if (auto it = queues_.find(stream); it != queues_.end()) return it->second.get();
  }
  // Checked once per stream, so a made-up stream name never gets a queue.
  RETURN_IF_ERROR(NewAggregate(stream).status());
  std::lock_guard lock(queues_mu_);
  std::unique_ptr<StreamQueue>& queue = queues_[stream];
  if (!queue) queue = std::make_unique<StreamQueue>();
  return queue.get();
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
      ASSIGN_OR_RETURN(AssessmentAggregate aggregate, NewAssessmentAggregate(catalog_, stream, clock_));
      return StreamAggregate(std::move(aggregate));
    }
    case StreamKind::kPrincipals:
      return StreamAggregate(NewPrincipalDirectory(catalog_));
    case StreamKind::kUrges:
      return StreamAggregate(NewUrgeAggregate(catalog_));
  }
  return Status::Internal("unhandled stream kind of " + stream.value);
}

Result<CommandHandler::StreamAggregate*> CommandHandler::CatchUp(StreamQueue& queue, const StreamId& stream) {
  if (!queue.state.has_value()) {
    ASSIGN_OR_RETURN(StreamAggregate fresh, NewAggregate(stream));
    queue.state.emplace(std::move(fresh));
  }
  StreamAggregate& aggregate = *queue.state;
  std::unique_ptr<EventIterator> it = store_.ReadStream(stream, VersionOf(aggregate).Next());
  for (; it->Valid(); it->Next()) {
    const RecordedEvent& stored = it->event();
    Result<EventData> event = DecodeEvent(stored.type, stored.schema_version, stored.data);
    if (!event.ok()) {
      queue.state.reset();  // folded up to an unreadable event: start again next time
      return Status::DataLoss("stored event at position " + std::to_string(stored.position.value) +
                              " cannot be read: " + event.status().message());
    }
    std::visit(
        [&](auto& a) {
          // Only a task's reports depend on who reported (a report supersedes its unit's earlier one).
          if constexpr (std::is_same_v<std::decay_t<decltype(a)>, TaskAggregate>) {
            a.Apply(stored.version, *event, stored.actor);
          } else {
            a.Apply(stored.version, *event);
          }
        },
        aggregate);
  }
  if (Status read = it->status(); !read.ok()) {
    queue.state.reset();
    return read;
  }
  return &aggregate;
}

Result<CommandHandler::StreamAggregate> CommandHandler::LoadAny(const StreamId& stream) {
  ASSIGN_OR_RETURN(StreamQueue* queue, QueueOf(stream));
  std::lock_guard lock(queue->state_mu);
  ASSIGN_OR_RETURN(StreamAggregate* aggregate, CatchUp(*queue, stream));
  return *aggregate;
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
  ASSIGN_OR_RETURN(StreamQueue* queue, QueueOf(submission.stream));
  Pending self{&submission, std::nullopt, {}};
  std::unique_lock lock(queue->mu);
  queue->waiting.push_back(&self);
  while (true) {
    self.wake.wait(lock, [&] { return self.outcome.has_value() || !queue->leader; });
    if (self.outcome.has_value()) return *std::move(self.outcome);
    // Nobody is deciding for this stream: lead, one batch at a time, until
    // this submission is decided too; then let a waiting one take over.
    queue->leader = true;
    while (!self.outcome.has_value()) {
      std::vector<Pending*> batch(queue->waiting.begin(), queue->waiting.end());
      queue->waiting.clear();
      lock.unlock();
      DecideAndAppend(*queue, submission.stream, batch);
      lock.lock();
      // Under the lock: a waiter cannot return (and take its Pending off
      // its stack) before it is notified.
      for (Pending* pending : batch) {
        if (pending != &self) pending->wake.notify_one();
      }
    }
    queue->leader = false;
    if (!queue->waiting.empty()) queue->waiting.front()->wake.notify_one();  // the next leader
  }
}

void CommandHandler::DecideAndAppend(StreamQueue& queue, const StreamId& stream, const std::vector<Pending*>& batch) {
  std::lock_guard state_lock(queue.state_mu);
  // The usual case on a busy stream: the aggregate already holds every event
  // of the stream (it applied the last batch it appended), so there is
  // nothing to read; a store iterator and its seek cost more than the
  // decision. Only here, on the write path: the store that appends keeps its
  // stream heads current (they move before an append returns), while a
  // follower's (Load* may run on one) move only when it reopens.
  Result<StreamAggregate*> loaded = queue.state.has_value() && store_.StreamHead(stream) <= VersionOf(*queue.state)
                                        ? Result<StreamAggregate*>(&*queue.state)
                                        : CatchUp(queue, stream);
  if (!loaded.ok()) {
    for (Pending* pending : batch) pending->outcome = loaded.status();
    return;
  }
  StreamAggregate& running = **loaded;
  const StreamVersion base = VersionOf(running);
  std::vector<ProposedEvent> proposed;
  std::vector<Pending*> accepted;
  std::vector<std::pair<Pending*, Pending*>> resent;  // (resent, first) with one event_id in this batch

  for (Pending* pending : batch) {
    const Submission& submission = *pending->submission;
    if (submission.event_id.has_value()) {
      auto first = std::find_if(accepted.begin(), accepted.end(), [&](const Pending* other) {
        return other->submission->event_id == submission.event_id;
      });
      if (first != accepted.end()) {
        const Submission& original = *(*first)->submission;
        // Authorized first, as in Replay (the first one is not stored yet).
        if (Status allowed = AuthorizeReplay(running, submission); !allowed.ok()) {
          pending->outcome = std::move(allowed);
        } else if (original.actor == submission.actor &&
                   EncodeEvent(original.event) == EncodeEvent(submission.event)) {
          resent.emplace_back(pending, *first);  // the first one's outcome is the retry's
        } else {
          pending->outcome = Reused();
        }
        continue;
      }
      Result<std::optional<RecordedEvent>> stored = store_.FindById(*submission.event_id);
      if (!stored.ok()) {
        pending->outcome = stored.status();
        continue;
      }
      if (stored->has_value()) {
        pending->outcome = Replay(running, submission, **std::move(stored));
        continue;
      }
    }
    const StreamVersion current = VersionOf(running);
    if (submission.expected_version.has_value() && *submission.expected_version != current) {
      pending->outcome = Status::Aborted("该事项已被他人更新（当前为第" + std::to_string(current.value) +
                                             "版，提交时看到的是第" +
                                             std::to_string(submission.expected_version->value) +
                                             "版），请刷新后重新提交",
                                         "expected_version");
      continue;
    }
    Status decided = std::visit(
        [&](const auto& a) {
          if constexpr (std::is_same_v<std::decay_t<decltype(a)>, TaskAggregate>) {
            // The moment of decision, from the clock the handler was given.
            return a.Decide(submission.actor, submission.event, clock_.Now());
          } else {
            return a.Decide(submission.actor, submission.event);
          }
        },
        running);
    if (!decided.ok()) {
      pending->outcome = std::move(decided);
      continue;
    }
    // The next submission in the batch is decided on the state this one leaves.
    std::visit(
        [&](auto& a) {
          if constexpr (std::is_same_v<std::decay_t<decltype(a)>, TaskAggregate>) {
            a.Apply(current.Next(), submission.event, submission.actor);
          } else {
            a.Apply(current.Next(), submission.event);
          }
        },
        running);
    const EncodedEvent encoded = EncodeEvent(submission.event);
    proposed.push_back(
        ProposedEvent{submission.event_id, encoded.type, encoded.schema_version, submission.actor, encoded.data});
    accepted.push_back(pending);
  }

  if (!proposed.empty()) {
    // `base` is expected: only another writer of the same store could have
    // moved the stream since it was loaded.
    Result<std::vector<RecordedEvent>> stored = store_.Append(stream, base, std::move(proposed));
    if (stored.ok()) {
      for (std::size_t i = 0; i < accepted.size(); ++i) accepted[i]->outcome = std::move((*stored)[i]);
    } else {
      // The aggregate holds the refused events' effects: rebuild it from the store next time.
      queue.state.reset();
      for (Pending* pending : accepted) pending->outcome = stored.status();
    }
  }
  for (auto& [retry, first] : resent) retry->outcome = first->outcome;
}

}  // namespace kuimen
