#pragma once

#include <chrono>
#include <functional>
#include <thread>

#include <gtest/gtest.h>

namespace kuimen::testing {

// Polls `done` until it holds or `limit` passes (then the test fails). For
// waiting on other threads and processes — a deadline, never a timing claim.
inline void WaitUntil(const std::function<bool()>& done,
                      std::chrono::milliseconds limit = std::chrono::seconds(60)) {
  const auto deadline = std::chrono::steady_clock::now() + limit;
  while (!done()) {
    if (std::chrono::steady_clock::now() > deadline) {
      ADD_FAILURE() << "condition not reached within " << limit.count() << " ms";
      return;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
}

}  // namespace kuimen::testing
