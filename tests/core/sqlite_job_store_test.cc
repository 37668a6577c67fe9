#include "core/jobs/sqlite_job_store.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "tests/testing/temp_dir.h"
#include "tests/testing/tiny_spec.h"

namespace dcgan {
namespace {

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

TEST(SqliteJobStoreTest, CreateGetUpdate) {
  testing::TempDir dir;
  auto store = SqliteJobStore::Open(dir.file("jobs.db"));
  ASSERT_TRUE(store.ok()) << store.status();
  auto created = (*store)->Create(Job("a"));
  ASSERT_TRUE(created.ok());
  EXPECT_GT(created->sequence, 0);
  EXPECT_EQ((*store)->Create(Job("a")).status().code(), absl::StatusCode::kAlreadyExists);
  EXPECT_EQ((*store)->Get("zzz").status().code(), absl::StatusCode::kNotFound);

  JobRecord job = *created;
  job.state = JobState::kFailed;
  job.error = "out of data";
  job.progress.step = 17;
  job.progress.generator_loss = 1.25;
  job.end_unix_ms = 1234;
  ASSERT_TRUE((*store)->Update(job).ok());
  auto got = (*store)->Get("a");
  ASSERT_TRUE(got.ok());
  EXPECT_EQ(got->state, JobState::kFailed);
  EXPECT_EQ(got->error, "out of data");
  EXPECT_EQ(got->progress.step, 17);
  EXPECT_EQ(got->progress.generator_loss, 1.25);
  EXPECT_EQ(got->spec, testing::TinySpec());
  JobRecord ghost = Job("ghost");
  EXPECT_EQ((*store)->Update(ghost).code(), absl::StatusCode::kNotFound);
}

TEST(SqliteJobStoreTest, ListPagesNewestFirstAndFilters) {
  testing::TempDir dir;
  auto store = *SqliteJobStore::Open(dir.file("jobs.db"));
  for (const char* id : {"j1", "j2", "j3", "j4", "j5"}) ASSERT_TRUE(store->Create(Job(id)).ok());
  auto page1 = *store->List(std::nullopt, 2, 0);
  EXPECT_THAT(Ids(page1), ::testing::ElementsAre("j5", "j4"));
  auto page2 = *store->List(std::nullopt, 2, page1.back().sequence);
  EXPECT_THAT(Ids(page2), ::testing::ElementsAre("j3", "j2"));
  JobRecord j2 = page2.back();
  j2.state = JobState::kSucceeded;
  ASSERT_TRUE(store->Update(j2).ok());
  EXPECT_THAT(Ids(*store->List(JobState::kSucceeded, 10, 0)), ::testing::ElementsAre("j2"));
  EXPECT_EQ(store->List(JobState::kQueued, 10, 0)->size(), 4u);
  EXPECT_EQ(*store->CountInState(JobState::kQueued), 4);
  EXPECT_EQ(*store->CountInState(JobState::kSucceeded), 1);
  EXPECT_EQ(*store->CountInState(JobState::kFailed), 0);
}

TEST(SqliteJobStoreTest, ClaimsOldestQueuedOnceAndRequeues) {
  testing::TempDir dir;
  auto store = *SqliteJobStore::Open(dir.file("jobs.db"));
  ASSERT_TRUE(store->Create(Job("first")).ok());
  ASSERT_TRUE(store->Create(Job("second")).ok());
  auto a = *store->ClaimNextQueued();
  auto b = *store->ClaimNextQueued();
  auto none = *store->ClaimNextQueued();
  ASSERT_TRUE(a && b);
  EXPECT_EQ(a->id, "first");
  EXPECT_EQ(a->state, JobState::kRunning);
  EXPECT_GT(a->start_unix_ms, 0);
  EXPECT_EQ(b->id, "second");
  EXPECT_FALSE(none);
  EXPECT_EQ(*store->RequeueRunning(), 2);
  EXPECT_EQ(store->Get("first")->state, JobState::kQueued);
}

TEST(SqliteJobStoreTest, SurvivesReopen) {
  testing::TempDir dir;
  {
    auto store = *SqliteJobStore::Open(dir.file("jobs.db"));
    ASSERT_TRUE(store->Create(Job("kept")).ok());
  }
  auto reopened = SqliteJobStore::Open(dir.file("jobs.db"));  // migrations run once
  ASSERT_TRUE(reopened.ok()) << reopened.status();
  EXPECT_TRUE((*reopened)->Get("kept").ok());
  EXPECT_FALSE(SqliteJobStore::Open(dir.file("missing/dir/jobs.db")).ok());
}

}  // namespace
}  // namespace dcgan
