#include "eventstore/thread_name.h"

#include <pthread.h>

#include <string>

namespace kuimen {

void NameThisThread(std::string_view name) {
  const std::string kept(name.substr(0, 15));  // the kernel's limit, without the terminating zero
  pthread_setname_np(pthread_self(), kept.c_str());
}

}  // namespace kuimen
