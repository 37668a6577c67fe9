#ifndef DCGAN_CLIENT_SAMPLE_LOAD_H_
#define DCGAN_CLIENT_SAMPLE_LOAD_H_

#include <grpcpp/channel.h>

#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "dcgan/v1/sampling_service.pb.h"

namespace dcgan {

struct SampleLoadOptions {
  std::string model;
  int count = 1;        // images per Sample call
  int concurrency = 1;  // calls kept in flight
  std::chrono::milliseconds duration{10000};
  std::chrono::milliseconds timeout{30000};  // deadline of each call
  v1::Format format = v1::PNG;
  uint64_t first_seed = 0;  // call i asks for seed first_seed + i
};

struct SampleLoadReport {
  int64_t calls = 0;  // finished, whatever their status
  int64_t ok = 0;
  int64_t images = 0;                     // in OK responses
  double seconds = 0;                     // from the first call to the last response
  std::vector<double> ok_latencies_ms;    // ascending
  std::map<std::string, int64_t> errors;  // by gRPC code name
  double requests_per_second() const { return seconds > 0 ? ok / seconds : 0; }
  double images_per_second() const { return seconds > 0 ? images / seconds : 0; }
  double LatencyPercentileMs(double p) const;  // nearest rank; 0 if none
};

// The load generator behind `dcganctl bench sample`: keeps `concurrency`
// Sample calls in flight on one channel (asynchronous gRPC, one completion
// thread) for `duration`, then waits for those outstanding. Works against
// any deployment: a server, or a balancer in front of replicas.
SampleLoadReport RunSampleLoad(const std::shared_ptr<grpc::Channel>& channel,
                               const SampleLoadOptions& options);

std::string ReportText(const SampleLoadReport& report, const SampleLoadOptions& options);
std::string ReportJson(const SampleLoadReport& report, const SampleLoadOptions& options);

}  // namespace dcgan

#endif  // DCGAN_CLIENT_SAMPLE_LOAD_H_
