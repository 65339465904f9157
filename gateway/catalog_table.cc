#include "gateway/catalog_table.h"

#include <cmath>
#include <sstream>

namespace kuimen {

size_t DisplayWidth(std::string_view text) {
  size_t width = 0;
  for (size_t i = 0; i < text.size();) {
    unsigned char c = static_cast<unsigned char>(text[i]);
    size_t length = c < 0x80 ? 1 : (c >> 5) == 0x6 ? 2 : (c >> 4) == 0xE ? 3 : 4;
    std::uint32_t code = length == 1 ? c : c & (0xFF >> (length + 1));
    for (size_t j = 1; j < length && i + j < text.size(); ++j) code = (code << 6) | (text[i + j] & 0x3F);
    // CJK ideographs, fullwidth forms and CJK punctuation take two columns.
    bool wide = (code >= 0x1100 && code <= 0x115F) || (code >= 0x2E80 && code <= 0xA4CF) ||
                (code >= 0xAC00 && code <= 0xD7A3) || (code >= 0xF900 && code <= 0xFAFF) ||
                (code >= 0xFE30 && code <= 0xFE4F) || (code >= 0xFF00 && code <= 0xFF60) ||
                (code >= 0xFFE0 && code <= 0xFFE6);
    width += wide ? 2 : 1;
    i += length;
  }
  return width;
}

namespace {

std::string Pad(const std::string& text, size_t width) {
  size_t used = DisplayWidth(text);
  return text + std::string(used < width ? width - used : 0, ' ');
}

std::string Join(const std::vector<std::string>& parts, const std::string& separator) {
  std::string out;
  for (const std::string& part : parts) out += (out.empty() ? "" : separator) + part;
  return out;
}

std::string FormatNumber(double value) {
  std::ostringstream out;
  if (value == std::floor(value)) {
    out << static_cast<long long>(value);
  } else {
    out << value;
  }
  return out.str();
}

std::string FormatTarget(const Target& target) {
  std::string text = target.indicator;
  if (target.value.has_value()) {
    text += " " + FormatNumber(*target.value) + target.unit;
  } else {
    text += "（" + target.as_printed + "）";
  }
  if (target.year.has_value()) text = std::to_string(*target.year) + "年 " + text;
  return text;
}

std::string FormatTargets(const std::vector<Target>& targets) {
  std::vector<std::string> parts;
  for (const Target& target : targets) parts.push_back(FormatTarget(target));
  return Join(parts, "；");
}

}  // namespace

std::string CatalogToTable(const Catalog& catalog) {
  std::ostringstream out;
  const PlanDocument& doc = catalog.document;
  out << doc.title << "\n" << doc.number << "  " << doc.issuer << "  " << doc.date << "\n\n";

  out << "全县目标任务\n";
  for (const Target& target : catalog.targets) {
    out << "  " << (target.year ? std::to_string(*target.year) + "年" : "") << "「" << target.framework << "」 "
        << target.as_printed << "\n";
  }

  out << "\n“四个重大”清单（" << catalog.major_items.size() << "项）\n";
  out << "  " << Pad("序号", 6) << Pad("类别", 10) << Pad("责任单位", 30) << "名称\n";
  for (const MajorItem& item : catalog.major_items) {
    out << "  " << Pad(std::to_string(item.no.value), 6) << Pad("重大" + item.kind, 10)
        << Pad(Join(item.units, "、"), 30) << item.name << "\n";
  }

  out << "\n重点任务分工（" << catalog.tasks.size() << "项）\n";
  out << "  " << Pad("序号", 6) << Pad("名称", 30) << Pad("事项", 30) << "责任单位\n";
  for (const TaskSpec& task : catalog.tasks) {
    out << "  " << Pad(std::to_string(task.no.value), 6) << Pad(task.category, 30) << Pad(task.item, 30)
        << task.lead_unit << "\n";
    out << "  " << Pad("", 6) << "工作任务：" << task.text << "\n";
    out << "  " << Pad("", 6) << "配合单位：" << Join(task.cooperating_units, "；") << "\n";
    if (!task.targets.empty()) out << "  " << Pad("", 6) << "量化目标：" << FormatTargets(task.targets) << "\n";
  }

  if (!catalog.discrepancies.empty()) {
    out << "\n文件自相矛盾或缺漏之处（" << catalog.discrepancies.size() << "处，照录原文）\n";
    for (const Discrepancy& d : catalog.discrepancies) out << "  " << d.where << "：" << d.note << "\n";
  }
  return out.str();
}

}  // namespace kuimen
