// The envelope's JSON form carries the actor's group only when it is set, and
// reads back to the bytes the hash covers.
#include "eventstore/envelope_json.h"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "eventstore/sha256.h"
#include "eventstore/storage_format.h"

namespace kuimen {
namespace {

RecordedEvent Sample(Actor actor) {
  RecordedEvent e;
  e.id = *EventId::Parse("1b4e28ba-2fa1-41d2-883f-0016d3cca427");
  e.stream = StreamId{"task-07"};
  e.version = StreamVersion(2);
  e.position = GlobalPosition(9);
  e.type = "NoticeAnswered";
  e.recorded_at = Timestamp(std::chrono::microseconds(1730419200123456));
  e.actor = std::move(actor);
  e.data = R"({"notice_id":"DB-1","summary":"已整改"})";
  e.hash = Sha256(storage::EncodeCanonical(e));
  return e;
}

TEST(EnvelopeJson, LeavesOutTheGroupOfAnActorWithout) {
  const RecordedEvent event = Sample(Actor{"p-nyw", Role::kDepartment, "县农业农村委"});
  const nlohmann::ordered_json json = EnvelopeToJson(event);
  EXPECT_FALSE(json["actor"].contains("group"));
  Result<RecordedEvent> back = EnvelopeFromJson(json.dump());
  ASSERT_TRUE(back.ok()) << back.status().ToString();
  EXPECT_EQ(back->actor, event.actor);
}

TEST(EnvelopeJson, CarriesATownshipsGroupSoTheHashCanBeRecomputed) {
  const RecordedEvent event = Sample(Actor{"p-yazd", Role::kDepartment, "永安街道", "各乡镇人民政府、街道办事处"});
  const nlohmann::ordered_json json = EnvelopeToJson(event);
  EXPECT_EQ(json["actor"].value("group", ""), "各乡镇人民政府、街道办事处");
  Result<RecordedEvent> back = EnvelopeFromJson(json.dump());
  ASSERT_TRUE(back.ok()) << back.status().ToString();
  EXPECT_EQ(back->actor, event.actor);
  EXPECT_EQ(Sha256(storage::EncodeCanonical(*back)), event.hash);
}

// Issue 12, item 2: the relay publishes the stored record as it is, so the
// payload bytes the hash covers travel untouched.
TEST(EnvelopeWire, IsTheStoredRecordWithThePayloadBytesUntouched) {
  const RecordedEvent event = Sample(Actor{"p-yazd", Role::kDepartment, "永安街道", "各乡镇人民政府、街道办事处"});
  const std::string wire = EnvelopeToWire(event);
  EXPECT_EQ(wire, storage::EncodeRecord(event));
  EXPECT_NE(wire.find(event.data), std::string::npos);
  Result<RecordedEvent> back = EnvelopeFromWire(wire);
  ASSERT_TRUE(back.ok()) << back.status().ToString();
  EXPECT_EQ(storage::EncodeRecord(*back), wire);
  EXPECT_EQ(Sha256(storage::EncodeCanonical(*back)), event.hash);
}

// A broker may still hold messages an earlier release published (JSON
// envelopes) across an upgrade: both forms read back to the same event.
TEST(EnvelopeWire, ReadsTheJsonEnvelopeOfEarlierReleasesToTheSameEvent) {
  for (const Actor& actor : {Actor{"p-nyw", Role::kDepartment, "县农业农村委"},
                             Actor{"p-yazd", Role::kDepartment, "永安街道", "各乡镇人民政府、街道办事处"}}) {
    const RecordedEvent event = Sample(actor);
    Result<RecordedEvent> from_json = EnvelopeFromWire(EnvelopeToJson(event).dump());
    Result<RecordedEvent> from_record = EnvelopeFromWire(EnvelopeToWire(event));
    ASSERT_TRUE(from_json.ok()) << from_json.status().ToString();
    ASSERT_TRUE(from_record.ok()) << from_record.status().ToString();
    EXPECT_EQ(storage::EncodeRecord(*from_json), storage::EncodeRecord(event));
    EXPECT_EQ(storage::EncodeRecord(*from_record), storage::EncodeRecord(event));
  }
  // Pretty-printed JSON (white space first) is still JSON.
  EXPECT_TRUE(EnvelopeFromWire("\n " + EnvelopeToJson(Sample(Actor{"p", Role::kTaskForce, ""})).dump(2)).ok());
}

TEST(EnvelopeWire, RefusesWhatIsNeitherForm) {
  for (std::string_view junk : {std::string_view(""), std::string_view("\x01\x02"), std::string_view("[1,2]"),
                                std::string_view("{\"stream\":\"task-01\"}")}) {
    Result<RecordedEvent> read = EnvelopeFromWire(junk);
    ASSERT_FALSE(read.ok()) << junk;
    EXPECT_EQ(read.status().code(), StatusCode::kInvalidArgument) << junk;
  }
  const std::string record = EnvelopeToWire(Sample(Actor{"p", Role::kTaskForce, ""}));
  EXPECT_FALSE(EnvelopeFromWire(std::string_view(record).substr(0, record.size() - 1)).ok());
}

// Found by tests/fuzz/gateway/request_target_fuzz (?as_of=...00.Z): a dot
// with no digits after it was read as a fraction of zero.
TEST(ParseTimestamp, RefusesADotWithoutDigits) {
  EXPECT_EQ(ParseTimestamp("2024-12-31T10:00:00.Z"), std::nullopt);
  EXPECT_EQ(ParseTimestamp("2024-12-31T10:00:00.5Z"), ParseTimestamp("2024-12-31T10:00:00.500000Z"));
}

}  // namespace
}  // namespace kuimen
