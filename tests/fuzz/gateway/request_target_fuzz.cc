// The request target (path and query) as the gateway reads it today, on
// arbitrary bytes: cpp-httplib's URL decoding and query splitting, then the
// query parameters the routes read (gateway/request_parsing.h: ?limit=,
// ?from_position=, ?as_of=, ?as_of_position=) and the plan's calendar forms
// (domain/calendar.h).
//
// Input: the request target as sent on the request line, e.g.
//   /api/v1/views/supervision?as_of=2024-11-01T08:00:00%2B08:00&limit=5
//
// Properties: no crash, no undefined behaviour, no exception; a refused
// parameter is kInvalidArgument naming it, and its JSON error body can be
// written whatever bytes the client sent (issue 9, item 1); what is accepted
// has the documented form (digits for whole numbers; a date or an RFC 3339
// time with Z or an offset), and dates, months and timestamps round-trip
// through their formatters.
//
// Not here yet: the route-pattern matching (file-local in
// gateway/http_server.cc) and the request line and headers, which the HTTP
// front being written for issue 9 parses itself; add its target with
// kuimen_add_fuzzer() (tests/fuzz/CMakeLists.txt).
#include <cstddef>
#include <cstdint>
#include <regex>
#include <string>
#include <string_view>

#include <httplib.h>

#include "domain/calendar.h"
#include "eventstore/envelope_json.h"
#include "gateway/http_error.h"
#include "gateway/request_parsing.h"
#include "tests/fuzz/fuzz_check.h"

namespace {

// RFC 3339 (as far as ParseMoment takes it) and the plan's date form.
bool LooksLikeMoment(const std::string& text) {
  static const std::regex kMoment(
      R"(\d{4}-\d{2}-\d{2}|\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,6})?([Zz]|[+-]\d{2}:\d{2}))");
  return std::regex_match(text, kMoment);
}

bool AllDigits(std::string_view text) {
  return !text.empty() && text.find_first_not_of("0123456789") == std::string_view::npos;
}

void CheckRefusal(const kuimen::Status& status, const std::string& name) {
  FUZZ_CHECK(status.code() == kuimen::StatusCode::kInvalidArgument, "a bad parameter is refused with 400");
  FUZZ_CHECK(status.subject() == name, "a refusal names the parameter");
  (void)kuimen::ErrorBody(status).dump();  // throws type_error.316 on bytes that are not UTF-8
}

void CheckMoment(const std::string& text) {
  std::optional<kuimen::Timestamp> moment = kuimen::ParseMoment(text);
  if (!moment) return;
  FUZZ_CHECK(LooksLikeMoment(text), "ParseMoment accepts only a date or an RFC 3339 time");
  const std::string utc = kuimen::FormatTimestamp(*moment);
  if (utc.size() >= 5 && utc[0] != '-' && utc[4] == '-') {  // years 0000..9999 have a four-digit form
    std::optional<kuimen::Timestamp> back = kuimen::ParseTimestamp(utc);
    FUZZ_CHECK(back && *back == *moment, "ParseTimestamp(FormatTimestamp(t)) == t");
  }
}

void CheckCalendar(std::string_view text) {
  if (std::optional<std::chrono::year_month_day> date = kuimen::ParseDate(text)) {
    FUZZ_CHECK(kuimen::FormatDate(*date) == text, "FormatDate(ParseDate(text)) == text");
  }
  if (std::optional<std::chrono::year_month> month = kuimen::ParseMonth(text)) {
    FUZZ_CHECK(kuimen::FormatMonth(*month) == text, "FormatMonth(ParseMonth(text)) == text");
  }
}

void Check(std::string_view bytes) {
  const std::string target(bytes);
  const size_t question = target.find('?');
  httplib::Request request;
  request.method = "GET";
  // As cpp-httplib reads the request line: the path is decoded without '+'
  // becoming a space; the query is split at '&' and '=' and decoded with it.
  request.path = httplib::detail::decode_url(target.substr(0, question), false);
  if (question != std::string::npos) httplib::detail::parse_query_text(target.substr(question + 1), request.params);

  for (const char* name : {"limit", "from_position", "from_version", "as_of_position", "min_position"}) {
    kuimen::Result<std::optional<std::uint64_t>> value = kuimen::UintParam(request, name);
    if (!value.ok()) {
      CheckRefusal(value.status(), name);
    } else if (value->has_value()) {
      FUZZ_CHECK(AllDigits(request.get_param_value(name)), "a whole number is accepted only as digits");
    }
  }
  kuimen::Result<std::optional<kuimen::Timestamp>> as_of = kuimen::TimeParam(request, "as_of");
  if (!as_of.ok()) CheckRefusal(as_of.status(), "as_of");

  // Every value (and the path) through the moment and calendar parsers.
  CheckMoment(request.path);
  CheckCalendar(request.path);
  for (const auto& [key, value] : request.params) {
    CheckMoment(value);
    CheckCalendar(value);
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  return kuimen::fuzz::Guarded([&] { Check(std::string_view(reinterpret_cast<const char*>(data), size)); });
}
