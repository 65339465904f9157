#pragma once

#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

// Reading a rendered view (gateway/views.h) into spreadsheet cells. The views
// are this service's own output, so a field that is missing or of another
// type is shown as an empty cell rather than failing the whole export; and
// none of these throw, where nlohmann's at() and value() would.
namespace kuimen {

// The member `key` of `object`, or null when `object` is not an object or lacks it.
inline const nlohmann::json& MemberOf(const nlohmann::json& object, std::string_view key) {
  static const nlohmann::json kNull;
  if (!object.is_object()) return kNull;
  const auto it = object.find(key);
  return it == object.end() ? kNull : *it;
}

// A string as it is, a number as JSON prints it (30, 28.5), anything else as "".
inline std::string TextOf(const nlohmann::json& value) {
  if (value.is_string()) return value.get_ref<const std::string&>();
  if (value.is_number()) return value.dump();
  return {};
}

// The texts of an array's elements joined by `separator`; "" for a non-array.
inline std::string JoinTexts(const nlohmann::json& array, std::string_view separator) {
  std::string out;
  if (!array.is_array()) return out;
  for (const nlohmann::json& element : array) {
    std::string text = TextOf(element);
    if (text.empty()) continue;
    if (!out.empty()) out += separator;
    out += text;
  }
  return out;
}

// `parts` joined by `separator`, e.g. units by "、".
inline std::string Join(const std::vector<std::string>& parts, std::string_view separator) {
  std::string out;
  for (const std::string& part : parts) {
    if (!out.empty()) out += separator;
    out += part;
  }
  return out;
}

}  // namespace kuimen
