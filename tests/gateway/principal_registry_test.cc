// The principal registry on a real store: bootstrap, tokens, townships, revocation, reopening.
#include "gateway/principal_registry.h"

#include <sys/stat.h>

#include <fstream>
#include <sstream>
#include <thread>

#include "domain/principal_rules.h"
#include "domain/stream_kind.h"
#include "domain/task_rules.h"
#include "eventstore/catalog_codec.h"
#include "eventstore/event_codec.h"
#include "eventstore/sha256.h"
#include "tests/eventstore/store_fixture.h"

namespace kuimen {
namespace {

using std::chrono::year;

constexpr const char* kTownshipGroup = "各乡镇人民政府、街道办事处";

std::string ReadFile(const std::filesystem::path& path) {
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

// A report with no indicators fits any task.
ProgressReported Report() {
  ProgressReported e;
  e.period = year(2024) / std::chrono::November;
  e.summary = "完成村级服务站建设2个";
  e.percent = 10;
  return e;
}

class PrincipalRegistryTest : public testing::StoreTest {
 protected:
  void SetUp() override {
    Result<Catalog> catalog = LoadDefaultCatalog();
    ASSERT_TRUE(catalog.ok());
    catalog_ = *catalog;
    Reopen();
  }

  // Everything anew from the store on disk, as after a restart.
  void Reopen() {
    registry_.reset();
    handler_.reset();
    store_.reset();
    store_ = Open();
    ASSERT_NE(store_, nullptr);
    handler_ = std::make_unique<CommandHandler>(*store_, catalog_, clock_);
    Result<std::unique_ptr<PrincipalRegistry>> registry = PrincipalRegistry::Open(*store_, *handler_, catalog_);
    ASSERT_TRUE(registry.ok()) << registry.status().ToString();
    registry_ = std::move(registry).value();
  }

  std::filesystem::path TokenFile() const { return dir_.path() / "admin.token"; }

  // Bootstraps and returns the administrator's Actor.
  Actor Admin() {
    Result<std::optional<IssuedPrincipal>> admin = registry_->EnsureAdministrator(TokenFile());
    EXPECT_TRUE(admin.ok() && admin->has_value()) << admin.status().ToString();
    std::optional<Actor> actor = registry_->Authenticate(admin->value().token);
    EXPECT_TRUE(actor.has_value());
    return actor.value_or(Actor{});
  }

  IssuedPrincipal MustRegister(const Actor& by, const std::string& name, const std::string& role,
                               const std::string& unit) {
    Result<IssuedPrincipal> issued = registry_->Register(by, name, role, unit);
    EXPECT_TRUE(issued.ok()) << issued.status().ToString();
    return issued.ok() ? *issued : IssuedPrincipal{};
  }

  Catalog catalog_;
  std::unique_ptr<EventStore> store_;
  std::unique_ptr<CommandHandler> handler_;
  std::unique_ptr<PrincipalRegistry> registry_;
};

TEST_F(PrincipalRegistryTest, BootstrapWritesTheAdministratorsTokenReadableByTheOwnerOnly) {
  Result<std::optional<IssuedPrincipal>> admin = registry_->EnsureAdministrator(TokenFile());
  ASSERT_TRUE(admin.ok()) << admin.status().ToString();
  ASSERT_TRUE(admin->has_value());
  const IssuedPrincipal& issued = **admin;
  EXPECT_EQ(issued.principal.id, "admin");
  EXPECT_EQ(issued.principal.name, "管理员");
  EXPECT_EQ(issued.principal.role, Role::kTaskForce);
  EXPECT_EQ(ReadFile(TokenFile()), issued.token + "\n");
  struct stat info {};
  ASSERT_EQ(::stat(TokenFile().c_str(), &info), 0);
  EXPECT_EQ(info.st_mode & 0777, 0600u);
  EXPECT_FALSE(std::filesystem::exists(TokenFile().string() + ".tmp"));

  std::optional<Actor> actor = registry_->Authenticate(issued.token);
  ASSERT_TRUE(actor.has_value());
  EXPECT_EQ(*actor, (Actor{"admin", Role::kTaskForce, ""}));
}

TEST_F(PrincipalRegistryTest, BootstrapHappensOnlyOnceEvenAfterARestart) {
  const Actor admin = Admin();
  const std::string token_file = ReadFile(TokenFile());

  Result<std::optional<IssuedPrincipal>> again = registry_->EnsureAdministrator(TokenFile());
  ASSERT_TRUE(again.ok());
  EXPECT_FALSE(again->has_value());
  Reopen();
  again = registry_->EnsureAdministrator(TokenFile());
  ASSERT_TRUE(again.ok());
  EXPECT_FALSE(again->has_value());
  EXPECT_EQ(ReadFile(TokenFile()), token_file);
  EXPECT_EQ(store_->StreamHead(PrincipalsStream()), StreamVersion(1));
  // The token written before the restart still works after it.
  std::string token = token_file.substr(0, token_file.size() - 1);
  EXPECT_EQ(registry_->Authenticate(token), admin);
}

TEST_F(PrincipalRegistryTest, IssuesDistinctTokensAndIdsOfTheDocumentedShape) {
  const Actor admin = Admin();
  IssuedPrincipal first = MustRegister(admin, "县农业农村委 张三", "department", "县农业农村委");
  IssuedPrincipal second = MustRegister(admin, "审计局 李四", "auditor", "");
  for (const IssuedPrincipal* issued : {&first, &second}) {
    EXPECT_EQ(issued->principal.id.size(), 10u);
    EXPECT_EQ(issued->principal.id.substr(0, 2), "p-");
    EXPECT_EQ(issued->principal.id.find_first_not_of("0123456789abcdef", 2), std::string::npos);
    EXPECT_EQ(issued->token.substr(0, 4), "kmt_");
    EXPECT_EQ(issued->token.size(), 4u + 43u);  // 32 bytes in base64url without padding
  }
  EXPECT_NE(first.principal.id, second.principal.id);
  EXPECT_NE(first.token, second.token);
}

TEST_F(PrincipalRegistryTest, AuthenticatesKnownTokensUntilRevoked) {
  const Actor admin = Admin();
  IssuedPrincipal clerk = MustRegister(admin, "县农业农村委 张三", "department", "县农业农村委");
  EXPECT_EQ(registry_->Authenticate(clerk.token), (Actor{clerk.principal.id, Role::kDepartment, "县农业农村委"}));
  EXPECT_EQ(registry_->Authenticate("kmt_not-a-token"), std::nullopt);
  EXPECT_EQ(registry_->Authenticate(""), std::nullopt);

  Result<PrincipalInfo> revoked = registry_->Revoke(admin, clerk.principal.id);
  ASSERT_TRUE(revoked.ok()) << revoked.status().ToString();
  EXPECT_TRUE(revoked->revoked);
  EXPECT_EQ(revoked->id, clerk.principal.id);
  EXPECT_EQ(registry_->Authenticate(clerk.token), std::nullopt);
}

TEST_F(PrincipalRegistryTest, StoresTokensOnlyAsTheirHashes) {
  const Actor admin = Admin();
  IssuedPrincipal clerk = MustRegister(admin, "县农业农村委 张三", "department", "县农业农村委");
  const std::string admin_token = ReadFile(TokenFile()).substr(0, 47);
  std::vector<RecordedEvent> events = Drain(store_->ReadAll(GlobalPosition(1)));
  ASSERT_EQ(events.size(), 2u);
  for (const RecordedEvent& event : events) {
    EXPECT_EQ(event.data.find(clerk.token), std::string::npos);
    EXPECT_EQ(event.data.find(admin_token), std::string::npos);
    EXPECT_EQ(event.data.find("kmt_"), std::string::npos);
  }
  EXPECT_NE(events[1].data.find(ToHex(Sha256(clerk.token))), std::string::npos);
}

TEST_F(PrincipalRegistryTest, RefusesBadRegistrationsNamingTheFieldAndAppendsNothing) {
  const Actor admin = Admin();
  struct Case {
    const char* name;
    const char* role;
    const char* unit;
    StatusCode code;
    std::string subject;
  };
  const Case cases[] = {
      {"张三", "admin", "", StatusCode::kInvalidArgument, "role"},
      {"", "department", "县农业农村委", StatusCode::kInvalidArgument, "name"},
      {"张三", "department", "", StatusCode::kInvalidArgument, "unit"},
      {"张三", "department", "县教委", StatusCode::kInvalidArgument, "unit"},
      {"张三", "department", kTownshipGroup, StatusCode::kInvalidArgument, "unit"},
  };
  for (const Case& c : cases) {
    Result<IssuedPrincipal> issued = registry_->Register(admin, c.name, c.role, c.unit);
    EXPECT_EQ(issued.status().code(), c.code) << c.role << " " << c.unit << ": " << issued.status().ToString();
    EXPECT_EQ(issued.status().subject(), c.subject) << issued.status().ToString();
  }
  EXPECT_EQ(store_->Head().position, GlobalPosition(1));
  EXPECT_EQ(registry_->List().size(), 1u);
}

TEST_F(PrincipalRegistryTest, OnlyTheTaskForceAdministersPrincipalsAndTownships) {
  const Actor admin = Admin();
  IssuedPrincipal clerk = MustRegister(admin, "县农业农村委 张三", "department", "县农业农村委");
  IssuedPrincipal auditor = MustRegister(admin, "审计局 李四", "auditor", "");
  const Actor department = *registry_->Authenticate(clerk.token);
  const Actor reader = *registry_->Authenticate(auditor.token);

  EXPECT_EQ(registry_->Register(department, "王五", "department", "县农业农村委").status().subject(),
            RuleId(TaskRule::kTaskForceOnly));
  EXPECT_EQ(registry_->Register(reader, "王五", "auditor", "").status().subject(), RuleId(TaskRule::kAuditorReadOnly));
  EXPECT_EQ(registry_->Revoke(department, auditor.principal.id).status().code(), StatusCode::kPermissionDenied);
  EXPECT_EQ(registry_->RegisterTownship(department, "永安街道").code(), StatusCode::kPermissionDenied);
  EXPECT_EQ(store_->Head().position, GlobalPosition(3));
}

TEST_F(PrincipalRegistryTest, RevokingNamesWhatIsWrong) {
  const Actor admin = Admin();
  IssuedPrincipal clerk = MustRegister(admin, "县农业农村委 张三", "department", "县农业农村委");
  EXPECT_EQ(registry_->Revoke(admin, "p-00000000").status().code(), StatusCode::kNotFound);
  ASSERT_TRUE(registry_->Revoke(admin, clerk.principal.id).ok());
  Result<PrincipalInfo> twice = registry_->Revoke(admin, clerk.principal.id);
  EXPECT_EQ(twice.status().code(), StatusCode::kFailedPrecondition);
  EXPECT_EQ(twice.status().subject(), RuleId(PrincipalRule::kAlreadyRevoked));
  EXPECT_EQ(registry_->Revoke(admin, "admin").status().subject(), RuleId(PrincipalRule::kLastTaskForce));
}

TEST_F(PrincipalRegistryTest, ATownshipReportsOnlyOnTasksItsGroupIsInvolvedIn) {
  const Actor admin = Admin();
  ASSERT_TRUE(registry_->RegisterTownship(admin, "永安街道").ok());
  EXPECT_EQ(registry_->RegisterTownship(admin, "永安街道").subject(), RuleId(PrincipalRule::kTownshipTaken));
  EXPECT_EQ(registry_->RegisterTownship(admin, "县供销合作社").subject(), "name");
  IssuedPrincipal clerk = MustRegister(admin, "永安街道 赵六", "department", "永安街道");

  std::optional<Actor> township = registry_->Authenticate(clerk.token);
  ASSERT_TRUE(township.has_value());
  EXPECT_EQ(*township, (Actor{clerk.principal.id, Role::kDepartment, "永安街道", kTownshipGroup}));

  // Task 7 names the township group among its cooperating units; task 3 does not.
  Result<RecordedEvent> on_task7 = handler_->Submit(Submission{StreamId{"task-07"}, *township, Report(), {}, {}});
  ASSERT_TRUE(on_task7.ok()) << on_task7.status().ToString();
  EXPECT_EQ(on_task7->actor, *township);
  Result<RecordedEvent> on_task3 = handler_->Submit(Submission{StreamId{"task-03"}, *township, Report(), {}, {}});
  EXPECT_EQ(on_task3.status().code(), StatusCode::kPermissionDenied);
  EXPECT_EQ(on_task3.status().subject(), RuleId(TaskRule::kUnitNotInvolved));
  // A county department is not a township: no group.
  IssuedPrincipal county = MustRegister(admin, "县农业农村委 张三", "department", "县农业农村委");
  EXPECT_EQ(registry_->Authenticate(county.token)->group, "");
}

TEST_F(PrincipalRegistryTest, ReopeningFromTheStoreRestoresEverything) {
  const Actor admin = Admin();
  ASSERT_TRUE(registry_->RegisterTownship(admin, "永安街道").ok());
  ASSERT_TRUE(registry_->RegisterTownship(admin, "夔门街道").ok());
  IssuedPrincipal township = MustRegister(admin, "永安街道 赵六", "department", "永安街道");
  IssuedPrincipal county = MustRegister(admin, "县供销合作社 钱七", "department", "县供销合作社");
  IssuedPrincipal deputy = MustRegister(admin, "专班 孙八", "taskforce", "县委办");
  ASSERT_TRUE(registry_->Revoke(admin, county.principal.id).ok());
  const std::vector<PrincipalInfo> before = registry_->List();
  const Actor township_actor = *registry_->Authenticate(township.token);

  Reopen();
  const std::vector<PrincipalInfo> after = registry_->List();
  ASSERT_EQ(after.size(), before.size());
  for (std::size_t i = 0; i < before.size(); ++i) {
    EXPECT_EQ(after[i].id, before[i].id);
    EXPECT_EQ(after[i].name, before[i].name);
    EXPECT_EQ(after[i].role, before[i].role);
    EXPECT_EQ(after[i].unit, before[i].unit);
    EXPECT_EQ(after[i].revoked, before[i].revoked);
  }
  EXPECT_EQ(after[0].id, "admin");
  EXPECT_EQ(after[2].id, county.principal.id);
  EXPECT_TRUE(after[2].revoked);
  EXPECT_EQ(registry_->Townships(), (std::vector<std::string>{"永安街道", "夔门街道"}));
  EXPECT_EQ(registry_->Authenticate(township.token), township_actor);
  EXPECT_EQ(registry_->Authenticate(county.token), std::nullopt);
  EXPECT_EQ(registry_->Authenticate(deputy.token)->unit, "县委办");
  // Writes go on from where the stream stands.
  IssuedPrincipal later = MustRegister(admin, "审计局 李四", "auditor", "");
  EXPECT_TRUE(registry_->Authenticate(later.token).has_value());
  EXPECT_EQ(registry_->List().size(), before.size() + 1);
}

TEST_F(PrincipalRegistryTest, ConcurrentRegistrationsAreListedInTheStreamsOrder) {
  const Actor admin = Admin();
  std::vector<std::thread> clerks;
  std::vector<std::vector<std::string>> tokens(3);
  for (int i = 0; i < 3; ++i) {
    clerks.emplace_back([&, i] {
      for (int j = 0; j < 10; ++j) {
        Result<IssuedPrincipal> issued = registry_->Register(admin, "专员", "auditor", "");
        ASSERT_TRUE(issued.ok()) << issued.status().ToString();
        tokens[i].push_back(issued->token);
        EXPECT_TRUE(registry_->Authenticate(issued->token).has_value());
      }
    });
  }
  for (std::thread& clerk : clerks) clerk.join();

  std::vector<std::string> stream_order;
  for (const RecordedEvent& event : Drain(store_->ReadStream(PrincipalsStream(), StreamVersion(1)))) {
    Result<EventData> data = DecodeEvent(event.type, event.schema_version, event.data);
    ASSERT_TRUE(data.ok()) << data.status().ToString();
    stream_order.push_back(std::get<PrincipalRegistered>(*data).principal_id);
  }
  std::vector<std::string> listed;
  for (const PrincipalInfo& principal : registry_->List()) listed.push_back(principal.id);
  EXPECT_EQ(listed.size(), 31u);
  EXPECT_EQ(listed, stream_order);
}

}  // namespace
}  // namespace kuimen
