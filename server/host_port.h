#ifndef DCGAN_SERVER_HOST_PORT_H_
#define DCGAN_SERVER_HOST_PORT_H_

#include <string>

#include "absl/status/statusor.h"

namespace dcgan {

// A listen address as flags take it: "host:port", IPv6 hosts in brackets
// ("[::1]:9464"), port 0..65535 (0: pick one).
struct HostPort {
  std::string host;       // as written, brackets and all
  std::string bare_host;  // without IPv6 brackets, for socket calls
  int port = 0;
};

// INVALID_ARGUMENT "<what> "<address>" is not host:port" when it is not.
absl::StatusOr<HostPort> ParseHostPort(const std::string& address, const std::string& what);

}  // namespace dcgan

#endif  // DCGAN_SERVER_HOST_PORT_H_
