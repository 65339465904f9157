#include "gateway/write_admission.h"

#include <string>

#include "gateway/api.h"
#include "gateway/gateway_metrics.h"
#include "projections/projector.h"

namespace kuimen {

Status AdmitWrite(EventStore& store, const std::vector<Projector*>& views, std::uint64_t max_lag,
                  std::chrono::milliseconds wait) {
  const std::uint64_t head = store.Head().position.value;
  if (head <= max_lag) return Status::Ok();
  const GlobalPosition needed(head - max_lag);  // each view must have applied this far
  const auto deadline = std::chrono::steady_clock::now() + wait;
  for (Projector* view : views) {
    if (view->applied_through() >= needed) continue;  // the usual case: no wait, no lock held long
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
    if (view->WaitForApplied(needed, std::max(left, std::chrono::milliseconds(0)))) continue;
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
