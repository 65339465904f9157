#include "gateway/webhook_deliveries.h"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <fstream>
#include <future>

#include <nlohmann/json.hpp>
#include <spdlog/spdlog.h>

#include "domain/calendar.h"
#include "domain/stream_kind.h"
#include "domain/supervised_item.h"
#include "eventstore/envelope_json.h"
#include "eventstore/event_codec.h"
#include "eventstore/thread_name.h"
#include "gateway/data_layout.h"
#include "gateway/text_safety.h"
#include "gateway/webhook_sender.h"
#include "gateway/webhook_targets.h"

namespace kuimen {

namespace {

constexpr std::string_view kCursor = "webhook-deliveries";

// A message to one unit about one event.
struct Notification {
  std::string unit;
  std::string content;  // Chinese, as the clerk reads it in the robot's chat
};

// The item as a clerk names it: "第7项重点任务".
std::string ItemName(const StreamId& stream) { return StreamDisplayName(stream); }

// The event types NotificationsFor answers (keep the two together), and the
// two that set a unit's webhook: the only ones that can start, retarget or
// cancel a delivery. Progress reports, most of the log, are passed over
// without being decoded.
bool ConcernsWebhooks(std::string_view type) {
  static const std::array<std::string_view, 6> kTypes = {
      EventTypeName(NoticeIssued{}), EventTypeName(ReportReviewed{}),    EventTypeName(UrgeSent{}),
      EventTypeName(InstructionGiven{}), EventTypeName(WebhookRegistered{}), EventTypeName(WebhookRemoved{})};
  return std::find(kTypes.begin(), kTypes.end(), type) != kTypes.end();
}

// Which units an event concerns, and what each is told. The one place that
// decides it; an event type not named here sends nothing (nor one missing
// from ConcernsWebhooks).
std::vector<Notification> NotificationsFor(const RecordedEvent& envelope, const EventData& event, const Catalog& catalog,
                                           EventStore& store) {
  std::vector<Notification> out;
  if (const auto* notice = std::get_if<NoticeIssued>(&event)) {
    Result<SupervisedItem> item = ResolveStream(catalog, envelope.stream);
    if (!item.ok()) return out;
    std::string content = "【督办通知】" + (notice->number.empty() ? std::string() : notice->number + "：") +
                          ItemName(envelope.stream) + "。督办事由：" + notice->reason +
                          "。办理时限：" + FormatDate(notice->due) + "。请及时签收，并按时反馈整改情况。";
    for (const std::string& unit : item->lead_units) out.push_back({unit, content});
    return out;
  }
  if (const auto* review = std::get_if<ReportReviewed>(&event)) {
    if (review->decision != ReviewDecision::kReturned) return out;
    std::unique_ptr<EventIterator> report = store.ReadStream(envelope.stream, review->report_version);
    if (!report->Valid() || report->event().version != review->report_version) return out;
    const RecordedEvent& reported = report->event();
    Result<EventData> data = DecodeEvent(reported.type, reported.schema_version, reported.data);
    std::string period;
    if (data.ok()) {
      if (const auto* progress = std::get_if<ProgressReported>(&*data)) period = FormatMonth(progress->period) + "的";
    }
    std::string content = "【报送退回】" + ItemName(envelope.stream) + period + "进展报送已被工作专班退回" +
                          (review->comment.empty() ? std::string() : "，意见：" + review->comment) +
                          "。请修改后重新报送。";
    out.push_back({reported.actor.unit, content});
    return out;
  }
  if (const auto* urge = std::get_if<UrgeSent>(&event)) {
    // The urged units were fixed when it was sent (UrgeSent::units), so a
    // replay tells the same units whatever they owe today.
    const std::string content = "【催办】工作专班催办：请及时办理本单位待办事项（进展报送、督办签收与反馈、到期时限）" +
                                (urge->text.empty() ? std::string("。") : "。" + urge->text);
    for (const std::string& unit : urge->units) out.push_back({unit, content});
    return out;
  }
  if (const auto* instruction = std::get_if<InstructionGiven>(&event)) {
    // A 批示 goes to the units responsible for the item (责任单位), as it
    // appears in their 待办.
    Result<SupervisedItem> item = ResolveStream(catalog, envelope.stream);
    if (!item.ok()) return out;
    const std::string content =
        "【领导批示】" + (instruction->leader_name.empty() ? std::string("县领导") : instruction->leader_name) +
        "对" + ItemName(envelope.stream) +
        (instruction->notice_id.empty() ? std::string() : "（督办通知" + instruction->notice_id + "）") + "批示：" +
        instruction->text;
    for (const std::string& unit : item->lead_units) out.push_back({unit, content});
    return out;
  }
  return out;
}

std::chrono::milliseconds Backoff(const WebhookDeliveryOptions& options, int failed_attempts) {
  std::chrono::milliseconds wait = options.first_retry;
  for (int i = 1; i < failed_attempts && wait < options.max_retry; ++i) wait *= 2;
  return std::min(wait, options.max_retry);
}

nlohmann::json RecordJson(const DeliveryRecord& r) {
  nlohmann::json out{{"position", r.position.value},
                     {"unit", r.unit},
                     {"url_host", r.url_host},
                     {"attempts", r.attempts},
                     {"last_status", r.last_status},
                     {"last_error", r.last_error},
                     {"state", DeliveryStateName(r.state)},
                     {"reason", r.reason},
                     {"next_attempt_at_us", r.next_attempt_at.time_since_epoch().count()}};
  if (r.delivered_at) out["delivered_at_us"] = r.delivered_at->time_since_epoch().count();
  return out;
}

std::optional<DeliveryRecord> RecordFromJson(const nlohmann::json& j) {
  try {
    DeliveryRecord r;
    r.position = GlobalPosition(j.at("position").get<std::uint64_t>());
    r.unit = j.at("unit").get<std::string>();
    r.url_host = j.at("url_host").get<std::string>();
    r.attempts = j.at("attempts").get<int>();
    r.last_status = j.at("last_status").get<int>();
    r.last_error = j.at("last_error").get<std::string>();
    const std::string state = j.at("state").get<std::string>();
    r.state = state == "delivered"                        ? DeliveryRecord::State::kDelivered
              : state == "given_up" || state == "failed" ? DeliveryRecord::State::kGivenUp
              : state == "cancelled"                     ? DeliveryRecord::State::kCancelled
                                                         : DeliveryRecord::State::kPending;
    r.reason = j.value("reason", state == "failed" ? "attempts" : "");
    // A host written before userinfo was refused ("user:pw@host") is shown without it.
    if (const std::size_t at = r.url_host.rfind('@'); at != std::string::npos) r.url_host.erase(0, at + 1);
    r.next_attempt_at = Timestamp(std::chrono::microseconds(j.at("next_attempt_at_us").get<std::int64_t>()));
    if (j.contains("delivered_at_us")) {
      r.delivered_at = Timestamp(std::chrono::microseconds(j.at("delivered_at_us").get<std::int64_t>()));
    }
    return r;
  } catch (const nlohmann::json::exception&) {
    return std::nullopt;
  }
}

}  // namespace

std::string_view DeliveryStateName(DeliveryRecord::State state) {
  switch (state) {
    case DeliveryRecord::State::kPending: return "pending";
    case DeliveryRecord::State::kDelivered: return "delivered";
    case DeliveryRecord::State::kGivenUp: return "given_up";
    case DeliveryRecord::State::kCancelled: return "cancelled";
  }
  return "pending";
}

std::string_view DeliveryStateText(DeliveryRecord::State state) {
  switch (state) {
    case DeliveryRecord::State::kPending: return "待发送";
    case DeliveryRecord::State::kDelivered: return "已送达";
    case DeliveryRecord::State::kGivenUp: return "已放弃";
    case DeliveryRecord::State::kCancelled: return "已取消";
  }
  return "待发送";
}

// A message waiting for (another) attempt. Where it goes is looked up at each
// attempt (webhooks_), so a re-registration retargets it.
struct WebhookDeliveries::Pending {
  DeliveryRecord record;
  std::string body;
  Timestamp event_time;         // the event's; the give-up age counts from it
  bool cancel_if_failed = false;  // the webhook was removed while this was in flight
};

// What one attempt came to.
struct AttemptOutcome {
  int status = 0;      // the receiver's HTTP status; 0 = no answer
  std::string error;   // "" after a 2xx
  std::string refusal; // "address_refused" or "userinfo": nothing was sent, give up
};

// One send in flight, on its own thread.
struct WebhookDeliveries::Attempt {
  Key key;
  std::pair<std::string, std::string> target;  // the webhook (url, sealed) it was sent to
  std::future<AttemptOutcome> outcome;
};

WebhookDeliveries::WebhookDeliveries(EventStore& store, const Catalog& catalog, const Clock& clock,
                                     WebhookDeliveryOptions options)
    : store_(store), catalog_(catalog), clock_(clock), options_(options) {}

Result<std::unique_ptr<WebhookDeliveries>> WebhookDeliveries::Start(EventStore& store, const Catalog& catalog,
                                                                    const Clock& clock,
                                                                    const std::filesystem::path& data_dir,
                                                                    const WebhookDeliveryOptions& options) {
  std::unique_ptr<WebhookDeliveries> self(new WebhookDeliveries(store, catalog, clock, options));
  ASSIGN_OR_RETURN(self->sealer_, WebhookSealer::LoadOrCreate(data_layout::WebhookKey(data_dir)));
  std::error_code error;
  std::filesystem::create_directories(data_layout::Webhooks(data_dir), error);
  if (error) return Status::Unavailable("cannot create " + (data_layout::Webhooks(data_dir)).string() + ": " + error.message());
  self->journal_path_ = data_layout::Webhooks(data_dir) / "deliveries.jsonl";
  RETURN_IF_ERROR(self->LoadJournal());
  self->journal_fd_ = ::open(self->journal_path_.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
  if (self->journal_fd_ < 0) return Status::Unavailable("cannot open " + self->journal_path_.string());
  ASSIGN_OR_RETURN(GlobalPosition checkpoint, store.LoadCursor(kCursor));
  self->checkpoint_ = checkpoint.value;
  self->scanned_ = checkpoint.value;
  // The webhooks as they stood at the checkpoint; the scan applies later ones in order.
  for (std::unique_ptr<EventIterator> it = store.ReadStream(PrincipalsStream(), StreamVersion(1)); it->Valid();
       it->Next()) {
    const RecordedEvent& event = it->event();
    if (event.position.value > checkpoint.value) break;
    Result<EventData> data = DecodeEvent(event.type, event.schema_version, event.data);
    if (!data.ok()) continue;
    if (const auto* added = std::get_if<WebhookRegistered>(&*data)) {
      self->webhooks_[added->unit] = {added->url, added->sealed};
    } else if (const auto* removed = std::get_if<WebhookRemoved>(&*data)) {
      self->webhooks_.erase(removed->unit);
    }
  }
  spdlog::info("webhook deliveries: resuming after position {}", checkpoint.value);
  self->worker_ = std::thread([raw = self.get()] {
    NameThisThread("webhooks");
    raw->Run();
  });
  return self;
}

WebhookDeliveries::~WebhookDeliveries() {
  stop_ = true;
  if (worker_.joinable()) worker_.join();
  if (journal_fd_ >= 0) ::close(journal_fd_);
}

Status WebhookDeliveries::LoadJournal() {
  std::ifstream in(journal_path_);
  std::string line;
  while (std::getline(in, line)) {
    // A line cut short by a crash is dropped: that attempt is made again.
    nlohmann::json j = nlohmann::json::parse(line, nullptr, /*allow_exceptions=*/false);
    if (j.is_discarded()) continue;
    std::optional<DeliveryRecord> record = RecordFromJson(j);
    if (!record) continue;
    records_[{record->position.value, record->unit}] = *record;
  }
  return Status::Ok();
}

Status WebhookDeliveries::Record(const DeliveryRecord& record) {
  {
    std::lock_guard lock(mu_);
    records_[{record.position.value, record.unit}] = record;
  }
  const std::string line = RecordJson(record).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) + "\n";
  if (::write(journal_fd_, line.data(), line.size()) != static_cast<ssize_t>(line.size()) || ::fdatasync(journal_fd_) != 0) {
    spdlog::error("webhook deliveries: cannot write {}", journal_path_.string());
    return Status::Unavailable("cannot write the delivery journal");
  }
  return Status::Ok();
}

std::vector<DeliveryRecord> WebhookDeliveries::Deliveries(std::size_t limit) const {
  std::lock_guard lock(mu_);
  std::vector<DeliveryRecord> out;
  const std::size_t skip = records_.size() > limit ? records_.size() - limit : 0;
  std::size_t i = 0;
  for (const auto& [key, record] : records_) {
    if (i++ >= skip) out.push_back(record);
  }
  return out;
}

void WebhookDeliveries::Run() {
  while (!stop_) {
    Scan();
    CollectFinished();
    LaunchDue();
    AdvanceCheckpoint();
    store_.WaitForHead(GlobalPosition(scanned_), options_.poll_interval);
  }
  // The sends in flight finish (their timeouts bound them); their outcomes are recorded.
  for (auto& [unit, attempt] : in_flight_) attempt->outcome.wait();
  CollectFinished();
  AdvanceCheckpoint();
}

void WebhookDeliveries::Scan() {
  for (std::unique_ptr<EventIterator> it = store_.ReadAll(GlobalPosition(scanned_ + 1)); it->Valid() && !stop_;
       it->Next()) {
    Handle(it->event());
    scanned_ = it->event().position.value;
  }
}

void WebhookDeliveries::Handle(const RecordedEvent& event) {
  if (!ConcernsWebhooks(event.type)) return;
  Result<EventData> data = DecodeEvent(event.type, event.schema_version, event.data);
  if (!data.ok()) return;
  if (const auto* added = std::get_if<WebhookRegistered>(&*data)) {
    webhooks_[added->unit] = {added->url, added->sealed};
    // Its pending messages go to the new address at once, not after their backoff.
    const Timestamp now = clock_.Now();
    for (auto& [key, pending] : pending_) {
      if (key.second == added->unit && pending->record.next_attempt_at > now) pending->record.next_attempt_at = now;
    }
    return;
  }
  if (const auto* removed = std::get_if<WebhookRemoved>(&*data)) {
    webhooks_.erase(removed->unit);
    // Its pending messages are cancelled (the one in flight when it fails).
    for (auto it = pending_.begin(); it != pending_.end();) {
      if (it->first.second != removed->unit) {
        ++it;
      } else if (auto flight = in_flight_.find(removed->unit); flight != in_flight_.end() && flight->second->key == it->first) {
        it->second->cancel_if_failed = true;
        ++it;
      } else {
        Finish(*it->second, DeliveryRecord::State::kCancelled, "webhook_removed");
        it = pending_.erase(it);
      }
    }
    return;
  }
  for (Notification& note : NotificationsFor(event, *data, catalog_, store_)) {
    auto hook = webhooks_.find(note.unit);
    if (hook == webhooks_.end()) continue;  // no webhook: nothing is sent
    const Key key{event.position.value, note.unit};
    DeliveryRecord record;
    {
      std::lock_guard lock(mu_);
      auto known = records_.find(key);
      if (known != records_.end()) {
        if (known->second.state != DeliveryRecord::State::kPending) continue;  // done before a restart
        record = known->second;
      }
    }
    auto pending = std::make_unique<Pending>();
    nlohmann::json body{{"msgtype", "text"}, {"text", {{"content", note.content}}}};
    pending->body = body.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
    pending->event_time = event.recorded_at;
    if (record.attempts == 0 && record.unit.empty()) {
      record.position = event.position;
      record.unit = note.unit;
      Result<WebhookUrlParts> url = ParseWebhookUrl(hook->second.first);
      record.url_host = url.ok() ? url->host : "";
      record.next_attempt_at = clock_.Now();
      (void)Record(record);
    }
    pending->record = record;
    pending_[key] = std::move(pending);
  }
}

void WebhookDeliveries::Finish(Pending& pending, DeliveryRecord::State state, std::string reason) {
  DeliveryRecord& record = pending.record;
  record.state = state;
  record.reason = std::move(reason);
  spdlog::warn("webhook delivery pos={} unit={} host={} {} ({}), last error: {}", record.position.value,
               EscapeForLog(record.unit), EscapeForLog(record.url_host), DeliveryStateName(state), record.reason,
               EscapeForLog(record.last_error));
  (void)Record(record);
}

void WebhookDeliveries::LaunchDue() {
  const Timestamp now = clock_.Now();
  for (auto& [key, pending] : pending_) {
    if (stop_) return;
    const std::string& unit = key.second;
    // One at a time per unit, the oldest due first; one waiting for its retry
    // does not hold back the unit's later messages.
    if (in_flight_.contains(unit) || pending->record.next_attempt_at > now) continue;
    auto hook = webhooks_.find(unit);
    if (hook == webhooks_.end()) continue;  // cannot happen: a removal cancels the unit's pending messages
    Result<WebhookSealed> opened = OpenWebhookSealed(*sealer_, hook->second.second);
    if (!opened.ok()) {
      spdlog::error("webhook deliveries: pos={} the unit's query string and secret do not open: {}", key.first,
                    opened.status().message());
      opened = WebhookSealed{};
    }
    const std::string secret = opened->secret;
    const std::string& address = hook->second.first;
    Result<WebhookUrlParts> url = ParseWebhookUrl(opened->query.empty() ? address : address + "?" + opened->query);
    pending->record.url_host = url.ok() ? url->host : "";
    std::vector<std::pair<std::string, std::string>> headers{{"X-Kuimen-Event-Position", std::to_string(key.first)}};
    if (!secret.empty()) headers.emplace_back("X-Kuimen-Signature", WebhookSignature(secret, pending->body));
    auto attempt = std::make_unique<Attempt>();
    attempt->key = key;
    attempt->target = hook->second;
    attempt->outcome = std::async(std::launch::async, [url, headers, body = pending->body, options = options_]() {
      AttemptOutcome out;
      if (!url.ok()) {
        out.error = "invalid URL";
        out.refusal = "address_refused";
        return out;
      }
      if (!url->userinfo.empty()) {  // registered before it was refused: never sent, never shown
        out.error = "refused: the URL carries user:password";
        out.refusal = "userinfo";
        return out;
      }
      // Resolve and check here, then connect to that address only (no second
      // lookup a rebinding DNS server could answer differently).
      Result<std::string> ip = ResolveWebhookHost(url->host, options.allow_hosts);
      if (!ip.ok()) {
        out.error = ip.status().message();
        if (ip.status().code() == StatusCode::kFailedPrecondition) out.refusal = "address_refused";
        return out;
      }
      WebhookAnswer answer = PostToWebhook(
          {*url, *ip, headers, body, options.connect_timeout, options.read_timeout});
      out.status = answer.status;
      out.error = std::move(answer.error);
      return out;
    });
    in_flight_[unit] = std::move(attempt);
  }
}

void WebhookDeliveries::CollectFinished() {
  for (auto it = in_flight_.begin(); it != in_flight_.end();) {
    Attempt& attempt = *it->second;
    if (attempt.outcome.wait_for(std::chrono::seconds(0)) != std::future_status::ready) {
      ++it;
      continue;
    }
    const AttemptOutcome outcome = attempt.outcome.get();
    auto pending = pending_.find(attempt.key);
    if (pending != pending_.end()) {
      Pending& message = *pending->second;
      DeliveryRecord& record = message.record;
      ++record.attempts;
      record.last_status = outcome.status;
      record.last_error = outcome.error;
      const Timestamp now = clock_.Now();
      const Timestamp give_up_at = message.event_time + options_.give_up_after;
      spdlog::log(outcome.error.empty() ? spdlog::level::info : spdlog::level::warn,
                  "webhook delivery pos={} unit={} host={} attempt={} {}", record.position.value,
                  EscapeForLog(record.unit), EscapeForLog(record.url_host), record.attempts,
                  outcome.error.empty() ? "delivered" : EscapeForLog(outcome.error));
      if (outcome.error.empty()) {
        record.state = DeliveryRecord::State::kDelivered;
        record.delivered_at = now;
        (void)Record(record);
      } else if (!outcome.refusal.empty()) {
        Finish(message, DeliveryRecord::State::kGivenUp, outcome.refusal);
      } else if (message.cancel_if_failed) {
        Finish(message, DeliveryRecord::State::kCancelled, "webhook_removed");
      } else if (record.attempts >= options_.max_attempts) {
        Finish(message, DeliveryRecord::State::kGivenUp, "attempts");
      } else if (now >= give_up_at) {
        Finish(message, DeliveryRecord::State::kGivenUp, "ttl");
      } else {
        // The last retry is made when the message reaches the give-up age; a
        // webhook re-registered while this attempt was out is tried at once.
        auto hook = webhooks_.find(record.unit);
        const bool retargeted = hook != webhooks_.end() && hook->second != attempt.target;
        record.next_attempt_at = retargeted ? now : std::min(now + Backoff(options_, record.attempts), give_up_at);
        (void)Record(record);
      }
      if (record.state != DeliveryRecord::State::kPending) pending_.erase(pending);
    }
    it = in_flight_.erase(it);
  }
}

void WebhookDeliveries::AdvanceCheckpoint() {
  const std::uint64_t through = pending_.empty() ? scanned_ : pending_.begin()->first.first - 1;
  if (through == checkpoint_.load()) return;
  if (Status saved = store_.SaveCursor(kCursor, GlobalPosition(through)); !saved.ok()) {
    spdlog::warn("webhook deliveries: cannot save the checkpoint: {}", saved.message());
    return;
  }
  checkpoint_ = through;
}

}  // namespace kuimen
