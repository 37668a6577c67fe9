#ifndef DCGAN_CORE_JOBS_JOB_STORE_H_
#define DCGAN_CORE_JOBS_JOB_STORE_H_

#include <optional>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
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

  // Overwrites state, progress, error and times of an existing job.
  virtual absl::Status Update(const JobRecord& job) = 0;

  // Atomically moves the oldest QUEUED job to RUNNING and returns it;
  // nullopt if none is queued.
  virtual absl::StatusOr<std::optional<JobRecord>> ClaimNextQueued() = 0;

  // Moves every RUNNING job back to QUEUED (a single process restarting
  // after a crash or shutdown: its jobs resume from their checkpoints).
  // Returns how many moved.
  virtual absl::StatusOr<int> RequeueRunning() = 0;
};

}  // namespace dcgan

#endif  // DCGAN_CORE_JOBS_JOB_STORE_H_
