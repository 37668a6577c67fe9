#ifndef DCGAN_SERVER_GRPC_CODE_NAME_H_
#define DCGAN_SERVER_GRPC_CODE_NAME_H_

#include <grpcpp/support/status.h>

namespace dcgan {

// The code as gRPC-Go's codes.Code.String() spells it ("OK", "NotFound",
// "DeadlineExceeded", ...): the grpc_code label values that existing gRPC
// dashboards (go-grpc-prometheus and its ports) expect.
const char* GrpcCodeName(grpc::StatusCode code);

// Codes 0..16, the ones gRPC defines.
constexpr int kGrpcCodeCount = 17;

}  // namespace dcgan

#endif  // DCGAN_SERVER_GRPC_CODE_NAME_H_
