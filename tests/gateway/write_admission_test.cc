// Bounded view lag on the write path (issue 12, item 4): a write is admitted
// while every view served here is within the bound of the log head, waits a
// little for one that is not, and is refused (views_behind) if it stays behind.
#include "gateway/write_admission.h"

#include <future>
#include <vector>

#include <gtest/gtest.h>

#include "eventstore/event_codec.h"
#include "gateway/error_codes.h"
#include "projections/projector.h"
#include "tests/eventstore/store_fixture.h"
#include "tests/projections/recording_view.h"

namespace kuimen {
namespace {

class WriteAdmissionTest : public testing::StoreTest {
 protected:
  void SetUp() override {
    store_ = Open();
    EncodedEvent encoded = EncodeEvent(TaskCompleted{"完成"});
    for (int i = 0; i < 5; ++i) {
      auto stored = store_->Append(StreamId{"task-0" + std::to_string(i % 2 + 1)}, std::nullopt,
                                   {ProposedEvent{std::nullopt, encoded.type, encoded.schema_version,
                                                  Actor{"p-tf", Role::kTaskForce, ""}, encoded.data}});
      ASSERT_TRUE(stored.ok());
    }
    auto projector = Projector::Open(std::make_unique<testing::RecordingView>(),
                                     ProjectorOptions{dir_.path() / "view", nullptr}, store_.get());
    ASSERT_TRUE(projector.ok()) << projector.status().ToString();
    projector_ = std::move(projector).value();
  }

  std::unique_ptr<EventStore> store_;
  std::unique_ptr<Projector> projector_;
};

TEST_F(WriteAdmissionTest, AWriteIsRefusedWhileAViewTrailsBeyondTheBound) {
  // The view has applied nothing of 5 events: 5 behind.
  Status refused = WriteAdmission(*store_, {projector_.get()}, /*max_lag=*/2, std::chrono::milliseconds(0)).Admit();
  EXPECT_EQ(refused.code(), StatusCode::kUnavailable);
  EXPECT_EQ(refused.error_code(), "views_behind");
  const ErrorCodeEntry* entry = FindErrorCode("views_behind");
  ASSERT_NE(entry, nullptr);
  EXPECT_EQ(entry->http_status, 503);
  EXPECT_EQ(store_->Head().position, GlobalPosition(5));  // nothing appended

  EXPECT_TRUE(WriteAdmission(*store_, {projector_.get()}, 5, std::chrono::milliseconds(0)).Admit().ok());  // within the bound
  EXPECT_TRUE(WriteAdmission(*store_, {}, 0, std::chrono::milliseconds(0)).Admit().ok());                  // no view served here
}

TEST_F(WriteAdmissionTest, AWriteWaitsForAViewThatCatchesUpAndIsThenAdmitted) {
  auto admitted = std::async(std::launch::async, [&] {
    return WriteAdmission(*store_, {projector_.get()}, 2, std::chrono::seconds(60)).Admit();
  });
  ASSERT_TRUE(projector_->CatchUpFromLog().ok());
  EXPECT_TRUE(admitted.get().ok());
  EXPECT_EQ(projector_->Health(store_->Head().position, 2).lag, 0u);
}

// Many writes waiting at once (one per connection under load) share one
// watcher of the views; when the view catches up, every one of them is
// admitted, none is left waiting for a wake-up that never comes.
TEST_F(WriteAdmissionTest, ManyWaitingWritesAreAllAdmittedOnceTheViewCatchesUp) {
  WriteAdmission admission(*store_, {projector_.get()}, 2, std::chrono::seconds(60));
  std::vector<std::future<Status>> writes;
  for (int i = 0; i < 16; ++i) {
    writes.push_back(std::async(std::launch::async, [&] { return admission.Admit(); }));
  }
  ASSERT_TRUE(projector_->CatchUpFromLog().ok());
  for (auto& write : writes) EXPECT_TRUE(write.get().ok());
}

// A view that stays behind for the whole wait: every waiting write is
// refused with the same code, the watcher's leaving hands the watch on and
// nobody waits past its own deadline; nothing is appended.
TEST_F(WriteAdmissionTest, EveryWaitingWriteIsRefusedWhenTheViewStaysBehindForTheWholeWait) {
  WriteAdmission admission(*store_, {projector_.get()}, 2, std::chrono::milliseconds(20));
  std::vector<std::future<Status>> writes;
  for (int i = 0; i < 8; ++i) {
    writes.push_back(std::async(std::launch::async, [&] { return admission.Admit(); }));
  }
  for (auto& write : writes) {
    Status refused = write.get();
    EXPECT_EQ(refused.code(), StatusCode::kUnavailable);
    EXPECT_EQ(refused.error_code(), "views_behind");
  }
  EXPECT_EQ(store_->Head().position, GlobalPosition(5));
  // The view catches up: the next write is admitted at once.
  ASSERT_TRUE(projector_->CatchUpFromLog().ok());
  EXPECT_TRUE(admission.Admit().ok());
}

}  // namespace
}  // namespace kuimen
