#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <vector>

#include "domain/ids.h"
#include "domain/status.h"

// The plan being supervised, as data: one county's implementation plan of the
// "三位一体" reform (for Fengjie, 奉节府办发〔2024〕62号). Loaded from a file by
// eventstore/catalog_codec.h and validated once; immutable afterwards.
namespace kuimen {

struct PlanDocument {
  std::string number;  // 文号, e.g. "奉节府办发〔2024〕62号"
  std::string issuer;  // 发文机关
  std::string date;    // YYYY-MM-DD as printed
  std::string title;
  std::string basis;   // the municipal notice it implements, e.g. "渝府办发〔2024〕38号"
};

// A unit named in the plan. kind is "department" (one body) or "group" (a
// collective such as 各乡镇人民政府、街道办事处 or 各银行机构).
struct Unit {
  std::string name;
  std::string kind;
};

// Where a county-wide target's progress is read from: the values reported
// against one task's indicator. Editorial data (the document links no county
// target to a task), so it is set only where the mapping is unambiguous.
struct TargetSource {
  TaskNo task;
  std::string indicator;  // one of that task's targets, in the county target's unit
  bool operator==(const TargetSource&) const = default;
};

// A quantitative target (目标). value is empty for a qualitative one; year is
// empty where the document prints none.
struct Target {
  std::string indicator;
  std::optional<double> value;
  std::string unit;
  std::optional<int> year;
  std::string framework;   // county-wide targets only: "1+3+30", "1+10+N"
  std::string as_printed;  // the phrase in the document
  std::optional<TargetSource> source = std::nullopt;  // county-wide targets only
};

// One row of 附件2 (重点任务分工).
struct TaskSpec {
  TaskNo no;
  std::string category;  // 名称
  std::string item;      // 事项
  std::string text;      // 工作任务
  std::string lead_unit; // 责任单位
  std::vector<std::string> cooperating_units;  // 配合单位
  std::vector<Target> targets;
};

// One row of 附件1 (“四个重大”清单).
struct MajorItem {
  MajorNo no;
  std::string kind;  // 改革, 政策, 平台 or 项目
  std::string name;
  std::vector<std::string> units;  // 责任单位 as printed, in order
  std::vector<TaskNo> related_tasks;
  std::vector<Target> targets;
};

// Where the document contradicts itself or leaves something out; recorded, not guessed.
struct Discrepancy {
  std::string where;
  std::string note;
};

struct Catalog {
  PlanDocument document;
  std::vector<Unit> units;
  std::vector<TaskSpec> tasks;
  std::vector<MajorItem> major_items;
  std::vector<Target> targets;  // county-wide, with year and framework
  std::vector<Discrepancy> discrepancies;
  // The first month whose progress report is due (督办起始月份), e.g. 2026-12.
  // Empty (the default): the month, China time, in which the event store was
  // created, i.e. the recorded time of its first event. Years 2000..2100.
  std::optional<std::chrono::year_month> supervision_start;
  // 督办文号的前缀: notices are numbered "<prefix>〔2026〕7号"
  // (domain/notice_number.h). Catalog key "notice_number_prefix", optional;
  // default "奉三位一体督".
  std::string notice_number_prefix = "奉三位一体督";
  // 逾期未签收: a 督办 notice neither signed for (签收) nor answered this many
  // working days after the day it was issued is flagged (黄 on the item and
  // on the notice, in the supervision view). Working days are Monday to
  // Friday; public holidays and 调休 weekends are not modelled. Catalog key
  // "notice_sign_working_days", optional, 0..30; default 2: issued on a
  // Monday, unsigned on Wednesday is fine, on Thursday it is flagged.
  int notice_sign_working_days = 2;

  const TaskSpec* FindTask(TaskNo no) const;
  const MajorItem* FindMajor(MajorNo no) const;
  const Unit* FindUnit(const std::string& name) const;
};

// Checks the invariants every later part relies on: distinct task and major
// numbers, no empty names or texts, every unit referenced is listed, targets
// well formed, related tasks exist, a county target's source names a task's
// indicator in the same unit (and only county targets have one). The error
// names the entry and the problem, e.g. "tasks[no=7].lead_unit: must not be empty".
Status ValidateCatalog(const Catalog& catalog);

}  // namespace kuimen
