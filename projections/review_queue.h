#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
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

// What folding one event changed in a ledger.
struct ReviewLedgerChange {
  std::vector<StreamVersion> changed;     // entries added or altered (their rows need writing)
  std::vector<StreamVersion> superseded;  // of those, the reports this event superseded
};

// One stream's reports, by version. Grows with the stream's reports (the
// queue's history), not with its other events. Each entry has a row of its
// own (EntryToRow), so folding an event rewrites the entries it changed and
// nothing else, however long the history.
class ReviewLedger {
 public:
  // Folds a stream event (others are ignored). A ProgressReported adds its
  // entry and supersedes every unreviewed, not yet superseded report of its
  // actor's unit for its period; a ReportReviewed decides its report.
  ReviewLedgerChange Apply(const RecordedEvent& envelope, const EventData& event);

  const std::map<StreamVersion, ReviewEntry>& entries() const { return entries_; }
  // The entry of `version`; nullptr if the ledger has none.
  const ReviewEntry* Find(StreamVersion version) const;

  // Restores an entry read back from its row (replacing one of its version).
  void Load(ReviewEntry entry);

  // How many reports the stream holds per period (报送次数, whatever their
  // review): kept as entries are folded or loaded, so a board need not walk
  // every report to chart them.
  const std::map<std::chrono::year_month, std::int64_t>& ReportsByPeriod() const { return reports_by_period_; }

  // One entry's row form (deterministic bytes) and back; kInvalidArgument
  // naming the field of a row it cannot read.
  static std::string EntryToRow(const ReviewEntry& entry);
  static Result<ReviewEntry> EntryFromRow(std::string_view row);

 private:
  std::map<StreamVersion, ReviewEntry> entries_;
  // The reports that may still be pending, by reporting unit and period, so
  // that a report finds what it supersedes without reading the whole history.
  // Holds at most the last report of each (unit, period) folded or loaded,
  // plus, after loading, any other pending one.
  std::map<std::pair<std::string, std::chrono::year_month>, std::vector<StreamVersion>> open_;
  std::map<std::chrono::year_month, std::int64_t> reports_by_period_;
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

// A report considered for a page: where it is kept, not a copy of it. Both
// pointers must outlive the call to PageReviewQueue.
struct ReviewQueueCandidate {
  const std::string* stream = nullptr;
  const ReviewEntry* entry = nullptr;
};

// Filters, orders and pages the candidates (each stream's entries, in any
// order), copying only the entries of the page. Ties in either order fall
// back to the log position, then stream and version, so pages are stable.
ReviewQueuePage PageReviewQueue(std::vector<ReviewQueueCandidate> candidates, const ReviewQueueQuery& query,
                                const ReviewDeadlines& deadlines);

// The queue item of one entry, with its deadline judged.
ReviewQueueItem MakeReviewQueueItem(std::string stream, ReviewEntry entry, const ReviewDeadlines& deadlines);

}  // namespace kuimen
