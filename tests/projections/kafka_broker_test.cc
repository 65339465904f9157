// The relay and projector against the real Apache Kafka broker that
// ops/kafka/broker.sh runs (ops/test.sh starts it and sets the variables):
// KUIMEN_KAFKA_BROKERS (bootstrap servers) and KUIMEN_KAFKA_SCRIPT (the
// script, to stop, kill and restart the broker mid-stream).
#include <cstdio>
#include <cstdlib>
#include <thread>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "eventstore/catalog_codec.h"
#include "eventstore/command_handler.h"
#include "eventstore/event_codec.h"
#include "projections/assessment_view.h"
#include "projections/supervision_view.h"
#include "projections/kafka_event_source.h"
#include "projections/kafka_projection.h"
#include "projections/relay.h"
#include "tests/eventstore/store_fixture.h"
#include "tests/projections/recording_view.h"
#include "tests/projections/wait.h"

namespace kuimen {
namespace {

using testing::RecordingView;
using testing::WaitUntil;

std::string Env(const char* name) {
  const char* value = std::getenv(name);
  return value == nullptr ? "" : value;
}

// Runs a shell command; returns its stdout and exit code.
std::pair<std::string, int> Shell(const std::string& command) {
  std::string out;
  FILE* pipe = popen(command.c_str(), "r");
  if (pipe == nullptr) return {"", -1};
  char buffer[4096];
  size_t n = 0;
  while ((n = fread(buffer, 1, sizeof buffer, pipe)) > 0) out.append(buffer, n);
  int status = pclose(pipe);
  return {out, WIFEXITED(status) ? WEXITSTATUS(status) : -1};
}

class KafkaBrokerTest : public testing::StoreTest {
 protected:
  void SetUp() override {
    brokers_ = Env("KUIMEN_KAFKA_BROKERS");
    script_ = Env("KUIMEN_KAFKA_SCRIPT");
    ASSERT_FALSE(brokers_.empty()) << "KUIMEN_KAFKA_BROKERS is not set: run the tests with ops/test.sh, which starts "
                                      "a real broker (ops/kafka/broker.sh)";
    ASSERT_FALSE(script_.empty()) << "KUIMEN_KAFKA_SCRIPT is not set";
    store_ = Open();
    // A topic per test, so runs and tests never see each other's messages.
    kafka_.topic = "kuimen.test." + std::to_string(getpid()) + "." +
                   ::testing::UnitTest::GetInstance()->current_test_info()->name();
    kafka_.partitions = 6;
  }

  void Broker(const std::string& command) {
    auto [out, code] = Shell("bash " + script_ + " " + command + " 2>&1");
    ASSERT_EQ(code, 0) << "broker.sh " << command << ":\n" << out;
  }

  void AppendEvents(int count) {
    for (int i = 0; i < count; ++i) {
      EncodedEvent encoded = EncodeEvent(DeadlineSet{"节点" + std::to_string(i), std::chrono::year(2025) / 6 / 30});
      ASSERT_TRUE(store_->Append(StreamId{"task-" + std::to_string(10 + i % 7)}, std::nullopt,
                                 {ProposedEvent{std::nullopt, encoded.type, encoded.schema_version,
                                                Actor{"p-tf", Role::kTaskForce, ""}, encoded.data}})
                      .ok());
    }
  }

  std::unique_ptr<Projector> OpenProjector(const std::string& name) {
    auto projector = Projector::Open(std::make_unique<RecordingView>(), ProjectorOptions{dir_.path() / name, nullptr},
                                     store_.get());
    EXPECT_TRUE(projector.ok()) << projector.status().ToString();
    return std::move(projector).value();
  }

  std::unique_ptr<KafkaProjection> StartProjection(Projector& projector, const std::string& group) {
    auto source = KafkaEventSource::Create(brokers_, kafka_, group);
    EXPECT_TRUE(source.ok()) << source.status().ToString();
    auto projection = std::make_unique<KafkaProjection>(projector, std::move(source).value());
    projection->Start();
    return projection;
  }

  // The rows a view fed exactly once with every event must hold.
  std::map<std::string, std::string> ExpectedRows() {
    RecordingView expected;
    for (auto it = store_->ReadAll(GlobalPosition(1)); it->Valid(); it->Next()) {
      expected.Apply(it->event(), TaskCompleted{});
    }
    return expected.rows();
  }

  static std::map<std::string, std::string> Rows(const Projector& projector) {
    return projector.WithView([](const View& view) { return static_cast<const RecordingView&>(view).rows(); });
  }

  std::string brokers_;
  std::string script_;
  KafkaOptions kafka_;
  std::unique_ptr<EventStore> store_;
};

TEST_F(KafkaBrokerTest, AppendedEventsReachTheTopicAndTheView) {
  Relay relay(*store_, brokers_, kafka_);
  Status started = relay.Start();
  ASSERT_TRUE(started.ok()) << started.ToString();
  auto projector = OpenProjector("view");
  auto projection = StartProjection(*projector, "kuimen.test.e2e");
  AppendEvents(25);
  WaitUntil([&] { return relay.cursor() == GlobalPosition(25); });
  WaitUntil([&] { return projector->applied_through() == GlobalPosition(25); });

  // An independent client reads the topic: one message per event, keyed by stream.
  auto [out, code] = Shell("kcat -b " + brokers_ + " -C -t " + kafka_.topic + " -e -q -f '%k %h\\n'");
  ASSERT_EQ(code, 0) << out;
  int messages = 0;
  for (size_t at = 0; (at = out.find("task-", at)) != std::string::npos; ++at) ++messages;
  EXPECT_EQ(messages, 25) << out;
  EXPECT_NE(out.find("position=1,type=DeadlineSet"), std::string::npos) << out;
  EXPECT_EQ(Rows(*projector), ExpectedRows());
}

TEST_F(KafkaBrokerTest, ReportsReachTheSupervisionAndAssessmentViews) {
  Result<Catalog> catalog = LoadDefaultCatalog();
  ASSERT_TRUE(catalog.ok());
  CommandHandler handler(*store_, *catalog, clock_);
  ProgressReported report;
  report.period = std::chrono::year(2025) / std::chrono::March;
  report.summary = "完成托管服务20万亩次";
  report.percent = 25;
  report.indicators = {{"农业生产社会化服务规模", 20, "万亩次"}};
  const Actor lead{"p-nyw", Role::kDepartment, "县农业农村委"};
  const Actor taskforce{"p-tf", Role::kTaskForce, ""};
  ASSERT_TRUE(handler.Submit({StreamId{"task-07"}, lead, report, std::nullopt, std::nullopt}).ok());
  ASSERT_TRUE(handler.Submit({StreamId{"assessment-2025"}, taskforce,
                              AssessmentAdjusted{"县农业农村委", 2025, 3, "经验做法被市级推广"}, std::nullopt,
                              std::nullopt})
                  .ok());

  Relay relay(*store_, brokers_, kafka_);
  Status started = relay.Start();
  ASSERT_TRUE(started.ok()) << started.ToString();
  auto supervision_view = SupervisionView::Create(*catalog);
  auto assessment_view = AssessmentView::Create(*catalog, DefaultAssessmentRules());
  ASSERT_TRUE(supervision_view.ok() && assessment_view.ok());
  // Fed by Kafka alone: no log, so nothing arrives but through the broker.
  auto supervision = Projector::Open(std::move(supervision_view).value(), {dir_.path() / "supervision", nullptr}, nullptr);
  auto assessment = Projector::Open(std::move(assessment_view).value(), {dir_.path() / "assessment", nullptr}, nullptr);
  ASSERT_TRUE(supervision.ok() && assessment.ok());
  auto supervision_feed = StartProjection(**supervision, "kuimen.test.views.supervision");
  auto assessment_feed = StartProjection(**assessment, "kuimen.test.views.assessment");
  WaitUntil([&] { return (*supervision)->applied_through() == GlobalPosition(2); });
  WaitUntil([&] { return (*assessment)->applied_through() == GlobalPosition(2); });

  const Timestamp now = clock_.Now();
  nlohmann::json task7 = (*supervision)->WithView([&](const View& view) {
    return *static_cast<const SupervisionView&>(view).RenderItem(StreamId{"task-07"}, now);
  });
  EXPECT_EQ(task7["status"], "pending_review");
  EXPECT_EQ(task7["last_report"]["principal"], "p-nyw");
  EXPECT_EQ(task7["indicators"][0]["latest_value"], 20);
  nlohmann::json year = (*assessment)->WithView(
      [&](const View& view) { return static_cast<const AssessmentView&>(view).Render(2025, now); });
  bool adjusted = false;
  for (const auto& unit : year["units"]) {
    if (unit["unit"] != "县农业农村委") continue;
    for (const auto& line : unit["lines"]) {
      if (line["rule"] == "adjustments") adjusted = line["points"] == 3 && line["positions"] == nlohmann::json({2});
    }
  }
  EXPECT_TRUE(adjusted) << year.dump();

  // Each Kafka-fed view is byte-identical to a rebuild from the log.
  auto fresh = [&](const std::string& name) -> std::unique_ptr<View> {
    if (name == "supervision") return std::move(SupervisionView::Create(*catalog)).value();
    return std::move(AssessmentView::Create(*catalog, DefaultAssessmentRules())).value();
  };
  for (auto* live : {&*supervision, &*assessment}) {
    const std::string name((*live)->WithView([](const View& view) { return std::string(view.Name()); }));
    auto rebuilt = Projector::Open(fresh(name), {dir_.path() / ("rebuilt-" + name), nullptr}, store_.get());
    ASSERT_TRUE(rebuilt.ok());
    ASSERT_TRUE((*rebuilt)->CatchUpFromLog().ok());
    EXPECT_EQ((*live)->Digest(), (*rebuilt)->Digest()) << name;
  }
}

TEST_F(KafkaBrokerTest, EveryEventLandsExactlyOnceAcrossBrokerOutagesAndARelayCrash) {
  auto relay = std::make_unique<Relay>(*store_, brokers_, kafka_, RelayOptions{"kafka-relay", 50000, std::chrono::milliseconds(0)});
  Status started = relay->Start();
  ASSERT_TRUE(started.ok()) << started.ToString();
  auto projector = OpenProjector("view");
  auto projection = StartProjection(*projector, "kuimen.test.outage");
  AppendEvents(50);
  WaitUntil([&] { return projector->applied_through() == GlobalPosition(50); });

  Broker("stop");         // a clean outage: the relay holds messages back
  AppendEvents(50);
  Broker("start");
  AppendEvents(50);
  Broker("kill");         // SIGKILL mid-stream
  AppendEvents(50);
  Broker("start");        // log recovery
  // The relay dies without waiting for acknowledgements (flush timeout 0):
  // whatever was in flight is published again by its successor.
  AppendEvents(25);
  relay.reset();
  relay = std::make_unique<Relay>(*store_, brokers_, kafka_);
  started = relay->Start();
  ASSERT_TRUE(started.ok()) << started.ToString();
  AppendEvents(25);

  WaitUntil([&] { return projector->applied_through() == GlobalPosition(250); }, std::chrono::seconds(120));
  EXPECT_EQ(Rows(*projector), ExpectedRows());  // none missing, none twice
  projection->Stop();
}

}  // namespace
}  // namespace kuimen
