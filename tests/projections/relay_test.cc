// The relay and a Kafka-fed projector on librdkafka's embedded mock cluster:
// the same code path as with a real broker (see kafka_broker_test.cc).
#include "projections/relay.h"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "eventstore/envelope_json.h"
#include "eventstore/event_codec.h"
#include "eventstore/storage_format.h"
#include "projections/kafka_client.h"
#include "projections/embedded_kafka.h"
#include "projections/kafka_event_source.h"
#include "projections/kafka_projection.h"
#include "tests/eventstore/store_fixture.h"
#include "tests/projections/recording_view.h"
#include "tests/projections/wait.h"

namespace kuimen {
namespace {

using testing::RecordingView;
using testing::WaitUntil;

class RelayTest : public testing::StoreTest {
 protected:
  void SetUp() override {
    store_ = Open();
    kafka_.topic = "kuimen.relay-test";
    kafka_.partitions = 3;
    StartCluster();
  }

  void StartCluster() {
    auto cluster = EmbeddedKafka::Start(kafka_.topic, kafka_.partitions);
    ASSERT_TRUE(cluster.ok()) << cluster.status().ToString();
    cluster_ = std::move(cluster).value();
  }

  void AppendEvents(int count) {
    for (int i = 0; i < count; ++i) {
      EncodedEvent encoded = EncodeEvent(TaskReopened{"复核" + std::to_string(i)});
      ASSERT_TRUE(store_->Append(StreamId{"task-0" + std::to_string(i % 4 + 1)}, std::nullopt,
                                 {ProposedEvent{std::nullopt, encoded.type, encoded.schema_version,
                                                Actor{"p-tf", Role::kTaskForce, ""}, encoded.data}})
                      .ok());
    }
  }

  // Everything on the topic, as one consumer group sees it (decoded once),
  // until `count` arrived.
  // `held_through`: the watermark of the view the consumer feeds (Poll).
  std::vector<DecodedEvent> ConsumeDecoded(const std::string& group, std::size_t count,
                                           GlobalPosition held_through = GlobalPosition(0)) {
    auto source = KafkaEventSource::Create(cluster_->bootstrap_servers(), kafka_, group);
    EXPECT_TRUE(source.ok()) << source.status().ToString();
    std::vector<DecodedEvent> events;
    WaitUntil([&] {
      for (DecodedEvent& e : (*source)->Poll(std::chrono::milliseconds(50), 1000, held_through)) {
        events.push_back(std::move(e));
      }
      return events.size() >= count;
    });
    return events;
  }
  std::vector<RecordedEvent> Consume(const std::string& group, std::size_t count) {
    std::vector<RecordedEvent> events;
    for (DecodedEvent& e : ConsumeDecoded(group, count)) events.push_back(std::move(e.event));
    return events;
  }

  // Produces `value` keyed by `stream`, as any producer that reaches the topic could.
  void ProduceRaw(const std::string& stream, const std::string& value) {
    auto stranger = kafka::Create(RD_KAFKA_PRODUCER, {{"bootstrap.servers", cluster_->bootstrap_servers()}});
    ASSERT_TRUE(stranger.ok()) << stranger.status().ToString();
    ASSERT_EQ(rd_kafka_producev(stranger->get(), RD_KAFKA_V_TOPIC(kafka_.topic.c_str()),
                                RD_KAFKA_V_KEY(stream.data(), stream.size()),
                                RD_KAFKA_V_VALUE(const_cast<char*>(value.data()), value.size()),
                                RD_KAFKA_V_MSGFLAGS(RD_KAFKA_MSG_F_COPY), RD_KAFKA_V_END),
              RD_KAFKA_RESP_ERR_NO_ERROR);
    ASSERT_EQ(rd_kafka_flush(stranger->get(), 10000), RD_KAFKA_RESP_ERR_NO_ERROR);
  }

  std::unique_ptr<EventStore> store_;
  KafkaOptions kafka_;
  std::unique_ptr<EmbeddedKafka> cluster_;
};

TEST_F(RelayTest, PublishesEveryEventKeyedByStreamInStreamOrder) {
  AppendEvents(40);
  Relay relay(*store_, cluster_->bootstrap_servers(), kafka_);
  ASSERT_TRUE(relay.Start().ok());
  std::vector<RecordedEvent> events = Consume("g1", 40);
  ASSERT_EQ(events.size(), 40u);
  std::map<std::string, StreamVersion> last;
  for (const RecordedEvent& e : events) {
    EXPECT_EQ(e.version, last[e.stream.value].Next()) << e.stream.value;  // in order, no gap, no repeat
    last[e.stream.value] = e.version;
    EXPECT_EQ(e.type, "TaskReopened");
  }
  WaitUntil([&] { return relay.cursor() == GlobalPosition(40); });
  EXPECT_EQ(relay.cursor(), GlobalPosition(40));
  relay.Stop();
  EXPECT_EQ(*store_->LoadCursor("kafka-relay"), GlobalPosition(40));
}

TEST_F(RelayTest, EnvelopesOnTheWireCarryTheStoredHash) {
  AppendEvents(3);
  Relay relay(*store_, cluster_->bootstrap_servers(), kafka_);
  ASSERT_TRUE(relay.Start().ok());
  for (const RecordedEvent& wire : Consume("g1", 3)) {
    auto stored = store_->FindById(wire.id);
    ASSERT_TRUE(stored.ok() && stored->has_value());
    EXPECT_EQ(wire.hash, (*stored)->hash);
    EXPECT_EQ(wire.data, (*stored)->data);
    EXPECT_EQ(wire.recorded_at, (*stored)->recorded_at);
    EXPECT_EQ(wire.actor, (*stored)->actor);
  }
}

// Issue 12, item 2: the relay publishes the stored record byte for byte and
// the consumer hands each event on decoded, so no view parses it again.
TEST_F(RelayTest, TheFeedHandsOnEachEventDecodedOnceFromItsStoredBytes) {
  AppendEvents(4);
  Relay relay(*store_, cluster_->bootstrap_servers(), kafka_);
  ASSERT_TRUE(relay.Start().ok());
  for (const DecodedEvent& wire : ConsumeDecoded("g1", 4)) {
    auto stored = store_->FindById(wire.event.id);
    ASSERT_TRUE(stored.ok() && stored->has_value());
    EXPECT_EQ(storage::EncodeRecord(wire.event), storage::EncodeRecord(**stored));
    ASSERT_TRUE(wire.data.has_value());
    ASSERT_TRUE(std::holds_alternative<TaskReopened>(*wire.data));
    EXPECT_TRUE(*wire.data == DecodeEvent((*stored)->type, (*stored)->schema_version, (*stored)->data).value());
  }
}

// A broker may hold messages the previous release published (JSON envelopes)
// across an upgrade: the feed reads both forms, and the projector takes an
// old-form message that is the log's event as that event.
// A consumer joining its group reads from the earliest offset: every event
// the view already caught up on from the log comes again. Those at or below
// the view's watermark are handed on with their payload unread (the projector
// checks each against the log and skips it); the rest are decoded.
TEST_F(RelayTest, TheFeedLeavesThePayloadsOfEventsTheViewHoldsUnread) {
  AppendEvents(5);
  Relay relay(*store_, cluster_->bootstrap_servers(), kafka_);
  ASSERT_TRUE(relay.Start().ok());
  std::vector<DecodedEvent> fed = ConsumeDecoded("g1", 5, GlobalPosition(3));
  ASSERT_EQ(fed.size(), 5u);
  for (const DecodedEvent& wire : fed) {
    auto stored = store_->FindById(wire.event.id);
    ASSERT_TRUE(stored.ok() && stored->has_value());
    EXPECT_EQ(storage::EncodeRecord(wire.event), storage::EncodeRecord(**stored));
    EXPECT_EQ(wire.data.has_value(), wire.event.position > GlobalPosition(3)) << wire.event.position.value;
  }
}

TEST_F(RelayTest, MessagesOfTheEarlierJsonFormAreStillReadAndTrusted) {
  AppendEvents(4);
  std::vector<RecordedEvent> stored;
  for (auto it = store_->ReadAll(GlobalPosition(1)); it->Valid(); it->Next()) stored.push_back(it->event());
  ASSERT_EQ(stored.size(), 4u);
  // Positions 1 and 3 as the earlier release wrote them, 2 and 4 as this one does.
  for (const RecordedEvent& event : stored) {
    ProduceRaw(event.stream.value, event.position.value % 2 == 1 ? EnvelopeToJson(event).dump() : EnvelopeToWire(event));
  }
  std::vector<DecodedEvent> fed = ConsumeDecoded("g1", 4);
  ASSERT_EQ(fed.size(), 4u);
  for (const DecodedEvent& wire : fed) {
    const RecordedEvent& held = stored[wire.event.position.value - 1];
    EXPECT_EQ(storage::EncodeRecord(wire.event), storage::EncodeRecord(held)) << wire.event.position.value;
    EXPECT_TRUE(wire.data.has_value());
  }
  auto live = Projector::Open(std::make_unique<RecordingView>(), ProjectorOptions{dir_.path() / "live", nullptr},
                              store_.get());
  ASSERT_TRUE(live.ok());
  Result<std::size_t> applied = (*live)->ApplyFromFeed(std::move(fed));
  ASSERT_TRUE(applied.ok()) << applied.status().ToString();
  EXPECT_EQ(*applied, 4u);
  EXPECT_EQ((*live)->untrusted_messages(), 0u);
  EXPECT_EQ((*live)->applied_through(), GlobalPosition(4));
}

TEST_F(RelayTest, RepublishesFromTheLogWhenTheClusterForgotEverything) {
  AppendEvents(10);
  {
    Relay relay(*store_, cluster_->bootstrap_servers(), kafka_);
    ASSERT_TRUE(relay.Start().ok());
    WaitUntil([&] { return relay.cursor() == GlobalPosition(10); });
  }
  // The embedded cluster lives in the process: a restart starts it empty.
  cluster_.reset();
  StartCluster();
  AppendEvents(2);
  Relay relay(*store_, cluster_->bootstrap_servers(), kafka_);
  ASSERT_TRUE(relay.Start().ok());
  EXPECT_EQ(Consume("g2", 12).size(), 12u);
}

TEST_F(RelayTest, AKafkaFedProjectorMatchesARebuildFromTheLog) {
  AppendEvents(30);
  Relay relay(*store_, cluster_->bootstrap_servers(), kafka_);
  ASSERT_TRUE(relay.Start().ok());
  auto live = Projector::Open(std::make_unique<RecordingView>(), ProjectorOptions{dir_.path() / "live", nullptr},
                              store_.get());
  ASSERT_TRUE(live.ok());
  auto source = KafkaEventSource::Create(cluster_->bootstrap_servers(), kafka_, "kuimen.view.recording");
  ASSERT_TRUE(source.ok());
  KafkaProjection projection(**live, std::move(source).value());
  projection.Start();
  AppendEvents(30);  // while it runs
  WaitUntil([&] { return (*live)->applied_through() == GlobalPosition(60); });
  EXPECT_TRUE(projection.running());
  projection.Stop();
  EXPECT_FALSE(projection.running());  // what /healthz reports as "stopped"

  auto rebuilt = Projector::Open(std::make_unique<RecordingView>(), ProjectorOptions{dir_.path() / "rebuilt", nullptr},
                                 store_.get());
  ASSERT_TRUE(rebuilt.ok());
  ASSERT_TRUE((*rebuilt)->CatchUpFromLog().ok());
  EXPECT_EQ((*live)->Digest(), (*rebuilt)->Digest());
}

// Issue 9, item 8: anyone who can reach the topic can produce to it (the
// embedded cluster has no credentials). A view applies a message only as the
// event the log holds at its position.
TEST_F(RelayTest, AForgedMessageIsIgnoredAndTheRealEventIsApplied) {
  AppendEvents(3);  // task-01..task-03 at version 1
  Relay relay(*store_, cluster_->bootstrap_servers(), kafka_);
  ASSERT_TRUE(relay.Start().ok());
  auto live = Projector::Open(std::make_unique<RecordingView>(), ProjectorOptions{dir_.path() / "live", nullptr},
                              store_.get());
  ASSERT_TRUE(live.ok());
  auto source = KafkaEventSource::Create(cluster_->bootstrap_servers(), kafka_, "kuimen.view.recording");
  ASSERT_TRUE(source.ok());
  KafkaProjection projection(**live, std::move(source).value());
  projection.Start();
  WaitUntil([&] { return (*live)->applied_through() == GlobalPosition(3); });

  // A stranger's producer, as kcat would be: task-01's next version at the
  // next position, then another event over position 2.
  auto stranger = kafka::Create(RD_KAFKA_PRODUCER, {{"bootstrap.servers", cluster_->bootstrap_servers()}});
  ASSERT_TRUE(stranger.ok()) << stranger.status().ToString();
  auto produce = [&](const RecordedEvent& forged) {
    const std::string value = EnvelopeToJson(forged).dump();
    ASSERT_EQ(rd_kafka_producev(stranger->get(), RD_KAFKA_V_TOPIC(kafka_.topic.c_str()),
                                RD_KAFKA_V_KEY(forged.stream.value.data(), forged.stream.value.size()),
                                RD_KAFKA_V_VALUE(const_cast<char*>(value.data()), value.size()),
                                RD_KAFKA_V_MSGFLAGS(RD_KAFKA_MSG_F_COPY), RD_KAFKA_V_END),
              RD_KAFKA_RESP_ERR_NO_ERROR);
    ASSERT_EQ(rd_kafka_flush(stranger->get(), 10000), RD_KAFKA_RESP_ERR_NO_ERROR);
  };
  RecordedEvent ahead = *std::move(store_->FindById(store_->ReadAll(GlobalPosition(1))->event().id).value());
  ahead.version = StreamVersion(2);
  ahead.position = GlobalPosition(4);
  ahead.id = *EventId::Parse("0b6c4a1e-8f3d-4c1a-9e2b-7d5f3a2c1bf0");
  ahead.data = EncodeEvent(TaskReopened{"伪造：完成率100%"}).data;
  produce(ahead);
  WaitUntil([&] { return (*live)->untrusted_messages() == 1; });

  AppendEvents(4);  // the real task-01 version 2 takes position 4
  RecordedEvent over = ahead;
  over.position = GlobalPosition(2);
  over.stream = StreamId{"task-02"};
  over.version = StreamVersion(1);
  produce(over);
  WaitUntil([&] { return (*live)->untrusted_messages() == 2; });
  // Not an envelope at all.
  const std::string junk = "{\"stream\":\"task-01\",\"percent\":100}";
  ASSERT_EQ(rd_kafka_producev(stranger->get(), RD_KAFKA_V_TOPIC(kafka_.topic.c_str()),
                              RD_KAFKA_V_VALUE(const_cast<char*>(junk.data()), junk.size()),
                              RD_KAFKA_V_MSGFLAGS(RD_KAFKA_MSG_F_COPY), RD_KAFKA_V_END),
            RD_KAFKA_RESP_ERR_NO_ERROR);
  ASSERT_EQ(rd_kafka_flush(stranger->get(), 10000), RD_KAFKA_RESP_ERR_NO_ERROR);
  WaitUntil([&] { return (*live)->untrusted_messages() == 3; });
  WaitUntil([&] { return (*live)->applied_through() == GlobalPosition(7); });
  projection.Stop();

  auto rebuilt = Projector::Open(std::make_unique<RecordingView>(), ProjectorOptions{dir_.path() / "rebuilt", nullptr},
                                 store_.get());
  ASSERT_TRUE(rebuilt.ok());
  ASSERT_TRUE((*rebuilt)->CatchUpFromLog().ok());
  EXPECT_EQ((*live)->Digest(), (*rebuilt)->Digest());
  EXPECT_EQ((*live)->Health(store_->Head().position).untrusted_messages, 3u);
}

}  // namespace
}  // namespace kuimen
