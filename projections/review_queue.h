#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <functional>
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
//
// Kept compact, as every report of the store stays in memory (500k reports in
// the 1M-event benchmark): per report a fixed-size Head with what the status
// rule, the board and the queue's filters and order read, and the rest
// (summary, indicators, comment) packed in chunks of bytes; unit, principal,
// indicator names and units are stored once per ledger (a stream has a
// handful of each) and referred to by number. A whole ReviewEntry is made
// only for what is shown (Entry).
class ReviewLedger {
 public:
  // A name stored once in the ledger (Name turns it back into text).
  using NameId = std::uint32_t;
  // Where a report's packed fields start (inside the ledger).
  struct PackedRef {
    std::uint32_t chunk = 0;
    std::uint32_t offset = 0;
  };
  // One report's fields the walks read, without allocation.
  struct Head {
    StreamVersion version;
    GlobalPosition position;
    Timestamp recorded_at;
    std::optional<Timestamp> reviewed_at;
    StreamVersion superseded_by;  // 0: not superseded (versions start at 1)
    double percent = 0;
    std::chrono::year_month period{};
    NameId unit = 0;
    NameId principal = 0;
    PackedRef details;  // summary and indicators
    PackedRef comment;  // the review's comment; kNoComment when empty
    std::optional<ReviewDecision> decision;

    static constexpr PackedRef kNoComment{~std::uint32_t{0}, 0};
    bool superseded() const { return superseded_by.value != 0; }
    bool has_comment() const { return comment.chunk != kNoComment.chunk; }
    // As ReviewEntry::state.
    ReviewState state() const;
  };

  // Folds a stream event (others are ignored). A ProgressReported adds its
  // entry and supersedes every unreviewed, not yet superseded report of its
  // actor's unit for its period; a ReportReviewed decides its report.
  ReviewLedgerChange Apply(const RecordedEvent& envelope, const EventData& event);

  // Every report, by version ascending.
  const std::deque<Head>& heads() const { return heads_; }
  bool empty() const { return heads_.empty(); }
  // The head of `version`; nullptr if the ledger has none.
  const Head* Find(StreamVersion version) const;
  // The text of a name a Head refers to.
  const std::string& Name(NameId id) const { return names_[id]; }
  // The id of a name, if any report of the ledger uses it.
  std::optional<NameId> IdOf(std::string_view name) const;
  // The whole entry of a head of this ledger.
  ReviewEntry Entry(const Head& head) const;
  // The report's value of an indicator (by the ids of its name and unit),
  // read from its packed fields; empty when the report does not carry it.
  std::optional<IndicatorValue> IndicatorOf(const Head& head, NameId indicator, NameId unit) const;

  // Restores an entry read back from its row (replacing one of its version).
  void Load(const ReviewEntry& entry);

  // How many reports the stream holds per period (报送次数, whatever their
  // review): kept as entries are folded or loaded, so a board need not walk
  // every report to chart them.
  const std::map<std::chrono::year_month, std::int64_t>& ReportsByPeriod() const { return reports_by_period_; }

  // One entry's row form (deterministic bytes) and back; kInvalidArgument
  // naming the field of a row it cannot read.
  static std::string EntryToRow(const ReviewEntry& entry);
  static Result<ReviewEntry> EntryFromRow(std::string_view row);

 private:
  NameId Intern(std::string_view name);
  PackedRef Pack(std::string_view bytes);
  std::string_view Packed(PackedRef ref) const;
  // A head for `entry` with its fields packed (the ledger's names interned).
  Head MakeHead(const ReviewEntry& entry);
  Head* FindMutable(StreamVersion version);

  // By version ascending: reports arrive in version order (View's contract,
  // rows load in key order), so a head is appended, and a deque grows without
  // copying what it holds or keeping spare room of its size.
  std::deque<Head> heads_;
  std::vector<std::string> names_;
  std::map<std::string, NameId, std::less<>> name_ids_;
  // Packed fields, in chunks of kChunkBytes (or one field's size if larger),
  // appended to and never rewritten: a report's summary and indicators are
  // packed when it arrives, its comment when it is reviewed.
  std::vector<std::string> chunks_;
  // The reports that may still be pending, by reporting unit and period, so
  // that a report finds what it supersedes without reading the whole history.
  // Holds at most the last report of each (unit, period) folded or loaded,
  // plus, after loading, any other pending one.
  std::map<std::pair<NameId, std::chrono::year_month>, std::vector<StreamVersion>> open_;
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

// A report considered for a page: the fields its filters and order read, and
// where the whole entry is kept (a ledger's head, or an entry made for a row
// written before the ledger was kept), copied only for the page. The
// pointers must outlive the call to PageReviewQueue.
struct ReviewQueueCandidate {
  const std::string* stream = nullptr;
  StreamVersion version;
  GlobalPosition position;
  Timestamp recorded_at;
  std::chrono::year_month period{};
  const ReviewLedger* ledger = nullptr;       // with head
  const ReviewLedger::Head* head = nullptr;
  const ReviewEntry* entry = nullptr;         // without a ledger
};

// Whether a report matches the query's filters (all but the stream's, which
// the caller applies to whole ledgers).
bool MatchesReviewQuery(const ReviewQueueQuery& query, std::string_view unit, std::chrono::year_month period,
                        ReviewState state);

// Orders and pages the candidates (each stream's matching entries, in any
// order), copying only the entries of the page. Ties in either order fall
// back to the log position, then stream and version, so pages are stable.
ReviewQueuePage PageReviewQueue(std::vector<ReviewQueueCandidate> candidates, const ReviewQueueQuery& query,
                                const ReviewDeadlines& deadlines);

// The queue item of one entry, with its deadline judged.
ReviewQueueItem MakeReviewQueueItem(std::string stream, ReviewEntry entry, const ReviewDeadlines& deadlines);

}  // namespace kuimen
