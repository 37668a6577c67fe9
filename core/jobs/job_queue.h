#ifndef DCGAN_CORE_JOBS_JOB_QUEUE_H_
#define DCGAN_CORE_JOBS_JOB_QUEUE_H_

#include <atomic>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "core/data/dataset.h"
#include "core/jobs/job_listener.h"
#include "core/jobs/job_store.h"
#include "core/train/trainer.h"

namespace dcgan {

struct JobQueueOptions {
  // Jobs trained at once, each on its own worker thread. Default 1: on a
  // small machine two jobs only split the cores.
  int max_concurrent_jobs = 1;
  // Jobs waiting beyond this many make Submit return RESOURCE_EXHAUSTED.
  int max_queued_jobs = 1000;
  // Checkpoints of job J go to <checkpoint_root>/J. Required.
  std::string checkpoint_root;
  DatasetOptions data;
  int keep_last_checkpoints = 5;
  // Progress is written to the store at most this often (and at every
  // state change); watchers in this process see every step.
  absl::Duration store_write_interval = absl::Seconds(1);
  // How often idle workers look for jobs queued elsewhere (another replica)
  // or left behind by a replica whose lease lapsed.
  absl::Duration poll_interval = absl::Seconds(1);
  // This queue's name in the store's leases; unique among the replicas
  // sharing a store. Empty: the host name and a random suffix.
  std::string replica_id;
  // A claimed job is this queue's until its lease lapses; renewed every
  // lease / 3. A replica that dies loses its jobs to another replica after
  // at most this long; one that cannot renew for 2/3 of it stops them.
  absl::Duration lease = absl::Seconds(15);
  // True only when this queue is the store's only user (SQLite under the
  // server's state dir): Start then requeues every RUNNING job at once, as
  // they can only be a previous process's.
  bool sole_store_user = false;
  // Told of every step and of every job's end (optional; not owned, must
  // outlive the queue).
  JobListener* listener = nullptr;
};

// The job queue: accepts jobs, persists them in a JobStore, and trains them
// on its own worker threads, never on the caller's.
//
// Replicas may share one store: each claims jobs under a lease it renews,
// writes only the jobs it holds, and takes over jobs whose lease lapsed
// (resuming them from their last checkpoint). CancelJob reaches a job
// wherever it runs, through the store.
//
// Lifecycle: construct, Start() (with sole_store_user, requeues the jobs a
// previous process left RUNNING; then starts the workers and the lease
// keeper), use from any thread, Shutdown() (running jobs write a
// checkpoint and go back to QUEUED, for this or another replica to resume;
// then the threads are joined). Thread-safe. The store must outlive the
// queue.
class JobQueue {
 public:
  JobQueue(JobStore* store, const JobQueueOptions& options);
  ~JobQueue();
  JobQueue(const JobQueue&) = delete;
  JobQueue& operator=(const JobQueue&) = delete;

  absl::Status Start();

  // Validates and enqueues. `job_id` empty: a new id is made. An existing id
  // with the same (filled-in) spec returns that job; with another spec,
  // ALREADY_EXISTS. INVALID_ARGUMENT for a bad spec or id, NOT_FOUND for a
  // dataset that is not there, RESOURCE_EXHAUSTED when the queue is full,
  // UNAVAILABLE while shutting down. Returns at once.
  absl::StatusOr<JobRecord> Submit(const std::string& job_id, const JobSpec& spec);

  // The job with the latest progress of a run in this process.
  absl::StatusOr<JobRecord> Get(const std::string& id);
  absl::StatusOr<std::vector<JobRecord>> List(std::optional<JobState> state, int limit,
                                              int64_t before_sequence);

  // Queued: cancelled at once. Running here: stopped within one step.
  // Running on another replica: returned RUNNING with cancel_requested; that
  // replica stops it within lease / 3. Already cancelled: returned as is.
  // Succeeded or failed: FAILED_PRECONDITION.
  absl::StatusOr<JobRecord> Cancel(const std::string& id);

  // Blocks until something changed after `*version` (then updates it), the
  // deadline passes, or shutdown begins; then returns the job. Callers loop
  // until the job is terminal.
  absl::StatusOr<JobRecord> WaitForChange(const std::string& id, int64_t* version,
                                          absl::Time deadline);

  // Jobs in `state` in the store (all replicas' when the store is shared).
  absl::StatusOr<int64_t> CountInState(JobState state) const;

  // Steps of the job's complete checkpoints, ascending.
  std::vector<int64_t> CheckpointSteps(const std::string& id) const;
  std::string JobDir(const std::string& id) const;

  const std::string& replica_id() const { return replica_id_; }
  bool shutting_down() const;
  // Stops taking jobs, wakes waiters, asks running jobs to checkpoint and
  // stop. Returns at once.
  void BeginShutdown();
  // BeginShutdown, then waits for the workers.
  void Shutdown();

 private:
  struct Running {
    JobRecord record;
    std::atomic<StopRequest> stop{StopRequest::kNone};
    // Another replica owns the job now (or may: renewals failed too long):
    // stop at once and write nothing more.
    std::atomic<bool> lease_lost{false};
    absl::Time renewed_at;  // only the lease keeper touches it after RunJob
  };
  class Observer;

  void WorkerLoop();
  void LeaseLoop();
  void RenewLeases();
  void RunJob(JobRecord job);
  // Persists (if asked) and wakes watchers. A write refused because the
  // lease is lost marks `running` so, which stops the job.
  void Publish(const JobRecord& job, bool persist, Running* running = nullptr);
  void Finish(JobRecord job, absl::Status result, Running* running);
  static void LoseLease(Running* running, const absl::Status& why);

  // Constant after construction.
  JobStore* const store_;
  const JobQueueOptions options_;
  const std::string replica_id_;

  mutable absl::Mutex mu_;
  std::map<std::string, std::shared_ptr<Running>> running_ ABSL_GUARDED_BY(mu_);
  int64_t version_ ABSL_GUARDED_BY(mu_) = 0;  // bumped on every change
  int64_t wakeups_ ABSL_GUARDED_BY(mu_) = 0;  // submits not yet seen by a worker
  bool shutting_down_ ABSL_GUARDED_BY(mu_) = false;
  std::vector<std::thread> workers_;
  std::thread lease_keeper_;
};

}  // namespace dcgan

#endif  // DCGAN_CORE_JOBS_JOB_QUEUE_H_
