// Two `kuimen project` processes in one consumer group against the real
// broker (ops/test.sh starts it): they share the partitions; one is stopped;
// the other takes over, and its view ends complete and correct.
#include <librdkafka/rdkafka.h>

#include <cstdlib>
#include <fstream>
#include <sstream>

#include <gtest/gtest.h>

#include "eventstore/catalog_codec.h"
#include "eventstore/command_handler.h"
#include "projections/kafka_client.h"
#include "projections/relay.h"
#include "tests/projections/wait.h"
#include "tests/support/child_process.h"
#include "tests/support/temp_dir.h"

namespace kuimen {
namespace {

using std::chrono::year;

std::string Env(const char* name) {
  const char* value = std::getenv(name);
  return value == nullptr ? "" : value;
}

// True when `group` has committed, on every partition of `topic`, the end of
// the partition: every message was applied and made durable by some member.
bool GroupCaughtUp(const std::string& brokers, const std::string& group, const std::string& topic) {
  auto consumer = kafka::Create(RD_KAFKA_CONSUMER, {{"bootstrap.servers", brokers}, {"group.id", group}});
  if (!consumer.ok()) return false;
  auto partitions = kafka::PartitionCount(consumer->get(), topic, 5000);
  if (!partitions.ok()) return false;
  rd_kafka_topic_partition_list_t* list = rd_kafka_topic_partition_list_new(*partitions);
  for (int p = 0; p < *partitions; ++p) rd_kafka_topic_partition_list_add(list, topic.c_str(), p);
  bool caught_up = rd_kafka_committed(consumer->get(), list, 5000) == RD_KAFKA_RESP_ERR_NO_ERROR;
  for (int p = 0; caught_up && p < list->cnt; ++p) {
    std::int64_t low = 0, high = 0;
    caught_up = rd_kafka_query_watermark_offsets(consumer->get(), topic.c_str(), p, &low, &high, 5000) ==
                    RD_KAFKA_RESP_ERR_NO_ERROR &&
                (high == 0 || list->elems[p].offset == high);
  }
  rd_kafka_topic_partition_list_destroy(list);
  rd_kafka_consumer_close(consumer->get());
  return caught_up;
}

class ProjectorProcessesTest : public ::testing::Test {
 protected:
  void SetUp() override {
    brokers_ = Env("KUIMEN_KAFKA_BROKERS");
    ASSERT_FALSE(brokers_.empty()) << "KUIMEN_KAFKA_BROKERS is not set: run the tests with ops/test.sh";
    kafka_.brokers = brokers_;
    kafka_.topic = "kuimen.test." + std::to_string(getpid()) + ".processes";
    kafka_.group_prefix = "kuimen.test." + std::to_string(getpid()) + ".";
    auto catalog = LoadDefaultCatalog();
    ASSERT_TRUE(catalog.ok());
    catalog_ = *catalog;
    EventStoreOptions options;
    std::filesystem::create_directories(dir_.path() / "data");
    options.dir = dir_.path() / "data" / "store";
    options.clock = &clock_;
    auto store = OpenEventStore(options);
    ASSERT_TRUE(store.ok()) << store.status().ToString();
    store_ = std::move(store).value();
    handler_ = std::make_unique<CommandHandler>(*store_, catalog_, clock_);
  }

  // A month's report from every task's lead unit.
  void ReportOnEveryTask(unsigned month) {
    for (const TaskSpec& task : catalog_.tasks) {
      ProgressReported report;
      report.period = year(2025) / std::chrono::month(month);
      report.summary = "按计划推进";
      report.percent = 10.0 * month;
      auto stored = handler_->Submit(Submission{TaskStream(task.no), Actor{"p-" + std::to_string(task.no.value),
                                                                          Role::kDepartment, task.lead_unit},
                                                report, std::nullopt, std::nullopt});
      ASSERT_TRUE(stored.ok()) << stored.status().ToString();
    }
  }

  std::unique_ptr<testing::ChildProcess> StartProjector(const std::string& name) {
    return std::make_unique<testing::ChildProcess>(
        std::vector<std::string>{KUIMEN_BINARY, "project", "--data", (dir_.path() / "data").string(), "--views-dir",
                                 (dir_.path() / name).string(), "--view", "supervision", "--kafka-brokers", brokers_,
                                 "--kafka-topic", kafka_.topic, "--kafka-group-prefix", kafka_.group_prefix},
        (dir_.path() / (name + ".log")).string());
  }

  int Digest(const std::string& name) {
    const std::string command = std::string(KUIMEN_BINARY) + " digest --data " + (dir_.path() / "data").string() +
                                " --views-dir " + (dir_.path() / name).string() + " --name supervision >" +
                                (dir_.path() / (name + ".digest")).string() + " 2>&1";
    return WEXITSTATUS(std::system(command.c_str()));
  }

  testing::TempDir dir_;
  SystemClock clock_;
  Catalog catalog_;
  std::string brokers_;
  KafkaOptions kafka_;
  std::unique_ptr<EventStore> store_;
  std::unique_ptr<CommandHandler> handler_;
};

TEST_F(ProjectorProcessesTest, TheSurvivorTakesOverAndEndsComplete) {
  Relay relay(*store_, brokers_, kafka_);
  Status started = relay.Start();
  ASSERT_TRUE(started.ok()) << started.ToString();
  auto first = StartProjector("a");
  auto second = StartProjector("b");
  const std::string group = kafka_.group_prefix + "supervision";

  ReportOnEveryTask(1);
  testing::WaitUntil([&] { return relay.cursor() == store_->Head().position; });
  testing::WaitUntil([&] { return GroupCaughtUp(brokers_, group, kafka_.topic); });

  EXPECT_EQ(first->Stop(SIGTERM), 0);
  ReportOnEveryTask(2);  // now only the survivor consumes
  testing::WaitUntil([&] { return relay.cursor() == store_->Head().position; });
  testing::WaitUntil([&] { return GroupCaughtUp(brokers_, group, kafka_.topic); });
  EXPECT_EQ(second->Stop(SIGTERM), 0);
  relay.Stop();

  // The survivor's stored view equals a rebuild from the whole log.
  store_.reset();  // `kuimen digest` opens the store itself
  EXPECT_EQ(Digest("b"), 0) << std::ifstream(dir_.path() / "b.digest").rdbuf();
  // Both lines name the head: the survivor applied every event, like the rebuild.
  std::stringstream report;
  report << std::ifstream(dir_.path() / "b.digest").rdbuf();
  const std::string through = "(through position " + std::to_string(2 * catalog_.tasks.size()) + ")";
  const size_t at = report.str().find(through);
  ASSERT_NE(at, std::string::npos) << report.str();
  EXPECT_NE(report.str().find(through, at + 1), std::string::npos) << report.str();
}

}  // namespace
}  // namespace kuimen
