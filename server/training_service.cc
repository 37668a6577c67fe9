#include "server/training_service.h"

#include <sys/stat.h>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "core/checkpoint/checkpoint.h"
#include "server/proto_convert.h"
#include "server/status_util.h"

namespace dcgan {
namespace {

constexpr int kDefaultPageSize = 50;
constexpr int kMaxPageSize = 1000;
// WatchJob sends progress at most this often (state changes go at once).
constexpr absl::Duration kWatchInterval = absl::Milliseconds(200);

}  // namespace

grpc::Status ValidateJobId(const std::string& field, const std::string& id) {
  if (id.empty()) return InvalidArgument(absl::StrCat(field, " is required"));
  if (!IsValidJobId(id)) {
    return InvalidArgument(absl::StrCat(
        field, " must be 1 to 63 characters of a-z, 0-9 and '-' (not first), got \"", id, "\""));
  }
  return grpc::Status::OK;
}

v1::Job TrainingService::ToJobProto(const JobRecord& job) const {
  std::vector<std::pair<int64_t, int64_t>> checkpoints;
  const std::string dir = queue_->JobDir(job.id);
  for (int64_t step : queue_->CheckpointSteps(job.id)) {
    // The folder's mtime is when its rename made it visible.
    struct stat info;
    const int64_t unix_ms =
        ::stat(CheckpointDir(dir, step).c_str(), &info) == 0
            ? int64_t{info.st_mtim.tv_sec} * 1000 + info.st_mtim.tv_nsec / 1000000
            : 0;
    checkpoints.emplace_back(step, unix_ms);
  }
  return ToProto(job, checkpoints);
}

grpc::Status TrainingService::CreateJob(grpc::ServerContext*, const v1::CreateJobRequest* request,
                                        v1::Job* response) {
  if (!request->job_id().empty()) {
    if (grpc::Status s = ValidateJobId("job_id", request->job_id()); !s.ok()) return s;
  }
  absl::StatusOr<JobSpec> spec = FromProto(request->spec());
  if (!spec.ok()) return ToGrpcStatus(spec.status());
  absl::StatusOr<JobRecord> job = queue_->Submit(request->job_id(), *spec);
  if (!job.ok()) return ToGrpcStatus(job.status());
  *response = ToJobProto(*job);
  return grpc::Status::OK;
}

grpc::Status TrainingService::GetJob(grpc::ServerContext*, const v1::GetJobRequest* request,
                                     v1::Job* response) {
  if (grpc::Status s = ValidateJobId("job_id", request->job_id()); !s.ok()) return s;
  absl::StatusOr<JobRecord> job = queue_->Get(request->job_id());
  if (!job.ok()) return ToGrpcStatus(job.status());
  *response = ToJobProto(*job);
  return grpc::Status::OK;
}

grpc::Status TrainingService::ListJobs(grpc::ServerContext*, const v1::ListJobsRequest* request,
                                       v1::ListJobsResponse* response) {
  int page_size = request->page_size();
  if (page_size < 0 || page_size > kMaxPageSize) {
    return InvalidArgument(
        absl::StrCat("page_size must be from 1 to ", kMaxPageSize, ", got ", page_size));
  }
  if (page_size == 0) page_size = kDefaultPageSize;
  int64_t before = 0;
  if (!request->page_token().empty() &&
      (!absl::SimpleAtoi(request->page_token(), &before) || before <= 0)) {
    return InvalidArgument("page_token is not one this server returned");
  }
  std::optional<JobState> state;
  if (request->state() != v1::Job::STATE_UNSPECIFIED) {
    if (!v1::Job::State_IsValid(request->state())) {
      return InvalidArgument(
          absl::StrCat("state must be one of QUEUED, RUNNING, SUCCEEDED, "
                       "FAILED, CANCELLED, got ",
                       request->state()));
    }
    state = static_cast<JobState>(request->state());
  }
  absl::StatusOr<std::vector<JobRecord>> jobs = queue_->List(state, page_size, before);
  if (!jobs.ok()) return ToGrpcStatus(jobs.status());
  for (const JobRecord& job : *jobs) *response->add_jobs() = ToJobProto(job);
  if (int(jobs->size()) == page_size) {
    response->set_next_page_token(absl::StrCat(jobs->back().sequence));
  }
  return grpc::Status::OK;
}

grpc::Status TrainingService::CancelJob(grpc::ServerContext*, const v1::CancelJobRequest* request,
                                        v1::Job* response) {
  if (grpc::Status s = ValidateJobId("job_id", request->job_id()); !s.ok()) return s;
  absl::StatusOr<JobRecord> job = queue_->Cancel(request->job_id());
  if (!job.ok()) return ToGrpcStatus(job.status());
  *response = ToJobProto(*job);
  return grpc::Status::OK;
}

grpc::Status TrainingService::WatchJob(grpc::ServerContext* context,
                                       const v1::WatchJobRequest* request,
                                       grpc::ServerWriter<v1::Job>* writer) {
  if (grpc::Status s = ValidateJobId("job_id", request->job_id()); !s.ok()) return s;
  int64_t version = 0;
  absl::StatusOr<JobRecord> job = queue_->Get(request->job_id());
  if (!job.ok()) return ToGrpcStatus(job.status());
  JobState sent_state = job->state;
  int64_t sent_step = job->progress.step;
  absl::Time sent_at = absl::Now();
  if (!writer->Write(ToJobProto(*job))) return grpc::Status::OK;  // client left
  while (!IsTerminal(job->state)) {
    if (context->IsCancelled()) return grpc::Status(grpc::StatusCode::CANCELLED, "client left");
    if (queue_->shutting_down()) {
      return grpc::Status(grpc::StatusCode::UNAVAILABLE,
                          "server is shutting down; the job goes on: watch it again");
    }
    // Wake on any change, or each second to notice a client that left.
    job = queue_->WaitForChange(request->job_id(), &version, absl::Now() + absl::Seconds(1));
    if (!job.ok()) return ToGrpcStatus(job.status());
    const bool state_changed = job->state != sent_state;
    const bool progressed = job->progress.step != sent_step;
    if (!state_changed && !(progressed && absl::Now() - sent_at >= kWatchInterval)) continue;
    sent_state = job->state;
    sent_step = job->progress.step;
    sent_at = absl::Now();
    if (!writer->Write(ToJobProto(*job))) return grpc::Status::OK;
  }
  return grpc::Status::OK;
}

}  // namespace dcgan
