#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <vector>

#include "domain/catalog.h"
#include "domain/clock.h"
#include "domain/ids.h"
#include "domain/status.h"
#include "eventstore/event_store.h"
#include "projections/supervision_view.h"

// 情况通报: the monthly bulletin the task force sends round the county, built
// from the supervision view replayed to the month's end (and to the previous
// month's end, for what changed). Because it is an as-of replay of the log, the
// same month asked later gives the same bulletin, whatever was recorded since.
namespace kuimen {

// How an item is named in a list: "第7项 " + 事项 + "：" + the start of its
// 工作任务 (so seven items of one 事项 are told apart); "重大事项3 " + name.
std::string ItemTitle(const Catalog& catalog, const StreamId& stream);
// The units responsible for an item: a task's lead unit; a major item's units.
std::vector<std::string> ResponsibleUnits(const Catalog& catalog, const StreamId& stream);

// A red or yellow item at the bulletin's moment.
struct BulletinItem {
  StreamId stream;
  std::string title;
  std::vector<std::string> units;
  WarningLevel level = WarningLevel::kNone;
  std::vector<std::string> reasons;  // most severe first
};

enum class ReportLapse { kLate, kMissing };  // 逾期报送, 未报送
std::string_view ReportLapseName(ReportLapse lapse);   // "late", "missing"
std::string_view ReportLapseLabel(ReportLapse lapse);  // "逾期报送", "未报送"

// An item whose report for `period` (due in the bulletin's month) came late
// or had not come by the bulletin's moment.
struct BulletinReport {
  StreamId stream;
  std::string title;
  std::string unit;  // the lead unit (a major item: the first listed)
  std::chrono::year_month period{};
  std::chrono::year_month_day due{};
  ReportLapse lapse = ReportLapse::kMissing;
  std::optional<Timestamp> recorded_at;  // kLate: when the first report came
};

// A notice open (not 销号) at the bulletin's moment.
struct BulletinNotice {
  StreamId stream;
  std::string title;
  std::vector<std::string> units;
  std::string id;
  std::string number;  // 文号
  std::string reason;
  std::chrono::year_month_day due{};
  std::optional<Timestamp> issued_at;
  bool is_signed = false;
  bool answered = false;
  bool overdue = false;
  bool sign_overdue = false;
  bool issued_this_month = false;  // 本月新下发
};

// An item whose warning level differs from the previous month's end.
struct BulletinChange {
  StreamId stream;
  std::string title;
  WarningLevel from = WarningLevel::kNone;
  WarningLevel to = WarningLevel::kNone;
};

// One unit's line: counts over the items it is responsible for.
struct BulletinUnit {
  std::string unit;
  int red = 0;
  int yellow = 0;
  int late_reports = 0;
  int missing_reports = 0;
  int open_notices = 0;
};

struct MonthlyBulletin {
  std::chrono::year_month month{};
  Timestamp as_of;            // the month's last instant, or now while the month runs
  bool month_complete = false;
  Timestamp previous_as_of;   // the previous month's last instant
  std::chrono::year_month report_period{};  // the reports due in this month
  // The first month whose report is due (SupervisionStart); a report_period
  // before it is 未纳入督办 (session 7, A3): no lapse counted, and the page
  // says so instead of 0项. Empty while neither catalog nor store knows it.
  std::optional<std::chrono::year_month> supervision_start;
  bool reports_in_scope = false;
  // The window sentence, worded where the assessment words it
  // (TimelinessWindowLabel): from the supervision start to report_period.
  std::string window_label;
  std::vector<BulletinItem> items;      // red first, then yellow; catalog order within
  std::vector<BulletinReport> reports;  // catalog order
  std::vector<BulletinNotice> notices;  // catalog order, then notice id
  std::vector<BulletinChange> changes;  // catalog order
  std::vector<BulletinUnit> units;      // the catalog's units that have anything to report
  int new_notices = 0;                  // notices issued in the month still open at as_of
};

// The last microsecond of `month` in the zone `utc_offset_minutes` east of UTC.
Timestamp MonthEnd(std::chrono::year_month month, int utc_offset_minutes);

// The bulletin of `month`, replaying `log` with `options` (those of the live
// supervision view). A month after the one `now` falls in is kInvalidArgument
// (field "month", reason "bulletin_month_future"); the current month is
// bulletined as of `now`.
Result<MonthlyBulletin> BuildMonthlyBulletin(EventStore& log, const Catalog& catalog,
                                             const SupervisionOptions& options, std::chrono::year_month month,
                                             Timestamp now);

}  // namespace kuimen
