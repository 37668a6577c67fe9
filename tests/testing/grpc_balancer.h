#ifndef DCGAN_TESTS_TESTING_GRPC_BALANCER_H_
#define DCGAN_TESTS_TESTING_GRPC_BALANCER_H_

#include <sys/types.h>

#include <string>
#include <vector>

#include "tests/testing/temp_dir.h"

namespace dcgan::testing {

// Debian's haproxy as a gRPC (HTTP/2) balancer on a free loopback port,
// round-robin over `backends` with TCP health checks and agent checks
// (dcgan-server --haproxy_agent_listen) every 200 ms, as deploy/haproxy.cfg
// configures it for the Docker stack. A call whose replica refuses the
// connection is retried on another one.
class GrpcBalancer {
 public:
  struct Backend {
    std::string address;  // host:port of its gRPC listener
    int agent_port = 0;   // its haproxy agent on the same host; 0: none
  };
  explicit GrpcBalancer(std::vector<Backend> backends);
  ~GrpcBalancer();  // stops haproxy

  // Returns once the balancer accepts connections; false (see log()) if it
  // did not within 15 s.
  bool Start();
  const std::string& address() const { return address_; }
  std::string log() const;

 private:
  TempDir dir_;
  std::vector<Backend> backends_;
  std::string address_;
  pid_t pid_ = -1;
};

}  // namespace dcgan::testing

#endif  // DCGAN_TESTS_TESTING_GRPC_BALANCER_H_
