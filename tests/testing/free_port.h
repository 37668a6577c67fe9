#ifndef DCGAN_TESTS_TESTING_FREE_PORT_H_
#define DCGAN_TESTS_TESTING_FREE_PORT_H_

namespace dcgan::testing {

// A loopback TCP port that was free a moment ago, for servers (Prometheus,
// nginx) that cannot bind port 0 and report it. 0 if none was found.
int FreeLoopbackPort();

}  // namespace dcgan::testing

#endif  // DCGAN_TESTS_TESTING_FREE_PORT_H_
