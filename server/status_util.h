#ifndef DCGAN_SERVER_STATUS_UTIL_H_
#define DCGAN_SERVER_STATUS_UTIL_H_

#include <grpcpp/support/status.h>

#include "absl/status/status.h"

namespace dcgan {

// absl and gRPC share code numbers, so the mapping is a cast; core's
// messages are written for users and pass through unchanged.
inline grpc::Status ToGrpcStatus(const absl::Status& status) {
  if (status.ok()) return grpc::Status::OK;
  return grpc::Status(static_cast<grpc::StatusCode>(status.code()), std::string(status.message()));
}

inline grpc::Status InvalidArgument(const std::string& message) {
  return grpc::Status(grpc::StatusCode::INVALID_ARGUMENT, message);
}

}  // namespace dcgan

#endif  // DCGAN_SERVER_STATUS_UTIL_H_
