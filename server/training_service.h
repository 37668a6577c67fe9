#ifndef DCGAN_SERVER_TRAINING_SERVICE_H_
#define DCGAN_SERVER_TRAINING_SERVICE_H_

#include "core/jobs/job_queue.h"
#include "dcgan/v1/training_service.grpc.pb.h"

namespace dcgan {

// dcgan.v1.TrainingService over the core JobQueue: validates, converts, and
// maps statuses. Never trains and never waits on training (WatchJob waits on
// the queue's change notifications, bounded by deadlines). Thread-safe; the
// queue must outlive it.
class TrainingService final : public v1::TrainingService::Service {
 public:
  explicit TrainingService(JobQueue* queue) : queue_(queue) {}

  grpc::Status CreateJob(grpc::ServerContext* context, const v1::CreateJobRequest* request,
                         v1::Job* response) override;
  grpc::Status GetJob(grpc::ServerContext* context, const v1::GetJobRequest* request,
                      v1::Job* response) override;
  grpc::Status ListJobs(grpc::ServerContext* context, const v1::ListJobsRequest* request,
                        v1::ListJobsResponse* response) override;
  grpc::Status CancelJob(grpc::ServerContext* context, const v1::CancelJobRequest* request,
                         v1::Job* response) override;
  grpc::Status WatchJob(grpc::ServerContext* context, const v1::WatchJobRequest* request,
                        grpc::ServerWriter<v1::Job>* writer) override;

 private:
  v1::Job ToJobProto(const JobRecord& job) const;

  JobQueue* const queue_;
};

// INVALID_ARGUMENT unless `id` is a well-formed job id; names `field`.
grpc::Status ValidateJobId(const std::string& field, const std::string& id);

}  // namespace dcgan

#endif  // DCGAN_SERVER_TRAINING_SERVICE_H_
