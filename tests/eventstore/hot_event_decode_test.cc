// The direct reader of the hot events (eventstore/hot_event_decode.h) must
// decode exactly what the JSON-tree path decodes, or decline: whatever it
// returns equals the tree path's event, byte for byte once encoded again, and
// whatever the tree path refuses it declines. It must also take the codec's
// own output, or it would save nothing.
#include "eventstore/hot_event_decode.h"

#include <random>
#include <string>
#include <vector>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "eventstore/event_codec.h"

namespace kuimen {
namespace {

using namespace std::string_literals;  // payloads with a NUL in them

// The tree path, as DecodeEvent takes it for a payload the direct reader declines.
Result<EventData> TreeDecode(std::string_view type, std::string_view text) {
  nlohmann::json data = nlohmann::json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (data.is_discarded()) return Status::InvalidArgument("not JSON", "data");
  return EventFromJson(type, data);
}

std::optional<EventData> HotDecode(std::string_view type, std::string_view text) {
  if (type == "ProgressReported") {
    if (auto e = DecodeHotProgressReported(text)) return EventData(*e);
  } else if (auto e = DecodeHotReportReviewed(text)) {
    return EventData(*e);
  }
  return std::nullopt;
}

// Whatever the direct reader returns, the tree path returns too.
void ExpectAgrees(std::string_view type, std::string_view text) {
  SCOPED_TRACE(std::string(type) + " " + std::string(text));
  const std::optional<EventData> hot = HotDecode(type, text);
  if (!hot.has_value()) return;
  const Result<EventData> tree = TreeDecode(type, text);
  ASSERT_TRUE(tree.ok()) << tree.status().message();
  EXPECT_TRUE(*hot == *tree);
  EXPECT_EQ(EncodeEvent(*hot).data, EncodeEvent(*tree).data);  // also tells -0.0 from 0
}

ProgressReported RandomReport(std::mt19937_64& random) {
  const auto pick = [&](int n) { return std::uniform_int_distribution<int>(0, n - 1)(random); };
  ProgressReported e;
  e.period = std::chrono::year(2020 + pick(10)) / std::chrono::month(1 + static_cast<unsigned>(pick(12)));
  e.summary = pick(3) == 0 ? "" : "本月按计划推进，完成阶段性目标。第" + std::to_string(pick(1000)) + "期 ✓ 𝄞";
  e.percent = pick(2) == 0 ? pick(101) : std::uniform_real_distribution<double>(0, 100)(random);
  for (int i = 0, n = pick(4); i < n; ++i) {
    const double value = pick(2) == 0 ? pick(100000) : std::uniform_real_distribution<double>(-1e12, 1e12)(random);
    e.indicators.push_back({"指标" + std::to_string(pick(5)), value, pick(2) == 0 ? "万亩次" : "",
                            pick(2) == 0 ? IndicatorScope::kOwn : IndicatorScope::kCounty});
  }
  for (int i = 0, n = pick(3); i < n; ++i) e.milestones_met.push_back("时限" + std::to_string(i));
  return e;
}

TEST(HotEventDecode, TakesTheCodecsOwnPayloadsAndDecodesThemAsTheTreeDoes) {
  std::mt19937_64 random(7);
  for (int i = 0; i < 2000; ++i) {
    const ProgressReported report = RandomReport(random);
    const EncodedEvent encoded = EncodeEvent(report);
    const std::optional<ProgressReported> hot = DecodeHotProgressReported(encoded.data);
    ASSERT_TRUE(hot.has_value()) << encoded.data;
    EXPECT_EQ(*hot, report) << encoded.data;
    ExpectAgrees(encoded.type, encoded.data);

    const ReportReviewed review{StreamVersion(1 + random() % 9'000'000'000'000'000'000ULL),
                                i % 2 == 0 ? ReviewDecision::kApproved : ReviewDecision::kReturned,
                                i % 3 == 0 ? "" : "同意，请继续推进"};
    const EncodedEvent encoded_review = EncodeEvent(review);
    const std::optional<ReportReviewed> hot_review = DecodeHotReportReviewed(encoded_review.data);
    ASSERT_TRUE(hot_review.has_value()) << encoded_review.data;
    EXPECT_EQ(*hot_review, review);
    ExpectAgrees(encoded_review.type, encoded_review.data);
  }
}

// Payloads off the codec's beaten track: each is either declined or read as the tree reads it.
TEST(HotEventDecode, DeclinesOrAgreesWithTheTreeOnUnusualPayloads) {
  const std::string report_tail =
      R"(,"summary":"s","indicators":[],"evidence":[],"milestones_met":[],"attachments":[]})";
  const std::vector<std::string> percents = {
      "0", "-0", "-0.0", "100", "1e2", "1E+2", "0.1", "1e400", "-1e400", "01", "1.", ".5", "-", "1e", "12345678901234567890",
      "0.30000000000000004", "\"5\"", "null", "true", "2.5e-320", "-1", "-9223372036854775808",
      "9223372036854775807", "9223372036854775808", "18446744073709551615", "18446744073709551616",
      "-9223372036854775809", "123456789012345678901234567890", "1.7976931348623157e308", "1.7976931348623159e308",
      "4.9e-324", "2e-324", "0.1e1", "-0e0", "0E-0", "1.0000000000000000000000001", "9007199254740993",
      "+1", "1.5e+", "--1", "1 2", "NaN", "Infinity",
      // Found by hot_event_decode_fuzz: simdjson 3.0.1's get_double() read this as -1.43e-65.
      "-0.544444444444444444444444444444444444444444444444444444444444444444444444444444444e-3",
      "0.544444444444444444444444444444444444444444444444444444444444444444444444444444444e-3 ", "1.5e-3\n"};
  for (const std::string& percent : percents) {
    ExpectAgrees("ProgressReported", R"({"period":"2024-11","percent":)" + percent + report_tail);
  }
  const std::vector<std::string> reports = {
      R"({"period":"2024-11","summary":"a\nb","percent":1})",
      R"({"period":"2024-11","summary":"\u5b8c","percent":1})",
      R"({"period":"2024-13","summary":"s","percent":1})",
      R"({"period":"2024-1","summary":"s","percent":1})",
      R"({"period":"2024-11","summary":"s"})",
      R"({"period":"2024-11","percent":1})",
      R"({"period":"2024-11","summary":"s","percent":1,"percent":2})",
      R"({"period":"2024-11","summary":"s","percent":1,"extra":1})",
      R"( { "period" : "2024-11" , "summary" : "s" , "percent" : 1 } )",
      R"({"period":"2024-11","summary":"s","percent":1} x)",
      R"({"period":"2024-11","summary":"s","percent":1)",
      R"({"period":"2024-11","summary":"s","percent":1,"indicators":[{"indicator":"i","value":1,"unit":"u"}]})",
      R"({"period":"2024-11","summary":"s","percent":1,"indicators":[{"indicator":"i","value":1,"unit":"u","scope":""}]})",
      R"({"period":"2024-11","summary":"s","percent":1,"indicators":[{"indicator":"i","value":1,"unit":"u","scope":null}]})",
      R"({"period":"2024-11","summary":"s","percent":1,"indicators":[{"indicator":"i","value":1,"unit":"u","scope":"all"}]})",
      R"({"period":"2024-11","summary":"s","percent":1,"indicators":[{"indicator":"i","value":1}]})",
      R"({"period":"2024-11","summary":"s","percent":1,"indicators":[1]})",
      R"({"period":"2024-11","summary":"s","percent":1,"indicators":{}})",
      R"({"period":"2024-11","summary":"s","percent":1,"evidence":[{"title":"t","uri":"u"}]})",
      R"({"period":"2024-11","summary":"s","percent":1,"milestones_met":["a",1]})",
      R"({"period":"2024-11","summary":"s","percent":1,"milestones_met":["a","b"]})",
      R"({"period":"2024-11","summary":null,"percent":1})",
      "{\"period\":\"2024-11\",\"summary\":\"\xC0\xAF\",\"percent\":1}",      // overlong
      "{\"period\":\"2024-11\",\"summary\":\"\xED\xA0\x80\",\"percent\":1}",  // a surrogate
      "{\"period\":\"2024-11\",\"summary\":\"\xF4\x90\x80\x80\",\"percent\":1}",  // above U+10FFFF
      "{\"period\":\"2024-11\",\"summary\":\"\xE5\xAE\",\"percent\":1}",      // cut short
      "{\"period\":\"2024-11\",\"summary\":\"\x01\",\"percent\":1}",          // a control character
      "\xEF\xBB\xBF{\"period\":\"2024-11\",\"summary\":\"s\",\"percent\":1}",  // a byte-order mark
      R"({"period":"2024-11","summary":"\udc00","percent":1})",          // a lone low surrogate
      R"({"period":"2024-11","summary":"\ud800","percent":1})",          // a lone high surrogate
      R"({"period":"2024-11","summary":"\ud800x","percent":1})",
      R"({"period":"2024-11","summary":"\ud800\u0041","percent":1})",    // high, then not a low one
      R"({"period":"2024-11","summary":"\ud800\ud800","percent":1})",
      R"({"period":"2024-11","summary":"\ud83d\ude00","percent":1})",    // a pair
      R"({"period":"2024-11","summary":"\u0000\u001f\"\\\/\b\f\n\r\t","percent":1})",
      R"({"period":"2024-11","summary":"\x","percent":1})",
      R"({"period":"2024-11","summary":"\u12","percent":1})",
      R"({"period":"2024-11","summary":"\uD83D\uDE00","percent":1})",
      R"({"per\u0069od":"2024-11","summary":"s","percent":1})",          // an escaped key
      R"({"period":"2024-11","summary":"s","percent":1,"summ\u0061ry":"t"})",
      R"({"period":"2024-11","summary":"s","percent":1}})",
      R"({"period":"2024-11","summary":"s","percent":1,})",
      R"({"period":"2024-11","summary":"s","percent":1}{})",
      R"({"period":"2024-11","summary":"s","percent":1,"indicators":[{"indicator":"i","value":-0,"unit":"u"}]})",
      R"({"period":"2024-11","summary":"s","percent":1,"indicators":[{"indicator":"i","value":1,"unit":"u"},]})",
      R"({"period":"2024-11","summary":"s","percent":1,"milestones_met":[]})",
      R"({"period":"2024-11","summary":"s","percent":1,"evidence":[],"attachments":[1]})",
      "{\"period\":\"2024-11\",\"summary\":\"\x7f\",\"percent\":1}",  // DEL is no control character to JSON
      "{\"period\":\"2024-11\",\"summary\":\"s\",\"percent\":1}\x00"s,
      "{\"period\":\"2024-11\",\"summary\":\"s\",\"percent\":1\n}\n",
      "{\"period\":\"2024-11\",\x00\"summary\":\"s\",\"percent\":1}"s,
      "{\"period\":\"2024-11\",\"summary\":\"s\",\"percent\":1}\x00x"s,
      "{\"period\":\"2024-11\",\"summary\":\"s\x00\",\"percent\":1}"s,
      "{\"period\":\"2024-11\",\"summary\":\"s\",\"percent\":1\x00}"s,
      "{\"period\":\"2024-11\",\"summary\":\"s\",\"percent\":1}\x0b",
      "{\"period\":\"2024-11\",\"summary\":\"s\",\"percent\":1}\x1a",
      "{\"period\":\"2024-11\",\"summary\":\"s\",\"percent\":1}\xff",
      "[]", "", "null", "{", "}", "\"s\"", "1"};
  for (const std::string& text : reports) ExpectAgrees("ProgressReported", text);
  const std::vector<std::string> reviews = {
      R"({"report_version":3,"decision":"approved","comment":""})",
      R"({"report_version":3,"decision":"returned"})",
      R"({"report_version":3,"decision":"approved","comment":null})",
      R"({"report_version":0,"decision":"approved"})",
      R"({"report_version":-3,"decision":"approved"})",
      R"({"report_version":3.0,"decision":"approved"})",
      R"({"report_version":3e0,"decision":"approved"})",
      R"({"report_version":9000000000000000000,"decision":"approved"})",
      R"({"report_version":9000000000000000001,"decision":"approved"})",
      R"({"report_version":18446744073709551616,"decision":"approved"})",
      R"({"report_version":03,"decision":"approved"})",
      R"({"report_version":"3","decision":"approved"})",
      R"({"report_version":3,"decision":"通过"})",
      R"({"report_version":3,"decision":"bogus"})",
      R"({"decision":"approved"})",
      R"({"report_version":3,"decision":"approved","decision":"returned"})",
      R"({"report_version":3,"decision":"approved","extra":""})"};
  for (const std::string& text : reviews) ExpectAgrees("ReportReviewed", text);
}

TEST(HotEventDecode, TakesPlainPayloadsWithSpacesAndFieldsInAnyOrder) {
  EXPECT_TRUE(DecodeHotProgressReported(R"( { "percent" : 1 , "summary" : "s" , "period" : "2024-11" } )").has_value());
  EXPECT_TRUE(DecodeHotReportReviewed(R"({"decision":"returned","report_version":3})").has_value());
}

// simdjson unescapes strings as the tree does (the table above checks it), so
// an escape no longer sends a payload to the tree: the codec writes one for
// every line break in a summary.
TEST(HotEventDecode, TakesStringsWithEscapes) {
  const std::optional<ProgressReported> report =
      DecodeHotProgressReported(R"({"period":"2024-11","summary":"a\nb \"c\" \u5b8c \ud83d\ude00","percent":1})");
  ASSERT_TRUE(report.has_value());
  EXPECT_EQ(report->summary, "a\nb \"c\" 完 😀");
}

TEST(HotEventDecode, DeclinesWhatItLeavesToTheTree) {
  EXPECT_FALSE(DecodeHotProgressReported(R"({"period":"2024-11","summary":"s","percent":-0})").has_value());
  EXPECT_FALSE(DecodeHotProgressReported(
                   R"({"period":"2024-11","summary":"s","percent":1,"evidence":[{"title":"t","uri":"u"}]})")
                   .has_value());
  EXPECT_FALSE(DecodeHotReportReviewed(R"({"report_version":3,"decision":"approved","comment":null})").has_value());
}

}  // namespace
}  // namespace kuimen
