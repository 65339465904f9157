// 催办 (UrgeSent on the "urges" stream): only the task force urges, only
// units of the plan, with an optional short text free of control characters.
#include "domain/urge_aggregate.h"

#include <gtest/gtest.h>

#include "domain/stream_kind.h"

namespace kuimen {
namespace {

const Actor kTaskForce{"p-tf", Role::kTaskForce, ""};
const Actor kDepartment{"p-lyj", Role::kDepartment, "县林业局"};
const Actor kAuditor{"p-sj", Role::kAuditor, ""};

UrgeAggregate Aggregate() { return UrgeAggregate({"县林业局", "县农业农村委"}); }

TEST(UrgeAggregate, TheTaskForceUrgesUnitsOfThePlan) {
  EXPECT_TRUE(Aggregate().Decide(kTaskForce, UrgeSent{{"县林业局"}, false, "请尽快报送"}).ok());
  EXPECT_TRUE(Aggregate().Decide(kTaskForce, UrgeSent{{"县林业局", "县农业农村委"}, true, ""}).ok());
}

TEST(UrgeAggregate, RefusesADepartmentAndAnAuditorWithTheirRules) {
  const Status department = Aggregate().Decide(kDepartment, UrgeSent{{"县林业局"}, false, ""});
  EXPECT_EQ(department.code(), StatusCode::kPermissionDenied);
  EXPECT_EQ(department.rule(), "taskforce_only");
  const Status auditor = Aggregate().Decide(kAuditor, UrgeSent{{"县林业局"}, false, ""});
  EXPECT_EQ(auditor.code(), StatusCode::kPermissionDenied);
  EXPECT_EQ(auditor.rule(), "auditor_read_only");
}

TEST(UrgeAggregate, RefusesAnUnknownUnitARepeatAndNoUnit) {
  const Status unknown = Aggregate().Decide(kTaskForce, UrgeSent{{"县林业局", "县教委"}, false, ""});
  EXPECT_EQ(unknown.rule(), "unknown_unit");
  EXPECT_EQ(unknown.subject(), "units[1]");
  EXPECT_EQ(Aggregate().Decide(kTaskForce, UrgeSent{{"县林业局", "县林业局"}, false, ""}).rule(), "duplicate");
  EXPECT_EQ(Aggregate().Decide(kTaskForce, UrgeSent{{}, false, ""}).rule(), "required");
}

TEST(UrgeAggregate, RefusesATextTooLongOrWithControlCharacters) {
  const Status long_text = Aggregate().Decide(kTaskForce, UrgeSent{{"县林业局"}, false, std::string(201 * 3, 'a')});
  EXPECT_EQ(long_text.rule(), "too_long");
  EXPECT_EQ(long_text.subject(), "text");
  EXPECT_EQ(Aggregate().Decide(kTaskForce, UrgeSent{{"县林业局"}, false, "请\n报送"}).rule(), "control_character");
}

TEST(UrgeAggregate, TakesNoOtherEvent) {
  const Status other = Aggregate().Decide(kTaskForce, TaskCompleted{"完成"});
  EXPECT_EQ(other.rule(), "wrong_stream");
}

TEST(UrgeStream, IsAKindOfItsOwn) {
  EXPECT_EQ(ClassifyStream(UrgesStream()).value(), StreamKind::kUrges);
  EXPECT_EQ(StreamDisplayName(UrgesStream()), "催办记录");
}

}  // namespace
}  // namespace kuimen
