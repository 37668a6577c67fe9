#ifndef DCGAN_SERVER_SAMPLING_SERVICE_H_
#define DCGAN_SERVER_SAMPLING_SERVICE_H_

#include <cstdint>

#include "core/jobs/job_queue.h"
#include "core/sample/model_cache.h"
#include "core/sample/sample_batcher.h"
#include "dcgan/v1/sampling_service.grpc.pb.h"
#include "server/sample_metrics.h"

namespace dcgan {

struct SamplingOptions {
  int max_samples_per_request = 256;      // images per Sample / Interpolate call
  int64_t max_response_bytes = 64 << 20;  // keep under the server's max message size
};

// dcgan.v1.SamplingService: validates a request, gets the generator from the
// ModelCache, runs it through the SampleBatcher (merged with concurrent
// requests unless batching is off) and encodes the images on the calling
// thread; every request is recorded in `metrics`.
// Thread-safe; the queue, cache, batcher and metrics must outlive it.
class SamplingService final : public v1::SamplingService::Service {
 public:
  SamplingService(JobQueue* queue, ModelCache* cache, SampleBatcher* batcher,
                  SampleMetrics* metrics, const SamplingOptions& options)
      : queue_(queue), cache_(cache), batcher_(batcher), metrics_(metrics), options_(options) {}

  grpc::Status Sample(grpc::ServerContext* context, const v1::SampleRequest* request,
                      v1::SampleResponse* response) override;
  grpc::Status Interpolate(grpc::ServerContext* context, const v1::InterpolateRequest* request,
                           v1::SampleResponse* response) override;
  grpc::Status ListModels(grpc::ServerContext* context, const v1::ListModelsRequest* request,
                          v1::ListModelsResponse* response) override;

 private:
  grpc::Status DoSample(grpc::ServerContext* context, const v1::SampleRequest* request,
                        SampleBatcher::Arrival arrival, v1::SampleResponse* response);
  grpc::Status DoInterpolate(grpc::ServerContext* context, const v1::InterpolateRequest* request,
                             SampleBatcher::Arrival arrival, v1::SampleResponse* response);
  // Resolves model and step to a loaded generator (NOT_FOUND for an unknown
  // job, FAILED_PRECONDITION before its first checkpoint).
  grpc::Status Resolve(const std::string& model, int64_t step,
                       std::shared_ptr<const LoadedGenerator>* generator);
  // Runs the generator and fills the response in `format`.
  grpc::Status Render(grpc::ServerContext* context,
                      const std::shared_ptr<const LoadedGenerator>& generator,
                      const torch::Tensor& latents, v1::Format format,
                      SampleBatcher::Arrival arrival, v1::SampleResponse* response);
  grpc::Status CheckCount(const char* field, int64_t count) const;

  JobQueue* const queue_;
  ModelCache* const cache_;
  SampleBatcher* const batcher_;
  SampleMetrics* const metrics_;
  const SamplingOptions options_;
};

}  // namespace dcgan

#endif  // DCGAN_SERVER_SAMPLING_SERVICE_H_
