#pragma once

#include <string>

#include "domain/catalog.h"
#include "domain/status.h"
#include "projections/supervision_board.h"

// The plan's items and how they stand, as a ledger (台账) to download: GET
// /exports/tasks.xlsx.
namespace kuimen {

// xlsx bytes of two sheets, each with a title row, a note row ("截至
// <today>"), a header row with filter buttons kept in view when scrolling,
// then one row per item in the catalog's order:
//  - "附件2 重点任务分工": the tasks in 附件2's columns as the document prints
//    them — 序号, 名称, 事项, 工作任务, 责任单位, 配合单位 (joined with "、") —
//    then 状态, 进度（%）(the latest report's percent, a number), 预警,
//    预警原因, 最近报送 ("2024-11（县农业农村委报送，已通过）") and 目标进展
//    (each target: latest value / target, one per line);
//  - "附件1 四个重大": the major items in 附件1's columns — 序号, 类别
//    ("重大改革"), 名称, 责任单位 — then 关联任务 and the same status columns.
// The plan's columns come from `catalog`, the status columns from `board`
// (SupervisionView::Board, matched by number); an item the board lacks has
// empty status cells. kInvalidArgument (subject "tasks") when the board has
// no tasks while the catalog has; kInternal when the file cannot be made.
Result<std::string> TasksWorkbook(const Catalog& catalog, const SupervisionBoard& board);

}  // namespace kuimen
