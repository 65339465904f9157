#include "domain/stream_kind.h"

#include <string>

#include "domain/event_validation.h"

namespace kuimen {

namespace {

constexpr std::string_view kAssessmentPrefix = "assessment-";
constexpr std::string_view kPrincipalsName = "principals";

bool HasNumberAfter(std::string_view name, std::string_view prefix) {
  if (name.substr(0, prefix.size()) != prefix || name.size() == prefix.size()) return false;
  for (char c : name.substr(prefix.size())) {
    if (c < '0' || c > '9') return false;
  }
  return true;
}

}  // namespace

std::string_view StreamKindName(StreamKind kind) {
  switch (kind) {
    case StreamKind::kTask: return "task";
    case StreamKind::kMajor: return "major";
    case StreamKind::kAssessment: return "assessment";
    case StreamKind::kPrincipals: return "principals";
  }
  return "unknown";
}

Result<StreamKind> ClassifyStream(const StreamId& stream) {
  if (AssessmentStreamYear(stream).has_value()) return StreamKind::kAssessment;
  if (HasNumberAfter(stream.value, "task-")) return StreamKind::kTask;
  if (HasNumberAfter(stream.value, "major-")) return StreamKind::kMajor;
  if (stream.value == kPrincipalsName) return StreamKind::kPrincipals;
  return Status::NotFound("\"" + stream.value +
                          "\" is not a stream name: streams are task-NN, major-N, assessment-YYYY "
                          "(years " + std::to_string(kMinAssessmentYear) + ".." +
                          std::to_string(kMaxAssessmentYear) + ") and principals");
}

StreamId PrincipalsStream() { return StreamId{std::string(kPrincipalsName)}; }

StreamId AssessmentStream(int year) { return StreamId{std::string(kAssessmentPrefix) + std::to_string(year)}; }

std::optional<int> AssessmentStreamYear(const StreamId& stream) {
  const std::string_view name = stream.value;
  // Exactly four digits, so that one year has exactly one stream name.
  if (name.size() != kAssessmentPrefix.size() + 4 || !HasNumberAfter(name, kAssessmentPrefix)) return std::nullopt;
  const int year = std::stoi(std::string(name.substr(kAssessmentPrefix.size())));
  if (year < kMinAssessmentYear || year > kMaxAssessmentYear) return std::nullopt;
  return year;
}

}  // namespace kuimen
