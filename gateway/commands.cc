#include "gateway/commands.h"

#include <unistd.h>

#include <csignal>
#include <iostream>

#include <nlohmann/json.hpp>
#include <spdlog/spdlog.h>

#include "eventstore/catalog_codec.h"
#include "eventstore/command_handler.h"
#include "eventstore/envelope_json.h"
#include "eventstore/event_codec.h"
#include "eventstore/event_store.h"
#include "gateway/catalog_table.h"
#include "gateway/service.h"
#include "gateway/views.h"
#include "projections/replay.h"

namespace kuimen {

namespace {

// The RocksDB store sits in a subdirectory, leaving room beside it for the
// server's keys and tokens.
std::filesystem::path StoreDir(const std::filesystem::path& data_dir) { return data_dir / "store"; }

Result<Catalog> LoadCatalog(const PlanFiles& choice) {
  return choice.catalog.empty() ? LoadDefaultCatalog() : LoadCatalogFile(choice.catalog);
}

int Fail(const Status& status) {
  std::cerr << "kuimen: " << status.message() << "\n";
  return 1;
}

Result<std::unique_ptr<EventStore>> Open(const std::filesystem::path& data_dir, const Clock& clock, bool read_only) {
  if (!read_only) {
    std::error_code error;
    std::filesystem::create_directories(data_dir, error);
    if (error) return Status::Unavailable("cannot create the data directory " + data_dir.string() + ": " + error.message());
  }
  EventStoreOptions options;
  options.dir = StoreDir(data_dir);
  options.clock = &clock;
  options.read_only = read_only;
  return OpenEventStore(options);
}

}  // namespace

int RunCatalogCommand(const PlanFiles& choice, const std::string& format) {
  Result<Catalog> catalog = LoadCatalog(choice);
  if (!catalog.ok()) return Fail(catalog.status());
  std::cout << (format == "table" ? CatalogToTable(*catalog) : CatalogToJson(*catalog) + "\n");
  return 0;
}

int RunRulesCommand(const PlanFiles& plan) {
  Result<ViewSettings> settings = LoadViewSettings(plan.assessment_rules);
  if (!settings.ok()) return Fail(settings.status());
  std::cout << AssessmentRulesToJson(settings->assessment).dump(2) << "\n";
  return 0;
}

namespace {

// Blocks the stop signals before any thread starts, so every thread inherits
// the mask and WaitForStopSignal is the only place they arrive.
sigset_t BlockStopSignals() {
  sigset_t stop_signals;
  sigemptyset(&stop_signals);
  sigaddset(&stop_signals, SIGINT);
  sigaddset(&stop_signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &stop_signals, nullptr);
  return stop_signals;
}

void WaitForStopSignal(const sigset_t& stop_signals) {
  int signal = 0;
  sigwait(&stop_signals, &signal);
  spdlog::info("received signal {}; stopping", signal);
}

Status CheckKafka(const KafkaOptions& kafka) {
  std::string problem = ValidateKafkaOptions(kafka);
  return problem.empty() ? Status::Ok() : Status::InvalidArgument(problem);
}

}  // namespace

int RunServeCommand(const PlanFiles& choice, const std::filesystem::path& data_dir, const KafkaOptions& kafka) {
  const sigset_t stop_signals = BlockStopSignals();
  Result<Catalog> catalog = LoadCatalog(choice);
  if (!catalog.ok()) return Fail(catalog.status());
  if (Status valid = CheckKafka(kafka); !valid.ok()) return Fail(valid);
  Result<ViewSettings> settings = LoadViewSettings(choice.assessment_rules);
  if (!settings.ok()) return Fail(settings.status());
  SystemClock clock;
  ServiceOptions options;
  options.data_dir = data_dir;
  options.kafka = kafka;
  options.view_settings = *settings;
  Result<std::unique_ptr<Service>> service = Service::Start(*catalog, options, clock);
  if (!service.ok()) return Fail(service.status());

  const LogHead head = (*service)->store().Head();
  spdlog::info("kuimen serving: plan {} ({} tasks, {} major items), data {}, {} events, head {}, Kafka {}",
               catalog->document.number, catalog->tasks.size(), catalog->major_items.size(),
               std::filesystem::absolute(data_dir).string(), head.position.value, ToHex(head.hash),
               kafka.brokers.empty() ? "embedded" : kafka.brokers);
  spdlog::info("stop with Ctrl-C or SIGTERM");
  WaitForStopSignal(stop_signals);
  service->reset();  // projectors, then relay (flushed), then the store
  return 0;
}

int RunProjectCommand(const PlanFiles& choice, const std::filesystem::path& data_dir,
                      const std::filesystem::path& views_dir, const std::vector<std::string>& views,
                      const KafkaOptions& kafka) {
  const sigset_t stop_signals = BlockStopSignals();
  Result<Catalog> catalog = LoadCatalog(choice);
  if (!catalog.ok()) return Fail(catalog.status());
  if (Status valid = CheckKafka(kafka); !valid.ok()) return Fail(valid);
  if (kafka.brokers.empty()) {
    return Fail(Status::InvalidArgument("--kafka-brokers is required: the embedded cluster lives inside `kuimen serve`"));
  }
  std::error_code error;
  std::filesystem::create_directories(views_dir / "follower", error);
  if (error) return Fail(Status::Unavailable("cannot create " + views_dir.string() + ": " + error.message()));
  SystemClock clock;
  EventStoreOptions store_options;
  store_options.dir = StoreDir(data_dir);
  store_options.clock = &clock;
  store_options.follower_dir = views_dir / "follower";  // fills gaps from the log another process writes
  Result<std::unique_ptr<EventStore>> store = OpenEventStore(store_options);
  if (!store.ok()) return Fail(store.status());

  Result<ViewSettings> settings = LoadViewSettings(choice.assessment_rules);
  if (!settings.ok()) return Fail(settings.status());
  std::vector<RunningView> running;
  for (const std::string& view : views) {
    Result<RunningView> started = StartView(view, *catalog, *settings, views_dir, **store, kafka.brokers, kafka);
    if (!started.ok()) return Fail(started.status());
    running.push_back(std::move(started).value());
  }
  spdlog::info("kuimen projecting {} view(s) from {} into {}", views.size(), kafka.brokers, views_dir.string());
  WaitForStopSignal(stop_signals);
  for (RunningView& view : running) view.projection->Stop();
  return 0;
}

int RunViewCommand(const PlanFiles& choice, const ViewArgs& args) {
  Result<Catalog> catalog = LoadCatalog(choice);
  if (!catalog.ok()) return Fail(catalog.status());
  SystemClock clock;
  ReplayLimit limit;
  ViewQuery query{clock.Now(), args.year};
  if (!args.as_of.empty()) {
    std::optional<Timestamp> as_of = ParseTimestamp(args.as_of);
    if (!as_of) return Fail(Status::InvalidArgument("--as-of must be an RFC 3339 UTC time, e.g. 2024-12-31T16:00:00Z"));
    limit.until = *as_of;
    query.now = *as_of;
  }
  if (args.as_of_position) limit.through_position = GlobalPosition(*args.as_of_position);
  Result<ViewSettings> settings = LoadViewSettings(choice.assessment_rules);
  if (!settings.ok()) return Fail(settings.status());
  Result<std::unique_ptr<View>> view = MakeView(args.name, *catalog, *settings);
  if (!view.ok()) return Fail(view.status());
  Result<std::unique_ptr<EventStore>> store = Open(args.data_dir, clock, /*read_only=*/true);
  if (!store.ok()) return Fail(store.status());
  Result<GlobalPosition> through = ReplayLog(**view, **store, limit);
  if (!through.ok()) return Fail(through.status());
  nlohmann::ordered_json out;
  out["view"] = args.name;
  out["through_position"] = through->value;
  out["rendered"] = RenderView(**view, query);
  std::cout << out.dump(2) << "\n";
  return 0;
}

int RunDigestCommand(const PlanFiles& choice, const std::filesystem::path& data_dir,
                     const std::filesystem::path& views_dir, const std::string& name) {
  Result<Catalog> catalog = LoadCatalog(choice);
  if (!catalog.ok()) return Fail(catalog.status());
  SystemClock clock;
  Result<std::unique_ptr<EventStore>> store = Open(data_dir, clock, /*read_only=*/true);
  if (!store.ok()) return Fail(store.status());
  Result<ViewSettings> settings = LoadViewSettings(choice.assessment_rules);
  if (!settings.ok()) return Fail(settings.status());
  Result<std::unique_ptr<View>> stored_view = MakeView(name, *catalog, *settings);
  Result<std::unique_ptr<View>> rebuilt_view = MakeView(name, *catalog, *settings);
  if (!stored_view.ok()) return Fail(stored_view.status());
  // The stored rows are read as they are: no log, so nothing is caught up.
  Result<std::unique_ptr<Projector>> stored =
      Projector::Open(std::move(stored_view).value(), ProjectorOptions{views_dir / name, nullptr}, nullptr);
  if (!stored.ok()) return Fail(stored.status());
  const std::filesystem::path scratch = std::filesystem::temp_directory_path() /
                                        ("kuimen-rebuild-" + name + "-" + std::to_string(getpid()));
  std::filesystem::remove_all(scratch);
  std::string rebuilt_digest;
  {
    Result<std::unique_ptr<Projector>> rebuilt =
        Projector::Open(std::move(rebuilt_view).value(), ProjectorOptions{scratch, nullptr}, store->get());
    if (!rebuilt.ok()) return Fail(rebuilt.status());
    if (Status caught_up = (*rebuilt)->CatchUpFromLog(); !caught_up.ok()) return Fail(caught_up);
    rebuilt_digest = (*rebuilt)->Digest();
  }
  std::filesystem::remove_all(scratch);
  const std::string stored_digest = (*stored)->Digest();
  std::cout << "stored  " << stored_digest << " (through position " << (*stored)->applied_through().value << ")\n"
            << "rebuilt " << rebuilt_digest << " (through position " << (*store)->Head().position.value << ")\n";
  return stored_digest == rebuilt_digest ? 0 : 1;
}

int RunVerifyCommand(const std::filesystem::path& data_dir) {
  SystemClock clock;
  Result<std::unique_ptr<EventStore>> store = Open(data_dir, clock, /*read_only=*/true);
  if (!store.ok()) return Fail(store.status());
  const VerifyReport report = (*store)->Verify();
  if (report.ok) {
    std::cout << "ok " << report.events << " events, head " << ToHex(report.head.hash) << "\n";
    return 0;
  }
  std::cout << "FAILED at position " << report.bad_position.value << ": " << report.problem << " ("
            << report.events << " events before it are intact)\n";
  return 1;
}

int RunLogCommand(const std::filesystem::path& data_dir, std::uint64_t from_position) {
  SystemClock clock;
  Result<std::unique_ptr<EventStore>> store = Open(data_dir, clock, /*read_only=*/true);
  if (!store.ok()) return Fail(store.status());
  std::unique_ptr<EventIterator> it = (*store)->ReadAll(GlobalPosition(from_position));
  for (; it->Valid(); it->Next()) std::cout << EnvelopeToJson(it->event()).dump() << "\n";
  if (!it->status().ok()) return Fail(it->status());
  return 0;
}

int RunSubmitCommand(const PlanFiles& choice, const SubmitArgs& args) {
  Result<Catalog> catalog = LoadCatalog(choice);
  if (!catalog.ok()) return Fail(catalog.status());

  nlohmann::json data = nlohmann::json::parse(args.data_json, nullptr, /*allow_exceptions=*/false);
  if (data.is_discarded()) return Fail(Status::InvalidArgument("--json is not valid JSON"));
  Result<EventData> event = EventFromJson(args.type, data);
  if (!event.ok()) return Fail(event.status());

  Submission submission;
  submission.stream = StreamId{args.stream};
  submission.actor = Actor{args.principal, RoleFromName(args.role).value_or(Role::kAuditor), args.unit};
  submission.event = std::move(*event);
  if (args.expected_version) submission.expected_version = StreamVersion(*args.expected_version);
  if (!args.event_id.empty()) {
    submission.event_id = EventId::Parse(args.event_id);
    if (!submission.event_id) return Fail(Status::InvalidArgument("--event-id must be a UUID"));
  }

  SystemClock clock;
  Result<std::unique_ptr<EventStore>> store = Open(args.data_dir, clock, /*read_only=*/false);
  if (!store.ok()) return Fail(store.status());
  CommandHandler handler(**store, *catalog);
  Result<RecordedEvent> stored = handler.Submit(submission);
  if (!stored.ok()) {
    std::cerr << "kuimen: refused (" << StatusCodeName(stored.status().code())
              << (stored.status().subject().empty() ? "" : ", " + stored.status().subject())
              << "): " << stored.status().message() << "\n";
    return 1;
  }
  std::cout << EnvelopeToJson(*stored).dump(2) << "\n";
  return 0;
}

}  // namespace kuimen
