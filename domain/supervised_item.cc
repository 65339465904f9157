#include "domain/supervised_item.h"

#include <algorithm>
#include <charconv>
#include <cstdio>

namespace kuimen {

bool SupervisedItem::Involves(const std::string& unit) const {
  return std::find(lead_units.begin(), lead_units.end(), unit) != lead_units.end() ||
         std::find(cooperating_units.begin(), cooperating_units.end(), unit) !=
             cooperating_units.end();
}

const Target* SupervisedItem::FindTarget(const std::string& indicator) const {
  for (const Target& target : targets) {
    if (target.indicator == indicator) return &target;
  }
  return nullptr;
}

StreamId TaskStream(TaskNo no) {
  char buffer[16];
  std::snprintf(buffer, sizeof buffer, "task-%02llu", static_cast<unsigned long long>(no.value));
  return StreamId{buffer};
}

StreamId MajorStream(MajorNo no) { return StreamId{"major-" + std::to_string(no.value)}; }

std::vector<StreamId> AllStreams(const Catalog& catalog) {
  std::vector<StreamId> streams;
  for (const TaskSpec& task : catalog.tasks) streams.push_back(TaskStream(task.no));
  for (const MajorItem& item : catalog.major_items) streams.push_back(MajorStream(item.no));
  return streams;
}

namespace {

// Parses the number after `prefix`; only the canonical spelling is accepted so
// that one item has exactly one stream name.
bool ParseNumber(const std::string& name, const std::string& prefix, std::uint64_t& out) {
  if (name.rfind(prefix, 0) != 0) return false;
  const char* first = name.data() + prefix.size();
  const char* last = name.data() + name.size();
  auto [end, error] = std::from_chars(first, last, out);
  return error == std::errc() && end == last && first != last;
}

}  // namespace

Result<SupervisedItem> ResolveStream(const Catalog& catalog, const StreamId& stream) {
  std::uint64_t number = 0;
  if (ParseNumber(stream.value, "task-", number)) {
    const TaskSpec* task = catalog.FindTask(TaskNo(number));
    if (task != nullptr && TaskStream(task->no) == stream) {
      return SupervisedItem{stream, {task->lead_unit}, task->cooperating_units, task->targets};
    }
  } else if (ParseNumber(stream.value, "major-", number)) {
    const MajorItem* item = catalog.FindMajor(MajorNo(number));
    if (item != nullptr && MajorStream(item->no) == stream) {
      return SupervisedItem{stream, item->units, {}, item->targets};
    }
  }
  return Status::NotFound("方案中没有这个事项", "item_not_found");
}

}  // namespace kuimen
