// What the supervision-view tests of the session-7 clerk reviews share: the
// Fengjie plan, moments in China time, its units' principals, report and
// review events, and the view folded from a log.
#pragma once

#include <gtest/gtest.h>

#include "eventstore/catalog_codec.h"
#include "projections/supervision_view.h"
#include "tests/projections/board_json.h"
#include "tests/projections/envelope_log.h"

namespace kuimen::testing::fengjie {

using nlohmann::json;
using Log = EnvelopeLog;

inline const Catalog& Fengjie() {
  static const Catalog catalog = LoadDefaultCatalog().value();
  return catalog;
}

inline std::chrono::year_month Month(int y, unsigned m) { return {std::chrono::year(y), std::chrono::month(m)}; }

// A moment given in China time (UTC+8).
inline Timestamp China(int y, unsigned m, unsigned d, int hour = 10) {
  return Timestamp(std::chrono::sys_days(std::chrono::year_month_day{std::chrono::year(y), std::chrono::month(m),
                                                                     std::chrono::day(d)}) +
                   std::chrono::hours(hour - 8));
}

inline const Actor kTaskForce{"p-tf", Role::kTaskForce, ""};
inline const Actor kAgriculture{"p-nyw", Role::kDepartment, "县农业农村委"};  // leads task 7
inline const Actor kCoop{"p-gxs", Role::kDepartment, "县供销合作社"};         // cooperates on task 7, leads task 2
inline const Actor kYongan{"p-ya", Role::kDepartment, "永安街道", "各乡镇人民政府、街道办事处"};

inline ProgressReported Progress(std::chrono::year_month period, double percent, std::vector<IndicatorValue> indicators = {}) {
  return ProgressReported{period, "本月进展", percent, std::move(indicators), {}};
}
inline ReportReviewed Approve(std::uint64_t version) { return {StreamVersion(version), ReviewDecision::kApproved, ""}; }
inline ReportReviewed Return(std::uint64_t version) { return {StreamVersion(version), ReviewDecision::kReturned, "数据不实"}; }

inline std::unique_ptr<SupervisionView> ViewOf(const Log& log) {
  Result<std::unique_ptr<SupervisionView>> view = SupervisionView::Create(Fengjie());
  EXPECT_TRUE(view.ok()) << view.status().ToString();
  for (const auto& [envelope, data] : log.events()) (*view)->Apply(envelope, data);
  return std::move(view).value();
}

inline json Item(const SupervisionView& view, const std::string& stream, Timestamp now) {
  Result<json> item = ItemJson(view, StreamId{stream}, now);
  EXPECT_TRUE(item.ok()) << item.status().ToString();
  return item.ok() ? *item : json();
}

inline json BoardItem(const json& board, const char* list, std::uint64_t no) {
  for (const json& item : board[list]) {
    if (item["no"] == no) return item;
  }
  return json();
}

}  // namespace kuimen::testing::fengjie
