#include "core/jobs/job_queue.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <sqlite3.h>

#include "core/checkpoint/checkpoint.h"
#include "core/jobs/sqlite_job_store.h"
#include "tests/testing/process.h"
#include "tests/testing/temp_dir.h"
#include "tests/testing/tiny_spec.h"

namespace dcgan {
namespace {

class JobQueueTest : public ::testing::Test {
 protected:
  void SetUp() override {
    store_ = *SqliteJobStore::Open(dir_.file("jobs.db"));
    options_.checkpoint_root = dir_.file("checkpoints");
    options_.data.max_examples = 256;
  }

  // Waits on the queue's change notifications until `id` is in `state`.
  static bool WaitForState(JobQueue& queue, const std::string& id, JobState state) {
    int64_t version = 0;
    const absl::Time deadline = absl::Now() + absl::Seconds(120);
    while (absl::Now() < deadline) {
      absl::StatusOr<JobRecord> job = queue.WaitForChange(id, &version, deadline);
      if (job.ok() && job->state == state) return true;
    }
    return false;
  }

  // A job that runs until stopped, and checkpoints only when asked to.
  static JobSpec LongSpec() {
    JobSpec spec = testing::TinySpec();
    spec.max_steps = 1000000000;
    spec.checkpoint_every_steps = 1000000;
    return spec;
  }

  // Runs LongSpec() as `id` on a queue of its own until it is RUNNING, then
  // shuts that queue down, which writes a checkpoint and releases the job.
  void RunThenShutDown(const std::string& id) {
    JobQueue queue(store_.get(), options_);
    ASSERT_TRUE(queue.Start().ok());
    ASSERT_TRUE(queue.Submit(id, LongSpec()).ok());
    ASSERT_TRUE(WaitForState(queue, id, JobState::kRunning));
    queue.Shutdown();
    EXPECT_EQ(queue.Submit("late", LongSpec()).status().code(), absl::StatusCode::kUnavailable);
  }

  testing::TempDir dir_;
  std::unique_ptr<SqliteJobStore> store_;
  JobQueueOptions options_;
};

TEST_F(JobQueueTest, RunsASubmittedJobToCompletion) {
  JobQueue queue(store_.get(), options_);
  ASSERT_TRUE(queue.Start().ok());
  auto job = queue.Submit("j", testing::TinySpec());
  ASSERT_TRUE(job.ok()) << job.status();
  EXPECT_EQ(job->state, JobState::kQueued);  // Submit never waits for training
  ASSERT_TRUE(WaitForState(queue, "j", JobState::kSucceeded));
  auto done = queue.Get("j");
  EXPECT_EQ(done->progress.step, 8);
  EXPECT_GT(done->end_unix_ms, 0);
  EXPECT_THAT(queue.CheckpointSteps("j"), ::testing::ElementsAre(4, 8));
}

TEST_F(JobQueueTest, SubmitIsIdempotentPerIdAndSpec) {
  JobQueue queue(store_.get(), options_);
  auto first = queue.Submit("same", testing::TinySpec());
  auto second = queue.Submit("same", testing::TinySpec());
  ASSERT_TRUE(first.ok() && second.ok());
  EXPECT_EQ(first->sequence, second->sequence);
  JobSpec other = testing::TinySpec();
  other.seed = 1;
  EXPECT_EQ(queue.Submit("same", other).status().code(), absl::StatusCode::kAlreadyExists);
  EXPECT_EQ(queue.Submit("Bad!", other).status().code(), absl::StatusCode::kInvalidArgument);
  JobSpec bad = testing::TinySpec();
  bad.image_size = 20;
  EXPECT_EQ(queue.Submit("", bad).status().code(), absl::StatusCode::kInvalidArgument);
  bad = testing::TinySpec();
  bad.dataset = "image-folder:nothing-here";
  EXPECT_EQ(queue.Submit("", bad).status().code(), absl::StatusCode::kNotFound);
  auto fresh = queue.Submit("", testing::TinySpec());
  ASSERT_TRUE(fresh.ok());
  EXPECT_TRUE(IsValidJobId(fresh->id));
}

TEST_F(JobQueueTest, FullQueueIsResourceExhausted) {
  options_.max_queued_jobs = 2;
  JobQueue queue(store_.get(), options_);  // not started: nothing leaves the queue
  ASSERT_TRUE(queue.Submit("a", testing::TinySpec()).ok());
  ASSERT_TRUE(queue.Submit("b", testing::TinySpec()).ok());
  EXPECT_EQ(queue.Submit("c", testing::TinySpec()).status().code(),
            absl::StatusCode::kResourceExhausted);
}

TEST_F(JobQueueTest, CancelQueuedAndRunning) {
  JobQueue queue(store_.get(), options_);
  JobSpec endless = testing::TinySpec();
  endless.max_steps = 1000000000;
  ASSERT_TRUE(queue.Submit("running", endless).ok());
  ASSERT_TRUE(queue.Submit("queued", endless).ok());
  ASSERT_TRUE(queue.Start().ok());
  ASSERT_TRUE(WaitForState(queue, "running", JobState::kRunning));
  EXPECT_EQ(queue.Cancel("queued")->state, JobState::kCancelled);
  ASSERT_TRUE(queue.Cancel("running").ok());
  ASSERT_TRUE(WaitForState(queue, "running", JobState::kCancelled));
  EXPECT_EQ(queue.Cancel("running")->state, JobState::kCancelled);
  EXPECT_EQ(queue.Cancel("nobody").status().code(), absl::StatusCode::kNotFound);
}

TEST_F(JobQueueTest, ShutdownLeavesRunningJobResumable) {
  ASSERT_NO_FATAL_FAILURE(RunThenShutDown("long"));
  // Released: this replica's next start, or any other, resumes it at once.
  EXPECT_EQ(store_->Get("long")->state, JobState::kQueued);
  std::vector<int64_t> steps = ListCheckpointSteps(dir_.file("checkpoints/long"));
  ASSERT_EQ(steps.size(), 1u);  // written on the way out
  JobQueue restarted(store_.get(), options_);
  ASSERT_TRUE(restarted.Start().ok());
  int64_t version = 0;
  // Progress continues past the checkpoint, not from zero.
  bool resumed = false;
  const absl::Time deadline = absl::Now() + absl::Seconds(60);
  while (!resumed && absl::Now() < deadline) {
    auto job = restarted.WaitForChange("long", &version, deadline);
    resumed = job.ok() && job->state == JobState::kRunning && job->progress.step > steps[0];
  }
  EXPECT_TRUE(resumed);
  ASSERT_TRUE(restarted.Cancel("long").ok());
}

// Two queues on one store are two replicas sharing it.
TEST_F(JobQueueTest, AReplicaTakesOverAJobWhoseLeaseLapsed) {
  ASSERT_NO_FATAL_FAILURE(RunThenShutDown("long"));
  const std::vector<int64_t> steps = ListCheckpointSteps(dir_.file("checkpoints/long"));
  ASSERT_EQ(steps.size(), 1u);
  // A replica claims it and dies at once: it never renews its lease.
  const absl::Duration lease = absl::Milliseconds(600);
  ASSERT_TRUE(store_->ClaimNext("dead-replica", lease)->has_value());

  options_.replica_id = "survivor";
  options_.lease = lease;
  options_.poll_interval = absl::Milliseconds(50);
  JobQueue survivor(store_.get(), options_);
  const absl::Time started = absl::Now();
  ASSERT_TRUE(survivor.Start().ok());
  int64_t version = 0;
  bool resumed = false;
  const absl::Time deadline = absl::Now() + absl::Seconds(60);
  while (!resumed && absl::Now() < deadline) {
    auto job = survivor.WaitForChange("long", &version, absl::Now() + absl::Milliseconds(100));
    resumed = job.ok() && job->owner == "survivor" && job->progress.step > steps[0];
  }
  ASSERT_TRUE(resumed) << "the survivor never resumed the job";
  EXPECT_LT(absl::Now() - started, absl::Seconds(30));
  EXPECT_EQ(store_->Get("long")->owner, "survivor");
  ASSERT_TRUE(survivor.Cancel("long").ok());
  ASSERT_TRUE(WaitForState(survivor, "long", JobState::kCancelled));
}

TEST_F(JobQueueTest, CancelOnAnotherReplicaStopsTheJobWhereItRuns) {
  JobSpec spec = testing::TinySpec();
  spec.max_steps = 1000000000;
  options_.lease = absl::Milliseconds(900);
  JobQueueOptions runner_options = options_;
  runner_options.replica_id = "runner";
  JobQueueOptions front_options = options_;
  front_options.replica_id = "front";
  front_options.max_concurrent_jobs = 0;  // takes calls, trains nothing
  JobQueue runner(store_.get(), runner_options);
  JobQueue front(store_.get(), front_options);
  ASSERT_TRUE(runner.Start().ok());
  ASSERT_TRUE(front.Start().ok());
  ASSERT_TRUE(front.Submit("long", spec).ok());
  ASSERT_TRUE(WaitForState(runner, "long", JobState::kRunning));

  auto requested = front.Cancel("long");
  ASSERT_TRUE(requested.ok()) << requested.status();
  EXPECT_EQ(requested->state, JobState::kRunning);
  EXPECT_TRUE(requested->cancel_requested);
  EXPECT_EQ(requested->owner, "runner");
  ASSERT_TRUE(WaitForState(runner, "long", JobState::kCancelled));
  auto stored = store_->Get("long");
  EXPECT_EQ(stored->state, JobState::kCancelled);
  EXPECT_EQ(front.Cancel("long")->state, JobState::kCancelled);
}

// Another replica took the job over (as after a lapsed lease; done here by
// hand, through a second connection to the same file): the old holder sees
// it at its next renewal, stops the job, and writes nothing more.
TEST_F(JobQueueTest, AReplicaThatLostItsLeaseStopsWithoutWriting) {
  JobSpec spec = testing::TinySpec();
  spec.max_steps = 1000000000;
  options_.replica_id = "slow";
  options_.lease = absl::Milliseconds(600);
  JobQueue slow(store_.get(), options_);
  ASSERT_TRUE(slow.Start().ok());
  ASSERT_TRUE(slow.Submit("stolen", spec).ok());
  ASSERT_TRUE(WaitForState(slow, "stolen", JobState::kRunning));

  sqlite3* other = nullptr;
  ASSERT_EQ(sqlite3_open(dir_.file("jobs.db").c_str(), &other), SQLITE_OK);
  sqlite3_busy_timeout(other, 5000);
  ASSERT_EQ(sqlite3_exec(other,
                         "UPDATE jobs SET owner = 'thief', progress = '{\"step\": 1}' "
                         "WHERE id = 'stolen'",
                         nullptr, nullptr, nullptr),
            SQLITE_OK);
  sqlite3_close(other);

  // The slow replica stops it: Get no longer answers from its live record.
  ASSERT_TRUE(testing::WaitFor(
      [&] {
        auto job = slow.Get("stolen");
        return job.ok() && job->owner == "thief";
      },
      std::chrono::seconds(30)));
  auto stored = store_->Get("stolen");
  EXPECT_EQ(stored->state, JobState::kRunning) << "the thief's job, untouched";
  EXPECT_EQ(stored->owner, "thief");
  EXPECT_EQ(stored->progress.step, 1) << "the old holder wrote progress after losing the lease";
}

}  // namespace
}  // namespace dcgan
