#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "domain/catalog.h"
#include "domain/events.h"
#include "domain/item_status.h"
#include "domain/clock.h"
#include "domain/ids.h"
#include "projections/county_figure.h"

// The supervision view's results as plain values (issue 12, item 1): what
// SupervisionView::Board and Item return, and what the gateway renders as
// JSON (gateway/supervision_json.h), exports and statistics read. Dates are
// std::chrono types, absent things are empty optionals, states are enums with
// their Name (the wire word) and Label (the clerk's word) beside them.
// Everything judged at a moment (late, overdue, warnings, days left) is judged
// at the `now` the board was built for.
namespace kuimen {

// Ordered: the highest applicable level wins.
enum class WarningLevel { kNone, kBlue, kYellow, kRed };

std::string_view WarningLevelName(WarningLevel level);   // "none", "blue", "yellow", "red"
std::string_view WarningLevelLabel(WarningLevel level);  // "无", "蓝", "黄", "红"

// A milestone's state as of the board's today. Only an unmet, uncancelled
// milestone past its due date is overdue (and so red).
enum class MilestoneStatus { kNotDue, kApproaching, kOverdue, kMet, kCancelled, kTaskCompleted };

std::string_view MilestoneStatusName(MilestoneStatus status);   // "not_due", "approaching", "overdue", ...
std::string_view MilestoneStatusLabel(MilestoneStatus status);  // "未到期", "临近", "逾期未完成", ...

// One change of a milestone (时限), as the view keeps it.
enum class MilestoneChangeKind { kSet, kMoved, kMet, kCancelled };

// "set", "moved", "met", "cancelled": also the stored form in the view's rows, so never changed.
std::string_view MilestoneChangeKindName(MilestoneChangeKind kind);
std::string_view MilestoneChangeKindLabel(MilestoneChangeKind kind);  // "设定", "调整", "完成", "取消"

// A figure's review as the 单位分解 shows it.
enum class FigureReview { kApproved, kPending, kReturned };

std::string_view FigureReviewName(FigureReview review);   // "approved", "pending", "returned"
std::string_view FigureReviewLabel(FigureReview review);  // "审核通过", "待审核", "已退回"

// --- one item ---------------------------------------------------------------

// The county figure of a target as read: the latest figure and how it was formed.
struct FigureReading {
  double value = 0;
  std::chrono::year_month period;
  Timestamp reported_at;
  bool late = false;  // 补报: recorded after its period's due day
  CountyBasis basis = CountyBasis::kSumOfUnits;
  std::optional<double> progress_percent;  // value / target * 100, one decimal; empty without a target
};

// What the figure would be once the reports awaiting review are approved (待审核).
struct PendingFigure {
  double value = 0;   // the county figure it would make
  double amount = 0;  // only what awaits review (另有待审核 2 万亩次)
  std::optional<double> progress_percent;
  std::chrono::year_month period;
};

// A target against its county figure.
struct TargetReading {
  std::string indicator;
  std::optional<double> target;  // empty for a qualitative target
  std::string unit;
  std::optional<FigureReading> latest;   // empty while nothing approved counts
  std::optional<PendingFigure> pending;  // empty unless a pending report is a unit's latest
};

// One unit's row of 单位分解.
struct UnitFigureRow {
  std::string unit;
  bool lead = false;
  double value = 0;
  std::chrono::year_month period;
  IndicatorScope scope = IndicatorScope::kOwn;
  FigureReview review = FigureReview::kApproved;
  bool counted = false;  // forms the county figure (a returned one never does)
  std::uint64_t version = 0;  // of the report
  Timestamp reported_at;
  bool late = false;
};

// 单位分解 of one target: the county figure beside each unit's figure, the
// counted ones first, then those awaiting review, then the returned ones.
struct UnitBreakdown {
  TargetReading reading;
  std::vector<UnitFigureRow> units;
};

// The lead units' latest report (not superseded): what 最近报送 shows.
struct LeadReport {
  StreamVersion version;
  Timestamp recorded_at;
  std::string unit;
  std::chrono::year_month period;
  bool late = false;
  std::optional<ReviewDecision> decision;  // empty while awaiting review
};

// The report recorded last, whatever its period and unit (上次报送).
struct LastReportRow {
  StreamVersion version;
  Timestamp recorded_at;
  std::string principal;
  std::string unit;
  std::chrono::year_month period;
  double percent = 0;
  bool late = false;
  std::optional<ReviewDecision> decision;
  std::optional<Timestamp> reviewed_at;
};

// 总体进度 as of its period: the latest period's approved percent.
struct ProgressRow {
  double percent = 0;
  std::chrono::year_month period;
  StreamVersion version;
  Timestamp reported_at;
  bool late = false;
};

// 总体进度 awaiting review (待审核), shown beside the approved one.
struct PendingProgress {
  double percent = 0;
  std::chrono::year_month period;
  StreamVersion version;
};

// One change of a milestone, oldest first.
struct MilestoneChangeRow {
  MilestoneChangeKind kind = MilestoneChangeKind::kSet;
  StreamVersion version;  // of the event that made the change
  Timestamp at;
  std::string principal;
  std::string unit;  // the actor's unit; "" for the task force (工作专班)
  std::optional<std::chrono::year_month_day> due;   // kSet, kMoved
  std::optional<std::chrono::year_month_day> from;  // kMoved
  std::string text;  // kMoved, kCancelled: the reason; kMet: the task force's note
  std::optional<StreamVersion> report_version;  // kMet by an approved report
};

struct MilestoneMetRow {
  Timestamp at;
  std::chrono::year_month_day date;  // the local day it was met
  std::optional<StreamVersion> report_version;  // empty: met by the task force
  bool on_time = false;              // by its (current) due date
};

struct MilestoneAdjustedRow {  // 已调整: the latest move
  std::optional<std::chrono::year_month_day> from;
  std::optional<std::chrono::year_month_day> to;
  std::string reason;
  Timestamp at;
  std::int64_t times = 0;  // how often it was moved
};

struct MilestoneCancelledRow {
  Timestamp at;
  std::string reason;
};

// A milestone (时限) as of today.
struct MilestoneRow {
  std::string milestone;
  std::chrono::year_month_day due;           // the current due date
  std::chrono::year_month_day original_due;  // the first one set
  std::int64_t days_left = 0;                // negative once passed
  MilestoneStatus status = MilestoneStatus::kNotDue;
  std::optional<MilestoneMetRow> met;
  std::optional<MilestoneAdjustedRow> adjusted;
  std::optional<MilestoneCancelledRow> cancelled;
  std::vector<StreamVersion> pending_claims;  // reports awaiting review that say they meet it
  std::vector<MilestoneChangeRow> history;
};

// An open 督办 notice as of today.
struct OpenNoticeRow {
  std::string id;
  std::string number;  // 文号, "" for a notice issued before numbering
  std::string reason;
  std::chrono::year_month_day due;
  std::optional<Timestamp> answered_at;  // the first answer
  std::string answer;                    // the latest answer's 整改情况
  std::optional<Timestamp> issued_at;
  std::optional<Timestamp> signed_at;
  std::string signed_by;
  std::optional<std::chrono::year_month_day> sign_by;  // empty when its issue time is unknown
  bool sign_overdue = false;  // 逾期未签收
  bool overdue = false;       // past its due date, not answered by then
};

// 批示 on an item or on one of its notices.
struct InstructionRow {
  StreamVersion version;
  Timestamp given_at;
  std::string principal;
  std::string leader_name;  // as stamped, else the principal id
  std::string notice_id;    // "" for a 批示 on the item itself
  std::optional<std::string> notice_number;  // the notice's 文号 while it is open
  std::string text;
  std::vector<Attachment> attachments;
  StreamId stream;  // the item it is on
};

// A report awaiting review, as the view keeps it (its figures count until returned).
struct PendingReportRow {
  StreamVersion version;
  std::string reporter;  // "" only in rows written before it was kept
  std::chrono::year_month period;
  Timestamp recorded_at;
  std::vector<IndicatorValue> indicators;
  std::optional<double> percent;
  std::vector<std::string> milestones_met;
};

struct TaskHeader {  // 附件2's columns
  TaskNo no;
  std::string category;
  std::string item;
  std::string lead_unit;
  std::vector<std::string> cooperating_units;
};

struct MajorHeader {  // 附件1's columns
  MajorNo no;
  std::string kind;
  std::string name;
  std::vector<std::string> units;
  std::vector<TaskNo> related_tasks;
};

// One task or major item as of `now` (SupervisionView::Item, and each row of the board).
struct ItemBoard {
  StreamId stream;
  std::variant<TaskHeader, MajorHeader> header;
  TaskStatus status = TaskStatus::kNotStarted;
  bool status_from_related_tasks = false;  // 据关联任务: a major item's status from its linked tasks
  std::vector<std::string> returned_units;  // non-lead units whose latest report was returned
  std::vector<std::string> pending_units;   // non-lead units with a report awaiting review
  std::optional<LeadReport> lead_report;
  StreamVersion version;  // of the stream's last event folded
  std::optional<Timestamp> completed_at;
  std::optional<LastReportRow> last_report;
  std::optional<ProgressRow> progress;
  std::optional<PendingProgress> progress_pending;
  std::vector<TargetReading> indicators;  // every target of the item, in the catalog's order
  std::optional<std::chrono::year_month> period;  // the period asked for (figures up to it)
  std::vector<MilestoneRow> deadlines;    // by due date
  std::vector<OpenNoticeRow> open_notices;  // by id
  std::vector<InstructionRow> instructions;  // oldest first
  WarningLevel warning = WarningLevel::kNone;
  std::vector<std::string> warning_reasons;  // most severe first
  std::vector<PendingReportRow> pending_reports;  // by version
  // Item only (SupervisionView::Item): per target, each unit's figure.
  std::optional<std::vector<UnitBreakdown>> unit_breakdown;

  const TaskHeader* task() const { return std::get_if<TaskHeader>(&header); }
  const MajorHeader* major() const { return std::get_if<MajorHeader>(&header); }
};

// --- the whole board --------------------------------------------------------

// One unit's items and how they fare (单位视图).
struct UnitBoard {
  std::string unit;
  std::string kind;
  std::vector<InstructionRow> instructions;  // on the items it leads, cooperates on, then its major items
  std::vector<TaskNo> led;
  std::vector<TaskNo> cooperating;
  std::vector<MajorNo> major_items;
  std::int64_t items = 0;
  std::map<WarningLevel, std::int64_t> by_warning;  // every level, 0 where none
  std::int64_t on_track = 0;
  std::int64_t warned = 0;   // blue or yellow
  std::int64_t overdue = 0;  // red
};

// A county-wide target against the figure its source task reports.
struct CountyTargetRow {
  TargetReading reading;
  std::optional<int> year;
  std::string framework;
  std::string as_printed;
  std::optional<TargetSource> source;  // empty: nothing feeds it
};

struct BoardCounts {
  std::int64_t items = 0;
  std::map<TaskStatus, std::int64_t> by_status;     // every status, 0 where none
  std::map<WarningLevel, std::int64_t> by_warning;  // every level, 0 where none
};

// The whole dashboard (督办看板) as of `as_of` (SupervisionView::Board).
struct SupervisionBoard {
  Timestamp as_of;
  std::chrono::year_month_day today;  // local
  std::vector<ItemBoard> tasks;        // catalog order
  std::vector<ItemBoard> major_items;  // catalog order
  std::vector<UnitBoard> units;        // catalog order
  std::vector<CountyTargetRow> targets;
  BoardCounts counts;
  std::optional<std::chrono::year_month> supervision_start;  // empty while unknown
  int report_due_day = 10;
  // 报送次数 per period: the progress reports of every task and major item
  // (whatever their review), by the month they report on.
  std::map<std::chrono::year_month, std::int64_t> reports_by_period;
};

}  // namespace kuimen
