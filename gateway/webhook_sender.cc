#include "gateway/webhook_sender.h"

#include <curl/curl.h>

#include <memory>
#include <mutex>

namespace kuimen {

namespace {

// What the callbacks saw of the answer.
struct AnswerSeen {
  CURL* handle = nullptr;
  std::size_t head_bytes = 0;
  std::size_t body_bytes = 0;
  bool head_too_large = false;
  bool head_done = false;  // the final (non-1xx) status line and its headers have arrived
};

// Counts the head; refuses one over the limit (cpp-httplib, which sent these
// before, kept every header line of an endless head). Each call is one line.
std::size_t OnHeader(char*, std::size_t size, std::size_t count, void* user) {
  auto& seen = *static_cast<AnswerSeen*>(user);
  const std::size_t n = size * count;
  seen.head_bytes += n;
  if (seen.head_bytes > kMaxAnswerBytes) {
    seen.head_too_large = true;
    return 0;  // aborts the transfer
  }
  if (n <= 2) {  // the blank line ending a head; a 1xx head is followed by another
    long status = 0;
    curl_easy_getinfo(seen.handle, CURLINFO_RESPONSE_CODE, &status);
    if (status >= 200) seen.head_done = true;
  }
  return n;
}

// Reads at most kMaxAnswerBytes of the body and keeps none of it.
std::size_t OnBody(char*, std::size_t size, std::size_t count, void* user) {
  auto& seen = *static_cast<AnswerSeen*>(user);
  const std::size_t n = size * count;
  seen.body_bytes += n;
  return seen.body_bytes <= kMaxAnswerBytes ? n : 0;
}

struct CurlDeleter {
  void operator()(CURL* handle) const { curl_easy_cleanup(handle); }
};
struct SlistDeleter {
  void operator()(curl_slist* list) const { curl_slist_free_all(list); }
};

void InitCurlOnce() {
  // curl_global_init is not thread-safe in every build; deliveries run on
  // threads of their own.
  static std::once_flag once;
  std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
}

}  // namespace

WebhookAnswer PostToWebhook(const WebhookPost& post) {
  InitCurlOnce();
  WebhookAnswer answer;
  std::unique_ptr<CURL, CurlDeleter> handle(curl_easy_init());
  if (!handle) {
    answer.error = "libcurl could not start";
    return answer;
  }
  CURL* curl = handle.get();
  const bool v6 = post.url.host.find(':') != std::string::npos;
  const std::string host = v6 ? "[" + post.url.host + "]" : post.url.host;
  const std::string url = post.url.scheme + "://" + host + ":" + std::to_string(post.url.port) + post.url.path;

  // The name connects to the address that was checked, and only to it: a
  // rebinding DNS server gets no second question. (An IP literal needs none.)
  std::unique_ptr<curl_slist, SlistDeleter> resolve;
  if (post.address != post.url.host) {
    const std::string pin = post.url.host + ":" + std::to_string(post.url.port) + ":" +
                            (post.address.find(':') != std::string::npos ? "[" + post.address + "]" : post.address);
    resolve.reset(curl_slist_append(nullptr, pin.c_str()));
  }
  std::unique_ptr<curl_slist, SlistDeleter> headers;
  auto add_header = [&headers](const std::string& line) {
    curl_slist* grown = curl_slist_append(headers.get(), line.c_str());
    if (grown != nullptr) {
      (void)headers.release();
      headers.reset(grown);
    }
  };
  for (const auto& [name, value] : post.headers) add_header(name + ": " + value);
  add_header("Content-Type: application/json; charset=utf-8");
  add_header("Expect:");  // no 100-continue round trip

  AnswerSeen seen;
  seen.handle = curl;
  const long connect_ms = static_cast<long>(std::chrono::milliseconds(post.connect_timeout).count());
  const long read_s = static_cast<long>(post.read_timeout.count());
  curl_easy_setopt(curl, CURLOPT_URL, url.c_str());
  curl_easy_setopt(curl, CURLOPT_PROTOCOLS_STR, "http,https");
  curl_easy_setopt(curl, CURLOPT_FOLLOWLOCATION, 0L);  // a redirect could point anywhere
  curl_easy_setopt(curl, CURLOPT_PROXY, "");           // nor may http_proxy in the environment
  curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
  if (resolve) curl_easy_setopt(curl, CURLOPT_RESOLVE, resolve.get());
  curl_easy_setopt(curl, CURLOPT_HTTPHEADER, headers.get());
  curl_easy_setopt(curl, CURLOPT_POST, 1L);
  curl_easy_setopt(curl, CURLOPT_POSTFIELDS, post.body.data());
  curl_easy_setopt(curl, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(post.body.size()));
  curl_easy_setopt(curl, CURLOPT_CONNECTTIMEOUT_MS, connect_ms);
  // A receiver silent (under a byte a second) for read_timeout is given up;
  // one trickling its answer is cut off when the whole attempt reaches
  // connect + 2 × read timeouts.
  curl_easy_setopt(curl, CURLOPT_LOW_SPEED_LIMIT, 1L);
  curl_easy_setopt(curl, CURLOPT_LOW_SPEED_TIME, read_s);
  curl_easy_setopt(curl, CURLOPT_TIMEOUT_MS, connect_ms + 2 * 1000 * read_s);
  curl_easy_setopt(curl, CURLOPT_HEADERFUNCTION, &OnHeader);
  curl_easy_setopt(curl, CURLOPT_HEADERDATA, &seen);
  curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, &OnBody);
  curl_easy_setopt(curl, CURLOPT_WRITEDATA, &seen);

  const CURLcode code = curl_easy_perform(curl);
  if (seen.head_too_large) {
    answer.error = "the answer's head is over " + std::to_string(kMaxAnswerBytes / 1024) + " KiB";
    return answer;
  }
  // Once the head is in, the status counts, whatever became of the body
  // (cut short by us, trickled past the deadline, or dropped).
  long status = 0;
  curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &status);
  if (code != CURLE_OK && !seen.head_done) {
    answer.error = curl_easy_strerror(code);
    return answer;
  }
  answer.status = static_cast<int>(status);
  if (answer.status / 100 != 2) answer.error = "HTTP " + std::to_string(answer.status);
  return answer;
}

}  // namespace kuimen
