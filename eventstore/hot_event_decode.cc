#include "eventstore/hot_event_decode.h"

#include <charconv>
#include <cmath>
#include <cstring>
#include <string>
#include <utility>

#include <simdjson.h>

#include "domain/calendar.h"

// Read with simdjson's On-Demand API, strict on purpose: whatever is not
// plainly the JSON the codec writes goes back to the tree path (nullopt),
// which has the messages for it. So this reader needs no error of its own,
// and what it accepts it reads as nlohmann::json would. simdjson checks the
// grammar, UTF-8 and control characters and unescapes strings; what is left
// here is the codec's schema (each field once, no unknown one) and the few
// places where the two libraries read the same text differently.
namespace kuimen {
namespace {

namespace od = simdjson::ondemand;

// One parser per thread, reused: it keeps its buffers between payloads.
od::parser& Parser() {
  thread_local od::parser parser;
  return parser;
}

// simdjson reads up to SIMDJSON_PADDING bytes past the end of its input, and
// a payload from the store has no such tail: it is copied into a buffer per
// thread that only grows.
simdjson::padded_string_view Padded(std::string_view json) {
  thread_local std::string buffer;
  if (buffer.size() < json.size() + simdjson::SIMDJSON_PADDING) {
    buffer.resize(json.size() + simdjson::SIMDJSON_PADDING);
  }
  if (!json.empty()) std::memcpy(buffer.data(), json.data(), json.size());
  return simdjson::padded_string_view(buffer.data(), json.size(), buffer.size());
}

// Marks a field read; false if it was read before (a repeated key, which
// nlohmann would resolve its own way: left to the tree).
bool First(unsigned& seen, unsigned bit) {
  if ((seen & bit) != 0) return false;
  seen |= bit;
  return true;
}

bool ReadString(od::value value, std::string_view& out) { return value.get_string().get(out) == simdjson::SUCCESS; }

bool ReadString(od::value value, std::string& out) {
  std::string_view text;
  if (!ReadString(value, text)) return false;
  out = text;
  return true;
}

// A finite number, correctly rounded, which is what nlohmann's value comes to
// once the codec has made it a double (an integer literal is an integer
// there, and converting it rounds to nearest too). simdjson checks the
// grammar, but its value is not always right in 3.0.1: get_number() reads a
// fraction of more than 19 digits as 0, and get_double() misreads a long
// mantissa with an exponent (-0.5444…4e-3, 80 digits, came out as
// -1.43e-65; found by tests/fuzz hot_event_decode_fuzz). So the value is read
// from the token's text with std::from_chars, correctly rounded as strtod
// (nlohmann's reader) is. A negative zero is left to the tree: "-0" is an
// integer zero to nlohmann, hence +0.0.
bool ReadNumber(od::value value, double& out) {
  std::string_view text = value.raw_json_token();  // the token and any whitespace after it
  double checked = 0;
  if (value.get_double().get(checked) != simdjson::SUCCESS) return false;
  while (!text.empty() && (text.back() == ' ' || text.back() == '\t' || text.back() == '\n' || text.back() == '\r')) {
    text.remove_suffix(1);
  }
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), out);
  if (error != std::errc() || end != text.data() + text.size() || !std::isfinite(out)) return false;
  return !(out == 0 && std::signbit(out));
}

// Calls `member(key, value)` for each member of an object; false as soon as
// it returns false or the JSON is not an object. The key is compared as it is
// written (it equals a field name only if it has no escape: a key with one is
// unknown, left to the tree), which saves unescaping each key.
template <typename F>
bool ReadObject(od::value value, F member) {
  od::object object;
  if (value.get_object().get(object) != simdjson::SUCCESS) return false;
  for (simdjson::simdjson_result<od::field> item : object) {
    od::field field;
    if (std::move(item).get(field) != simdjson::SUCCESS || !member(field.key(), field.value())) return false;
  }
  return true;
}

template <typename F>
bool ReadArray(od::value value, F element) {
  od::array array;
  if (value.get_array().get(array) != simdjson::SUCCESS) return false;
  for (simdjson::simdjson_result<od::value> item : array) {
    od::value v;
    if (std::move(item).get(v) != simdjson::SUCCESS || !element(v)) return false;
  }
  return true;
}

// Reads the payload's root object with `member` and checks nothing follows it.
template <typename F>
bool ReadPayload(std::string_view json, F member) {
  od::document document;
  if (Parser().iterate(Padded(json)).get(document) != simdjson::SUCCESS) return false;
  od::value root;
  if (document.get_value().get(root) != simdjson::SUCCESS || !ReadObject(root, member)) return false;
  return document.current_location().error() == simdjson::OUT_OF_BOUNDS;
}

bool ReadIndicator(od::value value, IndicatorValue& v) {
  unsigned seen = 0;
  const bool ok = ReadObject(value, [&](od::raw_json_string key, od::value field) {
    if (key == "indicator") return First(seen, 1) && ReadString(field, v.indicator);
    if (key == "value") return First(seen, 2) && ReadNumber(field, v.value);
    if (key == "unit") return First(seen, 4) && ReadString(field, v.unit);
    if (key == "scope") {
      std::string_view text;
      if (!First(seen, 8) || !ReadString(field, text)) return false;
      if (text == IndicatorScopeName(IndicatorScope::kCounty)) {
        v.scope = IndicatorScope::kCounty;
        return true;
      }
      return text == IndicatorScopeName(IndicatorScope::kOwn) || text.empty();
    }
    return false;
  });
  return ok && (seen & 7) == 7;  // scope may be absent: the unit's own
}

}  // namespace

std::optional<ProgressReported> DecodeHotProgressReported(std::string_view data_json) {
  ProgressReported e;
  unsigned seen = 0;
  const bool ok = ReadPayload(data_json, [&](od::raw_json_string key, od::value field) {
    if (key == "period") {
      std::string_view text;
      if (!First(seen, 1) || !ReadString(field, text)) return false;
      std::optional<std::chrono::year_month> month = ParseMonth(text);
      if (!month) return false;
      e.period = *month;
      return true;
    }
    if (key == "summary") return First(seen, 2) && ReadString(field, e.summary);
    if (key == "percent") return First(seen, 4) && ReadNumber(field, e.percent);
    if (key == "indicators") {
      return First(seen, 8) &&
             ReadArray(field, [&](od::value item) { return ReadIndicator(item, e.indicators.emplace_back()); });
    }
    if (key == "milestones_met") {
      return First(seen, 16) &&
             ReadArray(field, [&](od::value item) { return ReadString(item, e.milestones_met.emplace_back()); });
    }
    // Evidence and attachments are read by the tree; here only when empty.
    if (key == "evidence") return First(seen, 32) && ReadArray(field, [](od::value) { return false; });
    if (key == "attachments") return First(seen, 64) && ReadArray(field, [](od::value) { return false; });
    return false;
  });
  if (!ok || (seen & 7) != 7) return std::nullopt;
  return e;
}

std::optional<ReportReviewed> DecodeHotReportReviewed(std::string_view data_json) {
  ReportReviewed e;
  unsigned seen = 0;
  const bool ok = ReadPayload(data_json, [&](od::raw_json_string key, od::value field) {
    if (key == "report_version") {
      // A plain whole number: simdjson refuses a sign, fraction or exponent here.
      std::uint64_t version = 0;
      if (!First(seen, 1) || field.get_uint64().get(version) != simdjson::SUCCESS || version < 1 ||
          version > 9'000'000'000'000'000'000ULL) {
        return false;
      }
      e.report_version = StreamVersion(version);
      return true;
    }
    if (key == "decision") {
      std::string_view text;
      if (!First(seen, 2) || !ReadString(field, text)) return false;
      std::optional<ReviewDecision> decision = ParseReviewDecision(text);
      if (!decision) return false;
      e.decision = *decision;
      return true;
    }
    if (key == "comment") return First(seen, 4) && ReadString(field, e.comment);
    return false;
  });
  if (!ok || (seen & 3) != 3) return std::nullopt;
  return e;
}

}  // namespace kuimen
