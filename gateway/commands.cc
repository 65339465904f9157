#include "gateway/commands.h"

#include "gateway/data_layout.h"
#include "gateway/tls_context.h"

#include <unistd.h>

#include <cctype>
#include <csignal>
#include <fstream>
#include <future>
#include <iostream>
#include <map>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>
#include <spdlog/spdlog.h>

#include "domain/calendar.h"
#include "domain/task_rules.h"
#include "eventstore/catalog_codec.h"
#include "eventstore/command_handler.h"
#include "eventstore/envelope_json.h"
#include "eventstore/event_codec.h"
#include "eventstore/event_store.h"
#include "gateway/backup.h"
#include "gateway/backup_client.h"
#include "gateway/catalog_table.h"
#include "gateway/file_citations.h"
#include "gateway/file_store.h"
#include "gateway/gateway.h"
#include "gateway/notice_numbers.h"
#include "gateway/service.h"
#include "gateway/views.h"
#include "projections/replay.h"

namespace kuimen {

namespace {

// The RocksDB store sits in a subdirectory, leaving room beside it for the
// server's keys and tokens.

Result<Catalog> LoadCatalog(const PlanFiles& choice) {
  return choice.catalog.empty() ? LoadDefaultCatalog() : LoadCatalogFile(choice.catalog);
}

int Fail(const Status& status) {
  std::cerr << "kuimen: " << status.message() << "\n";
  return 1;
}

Result<std::unique_ptr<EventStore>> Open(const std::filesystem::path& data_dir, const Clock& clock, bool read_only,
                                         bool single_scan = false) {
  if (!read_only) {
    std::error_code error;
    std::filesystem::create_directories(data_dir, error);
    if (error) return Status::Unavailable("cannot create the data directory " + data_dir.string() + ": " + error.message());
  }
  EventStoreOptions options;
  options.dir = data_layout::Store(data_dir);
  options.clock = &clock;
  options.read_only = read_only;
  options.single_scan = single_scan;
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
  std::cout << AssessmentRulesToJson(settings->assessment, 2) << "\n";
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

// "127.0.0.1:8080" -> host and port in `http`.
Status ParseListen(const std::string& listen, HttpServerOptions& http) {
  const std::size_t colon = listen.rfind(':');
  int port = -1;
  if (colon != std::string::npos && colon > 0) {
    const std::string digits = listen.substr(colon + 1);
    if (!digits.empty() && digits.size() <= 5 && digits.find_first_not_of("0123456789") == std::string::npos) {
      port = std::stoi(digits);
    }
  }
  if (port < 0 || port > 65535) {
    return Status::InvalidArgument("--listen must be host:port, e.g. 127.0.0.1:8080, not \"" + listen + "\"");
  }
  http.host = listen.substr(0, colon);
  http.port = port;
  return Status::Ok();
}

}  // namespace

int RunServeCommand(const PlanFiles& choice, const std::filesystem::path& data_dir, const KafkaOptions& kafka,
                    const ServeArgs& serve) {
  const sigset_t stop_signals = BlockStopSignals();
  Result<Catalog> catalog = LoadCatalog(choice);
  if (!catalog.ok()) return Fail(catalog.status());
  if (Status valid = CheckKafka(kafka); !valid.ok()) return Fail(valid);
  HttpServerOptions http = serve.http;
  if (Status valid = ParseListen(serve.listen, http); !valid.ok()) return Fail(valid);
  if (serve.tls_self_signed && http.tls_cert.empty() && http.tls_key.empty()) {
    http.tls_cert = data_dir / "tls" / "cert.pem";
    http.tls_key = data_dir / "tls" / "key.pem";
    if (Status made = EnsureSelfSignedCertificate(http.tls_cert, http.tls_key, http.host); !made.ok()) return Fail(made);
  }
  if (http.tls_cert.empty() != http.tls_key.empty()) {
    return Fail(Status::InvalidArgument("--tls-cert and --tls-key go together: give both, or --tls-self-signed"));
  }
  // Tokens and personal names cross the network in every request: in the
  // clear only on this machine, unless the operator says otherwise.
  const bool loopback = http.host == "localhost" || http.host == "::1" || http.host.rfind("127.", 0) == 0;
  if (http.tls_cert.empty() && !loopback && !serve.allow_plain_http) {
    return Fail(Status::InvalidArgument(
        "--listen " + serve.listen +
        " is reachable from other machines: serve HTTPS (--tls-cert/--tls-key, or --tls-self-signed), or pass "
        "--allow-plain-http behind a TLS proxy"));
  }
  if (!http.static_dir.empty() && !std::filesystem::is_directory(http.static_dir)) {
    spdlog::warn("no dashboard: {} is not a directory (the API is served all the same)", http.static_dir.string());
    http.static_dir.clear();
  } else if (!http.static_dir.empty() && !std::filesystem::exists(http.static_dir / "vendor")) {
    spdlog::warn("the dashboard's scripts are missing from {}/vendor: run `bash ops/setup.sh` (npm)",
                 http.static_dir.string());
  }
  Result<ViewSettings> settings = LoadViewSettings(choice.assessment_rules);
  if (!settings.ok()) return Fail(settings.status());
  SystemClock clock;
  ServiceOptions options;
  options.data_dir = data_dir;
  options.kafka = kafka;
  options.view_settings = *settings;
  options.max_view_lag = serve.max_view_lag;
  options.scrub_interval =
      std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::duration<double, std::ratio<3600>>(serve.scrub_hours));
  Result<std::unique_ptr<Service>> service = Service::Start(*catalog, options, clock);
  if (!service.ok()) return Fail(service.status());
  WebhookDeliveryOptions webhooks;
  webhooks.allow_hosts = serve.webhook_allow_hosts;
  Result<std::unique_ptr<Gateway>> gateway =
      Gateway::Start(*catalog, **service, *settings, data_dir, clock, http, webhooks);
  if (!gateway.ok()) return Fail(gateway.status());

  const LogHead head = (*service)->store().Head();
  spdlog::info("kuimen serving: plan {} ({} tasks, {} major items), data {}, {} events, head {}, Kafka {}",
               catalog->document.number, catalog->tasks.size(), catalog->major_items.size(),
               std::filesystem::absolute(data_dir).string(), head.position.value, ToHex(head.hash),
               kafka.brokers.empty() ? "embedded" : kafka.brokers);
  spdlog::info("open {}://{}:{}/ ; stop with Ctrl-C or SIGTERM", http.tls_cert.empty() ? "http" : "https", http.host,
               (*gateway)->port());
  WaitForStopSignal(stop_signals);
  gateway->reset();  // stop accepting, finish the requests in flight
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
  store_options.dir = data_layout::Store(data_dir);
  store_options.clock = &clock;
  store_options.follower_dir = views_dir / "follower";  // fills gaps from the log another process writes
  Result<std::unique_ptr<EventStore>> store = OpenEventStore(store_options);
  if (!store.ok()) return Fail(store.status());

  Result<ViewSettings> settings = LoadViewSettings(choice.assessment_rules);
  if (!settings.ok()) return Fail(settings.status());
  Result<std::vector<RunningView>> started = StartViews(views, *catalog, *settings, views_dir, **store, kafka.brokers, kafka);
  if (!started.ok()) return Fail(started.status());
  std::vector<RunningView>& running = *started;
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
  // The log is read start to end and nothing by key: the open may skip
  // sorting the replayed WAL (EventStoreOptions::single_scan).
  Result<std::unique_ptr<EventStore>> store = Open(data_dir, clock, /*read_only=*/true, /*single_scan=*/true);
  if (!store.ok()) return Fail(store.status());
  // The chain walk reads the log; the scrub reads every block of every file
  // (indexes and cursors too) against its checksum; the citation walk reads
  // the log again for every uploaded file an event cites (佐证材料) and checks
  // its bytes against its hash: the chain covers the metadata, this covers the
  // bytes. Independent reads of one read-only database: scrub and citations
  // run on the second core while the chain is walked; what they found is told
  // in that order afterwards, as when they ran one after the other.
  struct SideChecks {
    Status scrubbed;
    Status read;
    std::map<std::string, std::string> cited;  // hash -> where first cited
    std::vector<std::string> bad_files;        // what to print, in hash order
  };
  std::future<SideChecks> side = std::async(std::launch::async, [&store, &data_dir] {
    SideChecks checks;
    checks.scrubbed = (*store)->Scrub();
    if (!checks.scrubbed.ok()) return checks;
    checks.read = ForEachCitation(**store, [&checks](const RecordedEvent& event, const Attachment& file) {
      checks.cited.emplace(file.sha256, "\"" + file.name + "\", cited at position " +
                                            std::to_string(event.position.value) + " on " + event.stream.value);
    });
    if (!checks.read.ok()) return checks;
    for (const auto& [sha256, where] : checks.cited) {
      Status checked = CheckStoredFile(data_layout::Files(data_dir), sha256);
      if (checked.ok()) continue;
      checks.bad_files.push_back("FAILED: file " + sha256 + " (" + where + ") " +
                                 (checked.code() == StatusCode::kNotFound ? "is missing" : "has changed"));
    }
    return checks;
  });
  const VerifyReport report = (*store)->Verify();
  const SideChecks checks = side.get();
  if (!report.ok) {
    std::cout << "FAILED at position " << report.bad_position.value << ": " << report.problem << " ("
              << report.events << " events before it are intact)\n";
    return 1;
  }
  if (!checks.scrubbed.ok()) {
    std::cout << "FAILED: " << checks.scrubbed.message() << "\n";
    return 1;
  }
  std::cout << "ok " << report.events << " events, head " << ToHex(report.head.hash) << "\n";
  if (!checks.read.ok()) {
    std::cout << "FAILED: " << checks.read.message() << "\n";
    return 1;
  }
  for (const std::string& line : checks.bad_files) std::cout << line << "\n";
  if (!checks.bad_files.empty()) return 1;
  if (!checks.cited.empty()) std::cout << "ok " << checks.cited.size() << " files\n";
  return 0;
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
  // A freeze records the rules, as the HTTP API's does.
  Result<ViewSettings> settings = LoadViewSettings(choice.assessment_rules);
  if (!settings.ok()) return Fail(settings.status());
  if (Status stamped = StampFreezeRules(*event, settings->assessment); !stamped.ok()) return Fail(stamped);

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
  CommandHandler handler(**store, *catalog, clock);
  // A notice gets its 文号 and its due-date check here as through the API.
  Result<RecordedEvent> stored = Status::Internal("not submitted");
  if (std::holds_alternative<NoticeIssued>(submission.event)) {
    const int utc_offset = SupervisionOptions{}.utc_offset_minutes;
    const Timestamp now = clock.Now();
    Status due = RefuseDueInPast(submission.event, std::chrono::year_month_day(LocalDay(now, utc_offset)));
    if (due.ok()) {
      NoticeNumbers numbers(**store, handler, catalog->notice_number_prefix, utc_offset);
      stored = numbers.Submit(std::move(submission), now);
    } else {
      stored = due;
    }
  } else {
    stored = handler.Submit(submission);
  }
  if (!stored.ok()) {
    // The stable code and the field, then the clerk's sentence (domain/README.md, "Errors").
    std::cerr << "kuimen: refused (" << stored.status().error_code()
              << (stored.status().field().empty() ? "" : ", " + stored.status().field())
              << "): " << stored.status().message() << "\n";
    return 1;
  }
  std::cout << EnvelopeToJson(*stored).dump(2) << "\n";
  return 0;
}

namespace {

// A token file holds the token and perhaps a newline.
Result<std::string> ReadToken(const std::filesystem::path& file) {
  std::ifstream in(file);
  if (!in) return Status::NotFound("cannot read the token file " + file.string() + "; pass --token-file");
  std::string token;
  std::getline(in, token);
  while (!token.empty() && std::isspace(static_cast<unsigned char>(token.back()))) token.pop_back();
  if (token.empty()) return Status::InvalidArgument(file.string() + " holds no token", "token-file");
  return token;
}

// Opening a store for writing creates one where there is none; a backup must not.
bool HoldsStore(const std::filesystem::path& data_dir) {
  std::error_code error;
  return std::filesystem::is_directory(data_layout::Store(data_dir), error) && !std::filesystem::is_empty(data_layout::Store(data_dir), error);
}

// While a server holds the store's lock, only the server can take the copy.
Result<std::string> BackupThroughServer(const BackupArgs& args, const Status& open_error) {
  std::string server = args.server;
  if (server.empty()) {
    Result<std::string> found = ServerUrlFromDataDir(args.data_dir);
    if (found.status().code() == StatusCode::kNotFound) {
      return Status::Unavailable(open_error.message() + "; and no " + data_layout::ServerFile(args.data_dir).string() +
                                 " names a server holding it (if one runs, pass --server URL)");
    }
    if (!found.ok()) return found.status();
    server = *found;
  }
  ASSIGN_OR_RETURN(const std::string token,
                   ReadToken(args.token_file.empty() ? data_layout::AdminToken(args.data_dir) : args.token_file));
  std::error_code error;
  const std::filesystem::path dest = std::filesystem::absolute(args.to, error);
  if (error) return Status::InvalidArgument("cannot resolve " + args.to.string() + ": " + error.message(), "to");
  spdlog::info("the store in {} is held by a running server; asking {} to write the backup", args.data_dir.string(),
               server);
  return RequestServerBackup(ServerBackupRequest{server, token, dest, ServerCertificateFromDataDir(args.data_dir)});
}

// The backup.json text of a new backup.
Result<std::string> Backup(const BackupArgs& args) {
  if (!HoldsStore(args.data_dir)) {
    return Status::NotFound(args.data_dir.string() + " holds no event store (" + data_layout::Store(args.data_dir).string() +
                            " is missing or empty)");
  }
  SystemClock clock;
  Result<std::unique_ptr<EventStore>> store = Open(args.data_dir, clock, /*read_only=*/false);
  if (!store.ok()) {
    if (store.status().code() != StatusCode::kUnavailable) return store.status();
    return BackupThroughServer(args, store.status());
  }
  RETURN_IF_ERROR(BackupDataDir(**store, args.data_dir, args.to, clock));
  ASSIGN_OR_RETURN(const BackupManifest manifest, ReadBackupManifest(args.to));
  return BackupManifestToJson(manifest);
}

}  // namespace

int RunBackupCommand(const BackupArgs& args) {
  Result<std::string> manifest = Backup(args);
  if (!manifest.ok()) return Fail(manifest.status());
  std::cout << *manifest << (manifest->ends_with('\n') ? "" : "\n");
  return 0;
}

int RunSalvageCommand(const std::filesystem::path& data_dir, const std::filesystem::path& to) {
  SystemClock clock;
  Result<SalvageReport> report = SalvageDataDir(data_dir, to, clock);
  if (!report.ok()) return Fail(report.status());
  if (report->damage.empty()) {
    std::cout << "no damage found; copied all " << report->head.position.value << " events into " << to.string()
              << ", head " << ToHex(report->head.hash) << "\n";
    return 0;
  }
  std::cout << "salvaged " << report->head.position.value << " events into " << to.string() << ", head "
            << ToHex(report->head.hash) << "; the chain verifies. The damage: " << report->damage
            << "\nEvents acknowledged after position " << report->head.position.value
            << " are not in the salvaged log: compare it with the last backup (and with what the views showed) "
               "before serving from "
            << to.string() << ". " << data_dir.string() << " is left as it was.\n";
  return 0;
}

int RunRestoreCommand(const std::filesystem::path& backup, const std::filesystem::path& data_dir) {
  if (Status restored = RestoreDataDir(backup, data_dir); !restored.ok()) return Fail(restored);
  Result<BackupManifest> manifest = ReadBackupManifest(backup);
  if (!manifest.ok()) return Fail(manifest.status());
  std::cout << "restored " << manifest->head_position.value << " events, head " << manifest->head_hash
            << ", backed up at " << FormatTimestamp(manifest->created_at) << ", into " << data_dir.string()
            << "; views are rebuilt from the log when `kuimen serve` starts\n";
  return 0;
}

}  // namespace kuimen
