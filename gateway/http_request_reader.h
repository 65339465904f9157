#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <httplib.h>

struct http_parser;  // <http_parser.h>, kept out of this header

// Reading HTTP/1.1 requests from a byte stream (nodejs http-parser 2.9,
// Debian's libhttp-parser): request line and headers, Content-Length and
// chunked bodies, pipelined requests one at a time. No I/O and no clock: the
// connection feeds it bytes, so a fuzzer can drive it the same way
// (tests/fuzz: feed any bytes; Feed never throws, never holds more than the
// limits, and a refusal is a status and a JSON-ready message).
namespace kuimen {

// Limits, each checked while reading, before anything over them is held.
struct HttpReaderLimits {
  // Request line and headers together. Default 32 KiB; over it: 431.
  std::size_t max_head_bytes = 32 * 1024;
  // Header fields. Default 100; over it: 431.
  std::size_t max_headers = 100;
  // Body after chunked decoding; a larger Content-Length is refused as soon
  // as the head is read, a chunked body as soon as it passes the limit: 413.
  std::size_t max_body_bytes = 64 * 1024;
};

// A request's head, as read.
struct HttpRequestHead {
  std::string method;     // e.g. "GET"; any method http-parser knows (PUT, TRACE…)
  std::string target;     // as sent: "/api/v1/tasks?x=%E4"
  std::string path;       // percent-decoded, well-formed UTF-8: "/api/v1/tasks"
  std::string query;      // as sent, after '?'
  httplib::Params params; // the query decoded ('+' is a space), well-formed UTF-8
  httplib::Headers headers;
  int version_minor = 1;  // HTTP/1.<minor>
  bool keep_alive = true; // the connection may carry another request after this one
  bool expects_continue = false;  // "Expect: 100-continue"
  bool has_body = false;  // a Content-Length above 0, or chunked
};

// Why a request was not read. status: 400, 405 (unknown method), 408, 413,
// 415, 431, 501; or whatever the head check answered. `code` and `message`
// make the JSON error body; `headers` are added to the response.
struct HttpRefusal {
  int status = 400;
  std::string code;
  std::string message;
  std::vector<std::pair<std::string, std::string>> headers;
  std::string json_body;  // when set, the response body as is (else one made from code and message)
  // The part of the request that was wrong ("body", "Content-Encoding", "path",
  // a header's name…), for the body's `field`; empty: the code's usual one
  // (gateway/http_error.h, HttpFieldOf).
  std::string field;
};

// Where a streamed body goes instead of memory (an upload route,
// gateway/file_store.h): written piece by piece as it arrives, on the
// connection's thread. A refusal stops reading the request (answered, closed).
class BodySink {
 public:
  virtual ~BodySink() = default;
  // The largest body the sink takes; over it: 413 (Content-Length at once).
  virtual std::size_t max_bytes() const = 0;
  // Once the head is read and accepted (HeadCheck passed), before any body
  // byte: `content_length` is the body's size when the head gives it
  // (nullopt: chunked). A refusal (a quota, a bad name) stops reading, so the
  // body is never held or stored.
  virtual std::optional<HttpRefusal> Begin(std::optional<std::uint64_t> content_length) {
    (void)content_length;
    return std::nullopt;
  }
  // The next piece of the body; a refusal (415 for a type not allowed, 507…) stops reading.
  virtual std::optional<HttpRefusal> Write(std::string_view bytes) = 0;
};

struct HttpRequestData {
  HttpRequestHead head;
  std::string body;  // decoded from chunks when sent chunked; empty when streamed to `sink`
  // The body's destination when the route streams it (shared so that a
  // request stays copyable for the worker queue); null: the body is `body`.
  std::shared_ptr<BodySink> sink;
};

// Reads requests one after another from the bytes of one connection.
// Not thread-safe: one connection, one thread.
class HttpRequestReader {
 public:
  // Called once a head is read, before any of its body: nullopt reads the
  // body; a refusal stops reading (the body is never held).
  using HeadCheck = std::function<std::optional<HttpRefusal>(const HttpRequestHead& head)>;
  // Called once a head with a body is read: a sink streams the body there
  // (with the sink's own limit); null keeps it in memory.
  using SinkFor = std::function<std::shared_ptr<BodySink>(const HttpRequestHead& head)>;

  enum class State {
    kNeedMore,  // everything given was consumed; send more bytes
    kComplete,  // a request is ready: TakeRequest, answer it, then Feed the rest
    kRefused,   // the stream cannot be read on: refusal() says why; close after answering
  };
  struct Outcome {
    State state;
    std::size_t consumed;  // bytes of the input used; the rest belongs to the next request
  };

  HttpRequestReader(HttpReaderLimits limits, HeadCheck check, SinkFor sink_for = nullptr);
  ~HttpRequestReader();
  HttpRequestReader(const HttpRequestReader&) = delete;
  HttpRequestReader& operator=(const HttpRequestReader&) = delete;

  // Parses `bytes` up to the end of one request. After kComplete, call
  // TakeRequest and then Feed the unconsumed rest; after kRefused, stop.
  Outcome Feed(std::string_view bytes);

  // The request completed by the last Feed (moved out).
  HttpRequestData TakeRequest();
  const HttpRefusal& refusal() const { return refusal_; }
  // The head of the request being read, as far as it was read (for logging a refusal).
  const HttpRequestHead& partial_head() const { return current_.head; }
  // True once any byte of a request not yet complete has been read.
  bool in_request() const { return in_request_; }
  // True while the request being read streams its body to a sink (an upload):
  // its head is complete, and the connection layer times it by progress
  // rather than by a total deadline.
  bool streaming() const { return in_request_ && current_.sink != nullptr; }
  // Drops the sink of the request being read (after the connection layer
  // refused it, e.g. a timeout): an upload's temporary file and reservation
  // go at once, not when the connection closes.
  void DropSink() { current_.sink.reset(); }
  // The body limit of the request being read (the sink's, for an upload).
  std::size_t body_limit() const { return body_limit_; }

 private:
  struct Callbacks;
  friend struct Callbacks;

  bool Refuse(int status, std::string code, std::string message, std::string field = {});
  int OnHeadersComplete();

  HttpReaderLimits limits_;
  HeadCheck check_;
  SinkFor sink_for_;
  std::size_t body_limit_ = 0;  // of the request being read: the sink's or limits_.max_body_bytes
  std::size_t body_bytes_ = 0;  // of the request being read, also when streamed
  std::unique_ptr<::http_parser> parser_;
  HttpRequestData current_;
  std::string field_;
  std::string value_;
  bool in_value_ = false;
  std::size_t head_bytes_ = 0;
  std::size_t header_count_ = 0;
  bool in_request_ = false;
  bool complete_ = false;
  bool refused_ = false;
  HttpRefusal refusal_;
};

}  // namespace kuimen
