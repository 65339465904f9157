#include "gateway/http_request_reader.h"

#include <http_parser.h>

#include <algorithm>
#include <cctype>

#include "gateway/text_safety.h"

namespace kuimen {

namespace {

bool EqualsIgnoreCase(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return std::tolower(static_cast<unsigned char>(x)) == std::tolower(static_cast<unsigned char>(y));
         });
}

std::string_view Trim(std::string_view text) {
  while (!text.empty() && (text.front() == ' ' || text.front() == '\t')) text.remove_prefix(1);
  while (!text.empty() && (text.back() == ' ' || text.back() == '\t')) text.remove_suffix(1);
  return text;
}

}  // namespace

// http-parser calls these with the reader in parser->data. A non-zero return
// stops the parser with an error; the reader has then recorded its refusal.
struct HttpRequestReader::Callbacks {
  static HttpRequestReader& Reader(http_parser* parser) { return *static_cast<HttpRequestReader*>(parser->data); }

  static bool CountHead(HttpRequestReader& reader, std::size_t length) {
    reader.head_bytes_ += length;
    if (reader.head_bytes_ <= reader.limits_.max_head_bytes) return true;
    return reader.Refuse(431, "headers_too_large",
                         "the request line and headers are longer than " +
                             std::to_string(reader.limits_.max_head_bytes) + " bytes");
  }

  static int OnMessageBegin(http_parser* parser) {
    HttpRequestReader& reader = Reader(parser);
    reader.current_ = HttpRequestData{};
    reader.field_.clear();
    reader.value_.clear();
    reader.in_value_ = false;
    reader.head_bytes_ = 0;
    reader.header_count_ = 0;
    reader.in_request_ = true;
    reader.body_limit_ = reader.limits_.max_body_bytes;
    reader.body_bytes_ = 0;
    return 0;
  }
  static int OnUrl(http_parser* parser, const char* at, std::size_t length) {
    HttpRequestReader& reader = Reader(parser);
    if (!CountHead(reader, length)) return 1;
    reader.current_.head.target.append(at, length);
    return 0;
  }
  static int OnHeaderField(http_parser* parser, const char* at, std::size_t length) {
    HttpRequestReader& reader = Reader(parser);
    if (!CountHead(reader, length)) return 1;
    if (reader.in_value_ || reader.header_count_ == 0) {
      if (reader.header_count_ > 0) reader.current_.head.headers.emplace(reader.field_, std::string(Trim(reader.value_)));
      reader.field_.clear();
      reader.value_.clear();
      reader.in_value_ = false;
      if (++reader.header_count_ > reader.limits_.max_headers) {
        reader.Refuse(431, "too_many_headers",
                      "the request has more than " + std::to_string(reader.limits_.max_headers) + " headers");
        return 1;
      }
    }
    reader.field_.append(at, length);
    return 0;
  }
  static int OnHeaderValue(http_parser* parser, const char* at, std::size_t length) {
    HttpRequestReader& reader = Reader(parser);
    if (!CountHead(reader, length)) return 1;
    reader.in_value_ = true;
    reader.value_.append(at, length);
    return 0;
  }
  static int OnHeadersComplete(http_parser* parser) { return Reader(parser).OnHeadersComplete(); }
  static int OnBody(http_parser* parser, const char* at, std::size_t length) {
    HttpRequestReader& reader = Reader(parser);
    if (reader.body_bytes_ + length > reader.body_limit_) {
      reader.Refuse(413, "payload_too_large",
                    "the request body is larger than " + std::to_string(reader.body_limit_) +
                        " bytes; send less at a time");
      return 1;
    }
    reader.body_bytes_ += length;
    if (reader.current_.sink) {
      std::optional<HttpRefusal> refused = reader.current_.sink->Write(std::string_view(at, length));
      if (refused) {
        reader.refusal_ = std::move(*refused);
        reader.refused_ = true;
        return 1;
      }
      return 0;
    }
    reader.current_.body.append(at, length);
    return 0;
  }
  static int OnMessageComplete(http_parser* parser) {
    HttpRequestReader& reader = Reader(parser);
    reader.complete_ = true;
    reader.in_request_ = false;
    // Stop here: the next pipelined request is read after this one is answered.
    http_parser_pause(parser, 1);
    return 0;
  }

  static const http_parser_settings& Settings() {
    static const http_parser_settings settings = [] {
      http_parser_settings s;
      http_parser_settings_init(&s);
      s.on_message_begin = OnMessageBegin;
      s.on_url = OnUrl;
      s.on_header_field = OnHeaderField;
      s.on_header_value = OnHeaderValue;
      s.on_headers_complete = OnHeadersComplete;
      s.on_body = OnBody;
      s.on_message_complete = OnMessageComplete;
      return s;
    }();
    return settings;
  }
};

HttpRequestReader::HttpRequestReader(HttpReaderLimits limits, HeadCheck check, SinkFor sink_for)
    : limits_(limits), check_(std::move(check)), sink_for_(std::move(sink_for)), parser_(std::make_unique<http_parser>()) {
  http_parser_init(parser_.get(), HTTP_REQUEST);
  parser_->data = this;
}

HttpRequestReader::~HttpRequestReader() = default;

bool HttpRequestReader::Refuse(int status, std::string code, std::string message, std::string field) {
  if (!refused_) refusal_ = HttpRefusal{status, std::move(code), std::move(message), {}, "", std::move(field)};
  refused_ = true;
  return false;
}

int HttpRequestReader::OnHeadersComplete() {
  if (header_count_ > 0) current_.head.headers.emplace(field_, std::string(Trim(value_)));
  HttpRequestHead& head = current_.head;
  head.method = http_method_str(static_cast<http_method>(parser_->method));
  head.version_minor = parser_->http_minor;
  head.keep_alive = http_should_keep_alive(parser_.get()) != 0;
  head.has_body = (parser_->flags & F_CHUNKED) != 0 ||
                  ((parser_->flags & F_CONTENTLENGTH) != 0 && parser_->content_length > 0);
  if (parser_->http_major != 1) {
    Refuse(505, "http_version_not_supported", "only HTTP/1.0 and HTTP/1.1 are served");
    return -1;
  }

  // origin-form only: "/path?query". The fragment is never sent by clients.
  const std::string& target = head.target;
  if (target.empty() || target.front() != '/') {
    Refuse(400, "bad_request", "the request target must be a path starting with \"/\"", "path");
    return -1;
  }
  const std::size_t question = target.find('?');
  const std::string raw_path = target.substr(0, question);
  if (question != std::string::npos) head.query = target.substr(question + 1);
  head.path = httplib::detail::decode_url(raw_path, false);
  if (!IsValidUtf8(head.path) || head.path.find('\0') != std::string::npos) {
    Refuse(400, "bad_request", "the path is not UTF-8 text once percent-decoded", "path");
    return -1;
  }
  if (!head.query.empty()) {
    httplib::detail::parse_query_text(head.query, head.params);
    for (const auto& [name, value] : head.params) {
      if (!IsValidUtf8(name) || !IsValidUtf8(value)) {
        Refuse(400, "bad_request", "the query parameter \"" + ReplaceInvalidUtf8(name) + "\" is not UTF-8 text",
               IsValidUtf8(name) ? name : "query");
        return -1;
      }
    }
  }
  for (const auto& [name, value] : head.headers) {
    if (!IsValidUtf8(value)) {
      Refuse(400, "bad_request", "the header " + ReplaceInvalidUtf8(name) + " is not UTF-8 text",
             IsValidUtf8(name) ? name : "headers");
      return -1;
    }
  }

  // Bodies are read as sent: a coded body (gzip…) would be inflated past any
  // limit, so none is accepted (clients send JSON as is).
  const std::string encoding = head.headers.count("Content-Encoding") ? head.headers.find("Content-Encoding")->second : "";
  if (!encoding.empty() && !EqualsIgnoreCase(encoding, "identity")) {
    Refuse(415, "unsupported_media_type",
           "Content-Encoding \"" + ReplaceInvalidUtf8(encoding) + "\" is not accepted; send the body uncompressed");
    return -1;
  }
  // A route that streams its body (an upload) names its own limit.
  if (sink_for_ && head.has_body) {
    current_.sink = sink_for_(head);
    if (current_.sink) body_limit_ = current_.sink->max_bytes();
  }
  if ((parser_->flags & F_CONTENTLENGTH) != 0 && parser_->content_length > body_limit_) {
    Refuse(413, "payload_too_large",
           "the request body is larger than " + std::to_string(body_limit_) + " bytes; send less at a time");
    return -1;
  }
  const auto expect = head.headers.find("Expect");
  if (expect != head.headers.end()) {
    if (!EqualsIgnoreCase(expect->second, "100-continue")) {
      Refuse(417, "expectation_failed", "only \"Expect: 100-continue\" is understood");
      return -1;
    }
    head.expects_continue = head.version_minor >= 1;
  }
  if (check_) {
    std::optional<HttpRefusal> refusal = check_(head);
    if (refusal) {
      refusal_ = std::move(*refusal);
      refused_ = true;
      return -1;
    }
  }
  if (current_.sink) {
    // After the head check, so only an accepted caller reserves anything.
    const bool sized = (parser_->flags & F_CONTENTLENGTH) != 0;
    std::optional<HttpRefusal> refusal =
        current_.sink->Begin(sized ? std::optional<std::uint64_t>(parser_->content_length) : std::nullopt);
    if (refusal) {
      refusal_ = std::move(*refusal);
      refused_ = true;
      current_.sink.reset();  // its reservation and temporary file go now
      return -1;
    }
  }
  return 0;
}

HttpRequestReader::Outcome HttpRequestReader::Feed(std::string_view bytes) {
  if (refused_) return {State::kRefused, 0};
  // http-parser reads an empty buffer as the end of the stream.
  if (bytes.empty()) return {State::kNeedMore, 0};
  complete_ = false;
  http_parser_pause(parser_.get(), 0);
  const std::size_t consumed = http_parser_execute(parser_.get(), &Callbacks::Settings(), bytes.data(), bytes.size());
  if (complete_) return {State::kComplete, consumed};
  const http_errno error = HTTP_PARSER_ERRNO(parser_.get());
  if (error == HPE_OK) return {State::kNeedMore, consumed};
  if (!refused_) {
    refused_ = true;
    switch (error) {
      case HPE_INVALID_METHOD:
        refusal_ = {501, "not_implemented", "the request method is not one this server knows", {}, "", "method"};
        break;
      case HPE_HEADER_OVERFLOW:
        refusal_ = {431, "headers_too_large", "the request line and headers are too long", {}, "", "headers"};
        break;
      case HPE_CLOSED_CONNECTION:
        refusal_ = {400, "bad_request", "nothing may follow a request sent with \"Connection: close\"", {}, "",
                    "request"};
        break;
      default:
        refusal_ = {400, "bad_request",
                    std::string("the request could not be read as HTTP/1.1: ") + http_errno_description(error), {}, "",
                    "request"};
    }
  }
  return {State::kRefused, consumed};
}

HttpRequestData HttpRequestReader::TakeRequest() {
  HttpRequestData request = std::move(current_);
  current_ = HttpRequestData{};
  return request;
}

}  // namespace kuimen
