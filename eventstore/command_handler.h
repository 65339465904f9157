#pragma once

#include <condition_variable>
#include <deque>
#include <memory>
#include <mutex>
#include <optional>
#include <unordered_map>
#include <variant>
#include <vector>

#include "domain/actor.h"
#include "domain/assessment_aggregate.h"
#include "domain/catalog.h"
#include "domain/clock.h"
#include "domain/events.h"
#include "domain/principal_directory.h"
#include "domain/task_aggregate.h"
#include "domain/urge_aggregate.h"
#include "eventstore/event_store.h"

namespace kuimen {

// A request to append one event to a stream, as a user made it.
struct Submission {
  StreamId stream;
  Actor actor;
  EventData event;
  std::optional<StreamVersion> expected_version;  // optimistic concurrency; empty = latest
  std::optional<EventId> event_id;                // idempotency key chosen by the client
};

// The write path: load the stream's aggregate, let it decide, append. Task
// and major streams are decided by TaskAggregate, assessment-YYYY streams by
// AssessmentAggregate, the principals stream by PrincipalDirectory, the urges
// stream by UrgeAggregate (domain/stream_kind.h tells them apart).
// Thread-safe. Submissions to one stream are decided in arrival order, each
// on the state the one before it left, so a decision always sees the event
// before it. Submissions that arrive while a stream's batch is being written
// are decided together as the next batch and appended in one call (one group
// commit for all of them), so a busy stream is not limited to one event per
// disk sync. Submissions to different streams run in parallel and share the
// store's group commits. Keeps each stream's aggregate in memory and reads
// only the events appended since, so a decision costs no full replay and no
// copy of the aggregate.
class CommandHandler {
 public:
  // None is owned; all must outlive the handler. `clock` is the aggregates'
  // "now": a report for a month after the current one is refused, and a
  // freeze checks the year is over.
  CommandHandler(EventStore& store, const Catalog& catalog, const Clock& clock)
      : store_(store), catalog_(catalog), clock_(clock) {}

  // Returns the stored event. An event_id already stored is a retry only when
  // it is the same request: the principal is still allowed to write it (its
  // role and unit pass the aggregate's permission rules, whatever its
  // event_id) and the stored event has the same stream, actor, type and data;
  // then the event stored the first time is returned, even where the state
  // it made would now refuse a second one. Errors: kNotFound (no such
  // stream), kInvalidArgument (field named), kPermissionDenied /
  // kFailedPrecondition (rule named), kAborted (expected_version is stale),
  // kEventIdReused (the event_id names another request), kUnavailable.
  Result<RecordedEvent> Submit(const Submission& submission);

  // A task or major stream's aggregate as of its latest stored event.
  // kNotFound for an unknown stream, kInvalidArgument ("stream") for a stream
  // of another kind (see LoadAssessment, LoadPrincipals).
  Result<TaskAggregate> Load(const StreamId& stream);
  // An assessment stream's aggregate as of its latest stored event. kNotFound
  // for an unknown stream, kInvalidArgument ("stream") for a stream of another kind.
  Result<AssessmentAggregate> LoadAssessment(const StreamId& stream);
  // The principals stream's directory as of its latest stored event.
  Result<PrincipalDirectory> LoadPrincipals();

 private:
  using StreamAggregate = std::variant<TaskAggregate, AssessmentAggregate, PrincipalDirectory, UrgeAggregate>;

  // The stream's aggregate before any event: the one place where the kind of
  // a stream picks its aggregate. kNotFound for a stream the plan does not have.
  Result<StreamAggregate> NewAggregate(const StreamId& stream) const;
  // A submission waiting for its stream's turn, and its outcome once decided.
  struct Pending {
    const Submission* submission;
    std::optional<Result<RecordedEvent>> outcome;
    // Notified (under the queue's mu) when `outcome` is set or when this
    // submission is to lead the next batch: each waiting submission is woken
    // once, not at every batch of its stream.
    std::condition_variable wake;
  };
  // The submissions of one stream waiting to be decided, and the stream's
  // aggregate. One of them at a time is the leader: it decides and appends
  // batches for everyone queued.
  struct StreamQueue {
    std::mutex mu;
    std::deque<Pending*> waiting;
    bool leader = false;
    // Held while the aggregate is read or changed: by the leader through a
    // decision and its append, by Load* while it copies. The aggregate is
    // changed in place (no copy per write: a task's reports grow with its
    // history) and dropped when an append fails, so the next use rebuilds it
    // from the store and never keeps a refused event's effect.
    std::mutex state_mu;
    std::optional<StreamAggregate> state;  // empty until first used, or after a failed append
  };

  // The stream's queue; kNotFound/kInvalidArgument for a stream the plan has no aggregate for.
  Result<StreamQueue*> QueueOf(const StreamId& stream);
  // The queue's aggregate brought up to the stream's latest stored event (it
  // reads only the events stored since it was last used). The caller holds
  // queue.state_mu. kDataLoss when a stored event cannot be read.
  Result<StreamAggregate*> CatchUp(StreamQueue& queue, const StreamId& stream);
  // A copy of the stream's aggregate as of its latest stored event.
  Result<StreamAggregate> LoadAny(const StreamId& stream);
  // Decides `batch` in order on the stream's current state and appends what
  // was accepted in one call; sets every submission's outcome.
  void DecideAndAppend(StreamQueue& queue, const StreamId& stream, const std::vector<Pending*>& batch);

  EventStore& store_;
  const Catalog& catalog_;
  const Clock& clock_;
  std::mutex queues_mu_;  // guards the map, not the queues
  std::unordered_map<StreamId, std::unique_ptr<StreamQueue>> queues_;
};

}  // namespace kuimen
