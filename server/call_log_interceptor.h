#ifndef DCGAN_SERVER_CALL_LOG_INTERCEPTOR_H_
#define DCGAN_SERVER_CALL_LOG_INTERCEPTOR_H_

#include <grpcpp/support/server_interceptor.h>

namespace dcgan {

// Logs one line to stderr when a call's request has arrived (before its
// handler runs) and one when its status is sent:
//   dcgan-server: call /dcgan.v1.SamplingService/Sample
//   dcgan-server: done /dcgan.v1.SamplingService/Sample OK
// Behind --log_calls; scripts and tests use the first line to know a call
// is in flight.
class CallLogInterceptorFactory : public grpc::experimental::ServerInterceptorFactoryInterface {
 public:
  grpc::experimental::Interceptor* CreateServerInterceptor(
      grpc::experimental::ServerRpcInfo* info) override;
};

}  // namespace dcgan

#endif  // DCGAN_SERVER_CALL_LOG_INTERCEPTOR_H_
