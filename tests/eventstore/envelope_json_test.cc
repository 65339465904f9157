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

// Found by tests/fuzz/gateway/request_target_fuzz (?as_of=...00.Z): a dot
// with no digits after it was read as a fraction of zero.
TEST(ParseTimestamp, RefusesADotWithoutDigits) {
  EXPECT_EQ(ParseTimestamp("2024-12-31T10:00:00.Z"), std::nullopt);
  EXPECT_EQ(ParseTimestamp("2024-12-31T10:00:00.5Z"), ParseTimestamp("2024-12-31T10:00:00.500000Z"));
}

}  // namespace
}  // namespace kuimen
