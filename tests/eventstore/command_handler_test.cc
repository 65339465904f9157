// The write path end to end on a real store: load, decide, append.
#include "eventstore/command_handler.h"

#include <atomic>
#include <random>
#include <thread>

#include "domain/principal_rules.h"
#include "domain/stream_kind.h"
#include "domain/task_rules.h"
#include "eventstore/catalog_codec.h"
#include "eventstore/event_codec.h"
#include "tests/eventstore/store_fixture.h"

namespace kuimen {
namespace {

using std::chrono::year;
using namespace std::chrono_literals;

class CommandHandlerTest : public testing::StoreTest {
 protected:
  void SetUp() override {
    Result<Catalog> catalog = LoadDefaultCatalog();
    ASSERT_TRUE(catalog.ok());
    catalog_ = *catalog;
    store_ = Open();
    handler_ = std::make_unique<CommandHandler>(*store_, catalog_, clock_);
  }

  static ProgressReported Report(double mu) {
    ProgressReported e;
    e.period = year(2024) / std::chrono::November;
    e.summary = "托管服务推进中";
    e.percent = 20;
    e.indicators = {{"农业生产社会化服务规模", mu, "万亩次"}};
    return e;
  }

  Result<RecordedEvent> Submit(const Actor& actor, EventData event, std::optional<StreamVersion> expected = {},
                               std::optional<EventId> id = {}, const char* stream = "task-07") {
    return handler_->Submit(Submission{StreamId{stream}, actor, std::move(event), expected, id});
  }

  const Actor lead_{"p-nyw", Role::kDepartment, "县农业农村委"};       // task 7's lead
  const Actor other_{"p-swj", Role::kDepartment, "县商务委"};          // not on task 7
  const Actor taskforce_{"p-tf", Role::kTaskForce, ""};
  Catalog catalog_;
  std::unique_ptr<EventStore> store_;
  std::unique_ptr<CommandHandler> handler_;
};

TEST_F(CommandHandlerTest, StoresAnAcceptedReportWithItsActor) {
  Result<RecordedEvent> stored = Submit(lead_, Report(12));
  ASSERT_TRUE(stored.ok()) << stored.status().ToString();
  EXPECT_EQ(stored->stream.value, "task-07");
  EXPECT_EQ(stored->version, StreamVersion(1));
  EXPECT_EQ(stored->type, "ProgressReported");
  EXPECT_EQ(stored->actor, lead_);
  Result<EventData> data = DecodeEvent(stored->type, stored->schema_version, stored->data);
  ASSERT_TRUE(data.ok());
  EXPECT_EQ(std::get<ProgressReported>(*data), Report(12));
}

TEST_F(CommandHandlerTest, RefusalsAppendNothing) {
  EXPECT_EQ(Submit(other_, Report(1)).status().subject(), RuleId(TaskRule::kUnitNotInvolved));
  auto wrong_unit = Report(1);
  wrong_unit.indicators[0].unit = "亩";
  EXPECT_EQ(Submit(lead_, wrong_unit).status().subject(), "indicators[0].unit");
  EXPECT_EQ(Submit(lead_, Report(1), {}, {}, "task-30").status().code(), StatusCode::kNotFound);
  EXPECT_EQ(store_->Head().position, GlobalPosition(0));
}

// The real store with one append refused, as a full disk would refuse it.
class OneAppendRefused : public EventStore {
 public:
  explicit OneAppendRefused(EventStore& store) : store_(store) {}
  Result<std::vector<RecordedEvent>> Append(const StreamId& stream, std::optional<StreamVersion> expected,
                                            std::vector<ProposedEvent> events) override {
    if (refuse_next_.exchange(false)) return Status::Unavailable("write refused by the test");
    return store_.Append(stream, expected, std::move(events));
  }
  std::unique_ptr<EventIterator> ReadStream(const StreamId& s, StreamVersion from) override {
    return store_.ReadStream(s, from);
  }
  std::unique_ptr<EventIterator> ReadAll(GlobalPosition from) override { return store_.ReadAll(from); }
  Result<std::optional<RecordedEvent>> FindById(const EventId& id) override { return store_.FindById(id); }
  StreamVersion StreamHead(const StreamId& s) const override { return store_.StreamHead(s); }
  LogHead Head() const override { return store_.Head(); }
  VerifyReport Verify() override { return store_.Verify(); }
  LogHead WaitForHead(GlobalPosition p, std::chrono::milliseconds t) override { return store_.WaitForHead(p, t); }
  Result<GlobalPosition> LoadCursor(std::string_view n) override { return store_.LoadCursor(n); }
  Status SaveCursor(std::string_view n, GlobalPosition p) override { return store_.SaveCursor(n, p); }
  Status Refresh() override { return store_.Refresh(); }
  StoreHealth Health() const override { return store_.Health(); }
  Status Scrub() override { return store_.Scrub(); }
  Status Checkpoint(const std::filesystem::path& d) override { return store_.Checkpoint(d); }

  std::atomic<bool> refuse_next_{false};

 private:
  EventStore& store_;
};

// The handler keeps each stream's aggregate and changes it in place; a
// refused append must not leave the refused report in it.
TEST_F(CommandHandlerTest, AFailedAppendLeavesNothingInTheNextDecision) {
  OneAppendRefused refusing(*store_);
  CommandHandler handler(refusing, catalog_, clock_);
  ASSERT_TRUE(handler.Submit(Submission{StreamId{"task-07"}, lead_, Report(12), {}, {}}).ok());
  refusing.refuse_next_ = true;
  EXPECT_EQ(handler.Submit(Submission{StreamId{"task-07"}, lead_, Report(13), {}, {}}).status().code(),
            StatusCode::kUnavailable);
  Result<TaskAggregate> after_refusal = handler.Load(StreamId{"task-07"});
  ASSERT_TRUE(after_refusal.ok());
  EXPECT_EQ(after_refusal->version(), StreamVersion(1));
  EXPECT_EQ(after_refusal->FindReport(StreamVersion(2)), nullptr);

  Result<RecordedEvent> next = handler.Submit(Submission{StreamId{"task-07"}, lead_, Report(14), {}, {}});
  ASSERT_TRUE(next.ok()) << next.status().ToString();
  EXPECT_EQ(next->version, StreamVersion(2));
}

TEST_F(CommandHandlerTest, AReportIsReviewedOnceAcrossReopen) {
  ASSERT_TRUE(Submit(lead_, Report(12)).ok());
  ASSERT_TRUE(Submit(taskforce_, ReportReviewed{StreamVersion(1), ReviewDecision::kApproved, ""}).ok());

  // A new handler rebuilds its state from the store alone.
  store_.reset();
  handler_.reset();
  store_ = Open();
  handler_ = std::make_unique<CommandHandler>(*store_, catalog_, clock_);
  Result<RecordedEvent> again = Submit(taskforce_, ReportReviewed{StreamVersion(1), ReviewDecision::kReturned, "重审"});
  EXPECT_EQ(again.status().code(), StatusCode::kFailedPrecondition);
  EXPECT_EQ(again.status().subject(), RuleId(TaskRule::kReportAlreadyReviewed));
  Result<TaskAggregate> aggregate = handler_->Load(StreamId{"task-07"});
  ASSERT_TRUE(aggregate.ok());
  EXPECT_EQ(aggregate->status(), TaskStatus::kInProgress);
}

TEST_F(CommandHandlerTest, StaleExpectedVersionConflicts) {
  ASSERT_TRUE(Submit(lead_, Report(1)).ok());
  ASSERT_TRUE(Submit(lead_, Report(2), StreamVersion(1)).ok());
  Result<RecordedEvent> stale = Submit(lead_, Report(3), StreamVersion(1));
  EXPECT_EQ(stale.status().code(), StatusCode::kAborted);
  EXPECT_EQ(store_->Head().position, GlobalPosition(2));
}

TEST_F(CommandHandlerTest, ResendingAnEventIdReturnsTheFirstEventWithoutDecidingAgain) {
  const EventId id = *EventId::Parse("5f0e7c52-3c1b-4c8e-9a0d-2b7f6e1d4c3a");
  ASSERT_TRUE(Submit(lead_, Report(1)).ok());
  Result<RecordedEvent> first = Submit(taskforce_, ReportReviewed{StreamVersion(1), ReviewDecision::kApproved, ""}, {}, id);
  ASSERT_TRUE(first.ok());
  // Deciding again would refuse (already reviewed); the retry must still succeed.
  Result<RecordedEvent> retry = Submit(taskforce_, ReportReviewed{StreamVersion(1), ReviewDecision::kApproved, ""}, {}, id);
  ASSERT_TRUE(retry.ok()) << retry.status().ToString();
  EXPECT_EQ(retry->position, first->position);
  EXPECT_EQ(store_->Head().position, GlobalPosition(2));
}

// An event_id is a retry only of the same request: the rules are applied
// first, whatever the id, and then the stored event must be the same
// principal's same event on the same stream.
TEST_F(CommandHandlerTest, AnEventIdIsARetryOnlyOfTheSamePrincipalsSameEvent) {
  const EventId id = *EventId::Parse("5f0e7c52-3c1b-4c8e-9a0d-2b7f6e1d4c3b");
  Result<RecordedEvent> first = Submit(lead_, Report(12), {}, id);
  ASSERT_TRUE(first.ok()) << first.status().ToString();
  const Actor colleague{"p-nyw-2", Role::kDepartment, "县农业农村委"};  // same unit, another principal
  const Actor auditor{"p-audit", Role::kAuditor, ""};
  const DeadlineSet deadline{"完成年度目标", year(2024) / std::chrono::December / 31};

  struct Case {
    const char* what;
    Actor actor;
    EventData event;
    const char* stream;
    StatusCode code;
    std::string subject;
  };
  const std::vector<Case> cases = {
      {"same principal, same event", lead_, Report(12), "task-07", StatusCode::kOk, ""},
      {"same principal, other data", lead_, Report(13), "task-07", StatusCode::kEventIdReused, "event_id"},
      {"same principal, other type it may not write", lead_, deadline, "task-07", StatusCode::kPermissionDenied,
       std::string(RuleId(TaskRule::kTaskForceOnly))},
      {"same principal, same event on another stream it may not write", lead_, Report(12), "task-09",
       StatusCode::kPermissionDenied, std::string(RuleId(TaskRule::kUnitNotInvolved))},
      {"another principal of the same unit, same event", colleague, Report(12), "task-07",
       StatusCode::kEventIdReused, "event_id"},
      {"an unrelated department, same event", other_, Report(12), "task-07", StatusCode::kPermissionDenied,
       std::string(RuleId(TaskRule::kUnitNotInvolved))},
      {"an auditor, same event", auditor, Report(12), "task-07", StatusCode::kPermissionDenied,
       std::string(RuleId(TaskRule::kAuditorReadOnly))},
      {"the task force, another type it may write", taskforce_, deadline, "task-07", StatusCode::kEventIdReused,
       "event_id"},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.what);
    Result<RecordedEvent> outcome = Submit(c.actor, c.event, {}, id, c.stream);
    EXPECT_EQ(outcome.status().code(), c.code) << outcome.status().ToString();
    EXPECT_EQ(outcome.status().subject(), c.subject);
    if (outcome.ok()) {
      EXPECT_EQ(outcome->position, first->position);
    }
  }
  EXPECT_EQ(store_->Head().position, GlobalPosition(1));
}

// The same within one batch: a second submission queued with the first one's
// id but another body does not share its outcome.
TEST_F(CommandHandlerTest, ConcurrentSubmissionsOfOneEventIdWithOtherDataAreRefused) {
  std::mt19937_64 random(11);
  const EventId id = EventId::Random(random);
  std::vector<Result<RecordedEvent>> outcomes(8, Status::Internal("not run"));
  std::vector<std::thread> clerks;
  for (int i = 0; i < 8; ++i) {
    clerks.emplace_back([&, i] { outcomes[i] = Submit(lead_, Report(i % 2 == 0 ? 3 : 4), {}, id); });
  }
  for (std::thread& clerk : clerks) clerk.join();
  int stored = 0;
  int reused = 0;
  for (const Result<RecordedEvent>& outcome : outcomes) {
    if (outcome.ok()) ++stored;
    if (outcome.status().code() == StatusCode::kEventIdReused) ++reused;
  }
  EXPECT_EQ(stored, 4);  // the winner's four retries
  EXPECT_EQ(reused, 4);
  EXPECT_EQ(store_->Head().position, GlobalPosition(1));
}

// And an unrelated unit that sends the id of a submission still queued is
// refused by the rules, not told about the id.
TEST_F(CommandHandlerTest, ConcurrentSubmissionsOfOneEventIdAreAuthorizedFirst) {
  std::mt19937_64 random(13);
  const EventId id = EventId::Random(random);
  std::vector<Result<RecordedEvent>> outcomes(8, Status::Internal("not run"));
  std::vector<std::thread> clerks;
  for (int i = 0; i < 8; ++i) {
    clerks.emplace_back([&, i] { outcomes[i] = Submit(i % 2 == 0 ? lead_ : other_, Report(3), {}, id); });
  }
  for (std::thread& clerk : clerks) clerk.join();
  for (int i = 0; i < 8; ++i) {
    if (i % 2 == 0) {
      EXPECT_TRUE(outcomes[i].ok()) << outcomes[i].status().ToString();
    } else {
      EXPECT_EQ(outcomes[i].status().subject(), RuleId(TaskRule::kUnitNotInvolved)) << outcomes[i].status().ToString();
    }
  }
  EXPECT_EQ(store_->Head().position, GlobalPosition(1));
}

TEST_F(CommandHandlerTest, ConcurrentReportsOnOneTaskAllLandInOrder) {
  std::vector<std::thread> clerks;
  for (int i = 0; i < 4; ++i) {
    clerks.emplace_back([this, i] {
      for (int j = 0; j < 20; ++j) ASSERT_TRUE(Submit(lead_, Report(i * 100 + j)).ok());
    });
  }
  for (std::thread& clerk : clerks) clerk.join();
  EXPECT_EQ(store_->StreamHead(StreamId{"task-07"}), StreamVersion(80));
  EXPECT_TRUE(store_->Verify().ok);
}

// Submissions that queue up on one stream are decided as one batch, each on
// the state the one before it left: of many concurrent reviews of one report
// exactly one is accepted, whichever batch they land in.
TEST_F(CommandHandlerTest, ConcurrentReviewsOfOneReportAcceptExactlyOne) {
  ASSERT_TRUE(Submit(lead_, Report(1)).ok());
  std::atomic<int> accepted{0};
  std::atomic<int> already_reviewed{0};
  std::vector<std::thread> reviewers;
  for (int i = 0; i < 16; ++i) {
    reviewers.emplace_back([&] {
      Result<RecordedEvent> review = Submit(taskforce_, ReportReviewed{StreamVersion(1), ReviewDecision::kApproved, ""});
      if (review.ok()) ++accepted;
      if (review.status().subject() == RuleId(TaskRule::kReportAlreadyReviewed)) ++already_reviewed;
    });
  }
  for (std::thread& reviewer : reviewers) reviewer.join();
  EXPECT_EQ(accepted, 1);
  EXPECT_EQ(already_reviewed, 15);
  EXPECT_EQ(store_->StreamHead(StreamId{"task-07"}), StreamVersion(2));
}

// A retry sent while the first attempt is still queued gets the first one's
// event, and the event is stored once.
TEST_F(CommandHandlerTest, ConcurrentRetriesOfOneEventIdStoreItOnce) {
  std::mt19937_64 random(7);
  const EventId id = EventId::Random(random);
  std::vector<Result<RecordedEvent>> outcomes(8, Status::Internal("not run"));
  std::vector<std::thread> clerks;
  for (int i = 0; i < 8; ++i) {
    clerks.emplace_back([&, i] { outcomes[i] = Submit(lead_, Report(3), {}, id); });
  }
  for (std::thread& clerk : clerks) clerk.join();
  for (const Result<RecordedEvent>& outcome : outcomes) {
    ASSERT_TRUE(outcome.ok()) << outcome.status().ToString();
    EXPECT_EQ(outcome->id, id);
    EXPECT_EQ(outcome->position, outcomes[0]->position);
  }
  EXPECT_EQ(store_->Head().position, GlobalPosition(1));
}

TEST_F(CommandHandlerTest, MajorItemStreamsTakeReportsFromTheirUnits) {
  ProgressReported report;
  report.period = year(2024) / std::chrono::November;  // the clock's month
  report.summary = "新建流通网点20个";
  report.percent = 17;
  report.indicators = {{"农村流通网点", 20, "个"}};
  const Actor commerce{"p-swj", Role::kDepartment, "县商务委"};
  Result<RecordedEvent> stored = Submit(commerce, report, {}, {}, "major-5");
  ASSERT_TRUE(stored.ok()) << stored.status().ToString();
  EXPECT_EQ(stored->stream.value, "major-5");
}

TEST_F(CommandHandlerTest, AssessmentStreamsTakeTheTaskForcesAdjustments) {
  const AssessmentAdjusted bonus{"县供销合作社", 2024, 5, "牵头组建县农合联成效突出"};
  Result<RecordedEvent> stored = Submit(taskforce_, bonus, {}, {}, "assessment-2024");
  ASSERT_TRUE(stored.ok()) << stored.status().ToString();
  EXPECT_EQ(stored->type, "AssessmentAdjusted");
  EXPECT_EQ(stored->version, StreamVersion(1));
  EXPECT_EQ(Submit(lead_, bonus, {}, {}, "assessment-2024").status().subject(), RuleId(TaskRule::kTaskForceOnly));

  Result<AssessmentAggregate> aggregate = handler_->LoadAssessment(StreamId{"assessment-2024"});
  ASSERT_TRUE(aggregate.ok()) << aggregate.status().ToString();
  ASSERT_EQ(aggregate->adjustments().size(), 1u);
  EXPECT_EQ(aggregate->adjustments()[0].points, 5);
  EXPECT_FALSE(aggregate->frozen_at().has_value());
}

TEST_F(CommandHandlerTest, DecidesAFreezeByTheClockItIsGiven) {
  // The fixture's clock reads 2024-11-01: 2024 is not over.
  Result<RecordedEvent> early = Submit(taskforce_, YearFrozen{2024, "年终定格"}, {}, {}, "assessment-2024");
  EXPECT_EQ(early.status().code(), StatusCode::kFailedPrecondition);
  EXPECT_EQ(early.status().subject(), RuleId(TaskRule::kYearNotOver));
  clock_.Set(Timestamp(std::chrono::sys_days(std::chrono::year(2024) / std::chrono::December / 30) +
                       std::chrono::hours(16)));  // 2024-12-31 00:00 China time
  EXPECT_TRUE(Submit(taskforce_, YearFrozen{2024, "年终定格"}, {}, {}, "assessment-2024").ok());
}

TEST_F(CommandHandlerTest, AFrozenYearTakesNothingMoreAfterAReopen) {
  clock_.Set(Timestamp(std::chrono::sys_days(std::chrono::year(2025) / std::chrono::January / 5)));
  ASSERT_TRUE(Submit(taskforce_, AssessmentAdjusted{"县农业农村委", 2024, -3, "督办逾期"}, {}, {}, "assessment-2024").ok());
  ASSERT_TRUE(Submit(taskforce_, YearFrozen{2024, "年终定格"}, {}, {}, "assessment-2024").ok());

  // A new handler rebuilds its state from the store alone.
  store_.reset();
  handler_.reset();
  store_ = Open();
  handler_ = std::make_unique<CommandHandler>(*store_, catalog_, clock_);
  Result<RecordedEvent> late = Submit(taskforce_, AssessmentAdjusted{"县农业农村委", 2024, 2, "补充加分"}, {}, {},
                                      "assessment-2024");
  EXPECT_EQ(late.status().code(), StatusCode::kFailedPrecondition);
  EXPECT_EQ(late.status().subject(), RuleId(TaskRule::kYearFrozen));
  EXPECT_EQ(Submit(taskforce_, YearFrozen{2024, ""}, {}, {}, "assessment-2024").status().subject(),
            RuleId(TaskRule::kYearFrozen));
  // Another year is not frozen by it.
  EXPECT_TRUE(Submit(taskforce_, AssessmentAdjusted{"县农业农村委", 2025, 2, "加分"}, {}, {}, "assessment-2025").ok());
  EXPECT_EQ(store_->Head().position, GlobalPosition(3));
}

TEST_F(CommandHandlerTest, EventsGoOnlyOnTheirKindOfStream) {
  Result<RecordedEvent> report_on_assessment = Submit(lead_, Report(1), {}, {}, "assessment-2024");
  EXPECT_EQ(report_on_assessment.status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(report_on_assessment.status().subject(), "type");
  Result<RecordedEvent> adjustment_on_task = Submit(taskforce_, AssessmentAdjusted{"县农业农村委", 2024, 1, "加分"});
  EXPECT_EQ(adjustment_on_task.status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(adjustment_on_task.status().subject(), "type");
  EXPECT_EQ(Submit(taskforce_, YearFrozen{2024, ""}, {}, {}, "major-5").status().subject(), "type");
  EXPECT_EQ(Submit(taskforce_, YearFrozen{2024, ""}, {}, {}, "assessment-2025").status().subject(), "year");
  EXPECT_EQ(Submit(taskforce_, AssessmentAdjusted{"县教委", 2024, 1, "加分"}, {}, {}, "assessment-2024").status().subject(),
            "unit");  // not a unit of the plan
  EXPECT_EQ(Submit(taskforce_, YearFrozen{1999, ""}, {}, {}, "assessment-1999").status().code(), StatusCode::kNotFound);
  EXPECT_EQ(store_->Head().position, GlobalPosition(0));
}

TEST_F(CommandHandlerTest, LoadsEachKindOfStreamWithItsOwnCall) {
  EXPECT_EQ(handler_->Load(StreamId{"assessment-2024"}).status().subject(), "stream");
  EXPECT_EQ(handler_->LoadAssessment(StreamId{"task-07"}).status().subject(), "stream");
  EXPECT_EQ(handler_->LoadAssessment(StreamId{"assessment-2101"}).status().code(), StatusCode::kNotFound);
  EXPECT_TRUE(handler_->Load(StreamId{"task-07"}).ok());
  EXPECT_TRUE(handler_->LoadAssessment(StreamId{"assessment-2024"}).ok());
  EXPECT_EQ(handler_->Load(PrincipalsStream()).status().subject(), "stream");
  EXPECT_EQ(handler_->LoadAssessment(PrincipalsStream()).status().subject(), "stream");
  EXPECT_TRUE(handler_->LoadPrincipals().ok());
}

TEST_F(CommandHandlerTest, ThePrincipalsStreamIsDecidedByThePrincipalDirectory) {
  const std::string hash(64, 'a');
  ASSERT_TRUE(Submit(taskforce_, TownshipRegistered{"永安街道"}, {}, {}, "principals").ok());
  Result<RecordedEvent> stored =
      Submit(taskforce_, PrincipalRegistered{"p-1", "永安街道 李四", Role::kDepartment, "永安街道", hash}, {}, {},
             "principals");
  ASSERT_TRUE(stored.ok()) << stored.status().ToString();
  EXPECT_EQ(stored->type, "PrincipalRegistered");
  EXPECT_EQ(stored->version, StreamVersion(2));

  // Its rules, not a task's, refuse; and a refusal appends nothing.
  EXPECT_EQ(Submit(lead_, PrincipalRevoked{"p-1"}, {}, {}, "principals").status().subject(),
            RuleId(TaskRule::kTaskForceOnly));
  EXPECT_EQ(Submit(taskforce_, PrincipalRegistered{"p-1", "王五", Role::kAuditor, "", std::string(64, 'b')}, {}, {},
                   "principals")
                .status()
                .subject(),
            RuleId(PrincipalRule::kPrincipalIdTaken));
  EXPECT_EQ(Submit(taskforce_, PrincipalRevoked{"p-9"}, {}, {}, "principals").status().code(), StatusCode::kNotFound);
  EXPECT_EQ(Submit(taskforce_, Report(1), {}, {}, "principals").status().subject(), "type");
  EXPECT_EQ(Submit(taskforce_, TownshipRegistered{"永安街道"}, {}, {}, "task-07").status().subject(), "type");
  EXPECT_EQ(store_->Head().position, GlobalPosition(2));

  // A new handler rebuilds the directory from the store alone.
  store_.reset();
  handler_.reset();
  store_ = Open();
  handler_ = std::make_unique<CommandHandler>(*store_, catalog_, clock_);
  Result<PrincipalDirectory> directory = handler_->LoadPrincipals();
  ASSERT_TRUE(directory.ok()) << directory.status().ToString();
  ASSERT_NE(directory->Find("p-1"), nullptr);
  EXPECT_EQ(directory->Find("p-1")->unit, "永安街道");
  EXPECT_EQ(directory->Find("p-1")->token_sha256, hash);
  EXPECT_TRUE(directory->IsTownship("永安街道"));
  ASSERT_TRUE(Submit(taskforce_, PrincipalRevoked{"p-1"}, {}, {}, "principals").ok());
  EXPECT_EQ(Submit(taskforce_, PrincipalRevoked{"p-1"}, {}, {}, "principals").status().subject(),
            RuleId(PrincipalRule::kAlreadyRevoked));
}

TEST_F(CommandHandlerTest, StoresATownshipsGroupWithItsReport) {
  const Actor township{"p-yazd", Role::kDepartment, "永安街道", "各乡镇人民政府、街道办事处"};
  Result<RecordedEvent> stored = Submit(township, Report(3));  // task 7: the township group cooperates
  ASSERT_TRUE(stored.ok()) << stored.status().ToString();
  EXPECT_EQ(stored->actor, township);

  store_.reset();
  handler_.reset();
  store_ = Open();
  Result<std::optional<RecordedEvent>> read = store_->FindById(stored->id);
  ASSERT_TRUE(read.ok() && read->has_value());
  EXPECT_EQ((*read)->actor, township);
  EXPECT_TRUE(store_->Verify().ok);
}

}  // namespace
}  // namespace kuimen
