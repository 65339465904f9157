#pragma once

#include <cstdio>
#include <cstdlib>
#include <exception>

// What a fuzz target asserts. A broken property prints what broke and aborts,
// which libFuzzer reports as a crash and saves the input (ops/fuzz.sh prints
// its path). Kept apart from GoogleTest: a fuzz target has libFuzzer's main().
#define FUZZ_CHECK(condition, what)                                                     \
  do {                                                                                  \
    if (!(condition)) {                                                                 \
      std::fprintf(stderr, "\nFUZZ_CHECK failed at %s:%d: %s\n  property: %s\n", __FILE__, \
                   __LINE__, #condition, what);                                         \
      std::abort();                                                                     \
    }                                                                                   \
  } while (false)

namespace kuimen::fuzz {

// Runs one input's checks; an exception that escapes the code under test is a
// finding (libraries' exceptions must stop at the adapter and become a Status).
template <typename Body>
int Guarded(Body&& body) {
  try {
    body();
  } catch (const std::exception& error) {
    std::fprintf(stderr, "\nan exception escaped the code under test: %s\n", error.what());
    std::abort();
  } catch (...) {
    std::fprintf(stderr, "\nan exception of unknown type escaped the code under test\n");
    std::abort();
  }
  return 0;
}

}  // namespace kuimen::fuzz
