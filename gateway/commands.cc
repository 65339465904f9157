#include "gateway/commands.h"

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

namespace kuimen {

namespace {

// The RocksDB store sits in a subdirectory, leaving room beside it for the
// server's keys and tokens.
std::filesystem::path StoreDir(const std::filesystem::path& data_dir) { return data_dir / "store"; }

Result<Catalog> LoadCatalog(const CatalogChoice& choice) {
  return choice.file.empty() ? LoadDefaultCatalog() : LoadCatalogFile(choice.file);
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

int RunCatalogCommand(const CatalogChoice& choice, const std::string& format) {
  Result<Catalog> catalog = LoadCatalog(choice);
  if (!catalog.ok()) return Fail(catalog.status());
  std::cout << (format == "table" ? CatalogToTable(*catalog) : CatalogToJson(*catalog) + "\n");
  return 0;
}

int RunServeCommand(const CatalogChoice& choice, const std::filesystem::path& data_dir) {
  // Block the stop signals before any thread starts, so every thread inherits
  // the mask and sigwait below is the only place they arrive.
  sigset_t stop_signals;
  sigemptyset(&stop_signals);
  sigaddset(&stop_signals, SIGINT);
  sigaddset(&stop_signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &stop_signals, nullptr);

  Result<Catalog> catalog = LoadCatalog(choice);
  if (!catalog.ok()) return Fail(catalog.status());
  SystemClock clock;
  Result<std::unique_ptr<EventStore>> store = Open(data_dir, clock, /*read_only=*/false);
  if (!store.ok()) return Fail(store.status());

  const LogHead head = (*store)->Head();
  spdlog::info("kuimen serving: plan {} ({} tasks, {} major items), data {}, {} events, head {}",
               catalog->document.number, catalog->tasks.size(), catalog->major_items.size(),
               std::filesystem::absolute(data_dir).string(), head.position.value, ToHex(head.hash));
  spdlog::info("stop with Ctrl-C or SIGTERM");

  int signal = 0;
  sigwait(&stop_signals, &signal);
  spdlog::info("received signal {}; closing the store", signal);
  store->reset();  // waits for in-flight appends, then closes RocksDB
  return 0;
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

int RunSubmitCommand(const CatalogChoice& choice, const SubmitArgs& args) {
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
