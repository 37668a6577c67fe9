#include "server/host_port.h"

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"

namespace dcgan {

absl::StatusOr<HostPort> ParseHostPort(const std::string& address, const std::string& what) {
  const size_t colon = address.rfind(':');
  HostPort parsed;
  if (colon == std::string::npos || !absl::SimpleAtoi(address.substr(colon + 1), &parsed.port) ||
      parsed.port < 0 || parsed.port > 65535) {
    return absl::InvalidArgumentError(absl::StrCat(what, " \"", address, "\" is not host:port"));
  }
  parsed.host = address.substr(0, colon);
  parsed.bare_host = parsed.host;
  if (parsed.bare_host.size() >= 2 && parsed.bare_host.front() == '[') {
    parsed.bare_host = parsed.bare_host.substr(1, parsed.bare_host.size() - 2);
  }
  return parsed;
}

}  // namespace dcgan
