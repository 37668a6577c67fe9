#include "server/grpc_metrics_interceptor.h"

#include <google/protobuf/descriptor.h>

#include <chrono>
#include <string_view>

namespace dcgan {
namespace {

using grpc::experimental::InterceptionHookPoints;
using Clock = std::chrono::steady_clock;

class GrpcMetricsInterceptor : public grpc::experimental::Interceptor {
 public:
  explicit GrpcMetricsInterceptor(const GrpcMetricsInterceptorFactory::MethodMetrics& metrics)
      : metrics_(metrics), start_(Clock::now()) {
    metrics_.started->Increment();
  }

  ~GrpcMetricsInterceptor() override {
    if (!handled_) Record(grpc::StatusCode::CANCELLED);
  }

  void Intercept(grpc::experimental::InterceptorBatchMethods* methods) override {
    if (!handled_ && methods->QueryInterceptionHookPoint(InterceptionHookPoints::PRE_SEND_STATUS)) {
      Record(methods->GetSendStatus().error_code());
    }
    methods->Proceed();
  }

 private:
  void Record(grpc::StatusCode code) {
    handled_ = true;
    int c = static_cast<int>(code);
    if (c < 0 || c >= kGrpcCodeCount) c = static_cast<int>(grpc::StatusCode::UNKNOWN);
    metrics_.handled[c]->Increment();
    metrics_.handling_seconds->Observe(
        std::chrono::duration<double>(Clock::now() - start_).count());
  }

  const GrpcMetricsInterceptorFactory::MethodMetrics& metrics_;
  const Clock::time_point start_;
  bool handled_ = false;
};

const char* TypeLabel(const google::protobuf::MethodDescriptor& method) {
  if (method.client_streaming()) return method.server_streaming() ? "bidi_stream" : "client_stream";
  return method.server_streaming() ? "server_stream" : "unary";
}

}  // namespace

GrpcMetricsInterceptorFactory::GrpcMetricsInterceptorFactory(prometheus::Registry& registry)
    : started_(prometheus::BuildCounter()
                   .Name("grpc_server_started_total")
                   .Help("RPCs started on the server")
                   .Register(registry)),
      handled_(prometheus::BuildCounter()
                   .Name("grpc_server_handled_total")
                   .Help("RPCs completed on the server, whatever their status")
                   .Register(registry)),
      handling_seconds_(prometheus::BuildHistogram()
                            .Name("grpc_server_handling_seconds")
                            .Help("Time from an RPC's arrival to its status being sent")
                            .Register(registry)) {}

const GrpcMetricsInterceptorFactory::MethodMetrics& GrpcMetricsInterceptorFactory::ForMethod(
    const char* path) {
  absl::MutexLock lock(&mu_);
  if (auto it = methods_.find(std::string_view(path)); it != methods_.end()) return it->second;

  // "/package.Service/Method" -> the descriptor of package.Service.Method.
  std::string service = "unknown", name = "unknown", type = "unknown";
  const std::string_view p(path);
  if (const size_t slash = p.rfind('/'); p.size() > 1 && p[0] == '/' && slash > 0) {
    std::string full(p.substr(1));
    full[slash - 1] = '.';
    if (const auto* method =
            google::protobuf::DescriptorPool::generated_pool()->FindMethodByName(full)) {
      service = method->service()->full_name();
      name = method->name();
      type = TypeLabel(*method);
    }
  }
  const std::string key = service == "unknown" ? std::string("?") : std::string(path);
  if (auto it = methods_.find(key); it != methods_.end()) return it->second;

  const prometheus::Labels labels = {
      {"grpc_type", type}, {"grpc_service", service}, {"grpc_method", name}};
  MethodMetrics metrics;
  metrics.started = &started_.Add(labels);
  metrics.handling_seconds = &handling_seconds_.Add(
      labels, prometheus::Histogram::BucketBoundaries{0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1,
                                                      0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300});
  for (int c = 0; c < kGrpcCodeCount; ++c) {
    prometheus::Labels with_code = labels;
    with_code["grpc_code"] = GrpcCodeName(static_cast<grpc::StatusCode>(c));
    metrics.handled[c] = &handled_.Add(with_code);
  }
  return methods_.emplace(key, metrics).first->second;
}

grpc::experimental::Interceptor* GrpcMetricsInterceptorFactory::CreateServerInterceptor(
    grpc::experimental::ServerRpcInfo* info) {
  return new GrpcMetricsInterceptor(ForMethod(info->method()));
}

}  // namespace dcgan
