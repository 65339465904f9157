#pragma once

#include <chrono>
#include <string>
#include <utility>
#include <vector>

#include "gateway/webhook_targets.h"

namespace kuimen {

// One POST to a unit's webhook (gateway/webhook_deliveries.h decides what,
// when and where; this only sends). What the receiver answers costs the
// service little whatever it is: its status counts, at most kMaxAnswerBytes
// of its head and of its body are read (the body is never kept), and the
// whole attempt ends within connect_timeout + 2 × read_timeout.
struct WebhookPost {
  WebhookUrlParts url;
  std::string address;  // the IP to connect to (ResolveWebhookHost): no second DNS lookup
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;  // JSON
  std::chrono::seconds connect_timeout{3};
  // The longest silence while waiting for or reading the answer.
  std::chrono::seconds read_timeout{5};
};

struct WebhookAnswer {
  int status = 0;     // the receiver's HTTP status; 0 = no answer (or a head over the limit)
  std::string error;  // "" after a 2xx; why not otherwise ("HTTP 500", "Timeout was reached")
};

inline constexpr std::size_t kMaxAnswerBytes = 64 * 1024;

// Sends `post` with libcurl: no redirect followed, no proxy from the
// environment (the address checked is the address connected to), https
// certificates verified against the system's store. A body cut short at
// kMaxAnswerBytes counts by its status. Thread-safe; blocks for the attempt.
WebhookAnswer PostToWebhook(const WebhookPost& post);

}  // namespace kuimen
