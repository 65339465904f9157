#include "gateway/envelope_text.h"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "eventstore/envelope_json.h"
#include "eventstore/event_codec.h"
#include "eventstore/event_id.h"
#include "gateway/http_error.h"

namespace kuimen {
namespace {

RecordedEvent Recorded(const EventData& data, Actor actor) {
  const EncodedEvent encoded = EncodeEvent(data);
  RecordedEvent event;
  event.id = *EventId::Parse("0b6c4a1e-8f3d-4c1a-9e2b-7d5f3a2c1bf0");
  event.stream = StreamId{"task-07"};
  event.version = StreamVersion(12);
  event.position = GlobalPosition(40321);
  event.type = encoded.type;
  event.schema_version = encoded.schema_version;
  event.recorded_at = Timestamp(std::chrono::microseconds(1733215980123456));
  event.actor = std::move(actor);
  event.data = encoded.data;
  for (std::size_t i = 0; i < event.hash.size(); ++i) {
    event.prev_hash[i] = static_cast<std::uint8_t>(i * 7);
    event.hash[i] = static_cast<std::uint8_t>(255 - i);
  }
  return event;
}

// What the write route answered before: the envelope as a JSON tree, dumped.
std::string AsTree(const RecordedEvent& event) {
  nlohmann::ordered_json reply;
  reply["event"] = EnvelopeToJson(event);
  return DumpJson(reply);
}

TEST(SubmittedEventJson, IsByteForByteTheDumpOfTheEnvelopeTree) {
  using namespace std::chrono;
  const Actor lead{"p-县教委", Role::kDepartment, "县教委"};
  const Actor township{"p-town", Role::kDepartment, "白帝镇", "乡镇（街道）"};
  const std::vector<std::pair<EventData, Actor>> cases = {
      {DeadlineSet{"年度目标 \"一\"\\二\n三\t\x01", year(2024) / December / 31, ""}, lead},
      {TaskReopened{"复核：完成率100%"}, township},
      {ProgressReported{year(2024) / November, "已完成 3/4，余下 12.5%", 62.75,
                        {IndicatorValue{"新增学位", 1234.5, "个"}}, {}, {}},
       lead},
  };
  for (const auto& [data, actor] : cases) {
    const RecordedEvent event = Recorded(data, actor);
    EXPECT_EQ(SubmittedEventJson(event), AsTree(event));
  }
}

TEST(SubmittedEventJson, ReplacesBrokenUtf8InTheEnvelopeAsTheDumpDoes) {
  const RecordedEvent event = Recorded(TaskReopened{"复核"}, Actor{"p-\xff", Role::kTaskForce, "专班\xc3"});
  EXPECT_EQ(SubmittedEventJson(event), AsTree(event));
  EXPECT_NE(SubmittedEventJson(event).find("p-\xef\xbf\xbd"), std::string::npos);
}

}  // namespace
}  // namespace kuimen
