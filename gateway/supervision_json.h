#pragma once

#include <nlohmann/json.hpp>

#include "projections/supervision_board.h"

// The one place that turns the supervision view's results
// (projections/supervision_board.h) into the JSON the dashboard and API
// clients read: GET /api/v1/views/supervision ("rendered"), /tasks, /majors and
// their items. The form is the contract of gateway/web/*.js and
// gateway/openapi.json, pinned by tests/gateway/golden/supervision_*.json:
// objects with their keys sorted, whole numbers printed as integers, times as
// FormatTimestamp writes them, dates "YYYY-MM-DD", months "YYYY-MM", absent
// things null; every enum as its name beside its label. Pending reports are
// not rendered (the board keeps them for readers in C++).
namespace kuimen {

// as_of, today, tasks, major_items, units, targets, counts, supervision_start,
// report_due_day.
nlohmann::json SupervisionBoardJson(const SupervisionBoard& board);

// One task or major item as it appears in the board's "tasks" or
// "major_items"; with "unit_breakdown" when the item has it (SupervisionView::Item).
nlohmann::json ItemBoardJson(const ItemBoard& item);

}  // namespace kuimen
