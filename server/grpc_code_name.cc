#include "server/grpc_code_name.h"

namespace dcgan {

const char* GrpcCodeName(grpc::StatusCode code) {
  static constexpr const char* kNames[kGrpcCodeCount] = {
      "OK",       "Canceled",       "Unknown",          "InvalidArgument",   "DeadlineExceeded",
      "NotFound", "AlreadyExists",  "PermissionDenied", "ResourceExhausted", "FailedPrecondition",
      "Aborted",  "OutOfRange",     "Unimplemented",    "Internal",          "Unavailable",
      "DataLoss", "Unauthenticated"};
  const int i = static_cast<int>(code);
  return i >= 0 && i < kGrpcCodeCount ? kNames[i] : "Unknown";
}

}  // namespace dcgan
