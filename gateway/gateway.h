#pragma once

#include <filesystem>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <thread>

#include "domain/catalog.h"
#include "domain/clock.h"
#include "eventstore/command_handler.h"
#include "gateway/api.h"
#include "gateway/digest_signer.h"
#include "gateway/file_citations.h"
#include "gateway/file_store.h"
#include "gateway/gateway_metrics.h"
#include "gateway/http_server.h"
#include "gateway/notice_numbers.h"
#include "gateway/principal_registry.h"
#include "gateway/service.h"
#include "gateway/replay_gate.h"
#include "gateway/session_table.h"
#include "gateway/webhook_deliveries.h"
#include "gateway/write_admission.h"

namespace kuimen {

// The HTTP gateway over a running Service: the write path (CommandHandler),
// identity (principals and the first administrator), the audit signing key,
// the metrics and the HTTP server. Files it keeps in the data directory:
// admin.token (the first administrator's token, 0600), keys/ed25519.pem (the
// signing key, 0600), server.json (the address, while serving) and files/
// (uploaded 佐证材料 by SHA-256, gateway/file_store.h); the webhook deliveries
// keep keys/webhook.key and webhooks/deliveries.jsonl.
class Gateway {
 public:
  // None is owned; all must outlive the gateway.
  static Result<std::unique_ptr<Gateway>> Start(const Catalog& catalog, Service& service, const ViewSettings& settings,
                                                const std::filesystem::path& data_dir, const Clock& clock,
                                                const HttpServerOptions& http,
                                                const WebhookDeliveryOptions& webhooks = {});
  // Stops accepting and finishes the requests in flight.
  ~Gateway();

  int port() const { return http_->port(); }

 private:
  Gateway() = default;
  void SweepFiles();

  std::filesystem::path data_dir_;
  std::unique_ptr<CommandHandler> commands_;
  std::unique_ptr<NoticeNumbers> notice_numbers_;
  std::unique_ptr<PrincipalRegistry> principals_;
  std::unique_ptr<DigestSigner> signer_;
  std::unique_ptr<GatewayMetrics> metrics_;
  std::unique_ptr<SessionTable> sessions_;
  std::unique_ptr<ReplayGate> replay_gate_;
  std::unique_ptr<WriteAdmission> admission_;
  std::unique_ptr<FileStore> files_;
  std::unique_ptr<FileCitations> citations_;
  std::unique_ptr<WebhookDeliveries> webhooks_;
  std::unique_ptr<ApiContext> api_;
  std::unique_ptr<HttpServer> http_;
  // Removes uploads no event cites, a day after they came: at start and daily.
  std::thread sweeper_;
  std::mutex sweeper_mu_;
  std::condition_variable sweeper_wake_;
  bool stopping_ = false;
};

}  // namespace kuimen
