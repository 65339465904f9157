#include "gateway/service.h"

#include <unistd.h>

#include <cctype>

#include <spdlog/spdlog.h>

#include "projections/kafka_event_source.h"
#include "gateway/data_layout.h"

namespace kuimen {

namespace {

// The view's static member id in its consumer group on a real broker: this
// host and the projector's directory, whose RocksDB lock already keeps two
// live processes from sharing it. Characters Kafka refuses become '_'.
std::string StaticMemberId(const std::filesystem::path& projector_dir) {
  char host[256] = {};
  if (gethostname(host, sizeof host - 1) != 0) host[0] = '\0';
  std::error_code error;
  std::filesystem::path dir = std::filesystem::absolute(projector_dir, error);
  if (error) dir = projector_dir;
  std::string id = "kuimen." + std::string(host) + "." + dir.string();
  for (char& c : id) {
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '.' && c != '_' && c != '-') c = '_';
  }
  // Kafka takes at most 249 characters; the end (the directory) tells members apart.
  return id.size() <= 249 ? id : id.substr(id.size() - 249);
}


Result<std::unique_ptr<Projector>> OpenView(const std::string& view, const Catalog& catalog,
                                            const ViewSettings& settings, const std::filesystem::path& views_dir,
                                            EventStore& log) {
  // When the store was created (its first event), for view rows written before
  // the views kept it themselves: the default start of supervision.
  ViewSettings with_start = settings;
  if (std::unique_ptr<EventIterator> first = log.ReadAll(GlobalPosition(1)); first->Valid()) {
    with_start.supervision.store_created_at = first->event().recorded_at;
  }
  ASSIGN_OR_RETURN(std::unique_ptr<View> fresh, MakeView(view, catalog, with_start));
  std::error_code error;
  std::filesystem::create_directories(views_dir, error);
  return Projector::Open(std::move(fresh), ProjectorOptions{views_dir / view, nullptr}, &log);
}

Result<RunningView> StartFeed(std::unique_ptr<Projector> projector, const std::filesystem::path& views_dir,
                              const std::string& bootstrap, const KafkaOptions& kafka, bool static_member) {
  const std::string view(projector->ViewName());
  RunningView running{std::move(projector), nullptr};
  if (!bootstrap.empty()) {
    // The embedded cluster dies with the process: no member to take back.
    const std::string instance_id =
        static_member && !kafka.brokers.empty() ? StaticMemberId(views_dir / view) : "";
    ASSIGN_OR_RETURN(std::unique_ptr<KafkaEventSource> source,
                     KafkaEventSource::Create(bootstrap, kafka, kafka.group_prefix + view, instance_id));
    running.projection = std::make_unique<KafkaProjection>(*running.projector, std::move(source));
    running.projection->Start();
  }
  spdlog::info("view {}: applied through position {}", view, running.projector->applied_through().value);
  return running;
}

}  // namespace

Result<std::vector<RunningView>> StartViews(const std::vector<std::string>& views, const Catalog& catalog,
                                            const ViewSettings& settings, const std::filesystem::path& views_dir,
                                            EventStore& log, const std::string& bootstrap, const KafkaOptions& kafka,
                                            bool static_member) {
  std::vector<std::unique_ptr<Projector>> opened;
  for (const std::string& view : views) {
    ASSIGN_OR_RETURN(std::unique_ptr<Projector> projector, OpenView(view, catalog, settings, views_dir, log));
    opened.push_back(std::move(projector));
  }
  // The local log is the quickest way to be current, read once for every
  // view; Kafka then brings what is new (and what is already held is skipped).
  std::vector<Projector*> catching_up;
  for (const std::unique_ptr<Projector>& projector : opened) catching_up.push_back(projector.get());
  RETURN_IF_ERROR(CatchUpFromLog(catching_up, log));
  std::vector<RunningView> running;
  for (std::unique_ptr<Projector>& projector : opened) {
    ASSIGN_OR_RETURN(RunningView started, StartFeed(std::move(projector), views_dir, bootstrap, kafka, static_member));
    running.push_back(std::move(started));
  }
  return running;
}

Result<std::unique_ptr<Service>> Service::Start(const Catalog& catalog, const ServiceOptions& options,
                                                const Clock& clock) {
  std::unique_ptr<Service> service(new Service(clock));
  service->max_view_lag_ = options.max_view_lag;
  std::error_code error;
  std::filesystem::create_directories(options.data_dir, error);
  if (error) return Status::Unavailable("cannot create " + options.data_dir.string() + ": " + error.message());

  EventStoreOptions store_options;
  store_options.dir = data_layout::Store(options.data_dir);
  store_options.clock = &clock;
  store_options.scrub_interval = options.scrub_interval;
  store_options.env = options.store_env;
  store_options.scrub_at_open = options.scrub_interval.count() > 0;
  ASSIGN_OR_RETURN(service->store_, OpenEventStore(store_options));

  std::string bootstrap = options.kafka.brokers;
  KafkaOptions kafka = options.kafka;
  if (bootstrap.empty()) {
    kafka.partitions = EmbeddedKafka::kServePartitions;
    ASSIGN_OR_RETURN(service->embedded_kafka_, EmbeddedKafka::Start(kafka.topic, kafka.partitions));
    bootstrap = service->embedded_kafka_->bootstrap_servers();
  }
  service->relay_ = std::make_unique<Relay>(*service->store_, bootstrap, kafka);
  RETURN_IF_ERROR(service->relay_->Start());

  ASSIGN_OR_RETURN(std::vector<RunningView> running,
                   StartViews(options.views, catalog, options.view_settings, data_layout::Views(options.data_dir),
                              *service->store_, bootstrap, kafka, /*static_member=*/true));
  for (RunningView& view : running) {
    const std::string name(view.projector->ViewName());
    service->projectors_[name] = std::move(view.projector);
    service->projections_[name] = std::move(view.projection);
  }
  return service;
}

Service::~Service() {
  for (auto& [view, projection] : projections_) {
    if (projection) projection->Stop();
  }
  projections_.clear();
  if (relay_) relay_->Stop();  // waits for in-flight acknowledgements, saves the cursor
  relay_.reset();
  projectors_.clear();
  embedded_kafka_.reset();
  store_.reset();
}

Projector* Service::projector(const std::string& view) {
  auto it = projectors_.find(view);
  return it == projectors_.end() ? nullptr : it->second.get();
}

std::vector<ViewHealth> Service::ViewsHealth() {
  std::vector<ViewHealth> views;
  const GlobalPosition head = store_->Head().position;
  for (const std::string& view : ViewNames()) {
    Projector* held = projector(view);
    if (held == nullptr) continue;
    ViewHealth health = held->Health(head, max_view_lag_, clock_.Now());
    auto feed = projections_.find(view);
    const bool stopped = feed != projections_.end() && feed->second && !feed->second->running();
    if (stopped && health.problem != ViewProblem::kFailed) health.problem = ViewProblem::kStopped;
    views.push_back(std::move(health));
  }
  return views;
}

std::vector<Projector*> Service::Projectors() {
  std::vector<Projector*> held;
  for (const std::string& view : ViewNames()) {
    if (Projector* projector = this->projector(view)) held.push_back(projector);
  }
  return held;
}

}  // namespace kuimen
