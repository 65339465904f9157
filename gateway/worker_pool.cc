#include "gateway/worker_pool.h"

#include <algorithm>

#include "eventstore/thread_name.h"

namespace kuimen {

WorkerPool::WorkerPool(std::size_t max_threads, std::size_t min_threads, std::chrono::milliseconds idle_retire)
    : max_threads_(std::max<std::size_t>(1, max_threads)),
      min_threads_(std::min(min_threads, std::max<std::size_t>(1, max_threads))),
      idle_retire_(idle_retire) {
  std::lock_guard lock(mu_);
  for (std::size_t i = 0; i < min_threads_; ++i) StartThread();
}

WorkerPool::~WorkerPool() { Stop(); }

void WorkerPool::StartThread() {
  ++alive_;
  threads_.emplace_back([this] {
    NameThisThread("http-worker");
    Run();
  });
}

void WorkerPool::ReapRetired() {
  for (const std::thread::id id : retired_) {
    auto it = std::find_if(threads_.begin(), threads_.end(), [id](const std::thread& t) { return t.get_id() == id; });
    if (it == threads_.end()) continue;
    it->join();  // it has left Run and takes no lock again: quick
    threads_.erase(it);
  }
  retired_.clear();
}

void WorkerPool::Submit(std::function<void()> job) {
  {
    std::lock_guard lock(mu_);
    if (stopping_) return;
    jobs_.push_back(std::move(job));
    // Every thread busy (or about to take a job already queued): one more.
    if (idle_ < jobs_.size() && alive_ < max_threads_) {
      ReapRetired();
      StartThread();
      return;
    }
  }
  ready_.notify_one();
}

void WorkerPool::Stop() {
  std::vector<std::thread> threads;
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
  }
  ready_.notify_all();
  // Threads are only started by Submit and the constructor; once stopping,
  // the list no longer grows.
  {
    std::lock_guard lock(mu_);
    threads.swap(threads_);
    retired_.clear();
  }
  for (std::thread& thread : threads) {
    if (thread.joinable()) thread.join();
  }
}

std::size_t WorkerPool::threads() const {
  std::lock_guard lock(mu_);
  return alive_;
}

void WorkerPool::Run() {
  std::unique_lock lock(mu_);
  for (;;) {
    ++idle_;
    const bool woken = ready_.wait_for(lock, idle_retire_, [this] { return stopping_ || !jobs_.empty(); });
    --idle_;
    if (!woken && alive_ > min_threads_) break;  // idle long enough, and more than the minimum: end
    if (jobs_.empty()) {
      if (stopping_) break;  // stopping, and nothing left to run
      continue;
    }
    std::function<void()> job = std::move(jobs_.front());
    jobs_.pop_front();
    lock.unlock();
    job();
    job = nullptr;  // what it holds goes before the lock is taken again
    lock.lock();
  }
  --alive_;
  if (!stopping_) retired_.push_back(std::this_thread::get_id());
}

}  // namespace kuimen
