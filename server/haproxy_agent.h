#ifndef DCGAN_SERVER_HAPROXY_AGENT_H_
#define DCGAN_SERVER_HAPROXY_AGENT_H_

#include <atomic>
#include <memory>
#include <string>
#include <thread>

#include "absl/status/statusor.h"

namespace dcgan {

// The server's side of haproxy's agent check (`agent-check agent-port P`
// on a server line): haproxy connects every agent-inter and reads one line.
// The agent answers "up ready" while the server takes calls and "drain"
// once SetDraining() is called, so haproxy stops sending it new calls while
// the server still serves them (--drain_delay_ms), before gRPC's Shutdown
// starts refusing calls. haproxy's own checks are TCP or HTTP/1: they cannot
// read gRPC health, so without the agent it notices a drain only when the
// listener closes, and calls it sent just before are cancelled.
class HaproxyAgent {
 public:
  // Listens on `address` ("host:port"; port 0 picks one). INVALID_ARGUMENT
  // if it is not host:port, UNAVAILABLE if it cannot be bound.
  static absl::StatusOr<std::unique_ptr<HaproxyAgent>> Start(const std::string& address);
  ~HaproxyAgent();  // closes the listener and joins its thread

  HaproxyAgent(const HaproxyAgent&) = delete;
  HaproxyAgent& operator=(const HaproxyAgent&) = delete;

  void SetDraining() { draining_.store(true); }
  int port() const { return port_; }

 private:
  HaproxyAgent(int listen_fd, int port);
  void Serve();

  const int listen_fd_;
  const int port_;
  std::atomic<bool> draining_{false};
  std::atomic<bool> stopping_{false};
  std::thread thread_;
};

}  // namespace dcgan

#endif  // DCGAN_SERVER_HAPROXY_AGENT_H_
