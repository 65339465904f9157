#pragma once

#include <optional>
#include <string>
#include <vector>

#include "domain/events.h"

// The one rule for the status (状态) of a task or major item, shared by the
// write model (domain/task_aggregate.h) and the supervision view
// (projections/supervision_view.h), so the board and the rules never disagree.
namespace kuimen {

// Status of a supervised item, as the task force tracks it.
enum class TaskStatus {
  kNotStarted,     // 未启动
  kInProgress,     // 推进中
  kPendingReview,  // 待审核: a report awaits review
  kReturned,       // 已退回: the lead units' latest report was returned
  kCompleted,      // 已完成
};

std::string_view TaskStatusName(TaskStatus status);   // "pending_review"
std::string_view TaskStatusLabel(TaskStatus status);  // "待审核"

// One progress report as the status rule reads it, in recorded order.
struct ReportForStatus {
  std::string unit;  // the reporting actor's unit (a township by its own name)
  std::optional<ReviewDecision> decision;  // empty until reviewed
  bool superseded = false;                 // 已被替代: never reviewed, out of the queue
};

// The rule (clerk review, session 7, items 1 and A1 of the second review):
// the item's status follows its lead units' (责任单位; every unit of a major
// item) reports alone.
// 1. 已完成 while the item is completed.
// 2. 已退回 when the lead units' latest report (not superseded) was returned:
//    a lead's 退回 is always shown, whatever else awaits review.
// 3. 待审核 while a lead unit's report awaits review (not reviewed, not
//    superseded).
// 4. 推进中 once anyone reported (or the item was reopened), else 未启动.
// A cooperating unit's (配合单位, a township's) report never decides: its
// pending report is listed beside the status (UnitsWithPendingReport, the
// item's "配合单位待审核：…"), its returned one is that unit's own 退回
// (UnitsWithReturnedReport), shown on its row of the item (单位分解) and in
// its 单位视图.
// A report of an unknown unit ("") counts as the lead's, as before the rule.
// A township reports under its own name, so it is never a lead here: in the
// plan the township group (各乡镇人民政府、街道办事处) only cooperates.
TaskStatus ItemStatus(bool completed, bool started, const std::vector<ReportForStatus>& reports,
                      const std::vector<std::string>& lead_units);

// The units (other than the leads) whose own latest report was returned:
// the cooperating units' 退回 that rule 3 leaves out of the item's status.
// In the order of their latest report.
std::vector<std::string> UnitsWithReturnedReport(const std::vector<ReportForStatus>& reports,
                                                 const std::vector<std::string>& lead_units);

// The units (other than the leads) with a report awaiting review (not
// superseded): listed beside the item's status as 配合单位待审核, never its
// status. In the order of their first such report.
std::vector<std::string> UnitsWithPendingReport(const std::vector<ReportForStatus>& reports,
                                                const std::vector<std::string>& lead_units);

}  // namespace kuimen

namespace kuimen {

// A major item's (四个重大) status and where it comes from.
struct MajorItemStatusResult {
  TaskStatus status = TaskStatus::kNotStarted;
  bool from_related_tasks = false;  // 据关联任务: derived from the linked tasks
};

// The rule for a major item (clerk review, session 7, item 2; A6 of the
// second review): its own stream decides once it holds any evidence (a
// report, a completion: `own` is not 未启动). Until then, the work is
// reported on the tasks the catalog links to it (related_tasks): it is
// 推进中（据关联任务） as soon as a linked task has an approved report (审核通过;
// only approved figures count, as for indicators and 总体进度). A linked
// task's report still awaiting review, or returned, does not start it. It is
// never 已完成, 待审核 or 已退回 by derivation: those belong to the linked
// task's own reports and review, and only the task force completes a major
// item, on its own stream.
// `related_approved`: per linked task, whether it has an approved report.
MajorItemStatusResult MajorItemStatus(TaskStatus own, const std::vector<bool>& related_approved);

// Whether any of the reports was approved (a linked task's evidence for
// MajorItemStatus).
bool AnyApproved(const std::vector<ReportForStatus>& reports);

}  // namespace kuimen
