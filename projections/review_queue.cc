#include "projections/review_queue.h"

#include <algorithm>
#include <tuple>
#include <utility>

#include "domain/calendar.h"
#include "eventstore/byte_codec.h"
#include "projections/report_period.h"

namespace kuimen {

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

ReviewState ReviewLedger::Head::state() const {
  if (decision.has_value()) return *decision == ReviewDecision::kApproved ? ReviewState::kApproved : ReviewState::kReturned;
  return superseded() ? ReviewState::kSuperseded : ReviewState::kPending;
}

namespace {

// Packed fields are appended to chunks of this size, so the ledger's memory
// grows by small steps rather than doubling one buffer.
constexpr std::size_t kChunkBytes = 64 * 1024;

}  // namespace

ReviewLedger::NameId ReviewLedger::Intern(std::string_view name) {
  if (auto it = name_ids_.find(name); it != name_ids_.end()) return it->second;
  const NameId id = static_cast<NameId>(names_.size());
  names_.emplace_back(name);
  name_ids_.emplace(std::string(name), id);
  return id;
}

std::optional<ReviewLedger::NameId> ReviewLedger::IdOf(std::string_view name) const {
  auto it = name_ids_.find(name);
  if (it == name_ids_.end()) return std::nullopt;
  return it->second;
}

ReviewLedger::PackedRef ReviewLedger::Pack(std::string_view bytes) {
  if (chunks_.empty() || chunks_.back().size() + bytes.size() > chunks_.back().capacity()) {
    chunks_.emplace_back().reserve(std::max(kChunkBytes, bytes.size()));
  }
  std::string& chunk = chunks_.back();
  const PackedRef ref{static_cast<std::uint32_t>(chunks_.size() - 1), static_cast<std::uint32_t>(chunk.size())};
  chunk.append(bytes);
  return ref;
}

// Packed fields start with their length (a varint), so a ref alone finds them.
std::string_view ReviewLedger::Packed(PackedRef ref) const {
  ByteReader r(std::string_view(chunks_[ref.chunk]).substr(ref.offset));
  std::string_view bytes;
  r.VarStrView(bytes);  // written by this ledger: cannot be short
  return bytes;
}

namespace {

// A report's packed fields: varint summary | varint count, then per indicator
// varint name id, varint unit id, f64 value, u8 scope (0 own, 1 county).
// Held inside a varint-length string (ReviewLedger::Pack).
template <typename InternFn>
std::string PackDetails(const ReviewEntry& entry, InternFn intern) {
  std::string body;
  ByteWriter w(body);
  w.VarStr(entry.summary);
  w.Varint(entry.indicators.size());
  for (const IndicatorValue& v : entry.indicators) {
    w.Varint(intern(v.indicator));
    w.Varint(intern(v.unit));
    w.F64(v.value);
    w.U8(v.scope == IndicatorScope::kCounty ? 1 : 0);
  }
  std::string framed;
  ByteWriter f(framed);
  f.VarStr(body);
  return framed;
}

std::string FrameText(std::string_view text) {
  std::string framed;
  ByteWriter(framed).VarStr(text);
  return framed;
}

}  // namespace

ReviewLedger::Head ReviewLedger::MakeHead(const ReviewEntry& entry) {
  Head head;
  head.version = entry.version;
  head.position = entry.position;
  head.recorded_at = entry.recorded_at;
  head.reviewed_at = entry.reviewed_at;
  head.superseded_by = entry.superseded_by.value_or(StreamVersion(0));
  head.percent = entry.percent;
  head.period = entry.period;
  head.unit = Intern(entry.unit);
  head.principal = Intern(entry.principal);
  head.details = Pack(PackDetails(entry, [&](std::string_view name) { return Intern(name); }));
  head.comment = entry.comment.empty() ? Head::kNoComment : Pack(FrameText(entry.comment));
  head.decision = entry.decision;
  return head;
}

ReviewEntry ReviewLedger::Entry(const Head& head) const {
  ReviewEntry entry;
  entry.version = head.version;
  entry.period = head.period;
  entry.unit = names_[head.unit];
  entry.principal = names_[head.principal];
  entry.recorded_at = head.recorded_at;
  entry.position = head.position;
  entry.percent = head.percent;
  ByteReader r(Packed(head.details));
  std::string_view summary;
  std::uint64_t count = 0;
  r.VarStrView(summary);
  r.Varint(count);
  entry.summary = summary;
  entry.indicators.reserve(count);
  for (std::uint64_t i = 0; i < count; ++i) {
    std::uint64_t name = 0, unit = 0;
    IndicatorValue& v = entry.indicators.emplace_back();
    std::uint8_t scope = 0;
    r.Varint(name);
    r.Varint(unit);
    r.F64(v.value);
    r.U8(scope);
    v.indicator = names_[name];
    v.unit = names_[unit];
    if (scope == 1) v.scope = IndicatorScope::kCounty;
  }
  entry.decision = head.decision;
  entry.reviewed_at = head.reviewed_at;
  if (head.has_comment()) entry.comment = Packed(head.comment);
  if (head.superseded()) entry.superseded_by = head.superseded_by;
  return entry;
}

std::optional<IndicatorValue> ReviewLedger::IndicatorOf(const Head& head, NameId indicator, NameId unit) const {
  ByteReader r(Packed(head.details));
  std::string_view summary;
  std::uint64_t count = 0;
  r.VarStrView(summary);
  r.Varint(count);
  for (std::uint64_t i = 0; i < count; ++i) {
    std::uint64_t name = 0, name_unit = 0;
    double value = 0;
    std::uint8_t scope = 0;
    r.Varint(name);
    r.Varint(name_unit);
    r.F64(value);
    r.U8(scope);
    if (name == indicator && name_unit == unit) {
      return IndicatorValue{names_[name], value, names_[name_unit],
                            scope == 1 ? IndicatorScope::kCounty : IndicatorScope::kOwn};
    }
  }
  return std::nullopt;
}

const ReviewLedger::Head* ReviewLedger::Find(StreamVersion version) const {
  // Almost every lookup is of a report folded moments ago (its review, the
  // row written for it, the report it supersedes): look at the newest heads
  // before searching the whole deque (a binary search over a deque's blocks
  // was the largest symbol of the supervision fold).
  constexpr std::size_t kRecent = 4;
  for (std::size_t back = 1; back <= std::min(kRecent, heads_.size()); ++back) {
    const Head& head = heads_[heads_.size() - back];
    if (head.version == version) return &head;
    if (head.version < version) return nullptr;  // ascending: nothing newer than it holds `version`
  }
  auto it = std::lower_bound(heads_.begin(), heads_.end(), version,
                             [](const Head& h, StreamVersion v) { return h.version < v; });
  return it == heads_.end() || it->version != version ? nullptr : &*it;
}

ReviewLedger::Head* ReviewLedger::FindMutable(StreamVersion version) {
  return const_cast<Head*>(std::as_const(*this).Find(version));
}

ReviewLedgerChange ReviewLedger::Apply(const RecordedEvent& envelope, const EventData& event) {
  ReviewLedgerChange change;
  if (const auto* report = std::get_if<ProgressReported>(&event)) {
    std::vector<StreamVersion>& open = open_[{Intern(envelope.actor.unit), report->period}];
    for (StreamVersion version : open) {
      Head* older = FindMutable(version);
      if (older != nullptr && older->state() == ReviewState::kPending) {
        older->superseded_by = envelope.version;
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
    Load(entry);
    change.changed.push_back(envelope.version);
  } else if (const auto* review = std::get_if<ReportReviewed>(&event)) {
    Head* head = FindMutable(review->report_version);
    // A report is reviewed once (the write model refuses a second review).
    if (head != nullptr && !head->decision.has_value()) {
      head->decision = review->decision;
      head->reviewed_at = envelope.recorded_at;
      if (!review->comment.empty()) head->comment = Pack(FrameText(review->comment));
      change.changed.push_back(review->report_version);
    }
  }
  return change;
}

void ReviewLedger::Load(const ReviewEntry& entry) {
  const StreamVersion version = entry.version;
  Head head = MakeHead(entry);
  if (head.state() == ReviewState::kPending) {
    std::vector<StreamVersion>& open = open_[{head.unit, head.period}];
    // Rows load in key order, so versions arrive ascending; keep them so.
    auto at = std::lower_bound(open.begin(), open.end(), version);
    if (at == open.end() || *at != version) open.insert(at, version);
  }
  ++reports_by_period_[entry.period];
  // Reports arrive in version order: almost always appended.
  if (heads_.empty() || heads_.back().version < version) {
    heads_.push_back(head);
    return;
  }
  auto at = std::lower_bound(heads_.begin(), heads_.end(), version,
                             [](const Head& h, StreamVersion v) { return h.version < v; });
  if (at != heads_.end() && at->version == version) {
    --reports_by_period_[at->period];  // replaced; its packed fields stay unused
    *at = head;
  } else {
    heads_.insert(at, head);
  }
}

namespace {

// The row's layout version (its first byte): rows are binary so that a
// rebuild writing one row per report stays cheap.
constexpr std::uint8_t kEntryRowFormat = 1;
constexpr std::uint8_t kNoDecision = 0;

std::int64_t Micros(Timestamp time) { return time.time_since_epoch().count(); }
Timestamp FromMicros(std::int64_t micros) { return Timestamp(std::chrono::microseconds(micros)); }

std::uint8_t DecisionByte(const std::optional<ReviewDecision>& decision) {
  if (!decision) return kNoDecision;
  return *decision == ReviewDecision::kApproved ? 1 : 2;
}

Status BadRow(std::string_view field, std::string_view problem) {
  return Status::InvalidArgument("review row: " + std::string(field) + ": " + std::string(problem), std::string(field));
}

}  // namespace

// u8 format (1) | u64 version | i32 months since year 0 (period) | str unit |
// str principal | i64 recorded_at (µs) | u64 position | f64 percent |
// str summary | u32 count, then per indicator: str indicator, f64 value,
// str unit, u8 scope (0 own, 1 county) | u8 decision (0 none, 1 approved,
// 2 returned) | u8 has reviewed_at, i64 reviewed_at | str comment |
// u64 superseded_by (0: none). Little-endian (eventstore/byte_codec.h).
std::string ReviewLedger::EntryToRow(const ReviewEntry& e) {
  std::string row;
  row.reserve(96 + e.unit.size() + e.principal.size() + e.summary.size() + e.comment.size() + 48 * e.indicators.size());
  ByteWriter w(row);
  w.U8(kEntryRowFormat);
  w.U64(e.version.value);
  w.U32(static_cast<std::uint32_t>(static_cast<int>(e.period.year()) * 12 + static_cast<int>(static_cast<unsigned>(e.period.month())) - 1));
  w.Str(e.unit);
  w.Str(e.principal);
  w.I64(Micros(e.recorded_at));
  w.U64(e.position.value);
  w.F64(e.percent);
  w.Str(e.summary);
  w.U32(static_cast<std::uint32_t>(e.indicators.size()));
  for (const IndicatorValue& v : e.indicators) {
    w.Str(v.indicator);
    w.F64(v.value);
    w.Str(v.unit);
    w.U8(v.scope == IndicatorScope::kCounty ? 1 : 0);
  }
  w.U8(DecisionByte(e.decision));
  w.U8(e.reviewed_at.has_value() ? 1 : 0);
  w.I64(e.reviewed_at ? Micros(*e.reviewed_at) : 0);
  w.Str(e.comment);
  w.U64(e.superseded_by ? e.superseded_by->value : 0);
  return row;
}

Result<ReviewEntry> ReviewLedger::EntryFromRow(std::string_view row) {
  ByteReader r(row);
  ReviewEntry entry;
  std::uint8_t format = 0;
  if (!r.U8(format) || format != kEntryRowFormat) return BadRow("format", "unknown row layout");
  std::uint64_t version = 0;
  if (!r.U64(version) || version < 1) return BadRow("version", "must be positive");
  entry.version = StreamVersion(version);
  std::uint32_t months = 0;
  if (!r.U32(months)) return BadRow("period", "truncated");
  entry.period = std::chrono::year(static_cast<int>(months / 12)) / std::chrono::month(months % 12 + 1);
  if (!entry.period.ok()) return BadRow("period", "not a month");
  std::int64_t recorded = 0;
  std::uint64_t position = 0;
  if (!r.Str(entry.unit)) return BadRow("unit", "truncated");
  if (!r.Str(entry.principal)) return BadRow("principal", "truncated");
  if (!r.I64(recorded)) return BadRow("recorded_at", "truncated");
  entry.recorded_at = FromMicros(recorded);
  if (!r.U64(position)) return BadRow("position", "truncated");
  entry.position = GlobalPosition(position);
  if (!r.F64(entry.percent)) return BadRow("percent", "truncated");
  if (!r.Str(entry.summary)) return BadRow("summary", "truncated");
  std::uint32_t count = 0;
  if (!r.U32(count)) return BadRow("indicators", "truncated");
  for (std::uint32_t i = 0; i < count; ++i) {
    IndicatorValue v;
    std::uint8_t scope = 0;
    if (!r.Str(v.indicator) || !r.F64(v.value) || !r.Str(v.unit) || !r.U8(scope) || scope > 1) {
      return BadRow("indicators", "truncated or an unknown scope");
    }
    if (scope == 1) v.scope = IndicatorScope::kCounty;
    entry.indicators.push_back(std::move(v));
  }
  std::uint8_t decision = 0;
  if (!r.U8(decision) || decision > 2) return BadRow("decision", "must be none, approved or returned");
  if (decision != kNoDecision) entry.decision = decision == 1 ? ReviewDecision::kApproved : ReviewDecision::kReturned;
  std::uint8_t has_reviewed_at = 0;
  std::int64_t reviewed_at = 0;
  if (!r.U8(has_reviewed_at) || has_reviewed_at > 1 || !r.I64(reviewed_at)) return BadRow("reviewed_at", "truncated");
  if (has_reviewed_at == 1) entry.reviewed_at = FromMicros(reviewed_at);
  if (!r.Str(entry.comment)) return BadRow("comment", "truncated");
  std::uint64_t superseded_by = 0;
  if (!r.U64(superseded_by)) return BadRow("superseded_by", "truncated");
  if (superseded_by != 0) entry.superseded_by = StreamVersion(superseded_by);
  if (!r.AtEnd()) return BadRow("row", "bytes after the last field");
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

bool MatchesReviewQuery(const ReviewQueueQuery& query, std::string_view unit, std::chrono::year_month period,
                        ReviewState state) {
  return (!query.unit || unit == *query.unit) && (!query.period || period == *query.period) &&
         (!query.state || state == *query.state);
}

ReviewQueuePage PageReviewQueue(std::vector<ReviewQueueCandidate> candidates, const ReviewQueueQuery& query,
                                const ReviewDeadlines& deadlines) {
  const auto key = [](const ReviewQueueCandidate& c) {
    return std::tie(c.position.value, *c.stream, c.version.value);
  };
  // Only the page needs sorting: partial_sort up to its end.
  const std::size_t begin = std::min(query.offset, candidates.size());
  const std::size_t end = std::min(candidates.size(), begin + query.limit);
  const auto page_end = candidates.begin() + static_cast<std::ptrdiff_t>(end);
  if (query.order == ReviewOrder::kDue) {
    const auto due = [&](const ReviewQueueCandidate& c) {
      return std::chrono::sys_days(ReportDueDate(c.period, deadlines.due_day));
    };
    std::partial_sort(candidates.begin(), page_end, candidates.end(),
                      [&](const ReviewQueueCandidate& a, const ReviewQueueCandidate& b) {
                        const auto da = due(a), db = due(b);
                        if (da != db) return da < db;
                        if (a.recorded_at != b.recorded_at) return a.recorded_at < b.recorded_at;
                        return key(a) < key(b);
                      });
  } else {
    std::partial_sort(candidates.begin(), page_end, candidates.end(),
                      [&](const ReviewQueueCandidate& a, const ReviewQueueCandidate& b) {
                        if (a.recorded_at != b.recorded_at) return a.recorded_at > b.recorded_at;
                        return key(a) > key(b);
                      });
  }
  ReviewQueuePage page;
  page.total = candidates.size();
  page.items.reserve(end - begin);
  for (std::size_t i = begin; i < end; ++i) {
    const ReviewQueueCandidate& c = candidates[i];
    page.items.push_back(
        MakeReviewQueueItem(*c.stream, c.ledger != nullptr ? c.ledger->Entry(*c.head) : *c.entry, deadlines));
  }
  return page;
}

}  // namespace kuimen
