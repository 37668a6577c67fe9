#include "server/call_log_interceptor.h"

#include <iostream>
#include <sstream>

namespace dcgan {
namespace {

using grpc::experimental::InterceptionHookPoints;

class CallLogInterceptor : public grpc::experimental::Interceptor {
 public:
  explicit CallLogInterceptor(grpc::experimental::ServerRpcInfo* info) : info_(info) {}

  void Intercept(grpc::experimental::InterceptorBatchMethods* methods) override {
    if (methods->QueryInterceptionHookPoint(InterceptionHookPoints::POST_RECV_MESSAGE) &&
        !started_) {
      started_ = true;
      Log("call ", "");
    }
    if (methods->QueryInterceptionHookPoint(InterceptionHookPoints::PRE_SEND_STATUS)) {
      const grpc::Status status = methods->GetSendStatus();
      Log("done ", status.ok() ? " OK" : " " + std::to_string(int(status.error_code())));
    }
    methods->Proceed();
  }

 private:
  void Log(const char* what, const std::string& suffix) {
    std::ostringstream line;  // one write, so lines from threads do not interleave
    line << "dcgan-server: " << what << info_->method() << suffix << "\n";
    std::cerr << line.str() << std::flush;
  }

  grpc::experimental::ServerRpcInfo* const info_;
  bool started_ = false;
};

}  // namespace

grpc::experimental::Interceptor* CallLogInterceptorFactory::CreateServerInterceptor(
    grpc::experimental::ServerRpcInfo* info) {
  return new CallLogInterceptor(info);
}

}  // namespace dcgan
