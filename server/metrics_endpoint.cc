#include "server/metrics_endpoint.h"

#include <CivetServer.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <iostream>

#include "absl/strings/str_cat.h"
#include "core/util/status_macros.h"
#include "server/host_port.h"

namespace dcgan {
namespace {

// A port that was free on `host` a moment ago (0 if none could be found).
int ProbeFreePort(const std::string& host) {
  const bool v6 = host.find(':') != std::string::npos;
  const int fd = socket(v6 ? AF_INET6 : AF_INET, SOCK_STREAM, 0);
  if (fd < 0) return 0;
  int port = 0;
  sockaddr_storage storage{};
  socklen_t length = 0;
  if (v6) {
    auto* a = reinterpret_cast<sockaddr_in6*>(&storage);
    a->sin6_family = AF_INET6;
    length = sizeof(*a);
    if (inet_pton(AF_INET6, host.c_str(), &a->sin6_addr) != 1) a->sin6_addr = in6addr_any;
  } else {
    auto* a = reinterpret_cast<sockaddr_in*>(&storage);
    a->sin_family = AF_INET;
    length = sizeof(*a);
    if (inet_pton(AF_INET, host.c_str(), &a->sin_addr) != 1) a->sin_addr.s_addr = INADDR_ANY;
  }
  auto* address = reinterpret_cast<sockaddr*>(&storage);
  if (bind(fd, address, length) == 0 && getsockname(fd, address, &length) == 0) {
    port = ntohs(v6 ? reinterpret_cast<sockaddr_in6*>(&storage)->sin6_port
                    : reinterpret_cast<sockaddr_in*>(&storage)->sin_port);
  }
  close(fd);
  return port;
}

}  // namespace

absl::StatusOr<std::unique_ptr<prometheus::Exposer>> StartMetricsEndpoint(
    const std::string& address) {
  ASSIGN_OR_RETURN(const HostPort parsed, ParseHostPort(address, "metrics address"));
  // CivetWeb wants IPv6 hosts in brackets; the probe wants them without.
  const std::string& host = parsed.host;
  const std::string& bare_host = parsed.bare_host;
  int port = parsed.port;
  const bool pick = port == 0;
  std::string last_error;
  for (int attempt = 0; attempt < (pick ? 5 : 1); ++attempt) {
    if (pick && (port = ProbeFreePort(bare_host)) == 0) break;
    try {
      // One thread: Prometheus scrapes one request at a time per target.
      static CivetCallbacks callbacks = [] {
        CivetCallbacks c;
        c.log_message = [](const mg_connection*, const char* message) {
          std::cerr << "civetweb: " << message << "\n";
          return 1;
        };
        return c;
      }();
      return std::make_unique<prometheus::Exposer>(absl::StrCat(host, ":", port),
                                                   /*num_threads=*/2, &callbacks);
    } catch (const std::exception& e) {
      last_error = e.what();
    }
  }
  return absl::UnavailableError(absl::StrCat("cannot serve metrics on ", address, ": ",
                                             last_error.empty() ? "no free port" : last_error));
}

}  // namespace dcgan
