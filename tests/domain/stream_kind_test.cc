#include "domain/stream_kind.h"

#include <gtest/gtest.h>

#include "tests/support/behaviour_name.h"

namespace kuimen {
namespace {

struct KindCase {
  const char* behaviour;
  const char* stream;
  StatusCode code;
  StreamKind kind;  // when kOk
};

class ClassifyStreamTable : public ::testing::TestWithParam<KindCase> {};

TEST_P(ClassifyStreamTable, TellsTheKindByName) {
  Result<StreamKind> kind = ClassifyStream(StreamId{GetParam().stream});
  EXPECT_EQ(kind.status().code(), GetParam().code) << kind.status().ToString();
  if (kind.ok()) {
    EXPECT_EQ(*kind, GetParam().kind);
  }
}

INSTANTIATE_TEST_SUITE_P(
    Table, ClassifyStreamTable,
    ::testing::Values(KindCase{"a task", "task-07", StatusCode::kOk, StreamKind::kTask},
                      KindCase{"a major item", "major-3", StatusCode::kOk, StreamKind::kMajor},
                      KindCase{"an assessment year", "assessment-2024", StatusCode::kOk, StreamKind::kAssessment},
                      KindCase{"the first assessment year", "assessment-2000", StatusCode::kOk, StreamKind::kAssessment},
                      KindCase{"the last assessment year", "assessment-2100", StatusCode::kOk, StreamKind::kAssessment},
                      KindCase{"the principals", "principals", StatusCode::kOk, StreamKind::kPrincipals},
                      KindCase{"a principal's own stream", "principals-1", StatusCode::kNotFound, StreamKind::kTask},
                      KindCase{"a year before 2000", "assessment-1999", StatusCode::kNotFound, StreamKind::kTask},
                      KindCase{"a year after 2100", "assessment-2101", StatusCode::kNotFound, StreamKind::kTask},
                      KindCase{"a year of two digits", "assessment-24", StatusCode::kNotFound, StreamKind::kTask},
                      KindCase{"a year with a sign", "assessment-+202", StatusCode::kNotFound, StreamKind::kTask},
                      KindCase{"a task without a number", "task-", StatusCode::kNotFound, StreamKind::kTask},
                      KindCase{"another prefix", "audit-2024", StatusCode::kNotFound, StreamKind::kTask},
                      KindCase{"nothing", "", StatusCode::kNotFound, StreamKind::kTask}),
    testing::ByBehaviour());

TEST(AssessmentStream, IsNamedByItsYear) {
  EXPECT_EQ(AssessmentStream(2024).value, "assessment-2024");
  EXPECT_EQ(AssessmentStreamYear(StreamId{"assessment-2024"}), 2024);
  EXPECT_EQ(AssessmentStreamYear(StreamId{"task-07"}), std::nullopt);
  EXPECT_EQ(StreamKindName(StreamKind::kAssessment), "assessment");
}

}  // namespace
}  // namespace kuimen
