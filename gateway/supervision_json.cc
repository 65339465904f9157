#include "gateway/supervision_json.h"

#include <string>

#include "domain/calendar.h"
#include "domain/supervised_item.h"
#include "eventstore/envelope_json.h"
#include "eventstore/event_codec.h"
#include "eventstore/json_reader.h"

namespace kuimen {

using nlohmann::json;

namespace {

json Number(double value) { return NumberJson<json>(value); }

json OptionalNumber(const std::optional<double>& value) { return value ? Number(*value) : json(nullptr); }

json OptionalTime(const std::optional<Timestamp>& time) {
  return time.has_value() ? json(FormatTimestamp(*time)) : json(nullptr);
}

json OptionalDate(const std::optional<std::chrono::year_month_day>& date) {
  return date.has_value() ? json(FormatDate(*date)) : json(nullptr);
}

json OptionalVersion(const std::optional<StreamVersion>& version) {
  return version.has_value() ? json(version->value) : json(nullptr);
}

json OptionalDecision(const std::optional<ReviewDecision>& decision) {
  return decision.has_value() ? json(ReviewDecisionName(*decision)) : json(nullptr);
}

// A target against its county figure: latest_value is the county figure,
// "basis" says how it was formed; "pending" what it would be once the reports
// awaiting review are approved (待审核), or null.
json ReadingJson(const TargetReading& reading) {
  const std::optional<FigureReading>& latest = reading.latest;
  json out = {{"target", OptionalNumber(reading.target)},
              {"unit", reading.unit},
              {"latest_value", latest ? Number(latest->value) : json(nullptr)},
              {"progress_percent", latest ? OptionalNumber(latest->progress_percent) : json(nullptr)},
              {"period", latest ? json(FormatMonth(latest->period)) : json(nullptr)},
              {"reported_at", latest ? json(FormatTimestamp(latest->reported_at)) : json(nullptr)},
              {"late", latest ? json(latest->late) : json(nullptr)},
              {"basis", latest ? json(CountyBasisName(latest->basis)) : json(nullptr)},
              {"basis_label", latest ? json(CountyBasisLabel(latest->basis)) : json(nullptr)},
              {"pending", nullptr}};
  if (const std::optional<PendingFigure>& p = reading.pending) {
    out["pending"] = {{"value", Number(p->value)},
                      {"amount", Number(p->amount)},
                      {"progress_percent", OptionalNumber(p->progress_percent)},
                      {"period", FormatMonth(p->period)},
                      {"label", "待审核"}};
  }
  out["indicator"] = reading.indicator;
  return out;
}

json UnitFigureJson(const UnitFigureRow& f) {
  json out = {{"unit", f.unit},
              {"lead", f.lead},
              {"value", Number(f.value)},
              {"period", FormatMonth(f.period)},
              {"scope", IndicatorScopeName(f.scope)},
              {"scope_label", IndicatorScopeLabel(f.scope)},
              {"review", FigureReviewName(f.review)},
              {"review_label", FigureReviewLabel(f.review)},
              {"counted", f.counted},
              {"version", f.version},
              {"reported_at", FormatTimestamp(f.reported_at)},
              {"late", f.late}};
  if (f.review == FigureReview::kReturned) out["counted_label"] = "已退回，不计入";
  return out;
}

json UnitBreakdownJson(const std::vector<UnitBreakdown>& breakdown) {
  json out = json::array();
  for (const UnitBreakdown& target : breakdown) {
    json entry = ReadingJson(target.reading);
    json units = json::array();
    for (const UnitFigureRow& f : target.units) units.push_back(UnitFigureJson(f));
    entry["units"] = std::move(units);
    out.push_back(std::move(entry));
  }
  return out;
}

json LeadReportJson(const std::optional<LeadReport>& lead) {
  if (!lead.has_value()) return nullptr;
  return {{"version", lead->version.value},
          {"recorded_at", FormatTimestamp(lead->recorded_at)},
          {"unit", lead->unit},
          {"period", FormatMonth(lead->period)},
          {"late", lead->late},
          {"decision", OptionalDecision(lead->decision)}};
}

json LastReportJson(const std::optional<LastReportRow>& last) {
  if (!last.has_value()) return nullptr;
  return {{"version", last->version.value},
          {"recorded_at", FormatTimestamp(last->recorded_at)},
          {"principal", last->principal},
          {"unit", last->unit},
          {"period", FormatMonth(last->period)},
          {"percent", Number(last->percent)},
          {"late", last->late},
          {"decision", OptionalDecision(last->decision)},
          {"reviewed_at", OptionalTime(last->reviewed_at)}};
}

json ProgressJson(const std::optional<ProgressRow>& progress) {
  if (!progress.has_value()) return nullptr;
  return {{"percent", Number(progress->percent)},
          {"period", FormatMonth(progress->period)},
          {"version", progress->version.value},
          {"reported_at", FormatTimestamp(progress->reported_at)},
          {"late", progress->late}};
}

json PendingProgressJson(const std::optional<PendingProgress>& progress) {
  if (!progress.has_value()) return nullptr;
  return {{"percent", Number(progress->percent)},
          {"period", FormatMonth(progress->period)},
          {"version", progress->version.value},
          {"label", "待审核"}};
}

json IndicatorsJson(const std::vector<TargetReading>& readings) {
  json out = json::array();
  for (const TargetReading& reading : readings) out.push_back(ReadingJson(reading));
  return out;
}

// Who made a change, as a clerk reads it: the actor's unit, or 工作专班.
std::string ChangedBy(const MilestoneChangeRow& change) { return change.unit.empty() ? "工作专班" : change.unit; }

json MilestoneJson(const MilestoneRow& m) {
  json history = json::array();
  for (const MilestoneChangeRow& change : m.history) {
    history.push_back({{"kind", MilestoneChangeKindName(change.kind)},
                       {"label", MilestoneChangeKindLabel(change.kind)},
                       {"version", change.version.value},
                       {"at", FormatTimestamp(change.at)},
                       {"principal", change.principal},
                       {"by", ChangedBy(change)},
                       {"due", OptionalDate(change.due)},
                       {"from", OptionalDate(change.from)},
                       {"text", change.text},
                       {"report_version", OptionalVersion(change.report_version)}});
  }
  json met = nullptr;
  if (m.met.has_value()) {
    const bool by_report = m.met->report_version.has_value();
    met = {{"at", FormatTimestamp(m.met->at)},
           {"date", FormatDate(m.met->date)},
           {"by", by_report ? "report" : "taskforce"},
           {"report_version", OptionalVersion(m.met->report_version)},
           {"by_label", by_report ? "报告v" + std::to_string(m.met->report_version->value) : std::string("专班")},
           {"on_time", m.met->on_time}};
  }
  json adjusted = nullptr;
  if (m.adjusted.has_value()) {
    adjusted = {{"from", OptionalDate(m.adjusted->from)},
                {"to", OptionalDate(m.adjusted->to)},
                {"reason", m.adjusted->reason},
                {"at", FormatTimestamp(m.adjusted->at)},
                {"times", m.adjusted->times}};
  }
  json cancelled = nullptr;
  if (m.cancelled.has_value()) {
    cancelled = {{"at", FormatTimestamp(m.cancelled->at)}, {"reason", m.cancelled->reason}};
  }
  json claims = json::array();
  for (StreamVersion version : m.pending_claims) claims.push_back(version.value);
  return {{"milestone", m.milestone},
          {"due", FormatDate(m.due)},
          {"original_due", FormatDate(m.original_due)},
          {"days_left", m.days_left},
          {"overdue", m.status == MilestoneStatus::kOverdue},
          {"state", MilestoneStatusName(m.status)},
          {"state_label", MilestoneStatusLabel(m.status)},
          {"met", std::move(met)},
          {"adjusted", std::move(adjusted)},
          {"cancelled", std::move(cancelled)},
          {"pending_claims", std::move(claims)},
          {"history", std::move(history)}};
}

json OpenNoticeJson(const OpenNoticeRow& n) {
  return {{"id", n.id},
          {"number", n.number},
          {"reason", n.reason},
          {"due", FormatDate(n.due)},
          {"answered", n.answered_at.has_value()},
          {"answered_at", OptionalTime(n.answered_at)},
          {"answer", n.answer},
          {"issued_at", OptionalTime(n.issued_at)},
          {"signed", n.signed_at.has_value()},
          {"signed_at", OptionalTime(n.signed_at)},
          {"signed_by", n.signed_by},
          {"sign_by", OptionalDate(n.sign_by)},
          {"sign_overdue", n.sign_overdue},
          {"overdue", n.overdue}};
}

// `with_stream`: in a unit's list, which names the item each is on.
json InstructionJson(const InstructionRow& i, bool with_stream) {
  json out = {{"version", i.version.value},
              {"given_at", FormatTimestamp(i.given_at)},
              {"principal", i.principal},
              {"leader_name", i.leader_name},
              {"notice_id", i.notice_id.empty() ? json(nullptr) : json(i.notice_id)},
              {"notice_number", i.notice_number ? json(*i.notice_number) : json(nullptr)},
              {"text", i.text},
              {"attachments", AttachmentsJson(i.attachments)}};
  if (with_stream) out["stream"] = i.stream.value;
  return out;
}

json InstructionsJson(const std::vector<InstructionRow>& instructions, bool with_stream) {
  json out = json::array();
  for (const InstructionRow& i : instructions) out.push_back(InstructionJson(i, with_stream));
  return out;
}

json ByWarningJson(const std::map<WarningLevel, std::int64_t>& by_warning) {
  json out = json::object();
  for (const auto& [level, count] : by_warning) out[std::string(WarningLevelName(level))] = count;
  return out;
}

json UnitJson(const UnitBoard& unit) {
  json led = json::array(), cooperating = json::array(), majors = json::array();
  for (TaskNo no : unit.led) led.push_back(no.value);
  for (TaskNo no : unit.cooperating) cooperating.push_back(no.value);
  for (MajorNo no : unit.major_items) majors.push_back(no.value);
  return {{"unit", unit.unit},
          {"kind", unit.kind},
          {"instructions", InstructionsJson(unit.instructions, /*with_stream=*/true)},
          {"led", std::move(led)},
          {"cooperating", std::move(cooperating)},
          {"major_items", std::move(majors)},
          {"items", unit.items},
          {"by_warning", ByWarningJson(unit.by_warning)},
          {"on_track", unit.on_track},
          {"warned", unit.warned},
          {"overdue", unit.overdue}};
}

json TargetJson(const CountyTargetRow& target) {
  json entry = ReadingJson(target.reading);
  entry["year"] = target.year ? json(*target.year) : json(nullptr);
  entry["framework"] = target.framework;
  entry["as_printed"] = target.as_printed;  // a qualitative target's text (定性目标)
  entry["source"] = nullptr;
  if (target.source.has_value()) {
    entry["source"] = {{"task", target.source->task.value},
                       {"stream", TaskStream(target.source->task).value},
                       {"indicator", target.source->indicator}};
  }
  return entry;
}

json CountsJson(const BoardCounts& counts) {
  json by_status = json::object();
  for (const auto& [status, count] : counts.by_status) by_status[std::string(TaskStatusName(status))] = count;
  return {{"items", counts.items}, {"by_status", std::move(by_status)}, {"by_warning", ByWarningJson(counts.by_warning)}};
}

}  // namespace

json ItemBoardJson(const ItemBoard& item) {
  json out;
  if (const TaskHeader* task = item.task()) {
    out = {{"no", task->no.value},
           {"stream", item.stream.value},
           {"category", task->category},
           {"item", task->item},
           {"lead_unit", task->lead_unit},
           {"cooperating_units", task->cooperating_units}};
  } else if (const MajorHeader* major = item.major()) {
    json related = json::array();
    for (TaskNo no : major->related_tasks) related.push_back(no.value);
    out = {{"no", major->no.value},
           {"stream", item.stream.value},
           {"kind", major->kind},
           {"name", major->name},
           {"units", major->units},
           {"related_tasks", std::move(related)}};
  }
  json reasons = json::array();
  for (const std::string& reason : item.warning_reasons) reasons.push_back(reason);
  out["status"] = TaskStatusName(item.status);
  out["status_label"] = TaskStatusLabel(item.status);
  // 据关联任务: a major item's status derived from its linked tasks.
  out["status_basis"] = item.status_from_related_tasks ? "related_tasks" : "own_reports";
  out["returned_units"] = item.returned_units;
  out["pending_units"] = item.pending_units;
  out["lead_report"] = LeadReportJson(item.lead_report);
  out["version"] = item.version.value;
  out["completed_at"] = OptionalTime(item.completed_at);
  out["last_report"] = LastReportJson(item.last_report);
  out["progress"] = ProgressJson(item.progress);
  out["progress_pending"] = PendingProgressJson(item.progress_pending);
  out["indicators"] = IndicatorsJson(item.indicators);
  if (item.period.has_value()) out["period"] = FormatMonth(*item.period);
  json deadlines = json::array();
  for (const MilestoneRow& m : item.deadlines) deadlines.push_back(MilestoneJson(m));
  out["deadlines"] = std::move(deadlines);
  json notices = json::array();
  for (const OpenNoticeRow& n : item.open_notices) notices.push_back(OpenNoticeJson(n));
  out["open_notices"] = std::move(notices);
  out["instructions"] = InstructionsJson(item.instructions, /*with_stream=*/false);
  out["warning"] = WarningLevelName(item.warning);
  out["warning_label"] = WarningLevelLabel(item.warning);
  out["warning_reasons"] = std::move(reasons);
  if (item.unit_breakdown.has_value()) out["unit_breakdown"] = UnitBreakdownJson(*item.unit_breakdown);
  return out;
}

json SupervisionBoardJson(const SupervisionBoard& board) {
  json tasks = json::array(), majors = json::array(), units = json::array(), targets = json::array();
  for (const ItemBoard& item : board.tasks) tasks.push_back(ItemBoardJson(item));
  for (const ItemBoard& item : board.major_items) majors.push_back(ItemBoardJson(item));
  for (const UnitBoard& unit : board.units) units.push_back(UnitJson(unit));
  for (const CountyTargetRow& target : board.targets) targets.push_back(TargetJson(target));
  json reports_by_period = json::object();
  for (const auto& [period, reports] : board.reports_by_period) reports_by_period[FormatMonth(period)] = reports;
  return {{"as_of", FormatTimestamp(board.as_of)},
          {"today", FormatDate(board.today)},
          {"tasks", std::move(tasks)},
          {"major_items", std::move(majors)},
          {"units", std::move(units)},
          {"targets", std::move(targets)},
          {"counts", CountsJson(board.counts)},
          {"supervision_start", board.supervision_start ? json(FormatMonth(*board.supervision_start)) : json(nullptr)},
          {"report_due_day", board.report_due_day},
          {"reports_by_period", std::move(reports_by_period)}};
}

}  // namespace kuimen
