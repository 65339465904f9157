#pragma once

#include <chrono>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "domain/clock.h"
#include "domain/events.h"
#include "domain/ids.h"
#include "domain/status.h"
#include "eventstore/recorded_event.h"

namespace kuimen {

// What the assessment view keeps of the log: per stream, every fact the
// assessment rules read, each with the position of the event that
// established it, so a year can be scored as of any position (the 年终定格
// scores the events before the freeze). Folded one event at a time, clock-free;
// one row per stream, keyed by the stream name, canonical JSON with sorted keys.
// Task streams (task-07) and assessment streams (assessment-2024) are kept;
// everything else is ignored.
struct AssessmentFacts {
  struct Review {
    ReviewDecision decision = ReviewDecision::kApproved;
    GlobalPosition position;
  };
  struct Report {
    StreamVersion version;
    GlobalPosition position;
    Timestamp recorded_at;
    std::string unit;  // the reporting unit (the actor's)
    std::chrono::year_month period;
    std::map<std::string, double> values;  // indicator -> value (the last given, if named twice)
    std::optional<Review> review;
  };
  struct Answer {
    GlobalPosition position;
    Timestamp recorded_at;
  };
  struct Notice {
    std::string id;
    std::chrono::year_month_day due;
    GlobalPosition position;  // of NoticeIssued
    Timestamp issued_at;
    std::optional<Answer> answer;  // the first NoticeAnswered
  };
  // A TaskCompleted (completed) or TaskReopened (not).
  struct Completion {
    GlobalPosition position;
    Timestamp recorded_at;
    bool completed = false;
  };
  struct TaskStream {
    StreamVersion version;  // of the last event folded
    std::vector<Report> reports;
    std::vector<Notice> notices;
    std::vector<Completion> completions;
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
    nlohmann::json result;
  };
  struct YearStream {
    StreamVersion version;
    std::vector<Adjustment> adjustments;
    std::optional<Freeze> freeze;
  };

  std::map<std::string, TaskStream> tasks;  // by stream name
  std::map<int, YearStream> years;          // by the assessment stream's year

  // Folds one event of a kept stream and returns true: its row changed (the
  // stream's version moves even for an event the rules do not read). False
  // for any other stream, or an event folded before (its version is not
  // beyond the stream's).
  bool Fold(const RecordedEvent& envelope, const EventData& event);

  const TaskStream* FindTask(const std::string& stream) const;
  const YearStream* FindYear(int year) const;

  // The row of a stream folded before (its canonical JSON); empty if none.
  std::string Row(const std::string& stream) const;
  // Restores a row written by Row. kInvalidArgument naming the key or field
  // when it cannot be read.
  Status LoadRow(std::string_view key, std::string_view value);
};

}  // namespace kuimen
