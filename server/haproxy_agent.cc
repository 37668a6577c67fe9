#include "server/haproxy_agent.h"

#include <netdb.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "absl/strings/str_cat.h"
#include "core/util/status_macros.h"
#include "server/host_port.h"

namespace dcgan {

absl::StatusOr<std::unique_ptr<HaproxyAgent>> HaproxyAgent::Start(const std::string& address) {
  ASSIGN_OR_RETURN(const HostPort parsed, ParseHostPort(address, "haproxy agent address"));
  const std::string& host = parsed.bare_host;

  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  hints.ai_flags = AI_PASSIVE | AI_NUMERICSERV;
  addrinfo* found = nullptr;
  const std::string service = std::to_string(parsed.port);
  if (const int e =
          getaddrinfo(host.empty() ? nullptr : host.c_str(), service.c_str(), &hints, &found);
      e != 0) {
    return absl::InvalidArgumentError(
        absl::StrCat("haproxy agent address \"", address, "\": ", gai_strerror(e)));
  }
  std::string last_error = "no address";
  for (addrinfo* a = found; a != nullptr; a = a->ai_next) {
    const int fd = socket(a->ai_family, a->ai_socktype | SOCK_CLOEXEC, a->ai_protocol);
    if (fd < 0) continue;
    const int one = 1;
    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
    sockaddr_storage bound{};
    socklen_t length = sizeof(bound);
    if (bind(fd, a->ai_addr, a->ai_addrlen) == 0 && listen(fd, 16) == 0 &&
        getsockname(fd, reinterpret_cast<sockaddr*>(&bound), &length) == 0) {
      freeaddrinfo(found);
      const int bound_port =
          ntohs(bound.ss_family == AF_INET6 ? reinterpret_cast<sockaddr_in6*>(&bound)->sin6_port
                                            : reinterpret_cast<sockaddr_in*>(&bound)->sin_port);
      return std::unique_ptr<HaproxyAgent>(new HaproxyAgent(fd, bound_port));
    }
    last_error = std::strerror(errno);
    close(fd);
  }
  freeaddrinfo(found);
  return absl::UnavailableError(
      absl::StrCat("cannot listen on ", address, " for the haproxy agent: ", last_error));
}

HaproxyAgent::HaproxyAgent(int listen_fd, int port)
    : listen_fd_(listen_fd), port_(port), thread_([this] { Serve(); }) {}

HaproxyAgent::~HaproxyAgent() {
  stopping_.store(true);
  // Wakes the blocked accept() (Linux: it returns EINVAL).
  shutdown(listen_fd_, SHUT_RDWR);
  thread_.join();
  close(listen_fd_);
}

void HaproxyAgent::Serve() {
  while (!stopping_.load()) {
    const int connection = accept4(listen_fd_, nullptr, nullptr, SOCK_CLOEXEC);
    if (connection < 0) {
      if (errno == EINTR || errno == ECONNABORTED || errno == EMFILE || errno == ENFILE) continue;
      return;  // the listener was shut down
    }
    // One line, then close: haproxy reads the answer up to the end of the
    // connection. "ready" also lifts a drain an earlier process set.
    const char* answer = draining_.load() ? "drain\n" : "up ready\n";
    (void)send(connection, answer, std::strlen(answer), MSG_NOSIGNAL);
    close(connection);
  }
}

}  // namespace dcgan
