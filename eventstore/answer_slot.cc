#include "eventstore/answer_slot.h"

#include <linux/futex.h>
#include <sys/syscall.h>
#include <unistd.h>

namespace kuimen::futex_word {

static_assert(sizeof(std::atomic<std::uint32_t>) == sizeof(std::uint32_t) &&
                  std::atomic<std::uint32_t>::is_always_lock_free,
              "a futex word is a plain 32-bit integer");

void WaitWhile(std::atomic<std::uint32_t>& word, std::uint32_t expected) {
  // EAGAIN (the word changed already) and EINTR both mean: look again.
  syscall(SYS_futex, reinterpret_cast<std::uint32_t*>(&word), FUTEX_WAIT_PRIVATE, expected, nullptr, nullptr, 0);
}

void WakeOne(std::atomic<std::uint32_t>* word) {
  syscall(SYS_futex, reinterpret_cast<std::uint32_t*>(word), FUTEX_WAKE_PRIVATE, 1, nullptr, nullptr, 0);
}

}  // namespace kuimen::futex_word
