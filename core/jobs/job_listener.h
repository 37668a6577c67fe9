#ifndef DCGAN_CORE_JOBS_JOB_LISTENER_H_
#define DCGAN_CORE_JOBS_JOB_LISTENER_H_

#include <string>

#include "core/jobs/job_record.h"
#include "core/train/training_progress.h"

namespace dcgan {

// What the job queue tells its owner about the jobs this process trains (the
// server turns it into Prometheus series). Called on worker threads, without
// the queue's lock held; implementations must be quick and thread-safe.
class JobListener {
 public:
  virtual ~JobListener() = default;
  // After every generator step of a job running in this process. `job` is
  // the job's record (spec included) as of that step.
  virtual void OnJobStep(const JobRecord& job, const TrainingProgress& progress) = 0;
  // Once a job stops running in this process, whatever the reason: it
  // finished, failed, was cancelled, or was checkpointed for shutdown. No
  // OnJobStep for that run follows.
  virtual void OnJobStopped(const std::string& job_id) = 0;
};

}  // namespace dcgan

#endif  // DCGAN_CORE_JOBS_JOB_LISTENER_H_
