#include "projections/county_figure.h"

#include <algorithm>
#include <map>

#include "projections/report_period.h"

namespace kuimen {

std::string_view CountyBasisName(CountyBasis basis) {
  return basis == CountyBasis::kLeadCountyWide ? "lead_county_wide" : "sum_of_units";
}

std::string_view CountyBasisLabel(CountyBasis basis) {
  return basis == CountyBasis::kLeadCountyWide ? "牵头单位报全县数" : "各单位合计";
}

namespace {

bool Later(const UnitFigure& a, const UnitFigure& b) {
  return IsLaterFigure(a.period, a.position, b.period, b.position);
}

// Rules 1-3 over `figures`, approved or not.
std::optional<CountyFigure> FormFrom(const std::vector<UnitFigure>& figures, const std::vector<std::string>& lead_units,
                                     std::optional<std::chrono::year_month> up_to, bool approved_only) {
  std::map<std::string, const UnitFigure*> latest;  // by unit
  for (const UnitFigure& figure : figures) {
    if (up_to.has_value() && figure.period > *up_to) continue;
    if (approved_only && !figure.approved) continue;  // rule 4: 待审核 does not count
    const UnitFigure*& best = latest[figure.unit];
    if (best == nullptr || Later(figure, *best)) best = &figure;
  }
  if (latest.empty()) return std::nullopt;

  const auto leads = [&](const std::string& unit) {
    return std::find(lead_units.begin(), lead_units.end(), unit) != lead_units.end();
  };
  CountyFigure out;
  for (const auto& [unit, figure] : latest) out.units.push_back({*figure, leads(unit), false});
  std::stable_sort(out.units.begin(), out.units.end(),
                   [](const auto& a, const auto& b) { return a.lead && !b.lead; });

  CountyFigure::Contribution* county_wide = nullptr;
  for (CountyFigure::Contribution& c : out.units) {
    if (!c.lead || c.figure.scope != IndicatorScope::kCounty) continue;
    if (county_wide == nullptr || Later(c.figure, county_wide->figure)) county_wide = &c;
  }
  if (county_wide != nullptr) {
    county_wide->counted = true;
    out.basis = CountyBasis::kLeadCountyWide;
    out.value = county_wide->figure.value;
    out.latest = county_wide->figure;
    return out;
  }
  out.basis = CountyBasis::kSumOfUnits;
  const UnitFigure* newest = nullptr;
  for (CountyFigure::Contribution& c : out.units) {
    if (c.figure.scope != IndicatorScope::kOwn) continue;  // a non-lead's county figure is refused at write
    c.counted = true;
    out.value += c.figure.value;
    if (newest == nullptr || Later(c.figure, *newest)) newest = &c.figure;
  }
  if (newest == nullptr) return std::nullopt;
  out.latest = *newest;
  return out;
}

}  // namespace

std::optional<CountyFigure> FormCountyFigure(const std::vector<UnitFigure>& figures,
                                             const std::vector<std::string>& lead_units,
                                             std::optional<std::chrono::year_month> up_to) {
  return FormFrom(figures, lead_units, up_to, true);
}

std::optional<CountyFigure> PendingCountyFigure(const std::vector<UnitFigure>& figures,
                                                const std::vector<std::string>& lead_units,
                                                std::optional<std::chrono::year_month> up_to) {
  std::optional<CountyFigure> all = FormFrom(figures, lead_units, up_to, false);
  if (!all.has_value()) return std::nullopt;
  for (const CountyFigure::Contribution& c : all->units) {
    if (!c.figure.approved) return all;
  }
  return std::nullopt;  // every unit's latest figure is approved: nothing waits
}

}  // namespace kuimen
