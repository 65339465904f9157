// The principal directory's rules as given-events / command / expected-outcome tables.
#include "domain/principal_directory.h"

#include <gtest/gtest.h>

#include "domain/principal_rules.h"
#include "domain/task_rules.h"

#include "tests/support/behaviour_name.h"

namespace kuimen {
namespace {

const Actor kTaskForce{"admin", Role::kTaskForce, ""};
const Actor kDepartment{"p-nyw", Role::kDepartment, "县农业农村委"};
const Actor kAuditor{"p-audit", Role::kAuditor, ""};

// Two departments and the township group of a plan.
PrincipalDirectory Given(const std::vector<EventData>& events) {
  PrincipalDirectory directory({"县农业农村委", "县供销合作社"}, {"县农业农村委", "县供销合作社", "各乡镇人民政府、街道办事处"});
  std::uint64_t version = 0;
  for (const EventData& event : events) directory.Apply(StreamVersion(++version), event);
  return directory;
}

// A token hash per principal: distinct, well formed.
std::string HashOf(char c) { return std::string(64, c); }

PrincipalRegistered Registered(std::string id, Role role, std::string unit, char hash = 'a') {
  return PrincipalRegistered{std::move(id), "张三", role, std::move(unit), HashOf(hash)};
}

const PrincipalRegistered kAdmin = Registered("admin", Role::kTaskForce, "", '0');

struct RuleCase {
  const char* behaviour;
  std::vector<EventData> given;
  Actor actor;
  EventData command;
  StatusCode code;      // kOk: accepted
  std::string subject;  // the rule id or field named
};

class PrincipalDirectoryRules : public ::testing::TestWithParam<RuleCase> {};

TEST_P(PrincipalDirectoryRules, DecidesAsTheTableSays) {
  const RuleCase& c = GetParam();
  Status status = Given(c.given).Decide(c.actor, c.command);
  EXPECT_EQ(status.code(), c.code) << status.ToString();
  EXPECT_EQ(status.subject(), c.subject) << status.ToString();
}

std::string Id(TaskRule rule) { return std::string(RuleId(rule)); }
std::string Id(PrincipalRule rule) { return std::string(RuleId(rule)); }

INSTANTIATE_TEST_SUITE_P(
    Table, PrincipalDirectoryRules,
    ::testing::Values(
        RuleCase{"the task force registers the first administrator", {}, kTaskForce, kAdmin, StatusCode::kOk, ""},
        RuleCase{"the task force registers a department of the plan", {kAdmin}, kTaskForce,
                 Registered("p-1", Role::kDepartment, "县农业农村委"), StatusCode::kOk, ""},
        RuleCase{"a task force principal needs no unit", {kAdmin}, kTaskForce, Registered("p-1", Role::kTaskForce, ""),
                 StatusCode::kOk, ""},
        RuleCase{"an auditor needs no unit", {kAdmin}, kTaskForce, Registered("p-1", Role::kAuditor, ""),
                 StatusCode::kOk, ""},
        RuleCase{"a department may not register principals", {kAdmin}, kDepartment,
                 Registered("p-1", Role::kDepartment, "县农业农村委"), StatusCode::kPermissionDenied,
                 Id(TaskRule::kTaskForceOnly)},
        RuleCase{"an auditor may not register principals", {kAdmin}, kAuditor,
                 Registered("p-1", Role::kAuditor, ""), StatusCode::kPermissionDenied, Id(TaskRule::kAuditorReadOnly)},
        RuleCase{"a principal needs a name", {kAdmin}, kTaskForce,
                 [] { auto e = Registered("p-1", Role::kAuditor, ""); e.name = " "; return e; }(),
                 StatusCode::kInvalidArgument, "name"},
        RuleCase{"a department needs a unit", {kAdmin}, kTaskForce, Registered("p-1", Role::kDepartment, ""),
                 StatusCode::kInvalidArgument, "unit"},
        RuleCase{"a department's unit must be a unit of the plan", {kAdmin}, kTaskForce,
                 Registered("p-1", Role::kDepartment, "县教委"), StatusCode::kInvalidArgument, "unit"},
        RuleCase{"a department's unit may not be a group of the plan", {kAdmin}, kTaskForce,
                 Registered("p-1", Role::kDepartment, "各乡镇人民政府、街道办事处"), StatusCode::kInvalidArgument,
                 "unit"},
        RuleCase{"a department's unit may be a registered township", {kAdmin, TownshipRegistered{"永安街道"}},
                 kTaskForce, Registered("p-1", Role::kDepartment, "永安街道"), StatusCode::kOk, ""},
        RuleCase{"a township must be registered before its principal", {kAdmin}, kTaskForce,
                 Registered("p-1", Role::kDepartment, "永安街道"), StatusCode::kInvalidArgument, "unit"},
        RuleCase{"principal ids are unique", {kAdmin, Registered("p-1", Role::kAuditor, "", 'b')}, kTaskForce,
                 Registered("p-1", Role::kAuditor, "", 'c'), StatusCode::kFailedPrecondition,
                 Id(PrincipalRule::kPrincipalIdTaken)},
        RuleCase{"a principal id is an identifier", {kAdmin}, kTaskForce, Registered("p 1", Role::kAuditor, ""),
                 StatusCode::kInvalidArgument, "principal_id"},
        RuleCase{"a token hash belongs to one principal", {kAdmin}, kTaskForce, Registered("p-1", Role::kAuditor, "", '0'),
                 StatusCode::kFailedPrecondition, Id(PrincipalRule::kTokenTaken)},
        RuleCase{"a token hash is a SHA-256 in hex", {kAdmin}, kTaskForce,
                 [] { auto e = Registered("p-1", Role::kAuditor, ""); e.token_sha256 = "secret"; return e; }(),
                 StatusCode::kInvalidArgument, "token_sha256"},
        RuleCase{"the task force revokes a principal", {kAdmin, Registered("p-1", Role::kDepartment, "县农业农村委")},
                 kTaskForce, PrincipalRevoked{"p-1"}, StatusCode::kOk, ""},
        RuleCase{"revoking an unknown principal is not found", {kAdmin}, kTaskForce, PrincipalRevoked{"p-9"},
                 StatusCode::kNotFound, "principal_not_found"},
        RuleCase{"a principal is revoked once",
                 {kAdmin, Registered("p-1", Role::kAuditor, ""), PrincipalRevoked{"p-1"}}, kTaskForce,
                 PrincipalRevoked{"p-1"}, StatusCode::kFailedPrecondition, Id(PrincipalRule::kAlreadyRevoked)},
        RuleCase{"a department may not revoke", {kAdmin, Registered("p-1", Role::kAuditor, "")}, kDepartment,
                 PrincipalRevoked{"p-1"}, StatusCode::kPermissionDenied, Id(TaskRule::kTaskForceOnly)},
        RuleCase{"a department may not probe for principals", {kAdmin}, kDepartment, PrincipalRevoked{"p-9"},
                 StatusCode::kPermissionDenied, Id(TaskRule::kTaskForceOnly)},
        RuleCase{"the last task force principal stays", {kAdmin}, kTaskForce, PrincipalRevoked{"admin"},
                 StatusCode::kFailedPrecondition, Id(PrincipalRule::kLastTaskForce)},
        RuleCase{"a task force principal goes once another remains",
                 {kAdmin, Registered("p-1", Role::kTaskForce, "", 'b')}, kTaskForce, PrincipalRevoked{"admin"},
                 StatusCode::kOk, ""},
        RuleCase{"a revoked task force principal does not count as the other",
                 {kAdmin, Registered("p-1", Role::kTaskForce, "", 'b'), PrincipalRevoked{"p-1"}}, kTaskForce,
                 PrincipalRevoked{"admin"}, StatusCode::kFailedPrecondition, Id(PrincipalRule::kLastTaskForce)},
        RuleCase{"the task force registers a township", {kAdmin}, kTaskForce, TownshipRegistered{"永安街道"},
                 StatusCode::kOk, ""},
        RuleCase{"a department may not register a township", {kAdmin}, kDepartment, TownshipRegistered{"永安街道"},
                 StatusCode::kPermissionDenied, Id(TaskRule::kTaskForceOnly)},
        RuleCase{"a township needs a name", {kAdmin}, kTaskForce, TownshipRegistered{""}, StatusCode::kInvalidArgument,
                 "name"},
        RuleCase{"a township name has no surrounding spaces", {kAdmin}, kTaskForce, TownshipRegistered{"永安街道 "},
                 StatusCode::kInvalidArgument, "name"},
        RuleCase{"a township is registered once", {kAdmin, TownshipRegistered{"永安街道"}}, kTaskForce,
                 TownshipRegistered{"永安街道"}, StatusCode::kFailedPrecondition, Id(PrincipalRule::kTownshipTaken)},
        RuleCase{"a township may not take a unit's name", {kAdmin}, kTaskForce, TownshipRegistered{"县供销合作社"},
                 StatusCode::kInvalidArgument, "name"},
        RuleCase{"a report belongs on a task stream", {kAdmin}, kTaskForce, TaskCompleted{"完成"},
                 StatusCode::kInvalidArgument, "type"},
        RuleCase{"an adjustment belongs on an assessment stream", {kAdmin}, kTaskForce, YearFrozen{2024, ""},
                 StatusCode::kInvalidArgument, "type"}),
    testing::ByBehaviour());

TEST(PrincipalDirectory, FoldsPrincipalsInRegistrationOrderAndTheirRevocation) {
  PrincipalDirectory directory = Given({kAdmin, TownshipRegistered{"永安街道"},
                                        Registered("p-2", Role::kDepartment, "永安街道", 'b'),
                                        Registered("p-1", Role::kAuditor, "", 'c'), PrincipalRevoked{"p-2"}});
  EXPECT_EQ(directory.version(), StreamVersion(5));
  ASSERT_EQ(directory.principals().size(), 3u);
  EXPECT_EQ(directory.principals()[0].id, "admin");
  EXPECT_EQ(directory.principals()[1].id, "p-2");
  EXPECT_EQ(directory.principals()[2].id, "p-1");
  ASSERT_NE(directory.Find("p-2"), nullptr);
  EXPECT_TRUE(directory.Find("p-2")->revoked);
  EXPECT_EQ(directory.Find("p-2")->registered_at, StreamVersion(3));
  EXPECT_EQ(directory.Find("p-2")->token_sha256, HashOf('b'));
  EXPECT_FALSE(directory.Find("p-1")->revoked);
  EXPECT_EQ(directory.Find("p-9"), nullptr);
  EXPECT_EQ(directory.townships(), std::vector<std::string>{"永安街道"});
  EXPECT_TRUE(directory.IsTownship("永安街道"));
  EXPECT_FALSE(directory.IsTownship("县农业农村委"));
}

TEST(PrincipalDirectory, TakesItsUnitsFromTheCatalog) {
  Catalog catalog;
  catalog.units = {{"县农业农村委", "department"}, {"各乡镇人民政府、街道办事处", "group"}};
  PrincipalDirectory directory = NewPrincipalDirectory(catalog);
  directory.Apply(StreamVersion(1), kAdmin);
  EXPECT_TRUE(directory.Decide(kTaskForce, Registered("p-1", Role::kDepartment, "县农业农村委")).ok());
  EXPECT_EQ(directory.Decide(kTaskForce, Registered("p-1", Role::kDepartment, "各乡镇人民政府、街道办事处")).subject(),
            "unit");
  EXPECT_EQ(directory.Decide(kTaskForce, TownshipRegistered{"各乡镇人民政府、街道办事处"}).subject(), "name");
}

}  // namespace
}  // namespace kuimen
