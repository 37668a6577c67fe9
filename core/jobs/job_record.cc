#include "core/jobs/job_record.h"

#include <chrono>
#include <random>

#include "absl/strings/str_format.h"

namespace dcgan {

absl::string_view JobStateName(JobState state) {
  switch (state) {
    case JobState::kQueued:
      return "QUEUED";
    case JobState::kRunning:
      return "RUNNING";
    case JobState::kSucceeded:
      return "SUCCEEDED";
    case JobState::kFailed:
      return "FAILED";
    case JobState::kCancelled:
      return "CANCELLED";
  }
  return "UNKNOWN";
}

bool IsValidJobId(absl::string_view id) {
  if (id.empty() || id.size() > 63 || id[0] == '-') return false;
  for (char c : id) {
    if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-')) return false;
  }
  return true;
}

std::string NewJobId() {
  static thread_local std::mt19937_64 rng{std::random_device{}()};
  return absl::StrFormat("job-%012x", rng() & 0xffffffffffffULL);
}

int64_t NowUnixMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

absl::Status LostLeaseError(const JobRecord& attempted, const JobRecord& current) {
  if (current.state != JobState::kRunning) {
    return absl::FailedPreconditionError(absl::StrFormat("job %s is %s, no longer running under %s",
                                                         attempted.id, JobStateName(current.state),
                                                         attempted.owner));
  }
  return absl::FailedPreconditionError(absl::StrFormat(
      "job %s is now run by %s; %s lost its lease", attempted.id, current.owner, attempted.owner));
}

}  // namespace dcgan
