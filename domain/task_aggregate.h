#pragma once

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "domain/actor.h"
#include "domain/clock.h"
#include "domain/events.h"
#include "domain/item_status.h"
#include "domain/status.h"
#include "domain/supervised_item.h"

namespace kuimen {


struct ReportState {
  StreamVersion version;
  std::optional<ReviewDecision> decision;  // empty until reviewed
  std::string unit;                        // the reporting actor's unit
  std::chrono::year_month period{};
  // 已被替代: a later report (this version) by the same unit for the same
  // period arrived while this one was unreviewed. It then leaves the review
  // queue and a review of it is refused (report_superseded). A review stored
  // before the rule existed still records its decision.
  std::optional<StreamVersion> superseded_by;
  std::vector<std::string> milestones_met = {};  // met when (if) the report is approved
};

// A milestone (时限) the task force set on the item.
struct MilestoneState {
  std::chrono::year_month_day due;
  bool met = false;        // by an approved report or the task force
  bool cancelled = false;
};

struct NoticeState {
  std::string id;
  std::chrono::year_month_day due;
  bool signed_for = false;  // 签收
  bool answered = false;
  bool closed = false;
};

// The write model of one stream: folds the stream's events and decides whether
// a proposed event may follow them. Pure: no I/O, no clock.
class TaskAggregate {
 public:
  explicit TaskAggregate(SupervisedItem item) : item_(std::move(item)) {}

  // Folds an event that is already stored at `version` (the next one in order),
  // recorded by `actor` (the envelope's). A report supersedes the unreviewed
  // reports of its actor's unit for the same period; reports folded without an
  // actor (the two-argument form, for tests of other rules) count as one
  // nameless unit's.
  void Apply(StreamVersion version, const EventData& event, const Actor& actor);
  void Apply(StreamVersion version, const EventData& event) { Apply(version, event, Actor{}); }

  // OK if `actor` may append `event` now. Otherwise kInvalidArgument naming the
  // field ("type" for an assessment event, which belongs on an assessment
  // stream), or a refusal whose subject() is a RuleId (domain/task_rules.h).
  // `now` is the moment of decision, read by the caller from the clock it was
  // given: a report for a period after now's month in China time (UTC+8) is
  // refused (kInvalidArgument, field "period", rule period_in_future). Without
  // `now` no rule that depends on time is checked (the command handler always
  // passes one when it has a clock).
  Status Decide(const Actor& actor, const EventData& event, std::optional<Timestamp> now = std::nullopt) const;

  const SupervisedItem& item() const { return item_; }
  StreamVersion version() const { return version_; }
  // The item's status by the one rule of domain/item_status.h: a cooperating
  // unit's returned report is its own 退回, not the item's.
  TaskStatus status() const;
  const ReportState* FindReport(StreamVersion version) const;
  const NoticeState* FindNotice(const std::string& id) const;
  const MilestoneState* FindMilestone(const std::string& name) const;

 private:
  SupervisedItem item_;
  StreamVersion version_;
  bool started_ = false;
  bool completed_ = false;
  std::map<StreamVersion, ReportState> reports_;
  std::map<std::string, NoticeState> notices_;
  std::map<std::string, MilestoneState> milestones_;
};

}  // namespace kuimen
