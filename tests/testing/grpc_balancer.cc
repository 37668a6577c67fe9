#include "tests/testing/grpc_balancer.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>

#include <fstream>

#include "tests/testing/free_port.h"
#include "tests/testing/process.h"

namespace dcgan::testing {
namespace {

bool Accepts(int port) {
  const int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(uint16_t(port));
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  const bool ok = connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) == 0;
  close(fd);
  return ok;
}

}  // namespace

GrpcBalancer::GrpcBalancer(std::vector<Backend> backends) : backends_(std::move(backends)) {}

GrpcBalancer::~GrpcBalancer() {
  if (pid_ > 0) {
    kill(pid_, SIGKILL);
    WaitForExit(pid_, std::chrono::seconds(10));
  }
}

bool GrpcBalancer::Start() {
  const int port = FreeLoopbackPort();
  if (port == 0) return false;
  address_ = "127.0.0.1:" + std::to_string(port);
  {
    std::ofstream config(dir_.file("haproxy.cfg"));
    config << "global\n"
              "  maxconn 4096\n"
              "defaults\n"
              "  mode http\n"
              "  timeout connect 2s\n"
              "  timeout client 1h\n"
              "  timeout server 1h\n"
              "  retries 3\n"
              "  option redispatch 1\n"
              "frontend grpc\n"
              "  bind "
           << address_
           << " proto h2\n"
              "  default_backend replicas\n"
              "backend replicas\n"
              "  balance roundrobin\n";
    for (size_t i = 0; i < backends_.size(); ++i) {
      config << "  server replica" << i << " " << backends_[i].address
             << " proto h2 check inter 200ms fall 1 rise 1";
      if (backends_[i].agent_port > 0) {
        config << " agent-check agent-port " << backends_[i].agent_port << " agent-inter 200ms";
      }
      config << "\n";
    }
  }
  pid_ = Spawn({"haproxy", "-db", "-f", dir_.file("haproxy.cfg")}, dir_.file("haproxy.log"));
  return WaitFor([&] { return Accepts(port); }, std::chrono::seconds(15));
}

std::string GrpcBalancer::log() const { return ReadFileOrEmpty(dir_.file("haproxy.log")); }

}  // namespace dcgan::testing
