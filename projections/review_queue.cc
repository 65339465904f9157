#include "projections/review_queue.h"

#include <algorithm>
#include <tuple>

#include <nlohmann/json.hpp>

#include "domain/calendar.h"
#include "eventstore/json_reader.h"
#include "projections/report_period.h"

namespace kuimen {

using nlohmann::json;

std::string_view ReviewStateName(ReviewState state) {
  switch (state) {
    case ReviewState::kPending: return "pending";
    case ReviewState::kApproved: return "approved";
    case ReviewState::kReturned: return "returned";
    case ReviewState::kSuperseded: return "superseded";
  }
  return "unknown";
}

std::string_view ReviewStateLabel(ReviewState state) {
  switch (state) {
    case ReviewState::kPending: return "待审核";
    case ReviewState::kApproved: return "已通过";
    case ReviewState::kReturned: return "已退回";
    case ReviewState::kSuperseded: return "已被替代";
  }
  return "未知";
}

std::optional<ReviewState> ParseReviewState(std::string_view text) {
  for (ReviewState state : {ReviewState::kPending, ReviewState::kApproved, ReviewState::kReturned,
                            ReviewState::kSuperseded}) {
    if (text == ReviewStateName(state) || text == ReviewStateLabel(state)) return state;
  }
  return std::nullopt;
}

ReviewState ReviewEntry::state() const {
  if (decision.has_value()) return *decision == ReviewDecision::kApproved ? ReviewState::kApproved : ReviewState::kReturned;
  return superseded_by.has_value() ? ReviewState::kSuperseded : ReviewState::kPending;
}

ReviewLedgerChange ReviewLedger::Apply(const RecordedEvent& envelope, const EventData& event) {
  ReviewLedgerChange change;
  if (const auto* report = std::get_if<ProgressReported>(&event)) {
    std::vector<StreamVersion>& open = open_[{envelope.actor.unit, report->period}];
    for (StreamVersion version : open) {
      auto older = entries_.find(version);
      if (older != entries_.end() && older->second.state() == ReviewState::kPending) {
        older->second.superseded_by = envelope.version;
        change.superseded.push_back(version);
        change.changed.push_back(version);
      }
    }
    open.assign(1, envelope.version);
    ReviewEntry entry;
    entry.version = envelope.version;
    entry.period = report->period;
    entry.unit = envelope.actor.unit;
    entry.principal = envelope.actor.principal;
    entry.recorded_at = envelope.recorded_at;
    entry.position = envelope.position;
    entry.percent = report->percent;
    entry.summary = report->summary;
    entry.indicators = report->indicators;
    if (!entries_.contains(envelope.version)) ++reports_by_period_[report->period];
    entries_[envelope.version] = std::move(entry);
    change.changed.push_back(envelope.version);
  } else if (const auto* review = std::get_if<ReportReviewed>(&event)) {
    auto it = entries_.find(review->report_version);
    // A report is reviewed once (the write model refuses a second review).
    if (it != entries_.end() && !it->second.decision.has_value()) {
      it->second.decision = review->decision;
      it->second.reviewed_at = envelope.recorded_at;
      it->second.comment = review->comment;
      change.changed.push_back(review->report_version);
    }
  }
  return change;
}

const ReviewEntry* ReviewLedger::Find(StreamVersion version) const {
  auto it = entries_.find(version);
  return it == entries_.end() ? nullptr : &it->second;
}

void ReviewLedger::Load(ReviewEntry entry) {
  const StreamVersion version = entry.version;
  if (entry.state() == ReviewState::kPending) {
    std::vector<StreamVersion>& open = open_[{entry.unit, entry.period}];
    // Rows load in key order, so versions arrive ascending; keep them so.
    auto at = std::lower_bound(open.begin(), open.end(), version);
    if (at == open.end() || *at != version) open.insert(at, version);
  }
  if (auto loaded = entries_.find(version); loaded != entries_.end()) --reports_by_period_[loaded->second.period];
  ++reports_by_period_[entry.period];
  entries_[version] = std::move(entry);
}

namespace {

json Micros(Timestamp time) { return time.time_since_epoch().count(); }

}  // namespace

std::string ReviewLedger::EntryToRow(const ReviewEntry& e) {
  json indicators = json::array();
  for (const IndicatorValue& v : e.indicators) {
    json indicator = {{"indicator", v.indicator}, {"value", NumberJson<json>(v.value)}, {"unit", v.unit}};
    // Written only for a 全县数, so rows of own figures stay short.
    if (v.scope == IndicatorScope::kCounty) indicator["scope"] = IndicatorScopeName(v.scope);
    indicators.push_back(std::move(indicator));
  }
  return json({{"version", e.version.value},
               {"period", FormatMonth(e.period)},
               {"unit", e.unit},
               {"principal", e.principal},
               {"recorded_at_us", Micros(e.recorded_at)},
               {"position", e.position.value},
               {"percent", NumberJson<json>(e.percent)},
               {"summary", e.summary},
               {"indicators", std::move(indicators)},
               {"decision", e.decision ? json(ReviewDecisionName(*e.decision)) : json(nullptr)},
               {"reviewed_at_us", e.reviewed_at ? Micros(*e.reviewed_at) : json(nullptr)},
               {"comment", e.comment},
               {"superseded_by", e.superseded_by ? json(e.superseded_by->value) : json(nullptr)}})
      .dump();
}

Result<ReviewEntry> ReviewLedger::EntryFromRow(std::string_view row) {
  json value = json::parse(row, nullptr, /*allow_exceptions=*/false);
  if (value.is_discarded()) return Status::InvalidArgument("review row: not JSON");
  JsonReader e(value, "");
  RETURN_IF_ERROR(e.ExpectObject());
  RETURN_IF_ERROR(e.RejectUnknown({"version", "period", "unit", "principal", "recorded_at_us", "position", "percent",
                                   "summary", "indicators", "decision", "reviewed_at_us", "comment", "superseded_by"}));
  ReviewEntry entry;
  ASSIGN_OR_RETURN(std::int64_t version, e.Integer("version"));
  if (version < 1) return Status::InvalidArgument(e.PathOf("version") + ": must be positive", e.PathOf("version"));
  entry.version = StreamVersion(static_cast<std::uint64_t>(version));
  ASSIGN_OR_RETURN(std::string period, e.String("period"));
  std::optional<std::chrono::year_month> month = ParseMonth(period);
  if (!month) return Status::InvalidArgument(e.PathOf("period") + ": must be YYYY-MM", e.PathOf("period"));
  entry.period = *month;
  ASSIGN_OR_RETURN(entry.unit, e.String("unit"));
  ASSIGN_OR_RETURN(entry.principal, e.String("principal"));
  ASSIGN_OR_RETURN(std::int64_t recorded, e.Integer("recorded_at_us"));
  entry.recorded_at = Timestamp(std::chrono::microseconds(recorded));
  ASSIGN_OR_RETURN(std::int64_t position, e.Integer("position"));
  if (position < 0) return Status::InvalidArgument(e.PathOf("position") + ": must not be negative", e.PathOf("position"));
  entry.position = GlobalPosition(static_cast<std::uint64_t>(position));
  ASSIGN_OR_RETURN(entry.percent, e.Number("percent"));
  ASSIGN_OR_RETURN(entry.summary, e.String("summary"));
  ASSIGN_OR_RETURN(const json* indicators, e.Array("indicators"));
  for (size_t j = 0; j < indicators->size(); ++j) {
    JsonReader v((*indicators)[j], JsonReader::Element(e.PathOf("indicators"), j));
    RETURN_IF_ERROR(v.ExpectObject());
    IndicatorValue indicator;
    ASSIGN_OR_RETURN(indicator.indicator, v.String("indicator"));
    ASSIGN_OR_RETURN(indicator.value, v.Number("value"));
    ASSIGN_OR_RETURN(indicator.unit, v.String("unit"));
    ASSIGN_OR_RETURN(std::string scope, v.OptionalString("scope"));
    if (scope == IndicatorScopeName(IndicatorScope::kCounty)) {
      indicator.scope = IndicatorScope::kCounty;
    } else if (!scope.empty()) {
      return Status::InvalidArgument(v.PathOf("scope") + ": must be \"county\" or absent", v.PathOf("scope"));
    }
    entry.indicators.push_back(std::move(indicator));
  }
  ASSIGN_OR_RETURN(std::string decision, e.OptionalString("decision"));
  if (!decision.empty()) {
    entry.decision = ParseReviewDecision(decision);
    if (!entry.decision) {
      return Status::InvalidArgument(e.PathOf("decision") + ": must be approved, returned or null", e.PathOf("decision"));
    }
  }
  ASSIGN_OR_RETURN(std::optional<std::int64_t> reviewed, e.OptionalInteger("reviewed_at_us"));
  if (reviewed) entry.reviewed_at = Timestamp(std::chrono::microseconds(*reviewed));
  ASSIGN_OR_RETURN(entry.comment, e.String("comment"));
  ASSIGN_OR_RETURN(std::optional<std::int64_t> superseded_by, e.OptionalInteger("superseded_by"));
  if (superseded_by) entry.superseded_by = StreamVersion(static_cast<std::uint64_t>(*superseded_by));
  return entry;
}

ReviewQueueItem MakeReviewQueueItem(std::string stream, ReviewEntry entry, const ReviewDeadlines& deadlines) {
  ReviewQueueItem item;
  item.due = ReportDueDate(entry.period, deadlines.due_day);
  item.late = IsLateReport(entry.period, entry.recorded_at, deadlines.due_day, deadlines.utc_offset_minutes);
  item.stream = std::move(stream);
  item.entry = std::move(entry);
  return item;
}

ReviewQueuePage PageReviewQueue(std::vector<ReviewQueueCandidate> candidates, const ReviewQueueQuery& query,
                                const ReviewDeadlines& deadlines) {
  std::erase_if(candidates, [&](const ReviewQueueCandidate& c) {
    const ReviewEntry& e = *c.entry;
    return (query.unit && e.unit != *query.unit) || (query.stream && *c.stream != *query.stream) ||
           (query.period && e.period != *query.period) || (query.state && e.state() != *query.state);
  });
  const auto key = [](const ReviewQueueCandidate& c) {
    return std::tie(c.entry->position.value, *c.stream, c.entry->version.value);
  };
  if (query.order == ReviewOrder::kDue) {
    const auto due = [&](const ReviewQueueCandidate& c) {
      return std::chrono::sys_days(ReportDueDate(c.entry->period, deadlines.due_day));
    };
    std::sort(candidates.begin(), candidates.end(), [&](const ReviewQueueCandidate& a, const ReviewQueueCandidate& b) {
      const auto da = due(a), db = due(b);
      if (da != db) return da < db;
      if (a.entry->recorded_at != b.entry->recorded_at) return a.entry->recorded_at < b.entry->recorded_at;
      return key(a) < key(b);
    });
  } else {
    std::sort(candidates.begin(), candidates.end(), [&](const ReviewQueueCandidate& a, const ReviewQueueCandidate& b) {
      if (a.entry->recorded_at != b.entry->recorded_at) return a.entry->recorded_at > b.entry->recorded_at;
      return key(a) > key(b);
    });
  }
  ReviewQueuePage page;
  page.total = candidates.size();
  const std::size_t begin = std::min(query.offset, candidates.size());
  const std::size_t end = std::min(candidates.size(), begin + query.limit);
  page.items.reserve(end - begin);
  for (std::size_t i = begin; i < end; ++i) {
    page.items.push_back(MakeReviewQueueItem(*candidates[i].stream, *candidates[i].entry, deadlines));
  }
  return page;
}

}  // namespace kuimen
