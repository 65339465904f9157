// The supervision view's board and items as JSON, rendered by the gateway's
// one writer (gateway/supervision_json.h), for the tests here that check what
// the dashboard and the API read (labels, wire names, nulls). Tests of the
// view's rules can read the typed results (SupervisionView::Board, Item)
// directly.
#pragma once

#include <optional>

#include <nlohmann/json.hpp>

#include "gateway/supervision_json.h"
#include "projections/supervision_view.h"

namespace kuimen {

inline nlohmann::json BoardJson(const SupervisionView& view, Timestamp now) {
  return SupervisionBoardJson(view.Board(now));
}

inline Result<nlohmann::json> ItemJson(const SupervisionView& view, const StreamId& stream, Timestamp now,
                                       std::optional<std::chrono::year_month> period = std::nullopt) {
  ASSIGN_OR_RETURN(ItemBoard item, view.Item(stream, now, period));
  return ItemBoardJson(item);
}

}  // namespace kuimen
