// Whole-log reads run a few at a time (gateway/replay_gate.h): one that finds
// every slot taken waits a moment, then is refused with replay_busy.
#include "gateway/replay_gate.h"

#include <chrono>
#include <future>
#include <optional>

#include <gtest/gtest.h>

namespace kuimen {
namespace {

using std::chrono::milliseconds;

TEST(ReplayGate, ARequestFindingEverySlotTakenIsRefusedAsBusy) {
  ReplayGate gate(1);
  Result<ReplayGate::Ticket> first = gate.Enter(milliseconds(0));
  ASSERT_TRUE(first.ok());
  Result<ReplayGate::Ticket> second = gate.Enter(milliseconds(0));
  ASSERT_FALSE(second.ok());
  EXPECT_EQ(second.status().code(), StatusCode::kUnavailable);
  EXPECT_EQ(second.status().reason(), "replay_busy");
}

TEST(ReplayGate, ASlotFreedWhileARequestWaitsGoesToIt) {
  ReplayGate gate(1);
  std::optional<Result<ReplayGate::Ticket>> held(gate.Enter(milliseconds(0)));
  ASSERT_TRUE(held->ok());
  // Waits far longer than the release takes; succeeds as soon as the slot frees.
  std::future<bool> waiter = std::async(std::launch::async, [&gate] { return gate.Enter(std::chrono::seconds(30)).ok(); });
  EXPECT_EQ(waiter.wait_for(milliseconds(50)), std::future_status::timeout);
  held.reset();  // the ticket leaves its slot
  EXPECT_TRUE(waiter.get());
}

TEST(ReplayGate, ATicketMovedKeepsItsOneSlot) {
  ReplayGate gate(2);
  Result<ReplayGate::Ticket> a = gate.Enter(milliseconds(0));
  ASSERT_TRUE(a.ok());
  {
    ReplayGate::Ticket moved = std::move(a).value();
    Result<ReplayGate::Ticket> b = gate.Enter(milliseconds(0));
    EXPECT_TRUE(b.ok());
    EXPECT_FALSE(gate.Enter(milliseconds(0)).ok());
  }
  // Both released: two slots again.
  Result<ReplayGate::Ticket> c = gate.Enter(milliseconds(0));
  Result<ReplayGate::Ticket> d = gate.Enter(milliseconds(0));
  EXPECT_TRUE(c.ok() && d.ok());
}

}  // namespace
}  // namespace kuimen
