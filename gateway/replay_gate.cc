#include "gateway/replay_gate.h"

#include <algorithm>
#include <thread>

namespace kuimen {

ReplayGate::ReplayGate(int slots) : free_(std::max(1, slots)) {}

ReplayGate::Ticket::~Ticket() {
  if (gate_ != nullptr) gate_->Leave();
}

Result<ReplayGate::Ticket> ReplayGate::Enter(std::chrono::milliseconds wait) {
  std::unique_lock lock(mu_);
  if (!freed_.wait_for(lock, wait, [this] { return free_ > 0; })) {
    return Status::Unavailable("服务器正在处理其他历史查询或检索，请稍后再试", "replay_busy");
  }
  --free_;
  return Ticket(this);
}

void ReplayGate::Leave() {
  {
    std::lock_guard lock(mu_);
    ++free_;
  }
  freed_.notify_one();
}

int ReplayGate::DefaultSlots() {
  const int cores = static_cast<int>(std::thread::hardware_concurrency());
  return std::max(1, cores - 1);
}

}  // namespace kuimen
