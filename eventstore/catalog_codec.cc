#include "eventstore/catalog_codec.h"

#include <fstream>
#include <sstream>

#include <nlohmann/json.hpp>

#include "domain/calendar.h"
#include "eventstore/default_catalog.h"
#include "eventstore/json_reader.h"

namespace kuimen {

using nlohmann::json;
using nlohmann::ordered_json;

namespace {

// {"task": 7, "indicator": "…"}; absent or null when the target has no source.
Result<std::optional<TargetSource>> ParseTargetSource(const json& target, const std::string& target_path) {
  auto value = target.find("source");
  if (value == target.end() || value->is_null()) return std::optional<TargetSource>();
  JsonReader r(*value, target_path + ".source");
  RETURN_IF_ERROR(r.ExpectObject());
  RETURN_IF_ERROR(r.RejectUnknown({"task", "indicator"}));
  ASSIGN_OR_RETURN(std::int64_t task, r.Integer("task"));
  if (task < 1) return Status::InvalidArgument(r.PathOf("task") + ": must be 1 or more", r.PathOf("task"));
  ASSIGN_OR_RETURN(std::string indicator, r.String("indicator"));
  return std::optional<TargetSource>(TargetSource{TaskNo(static_cast<std::uint64_t>(task)), std::move(indicator)});
}

Result<Target> ParseTarget(const json& value, const std::string& path, bool county_wide) {
  JsonReader r(value, path);
  RETURN_IF_ERROR(r.ExpectObject());
  // A task's own target names no source: reports are made against it directly.
  if (county_wide) {
    RETURN_IF_ERROR(r.RejectUnknown({"indicator", "value", "unit", "year", "framework", "as_printed", "source"}));
  } else {
    RETURN_IF_ERROR(r.RejectUnknown({"indicator", "value", "unit", "year", "framework", "as_printed"}));
  }
  Target target;
  ASSIGN_OR_RETURN(target.indicator, r.String("indicator"));
  ASSIGN_OR_RETURN(target.value, r.OptionalNumber("value"));
  ASSIGN_OR_RETURN(target.unit, r.OptionalString("unit"));
  ASSIGN_OR_RETURN(std::optional<std::int64_t> year, r.OptionalInteger("year"));
  if (year.has_value()) target.year = static_cast<int>(*year);
  ASSIGN_OR_RETURN(target.as_printed, r.OptionalString("as_printed"));
  if (county_wide) {
    ASSIGN_OR_RETURN(target.framework, r.OptionalString("framework"));
    ASSIGN_OR_RETURN(target.source, ParseTargetSource(value, path));
  }
  return target;
}

Result<std::vector<Target>> ParseTargets(const JsonReader& r, const char* key, bool county_wide) {
  ASSIGN_OR_RETURN(const json* array, r.Array(key, /*required=*/false));
  std::vector<Target> targets;
  for (size_t i = 0; i < array->size(); ++i) {
    ASSIGN_OR_RETURN(Target target, ParseTarget((*array)[i], JsonReader::Element(r.PathOf(key), i), county_wide));
    targets.push_back(std::move(target));
  }
  return targets;
}

Result<std::vector<std::string>> ParseStrings(const JsonReader& r, const char* key) {
  ASSIGN_OR_RETURN(const json* array, r.Array(key));
  std::vector<std::string> strings;
  for (size_t i = 0; i < array->size(); ++i) {
    if (!(*array)[i].is_string()) {
      const std::string field = JsonReader::Element(r.PathOf(key), i);
      return Status::InvalidArgument(field + ": must be a string", field);
    }
    strings.push_back((*array)[i].get<std::string>());
  }
  return strings;
}

Result<TaskSpec> ParseTask(const json& value, const std::string& path) {
  JsonReader r(value, path);
  RETURN_IF_ERROR(r.ExpectObject());
  RETURN_IF_ERROR(r.RejectUnknown({"no", "category", "item", "text", "lead_unit", "cooperating_units", "targets"}));
  TaskSpec task;
  ASSIGN_OR_RETURN(std::int64_t no, r.Integer("no"));
  if (no < 1) return Status::InvalidArgument(r.PathOf("no") + ": must be 1 or more", r.PathOf("no"));
  task.no = TaskNo(static_cast<std::uint64_t>(no));
  ASSIGN_OR_RETURN(task.category, r.String("category"));
  ASSIGN_OR_RETURN(task.item, r.String("item"));
  ASSIGN_OR_RETURN(task.text, r.String("text"));
  ASSIGN_OR_RETURN(task.lead_unit, r.String("lead_unit"));
  ASSIGN_OR_RETURN(task.cooperating_units, ParseStrings(r, "cooperating_units"));
  ASSIGN_OR_RETURN(task.targets, ParseTargets(r, "targets", /*county_wide=*/false));
  return task;
}

Result<MajorItem> ParseMajor(const json& value, const std::string& path) {
  JsonReader r(value, path);
  RETURN_IF_ERROR(r.ExpectObject());
  RETURN_IF_ERROR(r.RejectUnknown({"no", "kind", "name", "units", "related_tasks", "targets"}));
  MajorItem item;
  ASSIGN_OR_RETURN(std::int64_t no, r.Integer("no"));
  if (no < 1) return Status::InvalidArgument(r.PathOf("no") + ": must be 1 or more", r.PathOf("no"));
  item.no = MajorNo(static_cast<std::uint64_t>(no));
  ASSIGN_OR_RETURN(item.kind, r.String("kind"));
  ASSIGN_OR_RETURN(item.name, r.String("name"));
  ASSIGN_OR_RETURN(item.units, ParseStrings(r, "units"));
  ASSIGN_OR_RETURN(const json* related, r.Array("related_tasks", /*required=*/false));
  for (size_t i = 0; i < related->size(); ++i) {
    const json& entry = (*related)[i];
    if (!entry.is_number_unsigned()) {
      const std::string field = JsonReader::Element(r.PathOf("related_tasks"), i);
      return Status::InvalidArgument(field + ": must be a task number", field);
    }
    item.related_tasks.push_back(TaskNo(entry.get<std::uint64_t>()));
  }
  ASSIGN_OR_RETURN(item.targets, ParseTargets(r, "targets", /*county_wide=*/false));
  return item;
}

Result<Catalog> ParseCatalogJson(const json& root) {
  JsonReader r(root, "");
  RETURN_IF_ERROR(r.ExpectObject());
  RETURN_IF_ERROR(r.RejectUnknown(
      {"schema", "document", "supervision_start", "units", "tasks", "major_items", "targets", "discrepancies", "notice_number_prefix",
       "notice_sign_working_days"}));
  ASSIGN_OR_RETURN(std::string schema, r.String("schema"));
  if (schema != kCatalogSchema) {
    return Status::InvalidArgument("schema: is \"" + schema + "\"; this kuimen reads \"" +
                                       std::string(kCatalogSchema) + "\"",
                                   "schema");
  }
  Catalog catalog;
  ASSIGN_OR_RETURN(catalog.notice_number_prefix, r.OptionalString("notice_number_prefix", catalog.notice_number_prefix));
  if (catalog.notice_number_prefix.empty()) {
    return Status::InvalidArgument("notice_number_prefix: must not be empty; leave it out for \"奉三位一体督\"",
                                   "notice_number_prefix");
  }
  if (root.contains("notice_sign_working_days")) {
    ASSIGN_OR_RETURN(std::int64_t days, r.Integer("notice_sign_working_days"));
    if (days < 0 || days > 30) {
      return Status::InvalidArgument("notice_sign_working_days: must be 0..30 working days",
                                     "notice_sign_working_days");
    }
    catalog.notice_sign_working_days = static_cast<int>(days);
  }
  auto document = root.find("document");
  if (document == root.end()) return Status::InvalidArgument("document: is required", "document");
  JsonReader d(*document, "document");
  RETURN_IF_ERROR(d.ExpectObject());
  RETURN_IF_ERROR(d.RejectUnknown({"number", "issuer", "date", "title", "basis"}));
  ASSIGN_OR_RETURN(catalog.document.number, d.String("number"));
  ASSIGN_OR_RETURN(catalog.document.issuer, d.String("issuer"));
  ASSIGN_OR_RETURN(catalog.document.date, d.String("date"));
  ASSIGN_OR_RETURN(catalog.document.title, d.String("title"));
  ASSIGN_OR_RETURN(catalog.document.basis, d.OptionalString("basis"));
  // Optional: without it, supervision starts in the month the store was created.
  ASSIGN_OR_RETURN(std::string start, r.OptionalString("supervision_start"));
  if (!start.empty()) {
    catalog.supervision_start = ParseMonth(start);
    if (!catalog.supervision_start.has_value()) {
      return Status::InvalidArgument("supervision_start: \"" + start + "\" is not a month written YYYY-MM",
                                     "supervision_start");
    }
  }

  ASSIGN_OR_RETURN(const json* units, r.Array("units"));
  for (size_t i = 0; i < units->size(); ++i) {
    JsonReader u((*units)[i], JsonReader::Element("units", i));
    RETURN_IF_ERROR(u.ExpectObject());
    RETURN_IF_ERROR(u.RejectUnknown({"name", "kind"}));
    Unit unit;
    ASSIGN_OR_RETURN(unit.name, u.String("name"));
    ASSIGN_OR_RETURN(unit.kind, u.String("kind"));
    catalog.units.push_back(std::move(unit));
  }
  ASSIGN_OR_RETURN(const json* tasks, r.Array("tasks"));
  for (size_t i = 0; i < tasks->size(); ++i) {
    ASSIGN_OR_RETURN(TaskSpec task, ParseTask((*tasks)[i], JsonReader::Element("tasks", i)));
    catalog.tasks.push_back(std::move(task));
  }
  ASSIGN_OR_RETURN(const json* majors, r.Array("major_items", /*required=*/false));
  for (size_t i = 0; i < majors->size(); ++i) {
    ASSIGN_OR_RETURN(MajorItem item, ParseMajor((*majors)[i], JsonReader::Element("major_items", i)));
    catalog.major_items.push_back(std::move(item));
  }
  ASSIGN_OR_RETURN(catalog.targets, ParseTargets(r, "targets", /*county_wide=*/true));
  ASSIGN_OR_RETURN(const json* notes, r.Array("discrepancies", /*required=*/false));
  for (size_t i = 0; i < notes->size(); ++i) {
    JsonReader n((*notes)[i], JsonReader::Element("discrepancies", i));
    RETURN_IF_ERROR(n.ExpectObject());
    Discrepancy discrepancy;
    ASSIGN_OR_RETURN(discrepancy.where, n.String("where"));
    ASSIGN_OR_RETURN(discrepancy.note, n.String("note"));
    catalog.discrepancies.push_back(std::move(discrepancy));
  }
  RETURN_IF_ERROR(ValidateCatalog(catalog));
  return catalog;
}

ordered_json TargetToJson(const Target& target, bool county_wide) {
  ordered_json out = ordered_json::object();
  if (county_wide) {
    out["year"] = target.year.has_value() ? ordered_json(*target.year) : ordered_json(nullptr);
    out["framework"] = target.framework;
  }
  out["indicator"] = target.indicator;
  out["value"] = target.value.has_value() ? NumberJson<ordered_json>(*target.value) : ordered_json(nullptr);
  out["unit"] = target.unit;
  if (!county_wide) out["year"] = target.year.has_value() ? ordered_json(*target.year) : ordered_json(nullptr);
  out["as_printed"] = target.as_printed;
  if (county_wide) {
    out["source"] = target.source.has_value()
                        ? ordered_json{{"task", target.source->task.value}, {"indicator", target.source->indicator}}
                        : ordered_json(nullptr);
  }
  return out;
}

ordered_json TargetsToJson(const std::vector<Target>& targets, bool county_wide) {
  ordered_json out = ordered_json::array();
  for (const Target& target : targets) out.push_back(TargetToJson(target, county_wide));
  return out;
}

}  // namespace

Result<Catalog> ParseCatalog(std::string_view json_text) {
  json root = json::parse(json_text, nullptr, /*allow_exceptions=*/false);
  if (root.is_discarded()) return Status::InvalidArgument("the catalog is not valid JSON", "catalog");
  return ParseCatalogJson(root);
}

Result<Catalog> LoadCatalogFile(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return Status::NotFound("cannot read the catalog file " + path.string());
  std::ostringstream text;
  text << in.rdbuf();
  Result<Catalog> catalog = ParseCatalog(text.str());
  if (!catalog.ok()) return catalog.status().WithContext(path.string());
  return catalog;
}

Result<Catalog> LoadDefaultCatalog() {
  Result<Catalog> catalog = ParseCatalog(kDefaultCatalogJson);
  if (!catalog.ok()) return catalog.status().WithContext("the built-in catalog");
  return catalog;
}

std::string CatalogToJson(const Catalog& catalog, int indent) {
  // ordered_json keeps keys in the documented order; the output parses back as a catalog.
  ordered_json out;
  out["schema"] = kCatalogSchema;
  out["document"] = {{"number", catalog.document.number},
                     {"issuer", catalog.document.issuer},
                     {"date", catalog.document.date},
                     {"title", catalog.document.title},
                     {"basis", catalog.document.basis}};
  if (catalog.supervision_start.has_value()) out["supervision_start"] = FormatMonth(*catalog.supervision_start);
  out["notice_number_prefix"] = catalog.notice_number_prefix;
  out["notice_sign_working_days"] = catalog.notice_sign_working_days;
  out["units"] = ordered_json::array();
  for (const Unit& unit : catalog.units) out["units"].push_back({{"name", unit.name}, {"kind", unit.kind}});
  out["tasks"] = ordered_json::array();
  for (const TaskSpec& task : catalog.tasks) {
    out["tasks"].push_back({{"no", task.no.value},
                            {"category", task.category},
                            {"item", task.item},
                            {"text", task.text},
                            {"lead_unit", task.lead_unit},
                            {"cooperating_units", task.cooperating_units},
                            {"targets", TargetsToJson(task.targets, false)}});
  }
  out["major_items"] = ordered_json::array();
  for (const MajorItem& item : catalog.major_items) {
    ordered_json related = ordered_json::array();
    for (TaskNo no : item.related_tasks) related.push_back(no.value);
    out["major_items"].push_back({{"no", item.no.value},
                                  {"kind", item.kind},
                                  {"name", item.name},
                                  {"units", item.units},
                                  {"related_tasks", related},
                                  {"targets", TargetsToJson(item.targets, false)}});
  }
  out["targets"] = TargetsToJson(catalog.targets, true);
  out["discrepancies"] = ordered_json::array();
  for (const Discrepancy& d : catalog.discrepancies) {
    out["discrepancies"].push_back({{"where", d.where}, {"note", d.note}});
  }
  return out.dump(indent);
}

}  // namespace kuimen
