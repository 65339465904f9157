#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "domain/clock.h"
#include "domain/events.h"

// The one rule that forms an indicator's county figure from what each unit
// reported (issue 10 item 2). Everything that shows a figure calls it: the
// board's latest value and 进度, the item page and its 单位分解, the county
// targets, tasks.xlsx (through the board) and the assessment's 目标达成.
//
// The rule, as of a period P (every figure of a later period is left out):
// 1. Each unit's latest figure counts: the latest period's, ties broken by
//    log position (projections/report_period.h). A unit that reported in March
//    but not in April still counts its March figure in April: the plan's
//    figures are cumulative, so its latest is its best-known contribution.
// 2. If a lead unit's latest figure is county-wide (全县数), that figure is the
//    county figure ("牵头单位报全县数"); with several leads (a major item) the
//    latest of their county-wide figures. Other units' figures are shown
//    beside it but not added: the lead's figure already covers them.
// 3. Otherwise the county figure is the sum of each unit's latest own
//    contribution ("各单位合计"). With only the lead reporting, that is the
//    lead's figure.
// 4. Only approved figures (审核通过) count (clerk review, session 7, item 3):
//    a figure awaiting review (待审核) is not yet the county's. The caller
//    passes the figures of approved reports and of reports not reviewed yet
//    (never of a returned one); FormCountyFigure leaves the unreviewed ones
//    out, and PendingCountyFigure says what the figure would be once they are
//    approved, which the pages show separately as 待审核.
namespace kuimen {

// One unit's figure for one indicator, from one report that counts.
struct UnitFigure {
  std::string unit;  // the reporting unit: the actor's (a township by its own name)
  IndicatorScope scope = IndicatorScope::kOwn;
  double value = 0;
  std::chrono::year_month period;
  // The report's stream version or global position: either orders the
  // reports of one stream alike.
  std::uint64_t position = 0;
  Timestamp recorded_at;
  bool approved = false;  // 审核通过; false: not reviewed yet (待审核), which does not count
};

enum class CountyBasis {
  kLeadCountyWide,  // a lead unit's county-wide figure
  kSumOfUnits,      // the sum of each unit's latest own contribution
};
std::string_view CountyBasisName(CountyBasis basis);   // "lead_county_wide", "sum_of_units"
std::string_view CountyBasisLabel(CountyBasis basis);  // "牵头单位报全县数", "各单位合计"

struct CountyFigure {
  struct Contribution {
    UnitFigure figure;     // the unit's latest figure as of the period asked
    bool lead = false;     // the unit leads the item
    bool counted = false;  // it forms the county figure
  };
  double value = 0;
  CountyBasis basis = CountyBasis::kSumOfUnits;
  // The latest of the figures counted: its period is the county figure's
  // period, its position and recorded time date it (and say whether it was 补报).
  UnitFigure latest;
  // Every unit that reported, lead units first, then by unit name.
  std::vector<Contribution> units;
};

// The county figure of `figures` (one indicator's, of one item) as of `up_to`
// (all periods when empty), from the approved figures alone (rule 4); nullopt
// when no approved figure is of a period up to it.
std::optional<CountyFigure> FormCountyFigure(const std::vector<UnitFigure>& figures,
                                             const std::vector<std::string>& lead_units,
                                             std::optional<std::chrono::year_month> up_to = std::nullopt);

// The figure awaiting review (待审核): the county figure formed by rules 1-3
// as if every unreviewed figure were approved, when some unit's latest figure
// up to `up_to` is unreviewed; nullopt otherwise. Shown beside the county
// figure, never in its place. Its `units` mark the unreviewed figures
// (figure.approved false) that it takes.
std::optional<CountyFigure> PendingCountyFigure(const std::vector<UnitFigure>& figures,
                                                const std::vector<std::string>& lead_units,
                                                std::optional<std::chrono::year_month> up_to = std::nullopt);

}  // namespace kuimen
