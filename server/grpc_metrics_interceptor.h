#ifndef DCGAN_SERVER_GRPC_METRICS_INTERCEPTOR_H_
#define DCGAN_SERVER_GRPC_METRICS_INTERCEPTOR_H_

#include <grpcpp/support/server_interceptor.h>
#include <prometheus/counter.h>
#include <prometheus/family.h>
#include <prometheus/histogram.h>
#include <prometheus/registry.h>

#include <array>
#include <map>
#include <string>

#include "absl/base/thread_annotations.h"
#include "absl/synchronization/mutex.h"
#include "server/grpc_code_name.h"

namespace dcgan {

// Per-RPC series under the names gRPC dashboards expect (those of
// go-grpc-prometheus): grpc_server_started_total, grpc_server_handled_total
// (with grpc_code) and grpc_server_handling_seconds, each labelled
// grpc_type, grpc_service and grpc_method. A call counts as started when it
// arrives and as handled once, when its status is sent (or, if it never is,
// as Canceled when the call is torn down).
//
// Label values come from the method's descriptor in the generated pool;
// a path that names no known method is counted as service and method
// "unknown", so clients cannot grow the number of series. Thread-safe.
class GrpcMetricsInterceptorFactory : public grpc::experimental::ServerInterceptorFactoryInterface {
 public:
  explicit GrpcMetricsInterceptorFactory(prometheus::Registry& registry);

  grpc::experimental::Interceptor* CreateServerInterceptor(
      grpc::experimental::ServerRpcInfo* info) override;

  // The series of one method; created on its first call, then kept.
  struct MethodMetrics {
    prometheus::Counter* started;
    prometheus::Histogram* handling_seconds;
    std::array<prometheus::Counter*, kGrpcCodeCount> handled;
  };

 private:
  const MethodMetrics& ForMethod(const char* path);

  prometheus::Family<prometheus::Counter>& started_;
  prometheus::Family<prometheus::Counter>& handled_;
  prometheus::Family<prometheus::Histogram>& handling_seconds_;

  absl::Mutex mu_;
  // Keyed by the call's path; node-based, so references stay valid.
  std::map<std::string, MethodMetrics, std::less<>> methods_ ABSL_GUARDED_BY(mu_);
};

}  // namespace dcgan

#endif  // DCGAN_SERVER_GRPC_METRICS_INTERCEPTOR_H_
