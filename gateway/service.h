#pragma once

#include <chrono>
#include <filesystem>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "domain/catalog.h"
#include "domain/clock.h"
#include "gateway/views.h"
#include "eventstore/event_store.h"
#include "projections/embedded_kafka.h"
#include "projections/kafka_options.h"
#include "projections/kafka_projection.h"
#include "projections/projector.h"
#include "projections/relay.h"
#include "projections/view_health.h"

namespace kuimen {

struct ServiceOptions {
  // Data directory: the event store in store/, the views in views/<name>/.
  std::filesystem::path data_dir;
  KafkaOptions kafka;
  // Views to project in this process; empty runs store and relay only (the
  // projectors then run elsewhere, as `kuimen project`).
  std::vector<std::string> views = {"supervision", "assessment"};
  ViewSettings view_settings;
  // The event store's background checksum scrub: at start and at this
  // interval; zero = never.
  std::chrono::milliseconds scrub_interval = std::chrono::hours(6);
  // The event store's file system (EventStoreOptions::env); nullptr = the
  // real one. Not owned. Fault-injection tests pass a wrapper.
  rocksdb::Env* store_env = nullptr;
  // How far (events) a view projected here may trail the log head before the
  // write path pushes back (gateway/write_admission.h) and /healthz says
  // "lagging".
  std::uint64_t max_view_lag = kDefaultMaxViewLag;
};

// The service in one process: event store, Kafka (the embedded cluster unless
// brokers are configured), relay, and a Kafka-fed projector per view. Starts
// in that order, stops in the reverse one.
class Service {
 public:
  // Neither is owned; both must outlive the service.
  static Result<std::unique_ptr<Service>> Start(const Catalog& catalog, const ServiceOptions& options,
                                                const Clock& clock);
  ~Service();

  EventStore& store() { return *store_; }
  // The projector of a view this process runs, or nullptr.
  Projector* projector(const std::string& view);
  // How each view this process projects stands against the log head, in
  // ViewNames() order; kStopped when its Kafka feed has stopped.
  // With lag_seconds, by the service's clock.
  std::vector<ViewHealth> ViewsHealth();
  // The projectors this process runs, in ViewNames() order.
  std::vector<Projector*> Projectors();
  std::uint64_t max_view_lag() const { return max_view_lag_; }
  // The Kafka relay; null only while the service starts.
  const Relay* relay() const { return relay_.get(); }

 private:
  explicit Service(const Clock& clock) : clock_(clock) {}

  const Clock& clock_;
  std::uint64_t max_view_lag_ = kDefaultMaxViewLag;
  std::unique_ptr<EventStore> store_;
  std::unique_ptr<EmbeddedKafka> embedded_kafka_;
  std::unique_ptr<Relay> relay_;
  std::map<std::string, std::unique_ptr<Projector>> projectors_;
  std::map<std::string, std::unique_ptr<KafkaProjection>> projections_;  // by view
};

// Opens the projector of each view in `views_dir/<view>` over `log`, catches
// them up from the log together (read and decoded once, CatchUpFromLog in
// projections/projector.h), and (with a bootstrap address) starts each on
// Kafka. Shared by the service and by `kuimen project`. With `static_member`
// and a real broker (kafka.brokers), each view is a static member of its
// consumer group (KafkaEventSource::Create), named by this host and its
// directory: a restarted `kuimen serve` resumes its feed at once, not after the
// killed process's session times out. `kuimen project` stays a dynamic
// member, so when one of several is stopped the others take over at once.
struct RunningView {
  std::unique_ptr<Projector> projector;
  std::unique_ptr<KafkaProjection> projection;
};
Result<std::vector<RunningView>> StartViews(const std::vector<std::string>& views, const Catalog& catalog,
                                            const ViewSettings& settings, const std::filesystem::path& views_dir,
                                            EventStore& log, const std::string& bootstrap, const KafkaOptions& kafka,
                                            bool static_member = false);

}  // namespace kuimen
