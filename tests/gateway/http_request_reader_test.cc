// The request reader alone: bytes in, requests or refusals out (the same
// entry point the libFuzzer target drives).
#include "gateway/http_request_reader.h"

#include <gtest/gtest.h>

namespace kuimen {
namespace {

struct Read {
  std::vector<HttpRequestData> requests;
  std::optional<HttpRefusal> refusal;
};

// Feeds `bytes` in pieces of `step` bytes, taking every request.
Read ReadAll(const std::string& bytes, std::size_t step = 1 << 20, HttpReaderLimits limits = {},
             HttpRequestReader::HeadCheck check = nullptr) {
  HttpRequestReader reader(limits, std::move(check));
  Read read;
  std::string pending;
  for (std::size_t at = 0; at < bytes.size(); at += step) {
    pending += bytes.substr(at, step);
    for (;;) {
      HttpRequestReader::Outcome outcome = reader.Feed(pending);
      pending.erase(0, outcome.consumed);
      if (outcome.state == HttpRequestReader::State::kRefused) {
        read.refusal = reader.refusal();
        return read;
      }
      if (outcome.state == HttpRequestReader::State::kNeedMore) break;
      read.requests.push_back(reader.TakeRequest());
    }
  }
  return read;
}

TEST(HttpRequestReader, ReadsPipelinedRequestsOneAtATimeInOrder) {
  const std::string bytes =
      "GET /a?x=%E5%A5%89&y=1+2 HTTP/1.1\r\nHost: k\r\n\r\n"
      "POST /b HTTP/1.1\r\nContent-Length: 2\r\n\r\n{}"
      "POST /c HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n2\r\nde\r\n0\r\n\r\n";
  for (std::size_t step : {1, 7, 1 << 20}) {
    Read read = ReadAll(bytes, step);
    ASSERT_FALSE(read.refusal) << read.refusal->message;
    ASSERT_EQ(read.requests.size(), 3u) << "step " << step;
    EXPECT_EQ(read.requests[0].head.path, "/a");
    EXPECT_EQ(read.requests[0].head.params.find("x")->second, "奉");
    EXPECT_EQ(read.requests[0].head.params.find("y")->second, "1 2");
    EXPECT_EQ(read.requests[1].body, "{}");
    EXPECT_EQ(read.requests[2].head.path, "/c");
    EXPECT_EQ(read.requests[2].body, "abcde");
  }
}

TEST(HttpRequestReader, RefusesWithTheStatusThatNamesTheProblem) {
  struct Case {
    std::string bytes;
    int status;
  };
  HttpReaderLimits limits;
  limits.max_body_bytes = 10;
  limits.max_headers = 3;
  const std::vector<Case> cases = {
      {"GET /%ff HTTP/1.1\r\n\r\n", 400},
      {"GET /?q=%ff HTTP/1.1\r\n\r\n", 400},
      {"GET / HTTP/1.1\r\nX: \xff\r\n\r\n", 400},
      {"GET nothing HTTP/1.1\r\n\r\n", 400},
      {"BREW / HTTP/1.1\r\n\r\n", 501},
      {"GET / HTTP/1.1\r\nA: 1\r\nB: 2\r\nC: 3\r\nD: 4\r\n\r\n", 431},
      {"POST / HTTP/1.1\r\nContent-Length: 11\r\n\r\n", 413},
      {"POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n6\r\nabcdef\r\n6\r\nabcdef\r\n", 413},
      {"POST / HTTP/1.1\r\nContent-Encoding: gzip\r\nContent-Length: 1\r\n\r\nx", 415},
      {"GET / HTTP/2.0\r\n\r\n", 505},
  };
  for (const Case& c : cases) {
    Read read = ReadAll(c.bytes, 1 << 20, limits);
    ASSERT_TRUE(read.refusal) << c.bytes;
    EXPECT_EQ(read.refusal->status, c.status) << c.bytes;
    EXPECT_FALSE(read.refusal->code.empty());
  }
}

TEST(HttpRequestReader, HeadCheckRefusesBeforeAnyBodyByteIsHeld) {
  std::size_t checked = 0;
  Read read = ReadAll("POST /x HTTP/1.1\r\nContent-Length: 5\r\n\r\nhello", 1 << 20, {},
                      [&](const HttpRequestHead& head) -> std::optional<HttpRefusal> {
                        ++checked;
                        EXPECT_TRUE(head.has_body);
                        return HttpRefusal{401, "unauthenticated", "no token", {{"WWW-Authenticate", "Bearer"}}, "", "Authorization"};
                      });
  EXPECT_EQ(checked, 1u);
  ASSERT_TRUE(read.refusal);
  EXPECT_EQ(read.refusal->status, 401);
  EXPECT_TRUE(read.requests.empty());
}

}  // namespace
}  // namespace kuimen
