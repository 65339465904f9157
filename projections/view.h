#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "domain/events.h"
#include "domain/status.h"
#include "eventstore/recorded_event.h"

namespace kuimen {

// A read model fed one stored event at a time.
//
// Contract, relied on by the projector (projections/projector.h):
// - Events of one stream arrive in version order, each exactly once; events of
//   different streams may interleave in any order (Kafka orders per partition
//   only). So Apply must give the same rows whatever the interleaving: keep
//   state per stream, and derive anything cross-stream when rendering.
// - Apply depends only on the events (envelope and payload), never on the
//   clock: time-dependent judgements (warnings, overdue) are made at render
//   time, against a `now` the caller passes in.
// - State lives in memory; rows are its durable form. The projector stores the
//   changed rows together with its checkpoint in one RocksDB WriteBatch, and
//   feeds them back through LoadRow at start. Rows are deterministic bytes
//   (e.g. nlohmann::json::dump of sorted keys), so two feeds of the same log
//   give byte-identical rows and the same digest.
// Not thread-safe: the projector serialises Apply, LoadRow and rendering.
class View {
 public:
  virtual ~View() = default;

  // Stable name: the prefix of its rows and the Kafka consumer group suffix.
  virtual std::string_view Name() const = 0;

  // The version of what its rows mean. Raise it whenever a change to Apply or
  // to the rows would read rows an earlier build wrote differently than a
  // rebuild from the log would make them (e.g. figures newly kept per unit):
  // the projector then drops the rows and rebuilds the view from the log at
  // start. 1 is the format of rows written before formats were recorded.
  virtual std::uint32_t RowFormat() const = 0;

  // Folds one event. Events the view does not use are ignored.
  virtual void Apply(const RecordedEvent& envelope, const EventData& event) = 0;

  // The rows changed since the last call, as (key, value); an empty value
  // deletes the row. Keys are the view's own (no prefix).
  virtual std::vector<std::pair<std::string, std::string>> TakeChangedRows() = 0;

  // Restores one row written earlier. kDataLoss if it cannot be read.
  virtual Status LoadRow(std::string_view key, std::string_view value) = 0;
};

}  // namespace kuimen
