#pragma once

#include <chrono>
#include <cstddef>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "domain/clock.h"
#include "domain/events.h"
#include "domain/status.h"
#include "eventstore/recorded_event.h"

// The review queue (审核督办): every progress report of a task or major item
// with where it stands in review, kept by the supervision view
// (projections/supervision_view.h) and queried with filters and paging.
namespace kuimen {

// Where a report stands. Superseded (已被替代): a later report by the same unit
// for the same task and period arrived while this one was unreviewed; the
// write model then refuses to review it (rule report_superseded), so it leaves
// the queue. The same rule as domain/task_aggregate.h, folded the same way.
enum class ReviewState { kPending, kApproved, kReturned, kSuperseded };

std::string_view ReviewStateName(ReviewState state);   // "pending", "approved", "returned", "superseded"
std::string_view ReviewStateLabel(ReviewState state);  // "待审核", "已通过", "已退回", "已被替代"
// Either form above; empty for anything else.
std::optional<ReviewState> ParseReviewState(std::string_view text);

// One progress report as the queue shows it.
struct ReviewEntry {
  StreamVersion version;
  std::chrono::year_month period{};
  std::string unit;       // the reporting actor's unit (a township's own name, not its group)
  std::string principal;
  Timestamp recorded_at;
  GlobalPosition position;  // in the log: orders reports recorded at the same moment
  double percent = 0;
  std::string summary;
  std::vector<IndicatorValue> indicators;
  std::optional<ReviewDecision> decision;  // once reviewed
  std::optional<Timestamp> reviewed_at;
  std::string comment;                     // the review's comment
  std::optional<StreamVersion> superseded_by;

  // A decision wins over supersession: a review stored before the rule
  // existed still shows what was decided.
  ReviewState state() const;
};

// One stream's reports, by version. Grows with the stream's reports (the
// queue's history), not with its other events.
class ReviewLedger {
 public:
  // Folds a stream event (others are ignored). Returns the versions this
  // event superseded: a ProgressReported supersedes every unreviewed, not yet
  // superseded report of its actor's unit for its period.
  std::vector<StreamVersion> Apply(const RecordedEvent& envelope, const EventData& event);

  const std::map<StreamVersion, ReviewEntry>& entries() const { return entries_; }

  // The row form (deterministic bytes) and back; kInvalidArgument naming the
  // field of a row it cannot read.
  std::string ToRow() const;
  static Result<ReviewLedger> FromRow(std::string_view row);

 private:
  std::map<StreamVersion, ReviewEntry> entries_;
};

enum class ReviewOrder {
  kNewest,  // latest recorded first (default); ties by log position
  kDue,     // earliest due date (the period's report deadline) first, then earliest recorded
};

// Filters (all optional; absent = any) and a page.
struct ReviewQueueQuery {
  std::optional<std::string> unit;                 // the reporting unit, exactly
  std::optional<std::string> stream;               // "task-07", "major-3"
  std::optional<std::chrono::year_month> period;
  std::optional<ReviewState> state = ReviewState::kPending;  // empty: every state
  ReviewOrder order = ReviewOrder::kNewest;
  std::size_t offset = 0;
  std::size_t limit = 50;
};

struct ReviewQueueItem {
  std::string stream;
  ReviewEntry entry;
  std::chrono::year_month_day due{};  // the period's report deadline
  bool late = false;                  // 补报: recorded after `due`
};

struct ReviewQueuePage {
  std::size_t total = 0;  // matching the filters, before paging
  std::vector<ReviewQueueItem> items;
};

// How the queue judges a report's deadline: the rules file's due_day and the
// county's time zone (SupervisionOptions carries both).
struct ReviewDeadlines {
  unsigned due_day = 10;
  int utc_offset_minutes = 480;
};

// Filters, orders and pages `items` (each stream's entries, in any order).
// Ties in either order fall back to the log position, then stream and
// version, so pages are stable.
ReviewQueuePage PageReviewQueue(std::vector<ReviewQueueItem> items, const ReviewQueueQuery& query);

// The queue item of one entry, with its deadline judged.
ReviewQueueItem MakeReviewQueueItem(std::string stream, ReviewEntry entry, const ReviewDeadlines& deadlines);

}  // namespace kuimen
