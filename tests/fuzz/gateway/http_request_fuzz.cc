// The HTTP front's request reading (gateway/http_request_reader.h) and route
// matching (gateway/route_path.h) on arbitrary bytes, as a client or an
// attacker sends them on one connection.
//
// Input: the bytes of a connection, e.g. three pipelined requests, one of
// them chunked. The first byte chooses where the stream is cut into pieces.
//
// Properties: no crash, no undefined behaviour, no exception; nothing held
// beyond the limits (a body never exceeds max_body_bytes, a head never more
// than max_headers fields); every path handed on is well-formed UTF-8 (the
// error bodies and log lines are written from it); a refusal has a status of
// 4xx/5xx and a code; and the outcome does not depend on how the bytes were
// cut into reads: fed whole or in pieces, the same requests and the same
// refusal come out (a slow or fragmenting client changes nothing): a request
// accepted whole is accepted in pieces, and a stream refused whole is
// refused in pieces after the same requests.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "gateway/http_request_reader.h"
#include "gateway/route_path.h"
#include "gateway/text_safety.h"
#include "tests/fuzz/fuzz_check.h"

namespace {

using kuimen::HttpReaderLimits;
using kuimen::HttpRequestData;
using kuimen::HttpRequestReader;

// Small limits, so the fuzzer reaches them with short inputs.
HttpReaderLimits Limits() {
  HttpReaderLimits limits;
  limits.max_head_bytes = 2048;
  limits.max_headers = 16;
  limits.max_body_bytes = 1024;
  return limits;
}

// One request or the refusal, as text to compare.
std::string Describe(const HttpRequestData& request) {
  std::string text = request.head.method + " " + request.head.path + "?" + request.head.query + "\n";
  for (const auto& [name, value] : request.head.headers) text += name + ": " + value + "\n";
  return text + "\n" + request.body;
}

// Reads `input` cut into pieces of `piece` bytes (0: whole); what came out.
std::vector<std::string> ReadAll(std::string_view input, std::size_t piece) {
  const HttpReaderLimits limits = Limits();
  // The route check the server makes on every head: a refusal for one path.
  HttpRequestReader reader(limits, [](const kuimen::HttpRequestHead& head) -> std::optional<kuimen::HttpRefusal> {
    if (head.path == "/refused") return kuimen::HttpRefusal{403, "forbidden", "refused by the head check", {}, {}};
    return std::nullopt;
  });
  std::vector<std::string> out;
  std::string pending;
  std::size_t offset = 0;
  while (offset < input.size() || !pending.empty()) {
    if (offset < input.size()) {
      const std::size_t take = piece == 0 ? input.size() - offset : std::min(piece, input.size() - offset);
      pending.append(input.substr(offset, take));
      offset += take;
    }
    bool progressed = true;
    while (progressed && !pending.empty()) {
      progressed = false;
      const HttpRequestReader::Outcome outcome = reader.Feed(pending);
      FUZZ_CHECK(outcome.consumed <= pending.size(), "Feed consumes no more than it is given");
      pending.erase(0, outcome.consumed);
      if (outcome.state == HttpRequestReader::State::kRefused) {
        const kuimen::HttpRefusal& refusal = reader.refusal();
        FUZZ_CHECK(refusal.status >= 400 && refusal.status < 600, "a refusal is a 4xx or 5xx");
        FUZZ_CHECK(!refusal.code.empty() || !refusal.json_body.empty(), "a refusal has a code");
        FUZZ_CHECK(kuimen::IsValidUtf8(refusal.message), "a refusal's message is UTF-8 (it goes into JSON)");
        // Which of several faults a malformed stream is refused for first (a
        // bad byte or one header too many) may depend on where reads end; that
        // it is refused, and after which requests, may not.
        out.push_back("refused");
        return out;
      }
      if (outcome.state == HttpRequestReader::State::kComplete) {
        HttpRequestData request = reader.TakeRequest();
        FUZZ_CHECK(request.body.size() <= limits.max_body_bytes, "a body is never held beyond the limit");
        FUZZ_CHECK(request.head.headers.size() <= limits.max_headers, "no more headers than the limit");
        FUZZ_CHECK(kuimen::IsValidUtf8(request.head.path), "a path handed on is UTF-8");
        for (const auto& [name, value] : request.head.params) {
          FUZZ_CHECK(kuimen::IsValidUtf8(name) && kuimen::IsValidUtf8(value), "query parameters are UTF-8");
        }
        // Route matching on whatever path came through.
        static const kuimen::RoutePath kRoute("/api/v1/tasks/{no}/events");
        std::map<std::string, std::string> params;
        if (kRoute.Match(request.head.path, &params)) {
          FUZZ_CHECK(params.count("no") == 1 && !params["no"].empty(), "a matched parameter is not empty");
          FUZZ_CHECK(params["no"].find('/') == std::string::npos, "a parameter is one segment");
        }
        out.push_back(Describe(request));
        progressed = true;
      }
    }
  }
  if (reader.in_request()) out.push_back("incomplete");
  return out;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  const std::size_t piece = 1 + data[0] % 16;
  const std::string_view input(reinterpret_cast<const char*>(data) + 1, size - 1);
  return kuimen::fuzz::Guarded([&] {
    const std::vector<std::string> whole = ReadAll(input, 0);
    const std::vector<std::string> pieces = ReadAll(input, piece);
    if (whole != pieces) {
      std::fprintf(stderr, "fed whole:\n");
      for (const std::string& outcome : whole) std::fprintf(stderr, "  [%s]\n", outcome.c_str());
      std::fprintf(stderr, "fed in pieces of %zu bytes:\n", piece);
      for (const std::string& outcome : pieces) std::fprintf(stderr, "  [%s]\n", outcome.c_str());
    }
    FUZZ_CHECK(whole == pieces, "the same requests come out whether the bytes arrive whole or in pieces");
  });
}
