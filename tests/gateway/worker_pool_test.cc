// The HTTP worker pool (gateway/worker_pool.h): elastic between one thread
// per core and its maximum. Counts and orders, never timings.
#include "gateway/worker_pool.h"

#include <atomic>
#include <condition_variable>
#include <mutex>

#include <gtest/gtest.h>

#include "tests/projections/wait.h"

namespace kuimen::testing {
namespace {

// Jobs that wait until released, counting how many wait at once.
class Gate {
 public:
  void Wait() {
    std::unique_lock lock(mu_);
    ++waiting_;
    changed_.notify_all();
    changed_.wait(lock, [this] { return open_; });
  }
  void WaitForWaiting(int count) {
    std::unique_lock lock(mu_);
    changed_.wait(lock, [&] { return waiting_ >= count; });
  }
  void Open() {
    std::lock_guard lock(mu_);
    open_ = true;
    changed_.notify_all();
  }

 private:
  std::mutex mu_;
  std::condition_variable changed_;
  int waiting_ = 0;
  bool open_ = false;
};

TEST(HttpWorkerPool, StartsOnlyItsMinimumAndGrowsWhileJobsWaitForAThread) {
  WorkerPool pool(/*max_threads=*/8, /*min_threads=*/1);
  EXPECT_EQ(pool.threads(), 1u);
  Gate gate;
  for (int i = 0; i < 8; ++i) pool.Submit([&] { gate.Wait(); });
  gate.WaitForWaiting(8);  // all eight run at once: eight threads
  EXPECT_EQ(pool.threads(), 8u);
  gate.Open();
}

TEST(HttpWorkerPool, NeverExceedsItsMaximumAndRunsEveryJobQueuedBeyondIt) {
  std::atomic<int> done = 0;
  {
    WorkerPool pool(/*max_threads=*/3, /*min_threads=*/1);
    Gate gate;
    for (int i = 0; i < 3; ++i) pool.Submit([&] { gate.Wait(); ++done; });
    gate.WaitForWaiting(3);
    for (int i = 0; i < 20; ++i) pool.Submit([&] { ++done; });
    EXPECT_EQ(pool.threads(), 3u);
    gate.Open();
    pool.Stop();  // runs what was submitted before returning
  }
  EXPECT_EQ(done.load(), 23);
}

TEST(HttpWorkerPool, ThreadsBeyondTheMinimumEndOnceIdleAndTheEndedAreReplacedOnDemand) {
  WorkerPool pool(/*max_threads=*/6, /*min_threads=*/2, /*idle_retire=*/std::chrono::milliseconds(20));
  for (int round = 0; round < 2; ++round) {
    Gate gate;
    for (int i = 0; i < 6; ++i) pool.Submit([&] { gate.Wait(); });
    gate.WaitForWaiting(6);
    EXPECT_EQ(pool.threads(), 6u);
    gate.Open();
    WaitUntil([&] { return pool.threads() == 2; });
  }
  std::atomic<bool> ran = false;
  pool.Submit([&] { ran = true; });
  WaitUntil([&] { return ran.load(); });
}

}  // namespace
}  // namespace kuimen::testing
