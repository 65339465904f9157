#include "gateway/request_parsing.h"

#include <charconv>
#include <set>
#include <string>
#include <vector>

#include "domain/calendar.h"
#include "domain/event_validation.h"
#include "eventstore/envelope_json.h"

namespace kuimen {

namespace {

// China Standard Time, the zone of the plan's dates.
constexpr std::chrono::minutes kPlanUtcOffset{480};

bool ParseOffsetMinutes(std::string_view text, int& minutes) {
  // "+08:00" or "-05:30"
  auto digit = [&text](size_t i) { return text[i] >= '0' && text[i] <= '9'; };
  // from_chars alone would take "-1" for the hours of "+-1:00".
  if (text.size() != 6 || (text[0] != '+' && text[0] != '-') || text[3] != ':' || !digit(1) || !digit(2) ||
      !digit(4) || !digit(5)) {
    return false;
  }
  int hours = 0, mins = 0;
  auto h = std::from_chars(text.data() + 1, text.data() + 3, hours);
  auto m = std::from_chars(text.data() + 4, text.data() + 6, mins);
  if (h.ec != std::errc() || h.ptr != text.data() + 3 || m.ec != std::errc() || m.ptr != text.data() + 6) return false;
  if (hours > 23 || mins > 59) return false;
  minutes = (text[0] == '-' ? -1 : 1) * (hours * 60 + mins);
  return true;
}

// Walks a JSON text only to say where it is: the path of the value being read
// ("data.indicators[0].value") when the parser gave up (after nlohmann
// refused a number beyond double's range, 1e400, an error that carries no
// path), or of the first member an object names twice ({"percent":10,
// "percent":90}: nlohmann keeps the last silently, so a body could say two
// things and be read as one).
class JsonPathWalk : public nlohmann::json::json_sax_t {
 public:
  bool null() override { return Value(); }
  bool boolean(bool) override { return Value(); }
  bool number_integer(number_integer_t) override { return Value(); }
  bool number_unsigned(number_unsigned_t) override { return Value(); }
  bool number_float(number_float_t, const string_t&) override { return Value(); }
  bool string(string_t&) override { return Value(); }
  bool binary(binary_t&) override { return Value(); }
  bool start_object(std::size_t) override { return Push(false); }
  bool key(string_t& key) override {
    Frame& frame = frames_.back();
    frame.key = key;
    repeated_ = !frame.keys.insert(key).second;
    return !repeated_;  // stop at the first repetition: one is enough to refuse
  }
  bool end_object() override { return Pop(); }
  bool start_array(std::size_t) override { return Push(true); }
  bool end_array() override { return Pop(); }
  bool parse_error(std::size_t, const std::string&, const nlohmann::detail::exception&) override { return false; }

  // Where the walk stopped (or ended: then empty).
  std::string Path() const {
    std::string path;
    for (const Frame& frame : frames_) {
      path += frame.array ? "[" + std::to_string(frame.index) + "]" : (path.empty() ? "" : ".") + frame.key;
    }
    return path;
  }
  // Whether it stopped at a member named twice (Path() names it).
  bool repeated() const { return repeated_; }

 private:
  struct Frame {
    bool array = false;
    std::size_t index = 0;
    std::string key;
    std::set<std::string> keys;  // the object's member names so far
  };
  bool Value() {
    if (!frames_.empty() && frames_.back().array) ++frames_.back().index;
    return true;
  }
  bool Push(bool array) {
    frames_.push_back(Frame{array, 0, {}, {}});
    return true;
  }
  bool Pop() {
    frames_.pop_back();
    return Value();
  }
  std::vector<Frame> frames_;
  bool repeated_ = false;
};

// The media type of a Content-Type header, lower-cased, without parameters.
std::string MediaTypeOf(std::string_view header) {
  std::string_view type = header.substr(0, header.find(';'));
  while (!type.empty() && (type.back() == ' ' || type.back() == '\t')) type.remove_suffix(1);
  while (!type.empty() && (type.front() == ' ' || type.front() == '\t')) type.remove_prefix(1);
  std::string lower(type);
  for (char& c : lower) c = static_cast<char>(c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c);
  return lower;
}

}  // namespace

std::optional<Timestamp> ParseMoment(std::string_view text) {
  if (std::optional<std::chrono::year_month_day> date = ParseDate(text); date && text.size() == 10) {
    // The last microsecond of that day in the plan's zone.
    const auto next_local_midnight = std::chrono::sys_days(*date) + std::chrono::days(1);
    return Timestamp(std::chrono::time_point_cast<std::chrono::microseconds>(next_local_midnight - kPlanUtcOffset) -
                     std::chrono::microseconds(1));
  }
  if (!text.empty() && (text.back() == 'Z' || text.back() == 'z')) {
    std::string upper(text);
    upper.back() = 'Z';
    return ParseTimestamp(upper);
  }
  int offset_minutes = 0;
  if (text.size() < 6 || !ParseOffsetMinutes(text.substr(text.size() - 6), offset_minutes)) return std::nullopt;
  std::optional<Timestamp> local = ParseTimestamp(std::string(text.substr(0, text.size() - 6)) + "Z");
  if (!local) return std::nullopt;
  return Timestamp(*local - std::chrono::minutes(offset_minutes));
}

Result<nlohmann::json> ParseJsonObjectBody(const httplib::Request& request) {
  // A body sent as a form or as text is refused even when it reads as JSON:
  // browsers send those cross-site without asking (a CORS "simple" request),
  // so a page elsewhere could otherwise post a report with a clerk's cookie.
  // A missing Content-Type is taken as JSON (a script that names none).
  if (request.has_header("Content-Type")) {
    const std::string type = MediaTypeOf(request.get_header_value("Content-Type"));
    if (type != "application/json" && !type.ends_with("+json")) {
      return Status::InvalidArgument("提交内容的类型不对，请从督办系统页面提交", "Content-Type",
                                     "content_type_not_json");
    }
  }
  if (request.body.empty()) return Status::InvalidArgument("请求内容为空", "body", "required");
  nlohmann::json body;
  try {
    body = nlohmann::json::parse(request.body);
  } catch (const nlohmann::json::out_of_range& error) {
    // 406: a number beyond double's range. No field of ours takes one.
    JsonPathWalk where;
    nlohmann::json::sax_parse(request.body, &where);
    const std::string field = where.Path().empty() ? "body" : where.Path();
    return Status::InvalidArgument("填写的数字太大，超出了可以处理的范围", field, "out_of_range");
  } catch (const nlohmann::json::parse_error& error) {
    const std::string what = error.what();
    if (what.find("UTF-8") != std::string::npos) {
      return Status::InvalidArgument("请求内容含有无法识别的文字编码（第" + std::to_string(error.byte) +
                                         "个字节附近），请使用统一码（UTF-8）",
                                     "body", "invalid_encoding");
    }
    return Status::InvalidArgument("请求内容的格式不对，无法读取（第" + std::to_string(error.byte) + "个字节附近）",
                                   "body", "invalid_json");
  } catch (const nlohmann::json::exception&) {
    // The parser's other refusal: a number beyond a double's range (1e400,
    // out_of_range.406). Whatever else it may throw is the client's input too.
    return Status::InvalidArgument("填写的数字太大，超出了可以处理的范围", "body", "out_of_range");
  }
  if (!body.is_object()) return Status::InvalidArgument("请求内容的格式不对，应为一组字段", "body", "wrong_type");
  JsonPathWalk walk;
  nlohmann::json::sax_parse(request.body, &walk);
  if (walk.repeated()) return Status::InvalidArgument("同一字段填写了两次，请只保留一个", walk.Path(), "repeated_field");
  return body;
}

Status RejectUnknownFields(const nlohmann::json& object, std::initializer_list<std::string_view> allowed,
                           const std::string& path) {
  for (const auto& [key, value] : object.items()) {
    bool known = false;
    for (std::string_view name : allowed) known = known || key == name;
    if (!known) {
      const std::string field = path.empty() ? key : path + "." + key;
      return Status::InvalidArgument("请求中有无法识别的字段", field, "unknown_field");
    }
  }
  return Status::Ok();
}

Result<std::optional<std::uint64_t>> UintParam(const httplib::Request& request, const std::string& name) {
  if (!request.has_param(name)) return std::optional<std::uint64_t>();
  const std::string text = request.get_param_value(name);
  std::uint64_t value = 0;
  auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (text.empty() || error != std::errc() || end != text.data() + text.size()) {
    return Status::InvalidArgument("查询条件应为不小于0的整数", name, "invalid_format");
  }
  return std::optional<std::uint64_t>(value);
}

Result<std::optional<Timestamp>> TimeParam(const httplib::Request& request, const std::string& name) {
  if (!request.has_param(name)) return std::optional<Timestamp>();
  const std::string text = request.get_param_value(name);
  std::optional<Timestamp> moment = ParseMoment(text);
  if (!moment) {
    return Status::InvalidArgument("时间的写法应为日期（如2024-12-31）或带时区的时刻（如2024-12-31T18:00:00+08:00）",
                                   name, "invalid_format");
  }
  // A replay runs from the log's start to this moment and lays out every year
  // up to it: a moment outside the years the service can hold (a year like
  // 9999) would make one request hold a worker for seconds and megabytes.
  const int year = static_cast<int>(std::chrono::year_month_day(std::chrono::floor<std::chrono::days>(*moment)).year());
  if (year < kMinAssessmentYear || year > kMaxAssessmentYear) {
    return Status::InvalidArgument("时间应在" + std::to_string(kMinAssessmentYear) + "年至" + std::to_string(kMaxAssessmentYear) + "年之间",
                                   name, "out_of_range");
  }
  return std::optional<Timestamp>(moment);
}

}  // namespace kuimen
