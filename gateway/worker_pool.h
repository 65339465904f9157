#pragma once

#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <deque>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

namespace kuimen {

// Threads running submitted jobs in order of submission. Thread-safe.
// Elastic: it keeps `min_threads` and starts another thread (up to
// `max_threads`) only when a job arrives and no thread is idle; a thread
// beyond the minimum that has been idle for `idle_retire` ends. So an idle
// service holds few threads, while handlers that mostly wait (a write waiting
// for its group commit's fsync) still get as many threads as requests waiting.
// Stop (or the destructor) runs every job already submitted, then joins the
// threads; jobs submitted after Stop are dropped.
class WorkerPool {
 public:
  explicit WorkerPool(std::size_t max_threads, std::size_t min_threads = 0,
                      std::chrono::milliseconds idle_retire = std::chrono::seconds(30));
  ~WorkerPool();
  WorkerPool(const WorkerPool&) = delete;
  WorkerPool& operator=(const WorkerPool&) = delete;

  void Submit(std::function<void()> job);
  void Stop();

  // Threads alive now (started, not yet ended). For tests and metrics.
  std::size_t threads() const;

 private:
  void Run();
  void StartThread();  // with mu_ held
  void ReapRetired();  // with mu_ held

  const std::size_t max_threads_;
  const std::size_t min_threads_;
  const std::chrono::milliseconds idle_retire_;
  mutable std::mutex mu_;
  std::condition_variable ready_;
  std::deque<std::function<void()>> jobs_;
  bool stopping_ = false;
  std::size_t alive_ = 0;
  std::size_t idle_ = 0;
  std::vector<std::thread> threads_;
  std::vector<std::thread::id> retired_;  // ended, not yet joined
};

}  // namespace kuimen
