#include "client/sample_load.h"

#include <grpcpp/grpcpp.h>

#include <algorithm>
#include <cmath>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "dcgan/v1/sampling_service.grpc.pb.h"

namespace dcgan {
namespace {

using Clock = std::chrono::steady_clock;

const char* CodeName(grpc::StatusCode code) {
  static constexpr const char* kNames[] = {"OK",
                                           "CANCELLED",
                                           "UNKNOWN",
                                           "INVALID_ARGUMENT",
                                           "DEADLINE_EXCEEDED",
                                           "NOT_FOUND",
                                           "ALREADY_EXISTS",
                                           "PERMISSION_DENIED",
                                           "RESOURCE_EXHAUSTED",
                                           "FAILED_PRECONDITION",
                                           "ABORTED",
                                           "OUT_OF_RANGE",
                                           "UNIMPLEMENTED",
                                           "INTERNAL",
                                           "UNAVAILABLE",
                                           "DATA_LOSS",
                                           "UNAUTHENTICATED"};
  const int i = static_cast<int>(code);
  return i >= 0 && i < 17 ? kNames[i] : "UNKNOWN";
}

// One Sample call in flight; its address is the completion-queue tag.
struct Call {
  grpc::ClientContext context;
  v1::SampleResponse response;
  grpc::Status status;
  std::unique_ptr<grpc::ClientAsyncResponseReader<v1::SampleResponse>> reader;
  Clock::time_point start;
};

}  // namespace

double SampleLoadReport::LatencyPercentileMs(double p) const {
  if (ok_latencies_ms.empty()) return 0;
  const size_t rank = size_t(std::ceil(p / 100 * double(ok_latencies_ms.size())));
  return ok_latencies_ms[std::min(ok_latencies_ms.size() - 1, rank == 0 ? 0 : rank - 1)];
}

SampleLoadReport RunSampleLoad(const std::shared_ptr<grpc::Channel>& channel,
                               const SampleLoadOptions& options) {
  auto stub = v1::SamplingService::NewStub(channel);
  grpc::CompletionQueue queue;
  SampleLoadReport report;
  uint64_t next_seed = options.first_seed;
  const Clock::time_point begin = Clock::now();
  const Clock::time_point stop_issuing = begin + options.duration;
  Clock::time_point last_response = begin;

  auto issue = [&] {
    auto* call = new Call;
    v1::SampleRequest request;
    request.set_model(options.model);
    request.set_count(options.count);
    request.set_seed(next_seed++);
    request.set_format(options.format);
    call->start = Clock::now();
    call->context.set_deadline(std::chrono::system_clock::now() + options.timeout);
    call->reader = stub->AsyncSample(&call->context, request, &queue);
    call->reader->Finish(&call->response, &call->status, call);
  };
  int in_flight = 0;
  for (; in_flight < std::max(1, options.concurrency); ++in_flight) issue();

  void* tag = nullptr;
  bool ok = false;
  while (in_flight > 0 && queue.Next(&tag, &ok)) {
    std::unique_ptr<Call> call(static_cast<Call*>(tag));
    --in_flight;
    last_response = Clock::now();
    ++report.calls;
    if (call->status.ok()) {
      ++report.ok;
      report.images += call->response.shape_size() > 0 ? call->response.shape(0) : 0;
      report.ok_latencies_ms.push_back(
          std::chrono::duration<double, std::milli>(last_response - call->start).count());
    } else {
      ++report.errors[CodeName(call->status.error_code())];
    }
    if (last_response < stop_issuing) {
      issue();
      ++in_flight;
    }
  }
  report.seconds = std::chrono::duration<double>(last_response - begin).count();
  std::sort(report.ok_latencies_ms.begin(), report.ok_latencies_ms.end());
  return report;
}

std::string ReportText(const SampleLoadReport& r, const SampleLoadOptions& o) {
  std::string text = absl::StrFormat(
      "model %s, count %d, concurrency %d: %d calls in %.2f s\n"
      "  %.1f requests/s, %.1f images/s\n"
      "  latency ms: p50 %.2f  p90 %.2f  p99 %.2f  max %.2f\n",
      o.model, o.count, o.concurrency, r.calls, r.seconds, r.requests_per_second(),
      r.images_per_second(), r.LatencyPercentileMs(50), r.LatencyPercentileMs(90),
      r.LatencyPercentileMs(99), r.ok_latencies_ms.empty() ? 0 : r.ok_latencies_ms.back());
  if (r.errors.empty()) {
    absl::StrAppend(&text, "  errors: none\n");
  } else {
    absl::StrAppend(&text, "  errors:");
    for (const auto& [code, n] : r.errors) absl::StrAppend(&text, " ", code, "=", n);
    absl::StrAppend(&text, "\n");
  }
  return text;
}

std::string ReportJson(const SampleLoadReport& r, const SampleLoadOptions& o) {
  std::string errors;
  for (const auto& [code, n] : r.errors) {
    absl::StrAppend(&errors, errors.empty() ? "" : ",", "\"", code, "\":", n);
  }
  return absl::StrFormat(
      "{\"model\":\"%s\",\"count\":%d,\"concurrency\":%d,\"calls\":%d,\"ok\":%d,\"images\":%d,"
      "\"seconds\":%.4f,\"requests_per_second\":%.3f,\"images_per_second\":%.3f,"
      "\"latency_ms\":{\"p50\":%.3f,\"p90\":%.3f,\"p99\":%.3f,\"max\":%.3f},"
      "\"errors\":{%s}}\n",
      o.model, o.count, o.concurrency, r.calls, r.ok, r.images, r.seconds, r.requests_per_second(),
      r.images_per_second(), r.LatencyPercentileMs(50), r.LatencyPercentileMs(90),
      r.LatencyPercentileMs(99), r.ok_latencies_ms.empty() ? 0 : r.ok_latencies_ms.back(), errors);
}

}  // namespace dcgan
