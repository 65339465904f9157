#pragma once

#include <atomic>
#include <chrono>
#include <filesystem>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "domain/catalog.h"
#include "domain/clock.h"
#include "domain/ids.h"
#include "domain/status.h"
#include "eventstore/event_store.h"
#include "gateway/webhook_secrets.h"

namespace kuimen {

struct WebhookDeliveryOptions {
  // How long the worker waits for new events (real time) before it looks at
  // due retries and finished sends again; also the longest a stop waits for
  // an idle worker. Default 50 ms (a wait on the store's head, cheap).
  std::chrono::milliseconds poll_interval{50};
  // Backoff after a failed attempt, by the service's Clock: first_retry,
  // doubled after each further failure, at most max_retry. Defaults 2 s, 5 min.
  std::chrono::milliseconds first_retry{2000};
  std::chrono::milliseconds max_retry{std::chrono::minutes(5)};
  // A message is given up ("given_up", 已放弃, with its last error) after
  // this many failed attempts, or once a failed attempt is this old (from
  // the event's time, by the Clock; the last retry is made at that age), so a
  // receiver gone for good does not hold the checkpoint back for ever.
  // Defaults 20 attempts (about 1.3 hours with the default backoff), 24 hours.
  int max_attempts = 20;
  std::chrono::hours give_up_after{24};
  // Hosts (as written in the URL: "127.0.0.1", "robot.internal") that may be
  // loopback, private, link-local... (see gateway/webhook_targets.h). Default
  // none: such hosts are refused at registration and at delivery.
  std::vector<std::string> allow_hosts;
  // Per attempt; short, so a slow receiver costs little. Defaults 3 s and 5 s.
  std::chrono::seconds connect_timeout{3};
  std::chrono::seconds read_timeout{5};
};

// One message to one unit's webhook, as the delivery log (GET /api/v1/deliveries) shows it.
struct DeliveryRecord {
  enum class State { kPending, kDelivered, kGivenUp, kCancelled };
  GlobalPosition position;  // the event that caused it
  std::string unit;
  std::string url_host;     // "oapi.dingtalk.com"; never the path or query (they may hold a token)
  int attempts = 0;
  int last_status = 0;      // the receiver's HTTP status of the last attempt; 0 = no answer
  std::string last_error;   // why the last attempt failed ("connection", "timeout", "HTTP 500"), or ""
  State state = State::kPending;
  // Why it was given up or cancelled: "attempts", "ttl", "address_refused"
  // (the host is or resolves to an address webhook_targets.h refuses),
  // "userinfo" (a URL registered with user:password before that was refused),
  // "webhook_removed" (cancelled); "" otherwise.
  std::string reason;
  std::optional<Timestamp> delivered_at;
  Timestamp next_attempt_at;
};
// "pending", "delivered", "given_up", "cancelled" (a journal's "failed", written
// before give-ups had reasons, reads as given_up).
std::string_view DeliveryStateName(DeliveryRecord::State state);
std::string_view DeliveryStateText(DeliveryRecord::State state);  // 待发送, 已送达, 已放弃, 已取消

// Outbound notifications to the units' webhooks (渝快政 / 政务钉钉 / 企业微信
// robots), driven from the log by one worker thread:
// - WebhookRegistered / WebhookRemoved on the principals stream say where each
//   unit's messages go, as of each event's position;
// - a NoticeIssued goes to the item's lead units (责任单位), a returned
//   ReportReviewed to the unit that made the report (see NotificationsFor in
//   the .cc, where UrgeSent is to be added);
// - each message is POSTed as {"msgtype":"text","text":{"content":"…"}} with
//   X-Kuimen-Signature: sha256=<HMAC-SHA256 of the body under the unit's
//   secret> and X-Kuimen-Event-Position (receivers may drop repeats by it).
// At least once: every attempt's outcome is appended (and synced) to
// DIR/webhooks/deliveries.jsonl before anything else happens, and the
// checkpoint (the store cursor "webhook-deliveries") is the position below
// which every message is delivered or given up. A restart rescans from the
// checkpoint and sends what the file does not show delivered; a message sent
// but not yet recorded when the process died is sent again.
// One send in flight per unit, units in parallel: a slow receiver holds up
// only its own unit. A unit's messages go oldest due first: one waiting for
// its retry does not hold back later ones.
// Messages still pending follow the unit's webhook: re-registering sends them
// to the new address with the new secret (at once, without waiting for their
// backoff); removing it cancels them ("cancelled", in the log).
// Before each send the host is resolved and checked (webhook_targets.h), and
// the connection goes to the address checked; a refused address gives the
// message up at once.
class WebhookDeliveries {
 public:
  // Not owned; all must outlive the worker. Starts the worker thread.
  static Result<std::unique_ptr<WebhookDeliveries>> Start(EventStore& store, const Catalog& catalog,
                                                          const Clock& clock, const std::filesystem::path& data_dir,
                                                          const WebhookDeliveryOptions& options);
  // Stops the worker after the sends in flight (each bounded by its timeouts).
  ~WebhookDeliveries();

  const WebhookSealer& sealer() const { return *sealer_; }
  const WebhookDeliveryOptions& options() const { return options_; }
  // The delivery log, oldest event first; at most `limit` newest records.
  std::vector<DeliveryRecord> Deliveries(std::size_t limit) const;
  // The position below which every message is delivered or given up.
  GlobalPosition checkpoint() const { return GlobalPosition(checkpoint_.load()); }

 private:
  struct Pending;
  struct Attempt;
  using Key = std::pair<std::uint64_t, std::string>;  // position, unit

  WebhookDeliveries(EventStore& store, const Catalog& catalog, const Clock& clock, WebhookDeliveryOptions options);

  Status LoadJournal();
  Status Record(const DeliveryRecord& record);
  void Run();
  void Scan();
  void Handle(const RecordedEvent& event);
  void LaunchDue();
  void CollectFinished();
  void AdvanceCheckpoint();
  void Finish(Pending& pending, DeliveryRecord::State state, std::string reason);

  EventStore& store_;
  const Catalog& catalog_;
  const Clock& clock_;
  WebhookDeliveryOptions options_;
  std::unique_ptr<WebhookSealer> sealer_;
  std::filesystem::path journal_path_;
  int journal_fd_ = -1;

  mutable std::mutex mu_;                 // guards records_
  std::map<Key, DeliveryRecord> records_;

  // The worker thread's own state.
  std::map<std::string, std::pair<std::string, std::string>> webhooks_;  // unit -> url, sealed secret
  std::uint64_t scanned_ = 0;
  std::map<Key, std::unique_ptr<Pending>> pending_;
  std::map<std::string, std::unique_ptr<Attempt>> in_flight_;  // by unit

  std::atomic<std::uint64_t> checkpoint_{0};
  std::atomic<bool> stop_{false};
  std::thread worker_;
};

}  // namespace kuimen
