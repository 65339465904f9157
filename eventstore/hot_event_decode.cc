#include "eventstore/hot_event_decode.h"

#include <charconv>
#include <cmath>
#include <string>
#include <utility>

#include "domain/calendar.h"

// Strict on purpose: whatever is not plainly the JSON the codec writes goes
// back to the tree path (nullopt), which has the messages for it. So this
// reader needs no error of its own, and what it accepts it reads as
// nlohmann::json would.
namespace kuimen {
namespace {

class FlatJson {
 public:
  explicit FlatJson(std::string_view in) : in_(in) {}

  // Skips whitespace, then consumes `c` if it comes next.
  bool Take(char c) {
    SkipSpace();
    if (pos_ < in_.size() && in_[pos_] == c) {
      ++pos_;
      return true;
    }
    return false;
  }
  bool AtEnd() {
    SkipSpace();
    return pos_ == in_.size();
  }
  bool NextIs(char c) {
    SkipSpace();
    return pos_ < in_.size() && in_[pos_] == c;
  }

  // A string without escapes, of valid UTF-8 and no control characters.
  bool String(std::string_view& out) {
    if (!Take('"')) return false;
    const std::size_t start = pos_;
    while (pos_ < in_.size()) {
      const auto c = static_cast<unsigned char>(in_[pos_]);
      if (c == '"') {
        out = in_.substr(start, pos_ - start);
        ++pos_;
        return true;
      }
      if (c == '\\' || c < 0x20) return false;
      if (c < 0x80) {
        ++pos_;
      } else if (!Utf8Sequence()) {
        return false;
      }
    }
    return false;
  }

  // A number by JSON's grammar, finite, read as nlohmann reads it: an integer
  // converted to double, anything else correctly rounded (as strtod). "-0"
  // is left to the tree (an integer zero there, -0.0 here).
  bool Number(double& out) {
    SkipSpace();
    const std::size_t start = pos_;
    bool integer = true;
    if (pos_ < in_.size() && in_[pos_] == '-') ++pos_;
    if (pos_ >= in_.size()) return false;
    if (in_[pos_] == '0') {
      ++pos_;
    } else if (!Digits()) {
      return false;
    }
    if (pos_ < in_.size() && in_[pos_] == '.') {
      integer = false;
      ++pos_;
      if (!Digits()) return false;
    }
    if (pos_ < in_.size() && (in_[pos_] == 'e' || in_[pos_] == 'E')) {
      integer = false;
      ++pos_;
      if (pos_ < in_.size() && (in_[pos_] == '+' || in_[pos_] == '-')) ++pos_;
      if (!Digits()) return false;
    }
    const std::string_view text = in_.substr(start, pos_ - start);
    if (integer && text == "-0") return false;
    const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), out);
    return error == std::errc() && end == text.data() + text.size() && std::isfinite(out);
  }

  // A whole number of at most 19 digits, no sign, fraction or exponent.
  bool Unsigned(std::uint64_t& out) {
    SkipSpace();
    const std::size_t start = pos_;
    if (pos_ < in_.size() && in_[pos_] == '0') {
      ++pos_;
    } else if (!Digits()) {
      return false;
    }
    if (pos_ < in_.size() && (in_[pos_] == '.' || in_[pos_] == 'e' || in_[pos_] == 'E')) return false;
    const std::string_view text = in_.substr(start, pos_ - start);
    if (text.size() > 19) return false;
    const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), out);
    return error == std::errc() && end == text.data() + text.size();
  }

  // Reads an object's members: `member(key)` reads the value of each key and
  // returns false to give up.
  template <typename F>
  bool Object(F member) {
    if (!Take('{')) return false;
    if (Take('}')) return true;
    do {
      std::string_view key;
      if (!String(key) || !Take(':') || !member(key)) return false;
    } while (Take(','));
    return Take('}');
  }
  template <typename F>
  bool Array(F element) {
    if (!Take('[')) return false;
    if (Take(']')) return true;
    do {
      if (!element()) return false;
    } while (Take(','));
    return Take(']');
  }

 private:
  void SkipSpace() {
    while (pos_ < in_.size() && (in_[pos_] == ' ' || in_[pos_] == '\n' || in_[pos_] == '\r' || in_[pos_] == '\t')) {
      ++pos_;
    }
  }
  bool Digits() {
    const std::size_t start = pos_;
    while (pos_ < in_.size() && in_[pos_] >= '0' && in_[pos_] <= '9') ++pos_;
    return pos_ > start;
  }
  // One multi-byte UTF-8 character at pos_, as RFC 3629 allows it (no
  // overlong form, no surrogate, at most U+10FFFF), which nlohmann requires.
  bool Utf8Sequence() {
    const auto byte = [&](std::size_t at) { return static_cast<unsigned char>(in_[at]); };
    const unsigned char lead = byte(pos_);
    std::size_t length = 0;
    unsigned char low = 0x80, high = 0xBF;  // the second byte's range
    if (lead >= 0xC2 && lead <= 0xDF) {
      length = 2;
    } else if (lead >= 0xE0 && lead <= 0xEF) {
      length = 3;
      if (lead == 0xE0) low = 0xA0;
      if (lead == 0xED) high = 0x9F;
    } else if (lead >= 0xF0 && lead <= 0xF4) {
      length = 4;
      if (lead == 0xF0) low = 0x90;
      if (lead == 0xF4) high = 0x8F;
    } else {
      return false;
    }
    if (in_.size() - pos_ < length) return false;
    if (byte(pos_ + 1) < low || byte(pos_ + 1) > high) return false;
    for (std::size_t i = 2; i < length; ++i) {
      if (byte(pos_ + i) < 0x80 || byte(pos_ + i) > 0xBF) return false;
    }
    pos_ += length;
    return true;
  }

  std::string_view in_;
  std::size_t pos_ = 0;
};

// Marks a field read; false if it was read before (a repeated key, which
// nlohmann would resolve its own way: left to the tree).
bool First(unsigned& seen, unsigned bit) {
  if ((seen & bit) != 0) return false;
  seen |= bit;
  return true;
}

bool ReadIndicator(FlatJson& in, IndicatorValue& v) {
  unsigned seen = 0;
  bool ok = in.Object([&](std::string_view key) {
    std::string_view text;
    if (key == "indicator") return First(seen, 1) && in.String(text) && (v.indicator = text, true);
    if (key == "value") return First(seen, 2) && in.Number(v.value);
    if (key == "unit") return First(seen, 4) && in.String(text) && (v.unit = text, true);
    if (key == "scope") {
      if (!First(seen, 8) || !in.String(text)) return false;
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
  FlatJson in(data_json);
  ProgressReported e;
  unsigned seen = 0;
  const bool ok = in.Object([&](std::string_view key) {
    std::string_view text;
    if (key == "period") {
      if (!First(seen, 1) || !in.String(text)) return false;
      std::optional<std::chrono::year_month> month = ParseMonth(text);
      if (!month) return false;
      e.period = *month;
      return true;
    }
    if (key == "summary") return First(seen, 2) && in.String(text) && (e.summary = text, true);
    if (key == "percent") return First(seen, 4) && in.Number(e.percent);
    if (key == "indicators") {
      return First(seen, 8) && in.Array([&] { return ReadIndicator(in, e.indicators.emplace_back()); });
    }
    if (key == "milestones_met") {
      return First(seen, 16) && in.Array([&] {
               return in.String(text) && (e.milestones_met.emplace_back(text), true);
             });
    }
    // Evidence and attachments are read by the tree; here only when empty.
    if (key == "evidence") return First(seen, 32) && in.Array([] { return false; });
    if (key == "attachments") return First(seen, 64) && in.Array([] { return false; });
    return false;
  });
  if (!ok || !in.AtEnd() || (seen & 7) != 7) return std::nullopt;
  return e;
}

std::optional<ReportReviewed> DecodeHotReportReviewed(std::string_view data_json) {
  FlatJson in(data_json);
  ReportReviewed e;
  unsigned seen = 0;
  const bool ok = in.Object([&](std::string_view key) {
    std::string_view text;
    if (key == "report_version") {
      std::uint64_t version = 0;
      if (!First(seen, 1) || !in.Unsigned(version) || version < 1 || version > 9'000'000'000'000'000'000ULL) {
        return false;
      }
      e.report_version = StreamVersion(version);
      return true;
    }
    if (key == "decision") {
      if (!First(seen, 2) || !in.String(text)) return false;
      std::optional<ReviewDecision> decision = ParseReviewDecision(text);
      if (!decision) return false;
      e.decision = *decision;
      return true;
    }
    if (key == "comment") return First(seen, 4) && in.String(text) && (e.comment = text, true);
    return false;
  });
  if (!ok || !in.AtEnd() || (seen & 3) != 3) return std::nullopt;
  return e;
}

}  // namespace kuimen
