#include "domain/catalog.h"

#include <set>

namespace kuimen {

const TaskSpec* Catalog::FindTask(TaskNo no) const {
  for (const TaskSpec& task : tasks) {
    if (task.no == no) return &task;
  }
  return nullptr;
}

const MajorItem* Catalog::FindMajor(MajorNo no) const {
  for (const MajorItem& item : major_items) {
    if (item.no == no) return &item;
  }
  return nullptr;
}

const Unit* Catalog::FindUnit(const std::string& name) const {
  for (const Unit& unit : units) {
    if (unit.name == name) return &unit;
  }
  return nullptr;
}

namespace {

Status Invalid(const std::string& where, const std::string& problem) {
  return Status::InvalidArgument(where + ": " + problem, where);
}

Status ValidateTarget(const Target& target, const std::string& where, bool county_wide = false) {
  if (target.indicator.empty()) return Invalid(where + ".indicator", "must not be empty");
  // An item's own targets are what its reports name; only a county target is read from a task.
  if (!county_wide && target.source.has_value()) {
    return Invalid(where + ".source", "only a county-wide target takes a source");
  }
  if (target.value.has_value()) {
    if (*target.value < 0) return Invalid(where + ".value", "must not be negative");
    if (target.unit.empty()) return Invalid(where + ".unit", "must not be empty when a value is set");
  }
  if (target.year.has_value() && (*target.year < 2000 || *target.year > 2100)) {
    return Invalid(where + ".year", "must be between 2000 and 2100");
  }
  return Status::Ok();
}

// The source must pick out one task indicator measured in the same unit, or
// the county figure would silently add 亿元 to 万亩次.
Status ValidateTargetSource(const Catalog& catalog, const Target& target, const std::string& where) {
  if (!target.source.has_value()) return Status::Ok();
  const TargetSource& source = *target.source;
  const std::string task_name = "task " + std::to_string(source.task.value);
  const TaskSpec* task = catalog.FindTask(source.task);
  if (task == nullptr) return Invalid(where + ".source.task", task_name + " does not exist");
  for (const Target& task_target : task->targets) {
    if (task_target.indicator != source.indicator) continue;
    if (task_target.unit != target.unit) {
      return Invalid(where + ".source.indicator", task_name + " counts \"" + source.indicator + "\" in \"" +
                                                      task_target.unit + "\", this target in \"" + target.unit + "\"");
    }
    return Status::Ok();
  }
  return Invalid(where + ".source.indicator", task_name + " has no target \"" + source.indicator + "\"");
}

Status ValidateUnitRef(const Catalog& catalog, const std::string& name, const std::string& where) {
  if (name.empty()) return Invalid(where, "must not be empty");
  if (catalog.FindUnit(name) == nullptr) {
    return Invalid(where, "unit \"" + name + "\" is not listed in units");
  }
  return Status::Ok();
}

}  // namespace

Status ValidateCatalog(const Catalog& catalog) {
  if (catalog.document.number.empty()) return Invalid("document.number", "must not be empty");
  if (catalog.document.issuer.empty()) return Invalid("document.issuer", "must not be empty");
  if (catalog.supervision_start.has_value()) {
    const std::chrono::year_month start = *catalog.supervision_start;
    if (!start.ok() || static_cast<int>(start.year()) < 2000 || static_cast<int>(start.year()) > 2100) {
      return Invalid("supervision_start", "must be a month YYYY-MM in the years 2000..2100");
    }
  }

  std::set<std::string> unit_names;
  for (size_t i = 0; i < catalog.units.size(); ++i) {
    const Unit& unit = catalog.units[i];
    const std::string where = "units[" + std::to_string(i) + "]";
    if (unit.name.empty()) return Invalid(where + ".name", "must not be empty");
    if (unit.kind != "department" && unit.kind != "group") {
      return Invalid(where + ".kind", "must be \"department\" or \"group\"");
    }
    if (!unit_names.insert(unit.name).second) {
      return Invalid(where + ".name", "\"" + unit.name + "\" is listed twice");
    }
  }

  if (catalog.tasks.empty()) return Invalid("tasks", "must list at least one task");
  std::set<TaskNo> task_nos;
  for (const TaskSpec& task : catalog.tasks) {
    const std::string where = "tasks[no=" + std::to_string(task.no.value) + "]";
    // Stream names use two digits ("task-07").
    if (task.no.value < 1 || task.no.value > 99) return Invalid(where + ".no", "must be 1..99");
    if (!task_nos.insert(task.no).second) return Invalid(where + ".no", "is used twice");
    if (task.category.empty()) return Invalid(where + ".category", "must not be empty");
    if (task.item.empty()) return Invalid(where + ".item", "must not be empty");
    if (task.text.empty()) return Invalid(where + ".text", "must not be empty");
    RETURN_IF_ERROR(ValidateUnitRef(catalog, task.lead_unit, where + ".lead_unit"));
    for (size_t i = 0; i < task.cooperating_units.size(); ++i) {
      RETURN_IF_ERROR(ValidateUnitRef(catalog, task.cooperating_units[i],
                                      where + ".cooperating_units[" + std::to_string(i) + "]"));
    }
    std::set<std::string> indicators;
    for (size_t i = 0; i < task.targets.size(); ++i) {
      const std::string target_where = where + ".targets[" + std::to_string(i) + "]";
      RETURN_IF_ERROR(ValidateTarget(task.targets[i], target_where));
      // Reports name their indicator; the name must pick out one target.
      if (!indicators.insert(task.targets[i].indicator).second) {
        return Invalid(target_where + ".indicator", "is used twice in this task");
      }
    }
  }

  std::set<MajorNo> major_nos;
  for (const MajorItem& item : catalog.major_items) {
    const std::string where = "major_items[no=" + std::to_string(item.no.value) + "]";
    if (item.no.value < 1 || item.no.value > 99) return Invalid(where + ".no", "must be 1..99");
    if (!major_nos.insert(item.no).second) return Invalid(where + ".no", "is used twice");
    if (item.kind != "改革" && item.kind != "政策" && item.kind != "平台" && item.kind != "项目") {
      return Invalid(where + ".kind", "must be one of 改革, 政策, 平台, 项目");
    }
    if (item.name.empty()) return Invalid(where + ".name", "must not be empty");
    if (item.units.empty()) return Invalid(where + ".units", "must name at least one unit");
    for (size_t i = 0; i < item.units.size(); ++i) {
      RETURN_IF_ERROR(
          ValidateUnitRef(catalog, item.units[i], where + ".units[" + std::to_string(i) + "]"));
    }
    for (TaskNo related : item.related_tasks) {
      if (!task_nos.contains(related)) {
        return Invalid(where + ".related_tasks",
                       "task " + std::to_string(related.value) + " does not exist");
      }
    }
    for (size_t i = 0; i < item.targets.size(); ++i) {
      RETURN_IF_ERROR(ValidateTarget(item.targets[i], where + ".targets[" + std::to_string(i) + "]"));
    }
  }

  for (size_t i = 0; i < catalog.targets.size(); ++i) {
    const std::string where = "targets[" + std::to_string(i) + "]";
    RETURN_IF_ERROR(ValidateTarget(catalog.targets[i], where, /*county_wide=*/true));
    if (!catalog.targets[i].year.has_value()) return Invalid(where + ".year", "must be set");
    RETURN_IF_ERROR(ValidateTargetSource(catalog, catalog.targets[i], where));
  }
  return Status::Ok();
}

}  // namespace kuimen
