#ifndef DCGAN_CORE_JOBS_JOB_RECORD_H_
#define DCGAN_CORE_JOBS_JOB_RECORD_H_

#include <cstdint>
#include <string>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "core/train/job_spec.h"
#include "core/train/training_progress.h"

namespace dcgan {

// Numbers match dcgan.v1.Job.State.
enum class JobState : int {
  kQueued = 1,
  kRunning = 2,
  kSucceeded = 3,
  kFailed = 4,
  kCancelled = 5,
};

absl::string_view JobStateName(JobState state);
inline bool IsTerminal(JobState s) {
  return s == JobState::kSucceeded || s == JobState::kFailed || s == JobState::kCancelled;
}

// One training job as the job store keeps it.
struct JobRecord {
  std::string id;
  JobState state = JobState::kQueued;
  JobSpec spec;  // filled in (WithDefaults) and validated
  TrainingProgress progress;
  std::string error;  // why it failed
  int64_t create_unix_ms = 0;
  int64_t start_unix_ms = 0;  // first time it ran; 0 if never
  int64_t end_unix_ms = 0;    // 0 until terminal
  int64_t sequence = 0;       // store-assigned, increasing with creation; orders listings
  // The replica that holds (or last held) the job's lease; empty if it never
  // ran. Store-assigned by JobStore::ClaimNext.
  std::string owner;
  // CancelJob reached the store while another replica ran the job; that
  // replica stops it at its next lease renewal.
  bool cancel_requested = false;
};

// True if `id` can name a job: 1 to 63 characters of [a-z0-9-], not
// starting with '-'. Ids become folder names, so nothing else is allowed.
bool IsValidJobId(absl::string_view id);

// A fresh random job id ("job-" and 12 hex digits).
std::string NewJobId();

int64_t NowUnixMs();

// The FAILED_PRECONDITION a store returns when `attempted` (a write by its
// owner) finds the job as `current`: no longer RUNNING under that owner.
absl::Status LostLeaseError(const JobRecord& attempted, const JobRecord& current);

}  // namespace dcgan

#endif  // DCGAN_CORE_JOBS_JOB_RECORD_H_
