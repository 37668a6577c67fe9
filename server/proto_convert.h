#ifndef DCGAN_SERVER_PROTO_CONVERT_H_
#define DCGAN_SERVER_PROTO_CONVERT_H_

#include <vector>

#include "absl/status/statusor.h"
#include "core/jobs/job_record.h"
#include "core/train/job_spec.h"
#include "dcgan/v1/job.pb.h"

namespace dcgan {

// INVALID_ARGUMENT for an architecture value outside the enum.
absl::StatusOr<JobSpec> FromProto(const v1::JobSpec& proto);
v1::JobSpec ToProto(const JobSpec& spec);
v1::Progress ToProto(const TrainingProgress& progress);
// `checkpoint_steps` with their folders' times, from the checkpoint store.
v1::Job ToProto(const JobRecord& job, const std::vector<std::pair<int64_t, int64_t>>& checkpoints);

void SetTimestamp(int64_t unix_ms, google::protobuf::Timestamp* out);

}  // namespace dcgan

#endif  // DCGAN_SERVER_PROTO_CONVERT_H_
