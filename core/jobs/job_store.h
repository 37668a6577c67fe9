#ifndef DCGAN_CORE_JOBS_JOB_STORE_H_
#define DCGAN_CORE_JOBS_JOB_STORE_H_

#include <optional>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "core/jobs/job_record.h"

namespace dcgan {

// Durable storage of jobs. Implementations are thread-safe; every method is
// one transaction, so a crash leaves each job as of its last completed call.
class JobStore {
 public:
  virtual ~JobStore() = default;

  // Inserts a new job (its `sequence` is assigned here) and returns it.
  // ALREADY_EXISTS if the id is taken.
  virtual absl::StatusOr<JobRecord> Create(const JobRecord& job) = 0;

  // NOT_FOUND if there is no such job.
  virtual absl::StatusOr<JobRecord> Get(const std::string& id) = 0;

  // Newest first; at most `limit` jobs with sequence < `before_sequence`
  // (0: from the newest), only in `state` if given.
  virtual absl::StatusOr<std::vector<JobRecord>> List(std::optional<JobState> state, int limit,
                                                      int64_t before_sequence) = 0;

  // How many jobs are in `state`.
  virtual absl::StatusOr<int64_t> CountInState(JobState state) = 0;

  // Overwrites state, progress, error and times of a job that is RUNNING
  // under `job.owner`'s lease: only the replica running a job writes it.
  // NOT_FOUND if there is no such job; FAILED_PRECONDITION if the job is no
  // longer RUNNING under that owner (its lease lapsed and another replica
  // claimed it, or it was cancelled after the lease lapsed).
  virtual absl::Status Update(const JobRecord& job) = 0;

  // Atomically claims the oldest job that is QUEUED, or RUNNING under a
  // lease that has lapsed (its replica died), for `owner`: the job becomes
  // RUNNING with `owner`'s lease until now + `lease`. nullopt if there is
  // none. Replicas claiming at once never get the same job.
  virtual absl::StatusOr<std::optional<JobRecord>> ClaimNext(const std::string& owner,
                                                             absl::Duration lease) = 0;

  struct LeaseRenewal {
    bool held = false;  // false: the job is no longer RUNNING under `owner`
    bool cancel_requested = false;
  };
  // Extends `owner`'s lease on a RUNNING job to now + `lease`, if it still
  // holds it. NOT_FOUND if there is no such job.
  virtual absl::StatusOr<LeaseRenewal> RenewLease(const std::string& id, const std::string& owner,
                                                  absl::Duration lease) = 0;

  // Cancels a job wherever it is: QUEUED, or RUNNING under a lapsed lease,
  // becomes CANCELLED at once; RUNNING under a live lease gets
  // cancel_requested, and its owner stops it at its next renewal; a terminal
  // job is left as it is. Returns the job as it is afterwards. NOT_FOUND if
  // there is no such job.
  virtual absl::StatusOr<JobRecord> RequestCancel(const std::string& id) = 0;

  // Moves every RUNNING job back to QUEUED. Only for a store with a single
  // user (SQLite under one server's state dir): its RUNNING jobs are then a
  // previous process's, and resuming them at once beats waiting out their
  // leases. Returns how many moved.
  virtual absl::StatusOr<int> RequeueRunning() = 0;
};

}  // namespace dcgan

#endif  // DCGAN_CORE_JOBS_JOB_STORE_H_
