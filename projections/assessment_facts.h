#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <set>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "domain/clock.h"
#include "domain/events.h"
#include "domain/ids.h"
#include "domain/status.h"
#include "eventstore/recorded_event.h"
#include "projections/assessment_result.h"

namespace kuimen {

// What the assessment view keeps of the log: per stream, every fact the
// assessment rules read, each with the position of the event that
// established it, so a year can be scored as of any position (the 年终定格
// scores the events before the freeze). Folded one event at a time, clock-free,
// each event in O(log n). Task streams (task-07) and assessment streams
// (assessment-2024) are kept; everything else is ignored.
//
// Rows (each carrying the row format kRowFormat):
// - "task-07": the stream's head, {"format","version"} (canonical JSON).
// - "task-07/0000000129": the task's reports, notices and completions whose
//   stream versions fall in 129..256 (kChunkVersions per row, keyed by the
//   zero-padded first version), each with any review or answer it received
//   later, in a compact binary form (EncodeChunkRow in the .cc: a format byte,
//   then varints, little-endian doubles and length-prefixed names; the same
//   facts always give the same bytes). A batch rewrites only the chunks
//   whose facts it changed, so a row's size stays bounded
//   however long the stream grows.
// - "assessment-2024": the year's version, adjustments and freeze (the task
//   force adjusts by hand, a handful of times a year: one row suffices; canonical
//   JSON, the frozen result in projections/assessment_result_row.h's form).
// - "~instructions/task-07" and "~store": canonical JSON (below).
struct AssessmentFacts {
  // The "format" of the JSON rows. 1: one row per task stream, unversioned.
  static constexpr std::int64_t kRowFormat = 2;
  // The first byte of a binary chunk row (chunks were JSON of kRowFormat 2 before).
  static constexpr std::uint8_t kChunkRowFormat = 3;
  static constexpr std::uint64_t kChunkVersions = 128;  // stream versions per task chunk row

  // Units and indicators are kept once each (Name, FindName), and referred to by
  // their index there (a NameId): reports number in the hundreds of thousands,
  // names in the dozens.
  using NameId = std::uint32_t;
  static constexpr NameId kNoName = UINT32_MAX;

  // One indicator value of a report.
  struct ReportValue {
    NameId indicator = kNoName;
    // Given as the county-wide figure (全县数, IndicatorScope::kCounty);
    // otherwise the unit's own.
    bool county_wide = false;
    double value = 0;
  };
  struct Report {
    StreamVersion version;
    GlobalPosition position;
    Timestamp recorded_at;
    // Its review (the first it received): where, and what it decided
    // (review_decision below); position 0 while it awaits one. Inline rather
    // than an optional struct, and the members ordered so, that a report
    // takes 56 bytes.
    GlobalPosition review_position = GlobalPosition(0);
    NameId unit = kNoName;  // the reporting unit (the actor's)
    // For a township (乡镇/街道), the plan's group unit it acts for
    // (Actor::group), whose report it is too; kNoName otherwise.
    NameId group = kNoName;
    std::chrono::year_month period;
    // Its values: TaskStream::values[values_begin, values_begin + values_count),
    // one per indicator (the last given, if named twice), in name order.
    std::uint32_t values_begin = 0;
    std::uint32_t values_count = 0;
    ReviewDecision review_decision = ReviewDecision::kApproved;

    bool reviewed() const { return review_position.value != 0; }
  };
  struct Answer {
    GlobalPosition position;
    Timestamp recorded_at;
  };
  struct Notice {
    StreamVersion version;  // of NoticeIssued
    std::string id;
    std::chrono::year_month_day due;
    GlobalPosition position;  // of NoticeIssued
    Timestamp issued_at;
    std::optional<Answer> answer;  // the first NoticeAnswered
    // Where a NoticeClosed closed it with no answer (未整改销号); it counts
    // against the unit from there, whatever its due date.
    std::optional<GlobalPosition> closed_unanswered;
  };
  // A TaskCompleted (completed) or TaskReopened (not).
  struct Completion {
    StreamVersion version;
    GlobalPosition position;
    Timestamp recorded_at;
    bool completed = false;
  };
  struct TaskStream {
    StreamVersion version;  // of the last event folded
    // Each in stream version order.
    std::vector<Report> reports;
    std::vector<Notice> notices;
    std::vector<Completion> completions;
    // The reports' indicator values, each report's side by side (Report::values_begin).
    std::vector<ReportValue> values;
    // Notice id -> versions of its notices not answered yet (the first is
    // answered next). Derived from `notices`; not stored.
    std::map<std::string, std::set<StreamVersion>> unanswered;

    // The report's value of `indicator`, or nullptr when it gave none.
    const ReportValue* ValueOf(const Report& report, NameId indicator) const;
  };

  struct Adjustment {
    GlobalPosition position;
    std::string unit;
    double points = 0;
  };
  // The year's result as of the freeze, computed by the view when it folds
  // YearFrozen (projections/assessment_view.h) and kept with the stream.
  struct Freeze {
    GlobalPosition position;
    Timestamp recorded_at;
    // Empty until the view scores it (always scored before its row is written).
    std::optional<AssessmentResult> result;
    // As the YearFrozen recorded them: the rules the year is frozen with (the
    // version and the rules' JSON text; both empty for a freeze recorded
    // before rules were), and whether it was an early freeze, and why.
    std::string rules_version;
    std::string rules;
    bool early = false;
    std::string reason;
  };
  struct YearStream {
    StreamVersion version;
    std::vector<Adjustment> adjustments;
    std::optional<Freeze> freeze;
  };

  // 领导批示 on a task: listed in the assessment's per-unit evidence, never scored.
  struct Instruction {
    StreamVersion version;
    GlobalPosition position;
    Timestamp given_at;
    std::string principal;
    std::string leader_name;
    std::string notice_id;
    std::string text;
  };

  std::map<std::string, TaskStream> tasks;  // by stream name
  // By task stream, oldest first; row "~instructions/task-07", written only
  // for a stream that has any (a handful per task, so one row each).
  std::map<std::string, std::vector<Instruction>> instructions;
  std::map<int, YearStream> years;          // by the assessment stream's year
  // The recorded time of the store's first event (global position 1): when
  // the store was created, the default start of supervision. Row "~store".
  std::optional<Timestamp> store_created_at;

  // Folds one event of a kept stream and returns true: its head row changed
  // (the stream's version moves even for an event the rules do not read). False
  // for any other stream, or an event folded before (its version is not
  // beyond the stream's). O(log n) in the stream's facts.
  bool Fold(const RecordedEvent& envelope, const EventData& event);

  const TaskStream* FindTask(const std::string& stream) const;
  // The name of `id` (empty for kNoName).
  std::string_view Name(NameId id) const;
  // The id of `name`, or kNoName when no fact names it.
  NameId FindName(std::string_view name) const;
  const YearStream* FindYear(int year) const;
  // The frozen year's freeze, to store its result; nullptr when not frozen.
  Freeze* MutableFreeze(int year);
  // Marks the year's row changed (after its freeze's result moved).
  void MarkYearChanged(int year);
  // The id of `name`, added to `names` if new (for folding and loading).
  NameId Intern(std::string_view name);

  // The rows changed since the last call, as (key, canonical JSON).
  std::vector<std::pair<std::string, std::string>> TakeChangedRows();
  // Restores a row written by TakeChangedRows, in any order of rows.
  // kInvalidArgument naming the key or field when it cannot be read.
  Status LoadRow(std::string_view key, std::string_view value);

 private:
  // A task stream's chunk row: the stream and the chunk's first version.
  using ChunkKey = std::pair<std::string, std::uint64_t>;

  std::set<std::string> changed_heads_;  // stream names (task heads and years)
  bool store_changed_ = false;
  std::set<ChunkKey> changed_chunks_;
  std::set<std::string> changed_instructions_;  // task streams whose 批示 row changed
  // Reads a binary chunk row (the .cc says its layout) into `task`, merged
  // with the chunks read before.
  Status ReadChunkRow(std::string_view row, std::uint64_t first, TaskStream& task);

  // Unit and indicator names, by NameId (Report::unit, ReportValue::indicator).
  std::vector<std::string> names_;
  std::map<std::string, NameId, std::less<>> name_ids_;  // names_ inverted
};

}  // namespace kuimen
