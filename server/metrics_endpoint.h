#ifndef DCGAN_SERVER_METRICS_ENDPOINT_H_
#define DCGAN_SERVER_METRICS_ENDPOINT_H_

#include <prometheus/exposer.h>

#include <memory>
#include <string>

#include "absl/status/statusor.h"

namespace dcgan {

// Starts prometheus-cpp's HTTP exposer on `address` ("host:port", path
// /metrics). Port 0 means any free port (CivetWeb cannot bind port 0
// itself: a free port is found with a probe socket, and tried again if
// another process takes it first); `exposer->GetListeningPorts()` tells
// which. UNAVAILABLE if the address cannot be bound, INVALID_ARGUMENT if it
// is not host:port.
absl::StatusOr<std::unique_ptr<prometheus::Exposer>> StartMetricsEndpoint(
    const std::string& address);

}  // namespace dcgan

#endif  // DCGAN_SERVER_METRICS_ENDPOINT_H_
