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
// Rows (canonical JSON with sorted keys, each with "format": kRowFormat):
// - "task-07": the stream's head, {"format","version"}.
// - "task-07/0000000129": the task's reports, notices and completions whose
//   stream versions fall in 129..256 (kChunkVersions per row, keyed by the
//   zero-padded first version), each with any review or answer it received
//   later. A batch rewrites only the chunks it touched, so a row's size stays
//   bounded however long the stream grows.
// - "assessment-2024": the year's version, adjustments and freeze (the task
//   force adjusts by hand, a handful of times a year: one row suffices).
struct AssessmentFacts {
  static constexpr std::int64_t kRowFormat = 2;          // 1: one row per task stream, unversioned
  static constexpr std::uint64_t kChunkVersions = 128;  // stream versions per task chunk row

  struct Review {
    ReviewDecision decision = ReviewDecision::kApproved;
    GlobalPosition position;
  };
  struct Report {
    StreamVersion version;
    GlobalPosition position;
    Timestamp recorded_at;
    std::string unit;  // the reporting unit (the actor's)
    // For a township (乡镇/街道), the plan's group unit it acts for
    // (Actor::group), whose report it is too; empty otherwise.
    std::string group;
    std::chrono::year_month period;
    std::map<std::string, double> values;  // indicator -> value (the last given, if named twice)
    std::optional<Review> review;
    // The indicators of `values` given as the county-wide figure (全县数,
    // IndicatorScope::kCounty); every other value is the unit's own.
    std::set<std::string> county_wide = {};  // "= {}": brace-initialised Reports stay free of missing-initializer warnings
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
    // Notice id -> versions of its notices not answered yet (the first is
    // answered next). Derived from `notices`; not stored.
    std::map<std::string, std::set<StreamVersion>> unanswered;
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
  const YearStream* FindYear(int year) const;
  // The frozen year's freeze, to store its result; nullptr when not frozen.
  Freeze* MutableFreeze(int year);
  // Marks the year's row changed (after its freeze's result moved).
  void MarkYearChanged(int year);

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
};

}  // namespace kuimen
