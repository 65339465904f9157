#include "eventstore/json_reader.h"

#include <cmath>

namespace kuimen {

std::string JsonReader::PathOf(const char* key) const {
  return path_.empty() ? std::string(key) : path_ + "." + key;
}

const nlohmann::json* JsonReader::Find(const char* key) const {
  auto it = object_.find(key);
  return it == object_.end() ? nullptr : &*it;
}

Status JsonReader::Wrong(const char* key, const char* code, const char* expected, const char* clerk) const {
  const std::string field = PathOf(key);
  if (voice_ == ReaderVoice::kClerk) return Status::InvalidArgument(clerk, field, code);
  return Status::InvalidArgument(field + ": " + expected, field, code);
}

Status JsonReader::ExpectObject() const {
  if (object_.is_object()) return Status::Ok();
  const std::string field = path_.empty() ? "body" : path_;
  if (voice_ == ReaderVoice::kClerk) return Status::InvalidArgument("此项的格式不对，应为一组字段", field, "wrong_type");
  return Status::InvalidArgument(field + ": must be a JSON object", field, "wrong_type");
}

Status JsonReader::RejectUnknown(std::initializer_list<const char*> known) const {
  for (auto it = object_.begin(); it != object_.end(); ++it) {
    bool found = false;
    for (const char* name : known) found = found || it.key() == name;
    if (!found) {
      const std::string field = PathOf(it.key().c_str());
      if (voice_ == ReaderVoice::kClerk) return Status::InvalidArgument("请求中有无法识别的字段", field, "unknown_field");
      return Status::InvalidArgument(field + ": is not a known field", field, "unknown_field");
    }
  }
  return Status::Ok();
}

Result<std::string> JsonReader::String(const char* key) const {
  const nlohmann::json* value = Find(key);
  if (value == nullptr) return Wrong(key, "required", "is required", "此项为必填项，请填写");
  if (!value->is_string()) return Wrong(key, "wrong_type", "must be a string", "此项应填写文字");
  return value->get<std::string>();
}

Result<std::string> JsonReader::OptionalString(const char* key, std::string fallback) const {
  const nlohmann::json* value = Find(key);
  if (value == nullptr || value->is_null()) return fallback;
  if (!value->is_string()) return Wrong(key, "wrong_type", "must be a string", "此项应填写文字");
  return value->get<std::string>();
}

Result<double> JsonReader::Number(const char* key) const {
  const nlohmann::json* value = Find(key);
  if (value == nullptr) return Wrong(key, "required", "is required", "此项为必填项，请填写");
  if (!value->is_number()) return Wrong(key, "wrong_type", "must be a number", "此项应填写数字");
  // nlohmann reads 1e400 as infinity; no field of ours holds one.
  if (!std::isfinite(value->get<double>())) return Wrong(key, "out_of_range", "must be a finite number", "此项的数字超出范围");
  return value->get<double>();
}

Result<std::optional<double>> JsonReader::OptionalNumber(const char* key) const {
  const nlohmann::json* value = Find(key);
  if (value == nullptr || value->is_null()) return std::optional<double>();
  if (!value->is_number()) return Wrong(key, "wrong_type", "must be a number or null", "此项应填写数字或留空");
  if (!std::isfinite(value->get<double>())) return Wrong(key, "out_of_range", "must be a finite number or null", "此项的数字超出范围");
  return std::optional<double>(value->get<double>());
}

Result<std::int64_t> JsonReader::Integer(const char* key) const {
  ASSIGN_OR_RETURN(std::optional<std::int64_t> value, OptionalInteger(key));
  if (!value.has_value()) return Wrong(key, "required", "is required", "此项为必填项，请填写");
  return *value;
}

Result<std::optional<std::int64_t>> JsonReader::OptionalInteger(const char* key) const {
  const nlohmann::json* value = Find(key);
  if (value == nullptr || value->is_null()) return std::optional<std::int64_t>();
  if (value->is_number_unsigned() && value->get<std::uint64_t>() > 9'000'000'000'000'000'000ULL) {
    return Wrong(key, "out_of_range", "must be a whole number of at most 19 digits", "此项应为不超过19位的整数");
  }
  if (value->is_number_integer()) return std::optional<std::int64_t>(value->get<std::int64_t>());
  // 12.0 is an integer too; 12.5 is not.
  if (value->is_number_float()) {
    double d = value->get<double>();
    if (std::isfinite(d) && d == std::floor(d) && std::fabs(d) < 9e15) {
      return std::optional<std::int64_t>(static_cast<std::int64_t>(d));
    }
  }
  return Wrong(key, "wrong_type", "must be a whole number", "此项应填写整数");
}

Result<std::optional<bool>> JsonReader::OptionalBool(const char* key) const {
  const nlohmann::json* value = Find(key);
  if (value == nullptr || value->is_null()) return std::optional<bool>();
  if (value->is_boolean()) return std::optional<bool>(value->get<bool>());
  return Wrong(key, "wrong_type", "must be true or false", "此项应为“是”或“否”");
}

Result<const nlohmann::json*> JsonReader::Array(const char* key, bool required) const {
  static const nlohmann::json kEmpty = nlohmann::json::array();
  const nlohmann::json* value = Find(key);
  if (value == nullptr || value->is_null()) {
    if (required) return Wrong(key, "required", "is required", "此项为必填项，请填写");
    return &kEmpty;
  }
  if (!value->is_array()) return Wrong(key, "wrong_type", "must be an array", "此项应为列表");
  return value;
}

}  // namespace kuimen
