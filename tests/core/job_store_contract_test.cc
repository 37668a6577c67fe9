// One contract, two JobStores: every test runs against SQLite (a real file)
// and PostgreSQL (a real server, started for the test).

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <functional>
#include <map>
#include <memory>
#include <thread>

#include "core/jobs/open_job_store.h"
#include "core/jobs/postgres_job_store.h"
#include "core/jobs/sqlite_job_store.h"
#include "tests/testing/postgres_server.h"
#include "tests/testing/temp_dir.h"
#include "tests/testing/tiny_spec.h"

namespace dcgan {
namespace {

using ::testing::ElementsAre;

constexpr absl::Duration kLongLease = absl::Hours(1);

// Started on first use (initdb takes a second or two), stopped at exit.
testing::PostgresServer& Postgres() {
  static testing::PostgresServer* server = nullptr;
  if (server == nullptr) {
    server = new testing::PostgresServer;
    struct Stopper : ::testing::Environment {
      void TearDown() override { delete server; }
    };
    ::testing::AddGlobalTestEnvironment(new Stopper);  // gtest owns it
  }
  return *server;
}

// Where a test's store lives: opening it again gives the same jobs.
class StoreLocation {
 public:
  virtual ~StoreLocation() = default;
  virtual absl::StatusOr<std::unique_ptr<JobStore>> Open() = 0;
};

class SqliteLocation : public StoreLocation {
 public:
  absl::StatusOr<std::unique_ptr<JobStore>> Open() override {
    return OpenJobStore("sqlite:" + dir_.file("jobs.db"), dir_.path());
  }

 private:
  testing::TempDir dir_;
};

class PostgresLocation : public StoreLocation {
 public:
  PostgresLocation() : url_(Postgres().error().empty() ? Postgres().NewDatabase() : "") {}
  absl::StatusOr<std::unique_ptr<JobStore>> Open() override {
    if (url_.empty()) return absl::UnavailableError("PostgreSQL: " + Postgres().error());
    return OpenJobStore(url_, "");
  }

 private:
  std::string url_;
};

JobRecord Job(const std::string& id) {
  JobRecord job;
  job.id = id;
  job.spec = testing::TinySpec();
  job.create_unix_ms = NowUnixMs();
  return job;
}

std::vector<std::string> Ids(const std::vector<JobRecord>& jobs) {
  std::vector<std::string> ids;
  for (const auto& j : jobs) ids.push_back(j.id);
  return ids;
}

class JobStoreContractTest : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override {
    if (GetParam() == "sqlite") {
      location_ = std::make_unique<SqliteLocation>();
    } else {
      location_ = std::make_unique<PostgresLocation>();
    }
    auto opened = location_->Open();
    ASSERT_TRUE(opened.ok()) << opened.status();
    store_ = *std::move(opened);
  }
  std::unique_ptr<StoreLocation> location_;
  std::unique_ptr<JobStore> store_;
};

TEST_P(JobStoreContractTest, OnlyTheLeaseHolderUpdates) {
  auto created = store_->Create(Job("a"));
  ASSERT_TRUE(created.ok()) << created.status();
  EXPECT_GT(created->sequence, 0);
  EXPECT_EQ(created->owner, "");
  EXPECT_EQ(store_->Create(Job("a")).status().code(), absl::StatusCode::kAlreadyExists);
  EXPECT_EQ(store_->Get("zzz").status().code(), absl::StatusCode::kNotFound);
  // Nobody holds a queued job, so nobody may write it.
  EXPECT_EQ(store_->Update(*created).code(), absl::StatusCode::kFailedPrecondition);

  auto claimed = store_->ClaimNext("replica-1", kLongLease);
  ASSERT_TRUE(claimed.ok() && claimed->has_value()) << claimed.status();
  JobRecord job = **claimed;
  EXPECT_EQ(job.owner, "replica-1");
  job.progress.step = 9;
  ASSERT_TRUE(store_->Update(job).ok());
  JobRecord intruder = job;
  intruder.owner = "replica-2";
  const absl::Status refused = store_->Update(intruder);
  EXPECT_EQ(refused.code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(std::string(refused.message()), ::testing::HasSubstr("replica-1"));

  job.state = JobState::kFailed;
  job.error = "out of data: 'quotes' and \"more\"";
  job.progress.step = 17;
  job.progress.generator_loss = 1.25;
  job.end_unix_ms = 1234;
  ASSERT_TRUE(store_->Update(job).ok());
  auto got = store_->Get("a");
  ASSERT_TRUE(got.ok()) << got.status();
  EXPECT_EQ(got->state, JobState::kFailed);
  EXPECT_EQ(got->error, job.error);
  EXPECT_EQ(got->progress.step, 17);
  EXPECT_EQ(got->progress.generator_loss, 1.25);
  EXPECT_EQ(got->end_unix_ms, 1234);
  EXPECT_EQ(got->spec, testing::TinySpec());
  EXPECT_EQ(got->owner, "replica-1");  // who ran it last
  // Terminal: not RUNNING any more, so even its owner's writes are refused.
  EXPECT_EQ(store_->Update(job).code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(store_->Update(Job("ghost")).code(), absl::StatusCode::kNotFound);
}

TEST_P(JobStoreContractTest, ListPagesNewestFirstAndFilters) {
  for (const char* id : {"j1", "j2", "j3", "j4", "j5"}) ASSERT_TRUE(store_->Create(Job(id)).ok());
  auto page1 = *store_->List(std::nullopt, 2, 0);
  EXPECT_THAT(Ids(page1), ElementsAre("j5", "j4"));
  auto page2 = *store_->List(std::nullopt, 2, page1.back().sequence);
  EXPECT_THAT(Ids(page2), ElementsAre("j3", "j2"));
  JobRecord j1 = **store_->ClaimNext("r", kLongLease);
  EXPECT_EQ(j1.id, "j1");
  j1.state = JobState::kSucceeded;
  ASSERT_TRUE(store_->Update(j1).ok());
  EXPECT_THAT(Ids(*store_->List(JobState::kSucceeded, 10, 0)), ElementsAre("j1"));
  EXPECT_EQ(store_->List(JobState::kQueued, 10, 0)->size(), 4u);
  EXPECT_EQ(*store_->CountInState(JobState::kQueued), 4);
  EXPECT_EQ(*store_->CountInState(JobState::kSucceeded), 1);
  EXPECT_EQ(*store_->CountInState(JobState::kFailed), 0);
}

TEST_P(JobStoreContractTest, ClaimsOldestQueuedOnceAndRequeues) {
  ASSERT_TRUE(store_->Create(Job("first")).ok());
  ASSERT_TRUE(store_->Create(Job("second")).ok());
  auto a = *store_->ClaimNext("r", kLongLease);
  auto b = *store_->ClaimNext("r", kLongLease);
  auto none = *store_->ClaimNext("r", kLongLease);
  ASSERT_TRUE(a && b);
  EXPECT_EQ(a->id, "first");
  EXPECT_EQ(a->state, JobState::kRunning);
  EXPECT_GT(a->start_unix_ms, 0);
  EXPECT_EQ(store_->Get("first")->state, JobState::kRunning);
  EXPECT_EQ(store_->Get("first")->owner, "r");
  EXPECT_EQ(b->id, "second");
  EXPECT_FALSE(none);
  EXPECT_EQ(*store_->RequeueRunning(), 2);
  EXPECT_EQ(store_->Get("first")->state, JobState::kQueued);
}

TEST_P(JobStoreContractTest, LapsedLeaseGoesToAnotherReplica) {
  ASSERT_TRUE(store_->Create(Job("j")).ok());
  const absl::Duration lease = absl::Milliseconds(300);
  const absl::Time claimed_at = absl::Now();
  JobRecord first = **store_->ClaimNext("dead", lease);
  EXPECT_FALSE(*store_->ClaimNext("alive", lease)) << "a live lease is not claimable";
  ASSERT_TRUE(store_->RenewLease("j", "dead", lease)->held);
  const absl::Time renewed_at = absl::Now();

  // "dead" stops renewing; "alive" polls, as an idle replica does.
  std::optional<JobRecord> taken;
  const absl::Time deadline = absl::Now() + absl::Seconds(10);
  while (!taken && absl::Now() < deadline) taken = *store_->ClaimNext("alive", lease);
  ASSERT_TRUE(taken) << "the lapsed lease was never claimable";
  EXPECT_GE(absl::Now() - renewed_at, lease - absl::Milliseconds(50));
  EXPECT_GE(absl::Now() - claimed_at, lease);
  EXPECT_EQ(taken->id, "j");
  EXPECT_EQ(taken->owner, "alive");
  EXPECT_EQ(taken->start_unix_ms, first.start_unix_ms) << "first start is kept";

  // The old holder learns it lost the job, and cannot write it.
  auto renewal = store_->RenewLease("j", "dead", lease);
  ASSERT_TRUE(renewal.ok()) << renewal.status();
  EXPECT_FALSE(renewal->held);
  EXPECT_EQ(store_->Update(first).code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_TRUE(store_->Update(*taken).ok());
  EXPECT_TRUE(store_->RenewLease("j", "alive", kLongLease)->held);
  EXPECT_EQ(store_->RenewLease("ghost", "alive", lease).status().code(),
            absl::StatusCode::kNotFound);
}

TEST_P(JobStoreContractTest, CancelReachesAJobWhereverItIs) {
  ASSERT_TRUE(store_->Create(Job("running")).ok());
  ASSERT_TRUE(store_->Create(Job("lapsed")).ok());
  ASSERT_TRUE(store_->Create(Job("queued")).ok());
  JobRecord running = **store_->ClaimNext("r1", kLongLease);
  JobRecord lapsed = **store_->ClaimNext("r2", absl::Milliseconds(1));

  auto queued = store_->RequestCancel("queued");
  ASSERT_TRUE(queued.ok()) << queued.status();
  EXPECT_EQ(queued->state, JobState::kCancelled);
  EXPECT_GT(queued->end_unix_ms, 0);

  // Under a live lease: only flagged; the holder sees it when it renews,
  // and stops it itself.
  auto flagged = store_->RequestCancel("running");
  ASSERT_TRUE(flagged.ok()) << flagged.status();
  EXPECT_EQ(flagged->state, JobState::kRunning);
  EXPECT_TRUE(flagged->cancel_requested);
  auto renewal = store_->RenewLease("running", "r1", kLongLease);
  EXPECT_TRUE(renewal->held);
  EXPECT_TRUE(renewal->cancel_requested);
  running.state = JobState::kCancelled;
  EXPECT_TRUE(store_->Update(running).ok());
  EXPECT_EQ(store_->RequestCancel("running")->state, JobState::kCancelled);

  // Its holder is gone (the lease lapsed after 1 ms): cancelled at once,
  // and the old holder can no longer write it.
  absl::StatusOr<JobRecord> gone;
  const absl::Time deadline = absl::Now() + absl::Seconds(10);
  do {
    gone = store_->RequestCancel("lapsed");
    ASSERT_TRUE(gone.ok()) << gone.status();
  } while (gone->state != JobState::kCancelled && absl::Now() < deadline);
  EXPECT_EQ(gone->state, JobState::kCancelled);
  EXPECT_EQ(store_->Update(lapsed).code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_FALSE(*store_->ClaimNext("r3", kLongLease)) << "cancelled jobs are never claimed";
  EXPECT_EQ(store_->RequestCancel("ghost").status().code(), absl::StatusCode::kNotFound);
}

TEST_P(JobStoreContractTest, ConcurrentClaimersFromTwoConnectionsTakeEachJobOnce) {
  // Two handles on one store: two processes (replicas) sharing it.
  auto other = location_->Open();
  ASSERT_TRUE(other.ok()) << other.status();
  constexpr int kJobs = 40;
  for (int i = 0; i < kJobs; ++i) ASSERT_TRUE(store_->Create(Job("job-" + std::to_string(i))).ok());
  std::vector<std::vector<std::string>> claimed(4);
  std::vector<std::thread> claimers;
  for (int t = 0; t < 4; ++t) {
    JobStore* store = t % 2 == 0 ? store_.get() : other->get();
    claimers.emplace_back([store, &claimed, t] {
      while (true) {
        auto job = store->ClaimNext("claimer-" + std::to_string(t), kLongLease);
        if (!job.ok() || !job->has_value()) return;
        claimed[t].push_back((*job)->id);
      }
    });
  }
  for (std::thread& c : claimers) c.join();
  std::map<std::string, int> times;
  for (const auto& ids : claimed) {
    for (const std::string& id : ids) ++times[id];
  }
  EXPECT_EQ(times.size(), size_t(kJobs));
  for (const auto& [id, n] : times) EXPECT_EQ(n, 1) << id;
  EXPECT_EQ(*store_->CountInState(JobState::kRunning), kJobs);
}

TEST_P(JobStoreContractTest, SurvivesReopenAndMigratesOnce) {
  ASSERT_TRUE(store_->Create(Job("kept")).ok());
  store_.reset();
  auto reopened = location_->Open();  // migrations already applied: a no-op
  ASSERT_TRUE(reopened.ok()) << reopened.status();
  EXPECT_TRUE((*reopened)->Get("kept").ok());
  EXPECT_TRUE((*reopened)->Create(Job("new")).ok());
}

INSTANTIATE_TEST_SUITE_P(Stores, JobStoreContractTest, ::testing::Values("sqlite", "postgresql"),
                         [](const auto& info) { return info.param; });

TEST(OpenJobStoreTest, NamesWhatItAccepts) {
  testing::TempDir dir;
  EXPECT_TRUE(OpenJobStore("", dir.path()).ok());
  EXPECT_TRUE(std::filesystem::exists(dir.file("jobs.db")));
  auto bad = OpenJobStore("mysql://x", dir.path());
  EXPECT_EQ(bad.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(std::string(bad.status().message()), ::testing::HasSubstr("postgresql://"));
  EXPECT_FALSE(OpenJobStore("sqlite:" + dir.file("missing/dir/jobs.db"), dir.path()).ok());
  auto unreachable = OpenJobStore("postgresql://postgres@127.0.0.1:1/none?connect_timeout=2", "");
  EXPECT_EQ(unreachable.status().code(), absl::StatusCode::kUnavailable);
}

}  // namespace
}  // namespace dcgan
