#pragma once

#include <chrono>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "domain/catalog.h"
#include "domain/clock.h"
#include "domain/events.h"
#include "domain/task_aggregate.h"
#include "domain/status.h"
#include "projections/review_queue.h"
#include "projections/supervision_board.h"
#include "projections/view.h"

namespace kuimen {

// Thresholds of the warning levels, in calendar days of the local time zone.
// Validated once by SupervisionView::Create.
struct SupervisionOptions {
  // 蓝: a deadline this many days away or fewer (not yet passed) and no report
  // sent this calendar month. Default 15: due in 15 days warns, in 16 does not.
  int blue_deadline_days = 15;
  // 黄: more than this many days since the last report. Default 30: 30 days
  // silent is fine, 31 warns. An item never reported warns instead once the
  // supervision start's report is overdue (see report_due_day).
  int yellow_silence_days = 30;
  // 黄: the latest report was returned more than this many days ago and no new
  // report has been sent. Default 10: 10 days is fine, 11 warns.
  int yellow_return_days = 10;
  // Offset from UTC of the zone in which "today" and "this month" are reckoned.
  // Default 480: China Standard Time (UTC+8), the plan's own.
  int utc_offset_minutes = 480;
  // The day of the following month by which a month's report is due (1..28):
  // the rules file's 报送及时 due_day (gateway/views.cc copies it). Default 10.
  // A report recorded after it is 补报 (late); a task never reported warns
  // once its first due date (of the supervision start's month) has passed.
  int report_due_day = 10;
  // When the store was created (its first event's recorded time), for stores
  // whose view rows predate the view learning it from the event at position 1.
  // Empty: learnt from that event only.
  std::optional<Timestamp> store_created_at;
};

// kInvalidArgument naming the option (subject() is its name) when out of range.
Status ValidateSupervisionOptions(const SupervisionOptions& options);

// The supervision dashboard (督办看板): per task and major item its status,
// last report, indicators against targets, deadlines, open 督办 notices and a
// warning level; per unit its items and how they fare; the county-wide targets
// fed from the tasks their catalog `source` names; counts.
//
// Apply folds events into per-stream state (one row per stream, keyed by the
// stream name) and never looks at a clock; everything that depends on time is
// judged by Board against the `now` passed in, so rendering a replay at a past
// moment shows the warnings of that moment. Board does not hide events
// recorded after `now`: pass a `now` no earlier than the last event applied.
// Streams that are neither a task nor a major item of the catalog are ignored.
// Not thread-safe (see View).
class SupervisionView final : public View {
 public:
  // What one stream's row holds. Public so the row form is documented here.
  //
  // Bounded: the state keeps what rendering needs, not the stream's history,
  // so its size (and the cost of Apply and of writing the row) does not grow
  // with the number of events. Reports still awaiting review are kept until
  // their review arrives (a report is reviewed once; the write model refuses a
  // second review), each in a row of its own (see Rows below), not in the
  // stream's row; so is each milestone (its history grows with the task
  // force's changes to it, a handful, not with reports), since the number of
  // milestones an item has is the task force's to decide.
  struct LastReport {  // the stream's latest report, whatever its review
    StreamVersion version;
    std::chrono::year_month period;
    double percent = 0;
    Timestamp recorded_at;
    std::string principal;
    std::string unit;
    std::optional<ReviewDecision> decision;  // empty until reviewed
    std::optional<Timestamp> reviewed_at;
  };
  struct PendingReport {  // a report not yet reviewed: its figures count until it is returned
    StreamVersion version;
    std::string reporter;  // the reporting unit; "" only in rows written before it was kept
    std::chrono::year_month period;
    Timestamp recorded_at;
    std::vector<IndicatorValue> indicators;
    std::optional<double> percent;  // empty only in rows written before it was kept
    std::vector<std::string> milestones_met = {};  // met if (when) this report is approved
  };
  // Approved figures are kept per indicator, unit and the report's period
  // (valid time): the latest figure is the latest period's, ties broken by
  // stream version (projections/report_period.h), and a county target reads
  // the latest figure of its year. Bounded by the months reported, not by
  // the number of reports.
  // Kept per reporting unit too, so one unit's figure never overwrites
  // another's; projections/county_figure.h forms the county figure from them.
  struct FigureKey {
    std::string indicator;
    std::string unit;
    std::string reporter;  // the reporting unit; "" only in rows written before it was kept
    std::chrono::year_month period;
    auto operator<=>(const FigureKey&) const = default;
  };
  struct Figure {  // the value from the approved report of the highest version for its period
    StreamVersion version;
    std::chrono::year_month period;
    Timestamp recorded_at;
    double value = 0;
    IndicatorScope scope = IndicatorScope::kOwn;
  };
  struct Notice {
    std::string id;
    std::string reason;
    std::chrono::year_month_day due;
    std::optional<Timestamp> answered_at;  // the first answer
    std::optional<Timestamp> issued_at;    // empty only in rows written before it was kept
    std::optional<Timestamp> signed_at;    // 签收
    std::string signed_by;                 // the signing principal's unit
    std::string answer;                    // the latest answer's 整改情况, shown beside 销号
    std::string number;                    // 文号, "" for a notice issued before numbering
  };
  // One change of a milestone (时限): its history, shown on the item page.
  // Bounded by the task force's decisions on the item, not by its reports.
  using MilestoneChangeKind = kuimen::MilestoneChangeKind;  // projections/supervision_board.h
  struct MilestoneChange {
    MilestoneChangeKind kind = MilestoneChangeKind::kSet;
    StreamVersion version;  // of the event that made the change
    Timestamp at;           // its recorded time
    std::string principal;  // who (for a report's milestone: the reviewer who approved it)
    std::string unit;       // the actor's unit; "" for the task force
    std::optional<std::chrono::year_month_day> due;   // kSet, kMoved: the due date set
    std::optional<std::chrono::year_month_day> from;  // kMoved: the due date before
    std::string text;       // kMoved, kCancelled: the reason; kMet: the task force's note
    std::optional<StreamVersion> report_version;      // kMet by an approved report
  };
  struct Milestone {
    std::chrono::year_month_day due;  // the current due date
    // Met: the moment it was met (the approved report's recorded time, or the
    // task force's MilestoneMet), and by which report (empty: by the task force).
    std::optional<Timestamp> met_at;
    std::optional<StreamVersion> met_by_report;
    std::optional<Timestamp> cancelled_at;
    std::vector<MilestoneChange> history;  // every change, oldest first
  };
  // 批示: a county leader's instruction on the item or on one of its notices.
  // Kept whole: leaders write a handful per item, not one per report.
  struct Instruction {
    StreamVersion version;    // of the InstructionGiven event
    Timestamp given_at;       // its recorded time
    std::string principal;    // the leader's principal id
    std::string leader_name;  // as stamped in the event ("" if none was)
    std::string notice_id;    // "" for a 批示 on the item itself
    std::string text;
    std::vector<Attachment> attachments;  // files it cites (佐证材料)
  };
  struct StreamState {
    StreamVersion version;  // of the last event folded
    bool started = false;   // reported at least once, or reopened
    std::optional<Timestamp> completed_at;  // set while completed
    std::optional<LastReport> last_report;
    std::map<StreamVersion, PendingReport> pending_reports;  // by version; dropped once reviewed (own rows)
    std::map<FigureKey, Figure> approved_figures;
    // The approved reports' overall percent (总体进度), per period, as figures.
    // Per period and reporting unit ("" in rows written before it was kept):
    // the item's 总体进度 is its lead units' estimate where they gave one.
    std::map<std::pair<std::chrono::year_month, std::string>, Figure> approved_percents;
    // By milestone name: setting a milestone's deadline again moves it.
    // Each in a row of its own (~milestones/), not in the stream's row.
    std::map<std::string, Milestone> milestones;
    std::map<std::string, Notice> open_notices;  // by id; a closed notice is dropped
    std::vector<Instruction> instructions;       // 批示, oldest first; the row has them only when any
  };

  // The catalog must pass ValidateCatalog and carry a document date written
  // YYYY-MM-DD; otherwise kInvalidArgument, as for options out of range.
  static Result<std::unique_ptr<SupervisionView>> Create(Catalog catalog, SupervisionOptions options = {});

  // Rows (keys; versions written as 20 digits, so keys sort by version):
  //   <stream>                      the stream's bounded state (StreamState
  //                                 without its pending reports and milestones)
  //   ~pending/<stream>/<version>   one report awaiting review; deleted (empty
  //                                 value) once reviewed or superseded
  //   ~reviews/<stream>/<version>   one report of the review queue
  //   ~milestones/<stream>/<name>   one milestone (时限): due, met, cancelled,
  //                                 history; the name as written, after the
  //                                 first '/' (stream names hold none); never
  //                                 deleted (a milestone is only cancelled)
  //   ~store                        when the store was created
  // Folding one event rewrites its stream's row and the rows of the reports
  // and milestones it touches (a report, a review, the reports a report
  // supersedes, the milestones it sets, moves, meets or cancels), so the bytes
  // written per event do not grow with the stream's history. LoadRow takes
  // the rows in any order.
  std::string_view Name() const override { return "supervision"; }
  // 2: figures and percents kept per reporting unit (单位分解), milestones with
  // their history, the ~reviews/ rows of the review queue.
  // 3: a row per pending report and per review-queue entry (above).
  // 4: a row per milestone (above).
  // 5: ~reviews/ rows in binary (ReviewLedger::EntryToRow) instead of JSON.
  std::uint32_t RowFormat() const override { return 5; }
  void Apply(const RecordedEvent& envelope, const EventData& event) override;
  std::vector<std::pair<std::string, std::string>> TakeChangedRows() override;
  Status LoadRow(std::string_view key, std::string_view value) override;

  // The whole dashboard as of `now` (projections/supervision_board.h): the
  // tasks and major items, the units, the county targets, the counts. The
  // gateway renders it as JSON (gateway/supervision_json.h).
  SupervisionBoard Board(Timestamp now) const;
  // One task or major item as it appears in Board, with its 单位分解
  // (unit_breakdown); kNotFound for a stream the catalog does not define.
  // With `period`, its figures (indicators and progress) are those of the
  // latest period up to `period` — with a replay to T, "what was known at T
  // about period P" — and `period` names it.
  Result<ItemBoard> Item(const StreamId& stream, Timestamp now,
                         std::optional<std::chrono::year_month> period = std::nullopt) const;

  // One item's standing as Board judges it at `now`, typed, for documents
  // built from the view (projections/monthly_bulletin.h): its status, warning
  // level and reasons (most severe first), and its open notices.
  struct OpenNotice {
    Notice notice;
    bool overdue = false;       // past its due date, not answered by then
    bool sign_overdue = false;  // 逾期未签收
  };
  struct Standing {
    StreamId stream;
    TaskStatus status = TaskStatus::kNotStarted;
    WarningLevel level = WarningLevel::kNone;
    std::vector<std::string> reasons;
    std::vector<OpenNotice> open_notices;
  };
  // Every task, then every major item, in catalog order.
  std::vector<Standing> Standings(Timestamp now) const;

  // The review queue (审核督办): every report of the supervised items with its
  // review state, filtered, ordered and paged (projections/review_queue.h).
  // Reports kept in rows written before the queue was (pending ones only) show
  // as 待审核 with the unit of the stream's last report where it is theirs.
  ReviewQueuePage ReviewQueue(const ReviewQueueQuery& query) const;

  // The first month whose report is due: the catalog's supervision_start, else
  // the month (local time) of the store's first event; empty while unknown.
  std::optional<std::chrono::year_month> SupervisionStart() const;

  // The folded state per stream (only streams with events), one stream's state
  // (an empty state for a stream without events), the options and the catalog
  // the view judges with: what projections/todo_list.h and statistics.h read.
  const std::map<std::string, StreamState>& Streams() const { return streams_; }
  const StreamState& StateOf(const StreamId& stream) const;
  const SupervisionOptions& Options() const { return options_; }
  const Catalog& PlanCatalog() const { return catalog_; }

 private:
  SupervisionView(Catalog catalog, SupervisionOptions options, std::chrono::sys_days plan_date);

  Catalog catalog_;
  SupervisionOptions options_;
  std::chrono::sys_days plan_date_;     // the document date
  std::set<std::string> supervised_;    // the catalog's stream names
  std::map<std::string, StreamState> streams_;  // by stream name; only streams with events
  std::set<std::string> changed_;       // stream rows touched since TakeChangedRows
  // Pending-report rows touched since TakeChangedRows, by (stream, version),
  // each with whether its row was stored before: a report added and reviewed
  // between two calls writes nothing, one stored earlier is deleted.
  std::map<std::pair<std::string, StreamVersion>, bool> pending_changed_;
  // The recorded time of the store's first event (global position 1), kept in
  // the row kStoreRow; the default start of supervision.
  std::optional<Timestamp> store_created_at_;
  bool store_changed_ = false;
  // Each stream's reports for the review queue, one row per report
  // (~reviews/<stream>/<version>); the entries changed since TakeChangedRows.
  std::map<std::string, ReviewLedger> reviews_;
  std::set<std::pair<std::string, StreamVersion>> reviews_changed_;
  // Milestone rows touched since TakeChangedRows, by (stream, name).
  std::set<std::pair<std::string, std::string>> milestones_changed_;
};

}  // namespace kuimen
