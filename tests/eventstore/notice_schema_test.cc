// A store written before NoticeIssued and NoticeClosed gained schema 2 (the
// 文号 and 未整改销号) opens and replays unchanged: its version-1 notices are
// read through the codec's upcasters and decide the next command as before.
#include <fstream>
#include <sstream>

#include <gtest/gtest.h>

#include "domain/task_rules.h"
#include "eventstore/catalog_codec.h"
#include "eventstore/command_handler.h"
#include "eventstore/event_codec.h"
#include "tests/eventstore/store_fixture.h"

namespace kuimen {
namespace {

std::string Golden(const std::string& name) {
  std::ifstream in(std::string(KUIMEN_SOURCE_DIR) + "/tests/eventstore/golden/" + name);
  std::stringstream text;
  text << in.rdbuf();
  std::string content = text.str();
  while (!content.empty() && content.back() == '\n') content.pop_back();
  return content;
}

class NoticeSchemaTest : public testing::StoreTest {};

TEST_F(NoticeSchemaTest, AStoreOfVersionOneNoticesReplaysAndDecidesAsBefore) {
  const Actor taskforce{"p-tf", Role::kTaskForce, ""};
  const Actor lead{"p-nyw", Role::kDepartment, "县农业农村委"};
  {
    std::unique_ptr<EventStore> store = Open();
    ASSERT_NE(store, nullptr);
    // As an earlier build wrote them: a notice, and its closing without an answer.
    std::vector<ProposedEvent> old;
    old.push_back(ProposedEvent{std::nullopt, "NoticeIssued", 1, taskforce, Golden("NoticeIssued.v1.json")});
    old.push_back(ProposedEvent{std::nullopt, "NoticeClosed", 1, taskforce, Golden("NoticeClosed.v1.json")});
    ASSERT_TRUE(store->Append(StreamId{"task-07"}, StreamVersion(0), std::move(old)).ok());
  }
  std::unique_ptr<EventStore> store = Open();
  ASSERT_NE(store, nullptr);
  std::vector<RecordedEvent> stored = Drain(store->ReadAll(GlobalPosition(1)));
  ASSERT_EQ(stored.size(), 2u);
  for (const RecordedEvent& event : stored) {
    EXPECT_EQ(event.schema_version, 1u);
    Result<EventData> decoded = DecodeEvent(event.type, event.schema_version, event.data);
    EXPECT_TRUE(decoded.ok()) << event.type << ": " << decoded.status().ToString();
  }

  Result<Catalog> catalog = LoadDefaultCatalog();
  ASSERT_TRUE(catalog.ok());
  CommandHandler handler(*store, *catalog, clock_);
  Result<TaskAggregate> aggregate = handler.Load(StreamId{"task-07"});
  ASSERT_TRUE(aggregate.ok()) << aggregate.status().ToString();
  const NoticeState* notice = aggregate->FindNotice("DB-2024-007");
  ASSERT_NE(notice, nullptr);
  EXPECT_TRUE(notice->closed);
  EXPECT_FALSE(notice->answered);

  // The old closing still stands: the notice takes no signature, its id stays taken.
  Result<RecordedEvent> sign = handler.Submit(Submission{StreamId{"task-07"}, lead, NoticeSigned{"DB-2024-007"}, std::nullopt, std::nullopt});
  EXPECT_EQ(sign.status().code(), StatusCode::kFailedPrecondition);
  EXPECT_EQ(sign.status().subject(), RuleId(TaskRule::kNoticeClosed));
  // New events are written in the current versions beside the old ones.
  Result<RecordedEvent> issued = handler.Submit(Submission{
      StreamId{"task-07"}, taskforce,
      NoticeIssued{"DB-2024-008", "进度滞后", std::chrono::year(2025) / std::chrono::January / 15, "奉三位一体督〔2024〕1号"},
      std::nullopt, std::nullopt});
  ASSERT_TRUE(issued.ok()) << issued.status().ToString();
  EXPECT_EQ(issued->schema_version, 2u);
  EXPECT_EQ(Drain(store->ReadAll(GlobalPosition(1)))[0].data, Golden("NoticeIssued.v1.json"));  // untouched
}

}  // namespace
}  // namespace kuimen
