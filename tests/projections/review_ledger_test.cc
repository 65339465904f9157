// The review ledger keeps every report compactly (a fixed-size head, packed
// fields, names stored once). Folding random reports, reviews and
// supersessions, every entry it gives back must be the one a plain fold into
// whole entries gives, field for field (compared as their row bytes), and so
// must the status rule's reading of the heads, the per-period counts and the
// indicator look-ups the 单位分解 makes; also after the rows are loaded into a
// new ledger, which then folds on alike.
#include <gtest/gtest.h>

#include <map>
#include <optional>
#include <random>
#include <string>
#include <vector>

#include "eventstore/event_codec.h"
#include "projections/review_queue.h"

namespace kuimen {
namespace {

const std::vector<std::string> kUnits = {"县农业农村委", "县供销合作社", "永安街道", ""};
const std::vector<std::string> kIndicators = {"农业生产社会化服务规模", "农民专业合作社", "x"};
const std::vector<std::string> kIndicatorUnits = {"万亩次", "个", ""};

// The fold the ledger must agree with: whole entries in a map, every pending
// report of the unit and period superseded by a new one, a review deciding an
// undecided report.
struct PlainLedger {
  std::map<StreamVersion, ReviewEntry> entries;

  void Apply(const RecordedEvent& envelope, const EventData& event) {
    if (const auto* report = std::get_if<ProgressReported>(&event)) {
      for (auto& [version, older] : entries) {
        if (older.unit == envelope.actor.unit && older.period == report->period &&
            older.state() == ReviewState::kPending) {
          older.superseded_by = envelope.version;
        }
      }
      ReviewEntry& entry = entries[envelope.version];
      entry.version = envelope.version;
      entry.period = report->period;
      entry.unit = envelope.actor.unit;
      entry.principal = envelope.actor.principal;
      entry.recorded_at = envelope.recorded_at;
      entry.position = envelope.position;
      entry.percent = report->percent;
      entry.summary = report->summary;
      entry.indicators = report->indicators;
    } else if (const auto* review = std::get_if<ReportReviewed>(&event)) {
      auto it = entries.find(review->report_version);
      if (it != entries.end() && !it->second.decision.has_value()) {
        it->second.decision = review->decision;
        it->second.reviewed_at = envelope.recorded_at;
        it->second.comment = review->comment;
      }
    }
  }
};

class RandomReports {
 public:
  explicit RandomReports(unsigned seed) : random_(seed) {}

  std::pair<RecordedEvent, EventData> Next() {
    RecordedEvent envelope;
    envelope.stream = StreamId{"task-07"};
    envelope.version = StreamVersion(++version_);
    envelope.position = GlobalPosition(version_ * 3);
    envelope.recorded_at = Timestamp(std::chrono::microseconds(1'700'000'000'000'000 + Pick(5) * 1'000'000));
    envelope.actor = Actor{"p-" + std::to_string(Pick(3)), Role::kDepartment, kUnits[Pick(kUnits.size())]};
    if (version_ > 1 && Pick(5) < 2) {
      const ReviewDecision decision = Pick(2) == 0 ? ReviewDecision::kApproved : ReviewDecision::kReturned;
      return {envelope, ReportReviewed{StreamVersion(1 + Pick(version_ - 1)), decision,
                                       Pick(3) == 0 ? "" : "意见" + std::to_string(Pick(100))}};
    }
    ProgressReported report;
    report.period = std::chrono::year(2024) / std::chrono::month(1 + static_cast<unsigned>(Pick(3)));
    report.percent = static_cast<double>(Pick(1000)) / 10;
    report.summary = Pick(4) == 0 ? "" : "本月按计划推进，第" + std::to_string(version_) + "期。";
    for (std::size_t i = 0, n = Pick(4); i < n; ++i) {
      report.indicators.push_back(IndicatorValue{kIndicators[Pick(kIndicators.size())],
                                                 static_cast<double>(Pick(10000)) / 7,
                                                 kIndicatorUnits[Pick(kIndicatorUnits.size())],
                                                 Pick(2) == 0 ? IndicatorScope::kOwn : IndicatorScope::kCounty});
    }
    return {envelope, report};
  }

 private:
  std::uint64_t Pick(std::uint64_t n) { return std::uniform_int_distribution<std::uint64_t>(0, n - 1)(random_); }
  std::mt19937_64 random_;
  std::uint64_t version_ = 0;
};

// The first value of the indicator a report carries, as the 单位分解 reads it.
std::optional<IndicatorValue> FirstOf(const ReviewEntry& entry, const std::string& name, const std::string& unit) {
  for (const IndicatorValue& v : entry.indicators) {
    if (v.indicator == name && v.unit == unit) return v;
  }
  return std::nullopt;
}

void ExpectSame(const ReviewLedger& ledger, const PlainLedger& plain) {
  ASSERT_EQ(ledger.heads().size(), plain.entries.size());
  std::map<std::chrono::year_month, std::int64_t> per_period;
  auto head = ledger.heads().begin();
  for (const auto& [version, entry] : plain.entries) {
    ASSERT_EQ(head->version, version);
    EXPECT_EQ(ReviewLedger::EntryToRow(ledger.Entry(*head)), ReviewLedger::EntryToRow(entry)) << version.value;
    // What the status rule and the queue's filters read from the head alone.
    EXPECT_EQ(ledger.Name(head->unit), entry.unit);
    EXPECT_EQ(head->state(), entry.state());
    EXPECT_EQ(head->period, entry.period);
    EXPECT_EQ(head->recorded_at, entry.recorded_at);
    EXPECT_EQ(head->position, entry.position);
    EXPECT_EQ(ledger.Find(version), &*head);
    for (const std::string& name : kIndicators) {
      for (const std::string& unit : kIndicatorUnits) {
        const std::optional<IndicatorValue> want = FirstOf(entry, name, unit);
        const std::optional<ReviewLedger::NameId> name_id = ledger.IdOf(name), unit_id = ledger.IdOf(unit);
        const std::optional<IndicatorValue> got =
            name_id && unit_id ? ledger.IndicatorOf(*head, *name_id, *unit_id) : std::nullopt;
        ASSERT_EQ(got.has_value(), want.has_value()) << version.value << " " << name << " " << unit;
        if (want) {
          EXPECT_EQ(got->value, want->value);
          EXPECT_EQ(got->scope, want->scope);
        }
      }
    }
    ++per_period[entry.period];
    ++head;
  }
  EXPECT_EQ(ledger.ReportsByPeriod(), per_period);
}

// Folds `events` random events into both.
void FoldBoth(RandomReports& reports, int events, ReviewLedger& ledger, PlainLedger& plain) {
  for (int i = 0; i < events; ++i) {
    const auto [envelope, event] = reports.Next();
    const ReviewLedgerChange change = ledger.Apply(envelope, event);
    plain.Apply(envelope, event);
    for (StreamVersion superseded : change.superseded) {
      EXPECT_EQ(plain.entries.at(superseded).superseded_by, envelope.version);
    }
  }
}

TEST(ReviewLedger, RandomFoldsGiveBackTheEntriesOfAPlainFold) {
  for (unsigned seed = 1; seed <= 20; ++seed) {
    SCOPED_TRACE("seed " + std::to_string(seed));
    RandomReports reports(seed);
    ReviewLedger ledger;
    PlainLedger plain;
    FoldBoth(reports, 300, ledger, plain);
    ExpectSame(ledger, plain);
  }
}

TEST(ReviewLedger, ALedgerLoadedFromItsRowsFoldsOnAsTheOriginal) {
  for (unsigned seed = 21; seed <= 40; ++seed) {
    SCOPED_TRACE("seed " + std::to_string(seed));
    RandomReports reports(seed);
    ReviewLedger ledger;
    PlainLedger plain;
    FoldBoth(reports, 150, ledger, plain);
    ReviewLedger loaded;
    for (const ReviewLedger::Head& head : ledger.heads()) {
      Result<ReviewEntry> entry = ReviewLedger::EntryFromRow(ReviewLedger::EntryToRow(ledger.Entry(head)));
      ASSERT_TRUE(entry.ok()) << entry.status().message();
      loaded.Load(*entry);
    }
    ExpectSame(loaded, plain);
    FoldBoth(reports, 150, loaded, plain);
    ExpectSame(loaded, plain);
  }
}

TEST(ReviewLedger, ReloadingARowReplacesItsEntryAndCountsItOnce) {
  RandomReports reports(41);
  ReviewLedger ledger;
  PlainLedger plain;
  FoldBoth(reports, 20, ledger, plain);
  ReviewEntry changed = ledger.Entry(ledger.heads()[3]);
  changed.summary = "改写";
  changed.period = std::chrono::year(2023) / std::chrono::month(12);
  ledger.Load(changed);
  plain.entries[changed.version] = changed;
  ExpectSame(ledger, plain);
}

}  // namespace
}  // namespace kuimen
