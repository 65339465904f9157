#pragma once

#include <atomic>
#include <cstdint>
#include <optional>
#include <utility>

namespace kuimen {

namespace futex_word {
// Sleeps while *word == expected (or until a wake-up, perhaps spurious).
void WaitWhile(std::atomic<std::uint32_t>& word, std::uint32_t expected);
// Wakes one thread sleeping on `word`. The word may be gone already: the
// kernel only uses its address, and a sleeper it wakes spuriously looks again.
void WakeOne(std::atomic<std::uint32_t>* word);
}  // namespace futex_word

// One caller's answer, set once by another thread (the store's writer) while
// the caller waits for it. Instead of a std::promise per append (a shared
// state on the heap, a once-flag and a mutex): the caller sleeps on a futex
// word, and the writer makes a wake-up system call only for a caller that
// has gone to sleep. The slot lives on the caller's stack; once Set() has
// published the answer the caller may return and the slot go away, so Set()
// touches nothing of it after that but the word's address.
template <typename T>
class AnswerSlot {
 public:
  void Set(T value) {
    value_.emplace(std::move(value));
    std::atomic<std::uint32_t>* word = &state_;
    if (state_.exchange(kSet, std::memory_order_acq_rel) == kAsleep) futex_word::WakeOne(word);
  }

  T Take() {
    std::uint32_t state = state_.load(std::memory_order_acquire);
    while (state != kSet) {
      if (state == kEmpty && !state_.compare_exchange_weak(state, kAsleep, std::memory_order_acq_rel)) continue;
      futex_word::WaitWhile(state_, kAsleep);
      state = state_.load(std::memory_order_acquire);
    }
    return std::move(*value_);
  }

 private:
  static constexpr std::uint32_t kEmpty = 0;
  static constexpr std::uint32_t kAsleep = 1;  // the caller sleeps on the word: Set() must wake it
  static constexpr std::uint32_t kSet = 2;
  std::optional<T> value_;
  std::atomic<std::uint32_t> state_{kEmpty};
};

}  // namespace kuimen
