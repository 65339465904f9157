#pragma once

#include <cmath>
#include <optional>
#include <string>

#include <nlohmann/json.hpp>

#include "domain/status.h"

namespace kuimen {

// Whom a JsonReader's refusals are worded for.
enum class ReaderVoice {
  kLog,    // files and stored rows: English, the path in the message ("tasks[3].lead_unit: is required")
  kClerk,  // a client's request: Chinese, the path only in Status::field() (domain/status.h)
};

// Reads typed fields out of a JSON object, turning every missing or mistyped
// field into kInvalidArgument naming its path ("tasks[3].lead_unit") in
// field(), with reason() required, wrong_type, out_of_range or unknown_field.
// Shared by the catalog and event codecs so both speak of fields the same way.
class JsonReader {
 public:
  // `path` is the object's own path ("" at the top).
  JsonReader(const nlohmann::json& object, std::string path, ReaderVoice voice = ReaderVoice::kLog)
      : object_(object), path_(std::move(path)), voice_(voice) {}

  ReaderVoice voice() const { return voice_; }

  // kInvalidArgument unless the value is an object. Check this first.
  Status ExpectObject() const;
  // kInvalidArgument naming the first key not in `known` (typos fail loudly).
  Status RejectUnknown(std::initializer_list<const char*> known) const;

  Result<std::string> String(const char* key) const;
  // Absent or null gives the fallback.
  Result<std::string> OptionalString(const char* key, std::string fallback = {}) const;
  Result<double> Number(const char* key) const;
  Result<std::optional<double>> OptionalNumber(const char* key) const;
  Result<std::int64_t> Integer(const char* key) const;
  Result<std::optional<std::int64_t>> OptionalInteger(const char* key) const;
  // true or false; absent or null gives nullopt.
  Result<std::optional<bool>> OptionalBool(const char* key) const;
  // The array at `key` (absent counts as empty when `required` is false).
  Result<const nlohmann::json*> Array(const char* key, bool required = true) const;

  // "path.key" (or "key" at the top).
  std::string PathOf(const char* key) const;
  static std::string Element(const std::string& array_path, size_t index) {
    return array_path + "[" + std::to_string(index) + "]";
  }

 private:
  const nlohmann::json* Find(const char* key) const;
  Status Wrong(const char* key, const char* code, const char* expected, const char* clerk) const;

  const nlohmann::json& object_;
  std::string path_;
  ReaderVoice voice_ = ReaderVoice::kLog;
};

// A number as JSON: whole values as integers ("16", not "16.0"), the rest as
// doubles. Used wherever this project writes numbers, so equal values always
// print alike.
template <typename Json>
Json NumberJson(double value) {
  // The range first: converting a double beyond int64's range is undefined.
  if (value > -9e15 && value < 9e15 && value == std::trunc(value)) {
    return Json(static_cast<std::int64_t>(value));
  }
  return Json(value);
}

}  // namespace kuimen
