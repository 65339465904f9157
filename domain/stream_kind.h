#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "domain/ids.h"
#include "domain/status.h"

namespace kuimen {

// The kinds of stream in the log, told apart by name alone. The one place that
// decides which aggregate owns a stream (eventstore/command_handler.h routes on it).
enum class StreamKind {
  kTask,        // "task-07": a key task of 附件2       -> TaskAggregate
  kMajor,       // "major-3": an item of 附件1           -> TaskAggregate
  kAssessment,  // "assessment-2024": a year's 年终综合考核 -> AssessmentAggregate
  kPrincipals,  // "principals": who may act, and the townships -> PrincipalDirectory
  kUrges,       // "urges": the task force's 催办 to units          -> UrgeAggregate
};

std::string_view StreamKindName(StreamKind kind);  // "task", "major", "assessment", "principals", "urges"

// The kind of a stream by its spelling: "task-" or "major-" followed by a
// number, "assessment-" followed by a year 2000..2100 written with four
// digits, or exactly "principals" or "urges". kNotFound for any other name. Whether the
// catalog has that task or major item is for domain/supervised_item.h's
// ResolveStream to say.
Result<StreamKind> ClassifyStream(const StreamId& stream);

// The stream as a clerk names it, for Chinese messages: "第7项重点任务"
// (task-07), "第3项重大事项" (major-3), "2024年度考核" (assessment-2024),
// "账号名册" (principals); any other name quoted as is.
std::string StreamDisplayName(const StreamId& stream);

// "principals": the one stream of principals and townships.
StreamId PrincipalsStream();

// "urges": the one stream of the task force's 催办 (UrgeSent).
StreamId UrgesStream();

// "assessment-2024". Precondition: 2000 <= year <= 2100.
StreamId AssessmentStream(int year);

// The year of an assessment stream's name, or nullopt if it is not one.
std::optional<int> AssessmentStreamYear(const StreamId& stream);

}  // namespace kuimen
