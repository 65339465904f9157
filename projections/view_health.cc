#include "projections/view_health.h"

namespace kuimen {

std::string_view ViewProblemName(ViewProblem problem) {
  switch (problem) {
    case ViewProblem::kNone: return "";
    case ViewProblem::kStopped: return "stopped";
    case ViewProblem::kFailed: return "failed";
    case ViewProblem::kLagging: return "lagging";
  }
  return "unknown";
}

}  // namespace kuimen
