#ifndef DCGAN_SERVER_SAMPLE_METRICS_H_
#define DCGAN_SERVER_SAMPLE_METRICS_H_

#include <grpcpp/support/status.h>
#include <prometheus/counter.h>
#include <prometheus/histogram.h>
#include <prometheus/registry.h>

#include <array>
#include <cstdint>

#include "server/grpc_code_name.h"

namespace dcgan {

enum class SampleMethod { kSample = 0, kInterpolate = 1 };

// Sampling series: dcgan_sample_requests_total{method,code},
// dcgan_sample_images_total, dcgan_sample_latency_seconds{method} and
// dcgan_sample_batch_size (images per generator forward pass). Every series
// is created up front, so recording is a few atomic adds with no lookup or
// lock. Thread-safe.
class SampleMetrics {
 public:
  explicit SampleMetrics(prometheus::Registry& registry);

  // One finished request: its status, the images it returned (0 on error)
  // and its time in the handler.
  void RecordRequest(SampleMethod method, grpc::StatusCode code, int64_t images, double seconds);
  // One generator forward pass over `batch_size` latents.
  void RecordForwardPass(int64_t batch_size);

 private:
  static constexpr int kMethods = 2;
  std::array<std::array<prometheus::Counter*, kGrpcCodeCount>, kMethods> requests_;
  std::array<prometheus::Histogram*, kMethods> latency_;
  prometheus::Counter& images_total_;
  prometheus::Histogram& batch_size_;
};

}  // namespace dcgan

#endif  // DCGAN_SERVER_SAMPLE_METRICS_H_
