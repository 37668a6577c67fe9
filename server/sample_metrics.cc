#include "server/sample_metrics.h"

namespace dcgan {
namespace {

constexpr const char* kMethodNames[] = {"Sample", "Interpolate"};

}  // namespace

SampleMetrics::SampleMetrics(prometheus::Registry& registry)
    : images_total_(prometheus::BuildCounter()
                        .Name("dcgan_sample_images_total")
                        .Help("Images returned by Sample and Interpolate")
                        .Register(registry)
                        .Add({})),
      batch_size_(prometheus::BuildHistogram()
                      .Name("dcgan_sample_batch_size")
                      .Help("Latents per generator forward pass")
                      .Register(registry)
                      .Add({}, prometheus::Histogram::BucketBoundaries{1, 2, 4, 8, 16, 32, 64, 128,
                                                                       256, 512})) {
  auto& requests = prometheus::BuildCounter()
                       .Name("dcgan_sample_requests_total")
                       .Help("Sample and Interpolate requests handled, by method and gRPC code")
                       .Register(registry);
  auto& latency = prometheus::BuildHistogram()
                      .Name("dcgan_sample_latency_seconds")
                      .Help(
                          "Time from a request's arrival in its handler to its response, "
                          "by method")
                      .Register(registry);
  const prometheus::Histogram::BucketBoundaries buckets = {
      0.0005, 0.001, 0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1, 2, 5, 10};
  for (int m = 0; m < kMethods; ++m) {
    latency_[m] = &latency.Add({{"method", kMethodNames[m]}}, buckets);
    for (int c = 0; c < kGrpcCodeCount; ++c) {
      requests_[m][c] = &requests.Add(
          {{"method", kMethodNames[m]}, {"code", GrpcCodeName(static_cast<grpc::StatusCode>(c))}});
    }
  }
}

void SampleMetrics::RecordRequest(SampleMethod method, grpc::StatusCode code, int64_t images,
                                  double seconds) {
  const int m = static_cast<int>(method);
  int c = static_cast<int>(code);
  if (c < 0 || c >= kGrpcCodeCount) c = static_cast<int>(grpc::StatusCode::UNKNOWN);
  requests_[m][c]->Increment();
  latency_[m]->Observe(seconds);
  if (images > 0) images_total_.Increment(double(images));
}

void SampleMetrics::RecordForwardPass(int64_t batch_size) {
  batch_size_.Observe(double(batch_size));
}

}  // namespace dcgan
