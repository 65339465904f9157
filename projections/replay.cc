#include "projections/replay.h"

#include "eventstore/event_codec.h"

namespace kuimen {

Result<GlobalPosition> ReplayLog(View& view, EventStore& log, const ReplayLimit& limit) {
  RETURN_IF_ERROR(log.Refresh());
  GlobalPosition last;
  auto it = log.ReadAll(GlobalPosition(1));
  for (; it->Valid(); it->Next()) {
    const RecordedEvent& event = it->event();
    if (limit.through_position && event.position > *limit.through_position) break;
    if (limit.until && event.recorded_at > *limit.until) break;
    Result<EventData> data = DecodeEvent(event.type, event.schema_version, event.data);
    if (!data.ok()) {
      return Status::DataLoss("position " + std::to_string(event.position.value) + ": " + data.status().message());
    }
    view.Apply(event, *data);
    last = event.position;
  }
  RETURN_IF_ERROR(it->status());
  view.TakeChangedRows();  // nothing is stored: the replay lives in memory only
  return last;
}

}  // namespace kuimen
