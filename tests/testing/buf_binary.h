#ifndef DCGAN_TESTS_TESTING_BUF_BINARY_H_
#define DCGAN_TESTS_TESTING_BUF_BINARY_H_

#include <cstdlib>
#include <string>

namespace dcgan::testing {

// `buf` (grpcurl's stand-in: `buf curl`), as scripts/test.sh installs it
// from npm; $DCGAN_BUF overrides.
inline std::string BufBinary() {
  if (const char* env = std::getenv("DCGAN_BUF"); env && *env) return env;
  const char* home = std::getenv("HOME");
  return std::string(home ? home : "/root") + "/.cache/buf/node_modules/.bin/buf";
}

}  // namespace dcgan::testing

#endif  // DCGAN_TESTS_TESTING_BUF_BINARY_H_
