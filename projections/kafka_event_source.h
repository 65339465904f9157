#pragma once

#include <chrono>
#include <map>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "eventstore/recorded_event.h"
#include "projections/kafka_client.h"
#include "projections/kafka_options.h"

namespace kuimen {

// Reads the event topic as one member of a consumer group. Offsets are
// committed only when the caller says its work is durable (manual commits),
// so a crash re-delivers rather than skips. Not thread-safe: one thread polls.
class KafkaEventSource {
 public:
  // Subscribes `group` to the options' topic; starts from the earliest
  // message when the group has no committed offset. A non-empty
  // `instance_id` makes the member static (group.instance.id): a successor
  // with the same id (the same process restarted, even after SIGKILL) takes
  // the member's partitions back at once, where a new dynamic member waits
  // for the dead one's session to time out; and a stopped static member does
  // not leave the group, so its partitions wait session.timeout.ms for
  // another member. At most one live member may hold an id.
  static Result<std::unique_ptr<KafkaEventSource>> Create(const std::string& bootstrap_servers,
                                                          const KafkaOptions& options, const std::string& group,
                                                          const std::string& instance_id = "");
  ~KafkaEventSource();

  // Waits up to `timeout` for the first message, then takes what is ready,
  // up to `max` events. Messages that are not event envelopes are logged and
  // skipped (the projector fills any gap from the log).
  std::vector<RecordedEvent> Poll(std::chrono::milliseconds timeout, std::size_t max);

  // Messages Poll skipped because they were not event envelopes, since the
  // last call; resets the count.
  std::uint64_t TakeUnreadable() { return std::exchange(unreadable_, 0); }

  // Commits the offsets of everything Poll returned so far.
  Status Commit();

  // True once after the group gave this member partitions it may not have
  // followed before (a start, another member leaving): the caller catches up
  // from the log, since Kafka only resumes where the group left off.
  bool TakeNewAssignment();

 private:
  explicit KafkaEventSource(std::string topic) : topic_(std::move(topic)) {}

  static void Rebalance(rd_kafka_t* handle, rd_kafka_resp_err_t err, rd_kafka_topic_partition_list_t* partitions,
                        void* opaque);

  kafka::Handle consumer_;
  std::string topic_;
  bool new_assignment_ = false;  // set on the polling thread, inside Poll
  std::map<int, std::int64_t> next_offsets_;  // partition -> offset after the last polled
  std::uint64_t unreadable_ = 0;              // skipped since the last TakeUnreadable
};

}  // namespace kuimen
