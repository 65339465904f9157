// The stored record layout is a file format: a golden record pins it.
#include "eventstore/storage_format.h"

#include <fstream>
#include <sstream>

#include <gtest/gtest.h>

#include "eventstore/sha256.h"

namespace kuimen {
namespace {

RecordedEvent SampleEvent() {
  RecordedEvent e;
  e.id = *EventId::Parse("1b4e28ba-2fa1-41d2-883f-0016d3cca427");
  e.stream = StreamId{"task-07"};
  e.version = StreamVersion(3);
  e.position = GlobalPosition(41);
  e.type = "TaskCompleted";
  e.schema_version = 1;
  e.recorded_at = Timestamp(std::chrono::microseconds(1730419200123456));
  e.actor = Actor{"p-tf", Role::kTaskForce, ""};
  e.data = R"({"summary":"完成"})";
  e.prev_hash[0] = 0xAB;
  e.hash = Sha256(storage::EncodeCanonical(e));
  return e;
}

// A township's answer: its actor carries a group, so the record is format 2.
RecordedEvent SampleEventWithGroup() {
  RecordedEvent e = SampleEvent();
  e.type = "NoticeAnswered";
  e.actor = Actor{"p-yazd", Role::kDepartment, "永安街道", "各乡镇人民政府、街道办事处"};
  e.data = R"({"notice_id":"DB-1","summary":"已整改"})";
  e.hash = Sha256(storage::EncodeCanonical(e));
  return e;
}

std::string Hex(std::string_view bytes) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  for (unsigned char c : bytes) {
    out.push_back(kHex[c >> 4]);
    out.push_back(kHex[c & 0xF]);
  }
  return out;
}

TEST(StorageFormat, RecordMatchesTheGoldenBytes) {
  std::ifstream in(std::string(KUIMEN_SOURCE_DIR) + "/tests/eventstore/golden/record.v1.hex");
  std::string golden;
  in >> golden;
  EXPECT_EQ(Hex(storage::EncodeRecord(SampleEvent())), golden);
}

TEST(StorageFormat, RecordWithAGroupMatchesTheGoldenBytes) {
  std::ifstream in(std::string(KUIMEN_SOURCE_DIR) + "/tests/eventstore/golden/record.v2.hex");
  std::string golden;
  in >> golden;
  EXPECT_EQ(Hex(storage::EncodeRecord(SampleEventWithGroup())), golden);
}

TEST(StorageFormat, OnlyAnActorWithAGroupTakesFormatTwo) {
  EXPECT_EQ(storage::EncodeRecord(SampleEvent())[0], storage::kRecordFormat);
  EXPECT_EQ(storage::EncodeRecord(SampleEventWithGroup())[0], storage::kRecordFormatWithGroup);
}

TEST(StorageFormat, RecordWithAGroupRoundTrips) {
  RecordedEvent original = SampleEventWithGroup();
  Result<RecordedEvent> decoded = storage::DecodeRecord(storage::EncodeRecord(original));
  ASSERT_TRUE(decoded.ok()) << decoded.status().ToString();
  EXPECT_EQ(decoded->actor, original.actor);
  EXPECT_EQ(decoded->data, original.data);
  EXPECT_EQ(decoded->hash, original.hash);
  EXPECT_EQ(Sha256(storage::EncodeCanonical(*decoded)), original.hash);
}

TEST(StorageFormat, AFormatTwoRecordWithAnEmptyGroupIsDataLoss) {
  // Format 1 bytes with the format byte raised and an empty group spliced in
  // after the unit: one event must have one encoding only.
  RecordedEvent event = SampleEvent();
  std::string record = storage::EncodeRecord(event);
  const std::size_t unit_end = 1 + 8 + 8 + 8 + 4 + 16 + (4 + event.stream.value.size()) + (4 + event.type.size()) +
                               (4 + event.actor.principal.size()) + 1 + (4 + event.actor.unit.size());
  record.insert(unit_end, std::string(4, '\0'));
  record[0] = static_cast<char>(storage::kRecordFormatWithGroup);
  EXPECT_EQ(storage::DecodeRecord(record).status().code(), StatusCode::kDataLoss);
}

TEST(StorageFormat, RecordRoundTrips) {
  RecordedEvent original = SampleEvent();
  Result<RecordedEvent> decoded = storage::DecodeRecord(storage::EncodeRecord(original));
  ASSERT_TRUE(decoded.ok()) << decoded.status().ToString();
  EXPECT_EQ(decoded->id, original.id);
  EXPECT_EQ(decoded->stream, original.stream);
  EXPECT_EQ(decoded->version, original.version);
  EXPECT_EQ(decoded->position, original.position);
  EXPECT_EQ(decoded->type, original.type);
  EXPECT_EQ(decoded->recorded_at, original.recorded_at);
  EXPECT_EQ(decoded->actor, original.actor);
  EXPECT_EQ(decoded->data, original.data);
  EXPECT_EQ(decoded->prev_hash, original.prev_hash);
  EXPECT_EQ(decoded->hash, original.hash);
}

TEST(StorageFormat, TruncatedOrPaddedRecordsAreDataLoss) {
  std::string record = storage::EncodeRecord(SampleEvent());
  EXPECT_EQ(storage::DecodeRecord(record.substr(0, record.size() - 1)).status().code(), StatusCode::kDataLoss);
  EXPECT_EQ(storage::DecodeRecord(record + "x").status().code(), StatusCode::kDataLoss);
  EXPECT_EQ(storage::DecodeRecord("").status().code(), StatusCode::kDataLoss);
  record[0] = 3;  // a record format this build does not know
  EXPECT_EQ(storage::DecodeRecord(record).status().code(), StatusCode::kDataLoss);
}

TEST(StorageFormat, KeysSortNumerically) {
  EXPECT_LT(storage::EncodeU64Key(255), storage::EncodeU64Key(256));
  EXPECT_EQ(storage::DecodeU64Key(storage::EncodeU64Key(1234567890123)), 1234567890123u);
  EXPECT_LT(storage::StreamKey(StreamId{"task-07"}, StreamVersion(9)),
            storage::StreamKey(StreamId{"task-07"}, StreamVersion(10)));
}

TEST(EventId, ParsesAndPrintsTheCanonicalForm) {
  auto id = EventId::Parse("1B4E28BA-2FA1-41D2-883F-0016D3CCA427");
  ASSERT_TRUE(id.has_value());
  EXPECT_EQ(id->ToString(), "1b4e28ba-2fa1-41d2-883f-0016d3cca427");
  EXPECT_FALSE(EventId::Parse("1b4e28ba2fa141d2883f0016d3cca427").has_value());
  EXPECT_FALSE(EventId::Parse("1b4e28ba-2fa1-41d2-883f-0016d3cca42g").has_value());
}

TEST(EventId, RandomIdsAreVersion4AndFollowTheSeed) {
  std::mt19937_64 a(7), b(7);
  EventId first = EventId::Random(a);
  EXPECT_EQ(first, EventId::Random(b));
  EXPECT_EQ(first.ToString()[14], '4');
  EXPECT_NE(first, EventId::Random(a));
}

TEST(TimeOrderedIds, AreVersion7AndBeginWithTheMillisecond) {
  TimeOrderedIds ids(7);
  // 2024-11-01T00:00:00.123456Z: 1730419200123 ms = 0x0192e505907b.
  const std::string id = ids.Next(Timestamp(std::chrono::microseconds(1730419200123456))).ToString();
  EXPECT_EQ(id.substr(0, 13), "0192e505-907b");
  EXPECT_EQ(id[14], '7');
  EXPECT_NE(std::string("89ab").find(id[19]), std::string::npos) << id;  // the RFC 9562 variant
}

TEST(TimeOrderedIds, FollowTheSeed) {
  const Timestamp at(std::chrono::microseconds(1730419200123456));
  TimeOrderedIds a(7), b(7), c(8);
  const EventId first = a.Next(at);
  EXPECT_EQ(first, b.Next(at));
  EXPECT_NE(first, c.Next(at));
}

// More ids than the counter holds in one millisecond, then a clock that steps
// back: every id is still greater than the one before (the id index is only
// appended to), and the millisecond they carry moves on by at most one.
TEST(TimeOrderedIds, IncreaseWhenTheClockStandsStillOrStepsBack) {
  TimeOrderedIds ids(7);
  const Timestamp at(std::chrono::microseconds(1730419200123456));
  EventId previous = ids.Next(at);
  for (int i = 0; i < 5000; ++i) {
    const EventId next = ids.Next(at);
    ASSERT_LT(previous, next) << i;
    previous = next;
  }
  EXPECT_EQ(previous.ToString().substr(0, 13), "0192e505-907c");  // carried into the next millisecond
  const EventId after_step_back = ids.Next(at - std::chrono::seconds(1));
  EXPECT_LT(previous, after_step_back);
  EXPECT_LT(after_step_back, ids.Next(at + std::chrono::milliseconds(5)));
}

// At open the store goes on after its newest event's id, so a restart with a
// clock behind (or a process started within the same millisecond) keeps the
// order; a random id, or a client's version 7 id far from its event's time,
// changes nothing.
TEST(TimeOrderedIds, ContinueAfterTheNewestStoredId) {
  const Timestamp at(std::chrono::microseconds(1730419200123456));
  TimeOrderedIds before(7);
  EventId last = before.Next(at);
  for (int i = 0; i < 100; ++i) last = before.Next(at);
  TimeOrderedIds after(7);
  after.ContinueAfter(last, at);
  EXPECT_LT(last, after.Next(at - std::chrono::seconds(5)));

  std::mt19937_64 random(1);
  TimeOrderedIds untouched(7), after_random(7), after_far(7);
  after_random.ContinueAfter(EventId::Random(random), at);
  after_far.ContinueAfter(last, at - std::chrono::hours(1));
  const EventId expected = untouched.Next(at);
  EXPECT_EQ(after_random.Next(at), expected);
  EXPECT_EQ(after_far.Next(at), expected);
}

}  // namespace
}  // namespace kuimen
