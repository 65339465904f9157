#include "gateway/write_admission.h"

#include <string>
#include <thread>

#include "gateway/api.h"
#include "gateway/gateway_metrics.h"
#include "projections/projector.h"

namespace kuimen {

namespace {

constexpr std::chrono::milliseconds kAdmissionPoll{2};

}  // namespace

Status AdmitWrite(EventStore& store, const std::vector<Projector*>& views, std::uint64_t max_lag,
                  std::chrono::milliseconds wait) {
  const std::uint64_t head = store.Head().position.value;
  if (head <= max_lag) return Status::Ok();
  const GlobalPosition needed(head - max_lag);  // each view must have applied this far
  const auto deadline = std::chrono::steady_clock::now() + wait;
  for (Projector* view : views) {
    if (view->applied_through() >= needed) continue;  // the usual case: no wait, no lock held long
    // Polled, not waited on the projector's condition: a hundred writers
    // woken at every chunk would fight the projector for its lock.
    while (view->applied_through() < needed && std::chrono::steady_clock::now() < deadline) {
      std::this_thread::sleep_for(kAdmissionPoll);
    }
    if (view->applied_through() >= needed) continue;
    const std::uint64_t applied = view->applied_through().value;
    return Status::Unavailable("a view served here has applied the log through position " + std::to_string(applied) +
                                   " of " + std::to_string(head) + ", more than " + std::to_string(max_lag) +
                                   " events behind; nothing was appended, retry after Retry-After",
                               "views_behind");
  }
  return Status::Ok();
}

Status AdmitSubmission(ApiContext& api) {
  if (!api.admit_write) return Status::Ok();
  Status admitted = api.admit_write();
  if (!admitted.ok()) api.metrics.CountSubmission(admitted);
  return admitted;
}

}  // namespace kuimen
