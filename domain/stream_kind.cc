#include "domain/stream_kind.h"

#include <algorithm>
#include <string>

#include "domain/event_validation.h"

namespace kuimen {

namespace {

constexpr std::string_view kAssessmentPrefix = "assessment-";
constexpr std::string_view kPrincipalsName = "principals";
constexpr std::string_view kUrgesName = "urges";

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
    case StreamKind::kUrges: return "urges";
  }
  return "unknown";
}

Result<StreamKind> ClassifyStream(const StreamId& stream) {
  if (AssessmentStreamYear(stream).has_value()) return StreamKind::kAssessment;
  if (HasNumberAfter(stream.value, "task-")) return StreamKind::kTask;
  if (HasNumberAfter(stream.value, "major-")) return StreamKind::kMajor;
  if (stream.value == kPrincipalsName) return StreamKind::kPrincipals;
  if (stream.value == kUrgesName) return StreamKind::kUrges;
  return Status::NotFound("没有这个事项：事项编号应为重点任务、重大事项、考核年度（" +
                              std::to_string(kMinAssessmentYear) + "至" + std::to_string(kMaxAssessmentYear) +
                              "年）或账号名册之一",
                          "stream_not_found");
}

std::string StreamDisplayName(const StreamId& stream) {
  auto number = [&stream](std::string_view prefix) {
    std::string digits = stream.value.substr(prefix.size());
    digits.erase(0, std::min(digits.find_first_not_of('0'), digits.size() - 1));
    return digits;
  };
  if (std::optional<int> year = AssessmentStreamYear(stream)) return std::to_string(*year) + "年度考核";
  if (HasNumberAfter(stream.value, "task-")) return "第" + number("task-") + "项重点任务";
  if (HasNumberAfter(stream.value, "major-")) return "第" + number("major-") + "项重大事项";
  if (stream.value == kPrincipalsName) return "账号名册";
  if (stream.value == kUrgesName) return "催办记录";
  return "“" + stream.value + "”";
}

StreamId PrincipalsStream() { return StreamId{std::string(kPrincipalsName)}; }

StreamId UrgesStream() { return StreamId{std::string(kUrgesName)}; }

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
