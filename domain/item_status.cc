#include "domain/item_status.h"

#include <algorithm>
#include <map>

namespace kuimen {

std::string_view TaskStatusName(TaskStatus status) {
  switch (status) {
    case TaskStatus::kNotStarted: return "not_started";
    case TaskStatus::kInProgress: return "in_progress";
    case TaskStatus::kPendingReview: return "pending_review";
    case TaskStatus::kReturned: return "returned";
    case TaskStatus::kCompleted: return "completed";
  }
  return "unknown";
}

std::string_view TaskStatusLabel(TaskStatus status) {
  switch (status) {
    case TaskStatus::kNotStarted: return "未启动";
    case TaskStatus::kInProgress: return "推进中";
    case TaskStatus::kPendingReview: return "待审核";
    case TaskStatus::kReturned: return "已退回";
    case TaskStatus::kCompleted: return "已完成";
  }
  return "未知";
}

namespace {

// A report of an unknown unit ("": folded without an actor, or kept in a view
// row written before the unit was) counts as the lead's, as every report did
// before this rule.
bool Leads(const std::vector<std::string>& lead_units, const std::string& unit) {
  return unit.empty() || std::find(lead_units.begin(), lead_units.end(), unit) != lead_units.end();
}

}  // namespace

TaskStatus ItemStatus(bool completed, bool started, const std::vector<ReportForStatus>& reports,
                      const std::vector<std::string>& lead_units) {
  if (completed) return TaskStatus::kCompleted;
  const ReportForStatus* latest_of_lead = nullptr;
  bool lead_pending = false;
  for (const ReportForStatus& report : reports) {
    if (!Leads(lead_units, report.unit) || report.superseded) continue;
    latest_of_lead = &report;
    if (!report.decision.has_value()) lead_pending = true;
  }
  if (latest_of_lead != nullptr && latest_of_lead->decision == ReviewDecision::kReturned) return TaskStatus::kReturned;
  if (lead_pending) return TaskStatus::kPendingReview;
  return started || !reports.empty() ? TaskStatus::kInProgress : TaskStatus::kNotStarted;
}

std::vector<std::string> UnitsWithReturnedReport(const std::vector<ReportForStatus>& reports,
                                                 const std::vector<std::string>& lead_units) {
  std::map<std::string, size_t> latest;  // unit -> index of its latest report
  for (size_t i = 0; i < reports.size(); ++i) {
    if (!Leads(lead_units, reports[i].unit)) latest[reports[i].unit] = i;
  }
  std::vector<size_t> returned;
  for (const auto& [unit, i] : latest) {
    if (reports[i].decision == ReviewDecision::kReturned) returned.push_back(i);
  }
  std::sort(returned.begin(), returned.end());
  std::vector<std::string> out;
  for (size_t i : returned) out.push_back(reports[i].unit);
  return out;
}

std::vector<std::string> UnitsWithPendingReport(const std::vector<ReportForStatus>& reports,
                                                const std::vector<std::string>& lead_units) {
  std::vector<std::string> out;
  for (const ReportForStatus& report : reports) {
    if (Leads(lead_units, report.unit) || report.superseded || report.decision.has_value()) continue;
    if (std::find(out.begin(), out.end(), report.unit) == out.end()) out.push_back(report.unit);
  }
  return out;
}

}  // namespace kuimen

namespace kuimen {

MajorItemStatusResult MajorItemStatus(TaskStatus own, const std::vector<bool>& related_approved) {
  if (own != TaskStatus::kNotStarted) return {own, false};
  for (bool approved : related_approved) {
    if (approved) return {TaskStatus::kInProgress, true};
  }
  return {TaskStatus::kNotStarted, false};
}

bool AnyApproved(const std::vector<ReportForStatus>& reports) {
  return std::any_of(reports.begin(), reports.end(),
                     [](const ReportForStatus& r) { return r.decision == ReviewDecision::kApproved; });
}

}  // namespace kuimen
