#include "gateway/write_admission.h"

#include <string>
#include <thread>

#include "gateway/api.h"
#include "gateway/gateway_metrics.h"
#include "projections/projector.h"

namespace kuimen {

namespace {

// How often the watching write looks at the views' applied positions.
constexpr std::chrono::milliseconds kAdmissionPoll{2};

}  // namespace

WriteAdmission::WriteAdmission(EventStore& store, std::vector<Projector*> views, std::uint64_t max_lag,
                               std::chrono::milliseconds wait)
    : store_(store), views_(std::move(views)), max_lag_(max_lag), wait_(wait) {}

Projector* WriteAdmission::Lagging(GlobalPosition needed) const {
  for (Projector* view : views_) {
    if (view->applied_through() < needed) return view;
  }
  return nullptr;
}

std::uint64_t WriteAdmission::Progress() const {
  std::uint64_t sum = 0;
  for (const Projector* view : views_) sum += view->applied_through().value;
  return sum;
}

Status WriteAdmission::Admit() {
  const std::uint64_t head = store_.Head().position.value;
  if (head <= max_lag_) return Status::Ok();
  const GlobalPosition needed(head - max_lag_);  // each view must have applied this far
  if (Lagging(needed) == nullptr) return Status::Ok();  // the usual case: no lock, no wait

  const auto deadline = std::chrono::steady_clock::now() + wait_;
  std::unique_lock lock(mu_);
  bool watcher = false;
  Projector* lagging = Lagging(needed);
  while (lagging != nullptr && std::chrono::steady_clock::now() < deadline) {
    if (!watching_) {
      // Nobody watches the views: this write does, until it leaves. The
      // projector's own condition is not waited on: its lock is the one the
      // view's fold takes.
      watching_ = watcher = true;
    }
    if (watcher) {
      const std::uint64_t before = Progress();
      lock.unlock();
      std::this_thread::sleep_for(kAdmissionPoll);
      lock.lock();
      if (Progress() != before) moved_.notify_all();
    } else {
      moved_.wait_until(lock, deadline);
    }
    lagging = Lagging(needed);
  }
  if (watcher) {
    watching_ = false;
    moved_.notify_all();  // another waiting write takes over the watch
  }
  lock.unlock();
  if (lagging == nullptr) return Status::Ok();
  const std::uint64_t applied = lagging->applied_through().value;
  return Status::Unavailable("a view served here has applied the log through position " + std::to_string(applied) +
                                 " of " + std::to_string(head) + ", more than " + std::to_string(max_lag_) +
                                 " events behind after " + std::to_string(wait_.count()) +
                                 " ms; nothing was appended, retry after Retry-After",
                             "views_behind");
}

Status AdmitSubmission(ApiContext& api) {
  if (!api.admit_write) return Status::Ok();
  Status admitted = api.admit_write();
  if (!admitted.ok()) api.metrics.CountSubmission(admitted);
  return admitted;
}

}  // namespace kuimen
