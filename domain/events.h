#pragma once

#include <chrono>
#include <string>
#include <variant>
#include <vector>

#include "domain/ids.h"

// The closed set of events a supervised item's stream can hold. Each is a plain
// value; wire names and schema versions live only in eventstore/event_codec.h.
// Adding a type here makes every std::visit that misses it fail to compile.
namespace kuimen {

// A quantity reported against one of the item's targets (指标).
struct IndicatorValue {
  std::string indicator;  // must name one of the item's targets
  double value = 0;
  std::string unit;       // must equal that target's unit
  bool operator==(const IndicatorValue&) const = default;
};

// A link to supporting material (佐证材料).
struct Evidence {
  std::string title;
  std::string uri;
  bool operator==(const Evidence&) const = default;
};

// 进度报送: a unit reports progress for a month.
struct ProgressReported {
  std::chrono::year_month period;
  std::string summary;  // 1..4000 characters
  double percent = 0;   // 0..100, the unit's own estimate of completion
  std::vector<IndicatorValue> indicators;
  std::vector<Evidence> evidence;
  bool operator==(const ProgressReported&) const = default;
};

// 时限: the task force sets a milestone's due date.
struct DeadlineSet {
  std::string milestone;
  std::chrono::year_month_day due;
  bool operator==(const DeadlineSet&) const = default;
};

enum class ReviewDecision { kApproved, kReturned };

// 审核: the task force approves or returns a report.
struct ReportReviewed {
  StreamVersion report_version;  // version of the ProgressReported event in this stream
  ReviewDecision decision = ReviewDecision::kApproved;
  std::string comment;
  bool operator==(const ReportReviewed&) const = default;
};

// 督办: the task force issues a supervision notice.
struct NoticeIssued {
  std::string notice_id;
  std::string reason;
  std::chrono::year_month_day due;
  bool operator==(const NoticeIssued&) const = default;
};

// 整改: the responsible unit answers a notice.
struct NoticeAnswered {
  std::string notice_id;
  std::string summary;
  bool operator==(const NoticeAnswered&) const = default;
};

// The task force closes a notice (销号).
struct NoticeClosed {
  std::string notice_id;
  std::string comment;
  bool operator==(const NoticeClosed&) const = default;
};

// The task force declares the task done.
struct TaskCompleted {
  std::string summary;
  bool operator==(const TaskCompleted&) const = default;
};

// The task force reopens a completed task.
struct TaskReopened {
  std::string reason;
  bool operator==(const TaskReopened&) const = default;
};

using EventData = std::variant<ProgressReported, DeadlineSet, ReportReviewed, NoticeIssued,
                               NoticeAnswered, NoticeClosed, TaskCompleted, TaskReopened>;

}  // namespace kuimen
