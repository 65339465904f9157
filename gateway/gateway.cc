#include "gateway/gateway.h"

#include "gateway/data_layout.h"
#include "gateway/write_admission.h"

#include <unistd.h>

#include <fstream>

#include <spdlog/spdlog.h>

#include "eventstore/thread_name.h"
#include "gateway/api_routes.h"

namespace kuimen {

namespace {

// server.json tells `kuimen backup` (and people) where the running server
// listens. Written after the port is bound, removed on a clean stop.
Status WriteServerFile(const std::filesystem::path& file, const std::string& host, int port,
                       const std::filesystem::path& tls_cert) {
  const std::filesystem::path temp = file.string() + ".tmp";
  {
    std::ofstream out(temp, std::ios::trunc);
    nlohmann::json server{{"listen", host + ":" + std::to_string(port)}, {"pid", getpid()}};
    // Over HTTPS, clients on this machine (kuimen backup) trust this certificate.
    if (!tls_cert.empty()) {
      server["scheme"] = "https";
      server["tls_cert"] = std::filesystem::absolute(tls_cert).string();
    }
    out << server.dump() << "\n";
    if (!out) return Status::Unavailable("cannot write " + temp.string());
  }
  std::error_code error;
  std::filesystem::rename(temp, file, error);
  if (error) return Status::Unavailable("cannot write " + file.string() + ": " + error.message());
  return Status::Ok();
}

}  // namespace

Result<std::unique_ptr<Gateway>> Gateway::Start(const Catalog& catalog, Service& service, const ViewSettings& settings,
                                                const std::filesystem::path& data_dir, const Clock& clock,
                                                const HttpServerOptions& http,
                                                const WebhookDeliveryOptions& webhooks) {
  std::unique_ptr<Gateway> gateway(new Gateway());
  gateway->data_dir_ = data_dir;
  gateway->commands_ = std::make_unique<CommandHandler>(service.store(), catalog, clock);
  ASSIGN_OR_RETURN(gateway->principals_, PrincipalRegistry::Open(service.store(), *gateway->commands_, catalog));
  const std::filesystem::path token_file = data_layout::AdminToken(data_dir);
  ASSIGN_OR_RETURN(std::optional<IssuedPrincipal> admin, gateway->principals_->EnsureAdministrator(token_file));
  if (admin) {
    spdlog::info("created the task-force administrator \"{}\" (id {}); its token is in {} (mode 0600)",
                 admin->principal.name, admin->principal.id, std::filesystem::absolute(token_file).string());
  }
  ASSIGN_OR_RETURN(gateway->signer_, DigestSigner::LoadOrCreate(data_layout::DigestKey(data_dir)));

  gateway->notice_numbers_ = std::make_unique<NoticeNumbers>(service.store(), *gateway->commands_,
                                                             catalog.notice_number_prefix,
                                                             settings.supervision.utc_offset_minutes);
  std::vector<Route> routes = AllRoutes();
  gateway->metrics_ = std::make_unique<GatewayMetrics>(routes, service);
  gateway->sessions_ = std::make_unique<SessionTable>();
  gateway->api_.reset(new ApiContext{catalog, clock, service.store(), *gateway->commands_, *gateway->principals_,
                                     *gateway->signer_, *gateway->metrics_,
                                     [&service](const std::string& view) { return service.projector(view); },
                                     settings, data_dir, [&service] { return service.ViewsHealth(); },
                                     *gateway->notice_numbers_, *gateway->sessions_,
                                     !http.tls_cert.empty()});
  ASSIGN_OR_RETURN(gateway->files_, FileStore::Open(data_layout::Files(data_dir), http.max_file_bytes, http.upload_quota));
  gateway->citations_ = std::make_unique<FileCitations>(service.store());
  // The count of uncited uploads is rebuilt before any upload is served, so
  // a restart does not reset anyone's share (gateway/upload_quota.h). A log
  // that cannot be read does not stop the service (the sweep skips too); the
  // count then starts from nothing.
  if (Result<std::set<std::string>> cited = gateway->citations_->AllCited(); cited.ok()) {
    const std::uint64_t uncited = gateway->files_->Recount(*cited);
    spdlog::info("files: {} cited, {} bytes uploaded and not yet cited", cited->size(), uncited);
  } else {
    spdlog::error("files: uncited uploads not counted, the log could not be read: {}", cited.status().message());
  }
  gateway->api_->files = gateway->files_.get();
  gateway->api_->citations = gateway->citations_.get();
  gateway->sweeper_ = std::thread([g = gateway.get()] {
    NameThisThread("kuimen-sweep");
    g->SweepFiles();
  });
  ASSIGN_OR_RETURN(gateway->webhooks_, WebhookDeliveries::Start(service.store(), catalog, clock, data_dir, webhooks));
  gateway->api_->webhooks = gateway->webhooks_.get();
  gateway->replay_gate_ = std::make_unique<ReplayGate>(ReplayGate::DefaultSlots());
  gateway->api_->replay_gate = gateway->replay_gate_.get();
  gateway->api_->max_view_lag = service.max_view_lag();
  gateway->admission_ = std::make_unique<WriteAdmission>(service.store(), service.Projectors(), service.max_view_lag());
  gateway->api_->admit_write = [admission = gateway->admission_.get()] { return admission->Admit(); };
  ASSIGN_OR_RETURN(gateway->http_, HttpServer::Start(*gateway->api_, std::move(routes), http));
  RETURN_IF_ERROR(WriteServerFile(data_layout::ServerFile(data_dir), http.host, gateway->http_->port(), http.tls_cert));
  spdlog::info("HTTP API listening on {}://{}:{}/ (OpenAPI document at /api/v1/openapi.json)",
               http.tls_cert.empty() ? "http" : "https", http.host,
               gateway->http_->port());
  return gateway;
}

void Gateway::SweepFiles() {
  constexpr std::chrono::hours kDay{24};
  std::unique_lock lock(sweeper_mu_);
  while (!stopping_) {
    lock.unlock();
    Result<std::set<std::string>> cited = citations_->AllCited();
    if (cited.ok()) {
      const std::size_t removed = files_->Sweep(*cited, kDay);
      spdlog::info("files: swept {}, {} unreferenced upload(s) older than a day removed", files_->dir().string(), removed);
    } else {
      spdlog::error("files: sweep skipped, the log could not be read: {}", cited.status().message());
    }
    lock.lock();
    sweeper_wake_.wait_for(lock, kDay, [this] { return stopping_; });
  }
}

Gateway::~Gateway() {
  if (sweeper_.joinable()) {
    {
      std::lock_guard lock(sweeper_mu_);
      stopping_ = true;
    }
    sweeper_wake_.notify_all();
    sweeper_.join();
  }
  if (http_) http_->Stop();
  std::error_code ignored;
  std::filesystem::remove(data_layout::ServerFile(data_dir_), ignored);
}

}  // namespace kuimen
