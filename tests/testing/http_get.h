#ifndef DCGAN_TESTS_TESTING_HTTP_GET_H_
#define DCGAN_TESTS_TESTING_HTTP_GET_H_

#include <string>

namespace dcgan::testing {

struct HttpResponse {
  int status = 0;  // 0: no response (connection failed or timed out)
  std::string body;
};

// One HTTP/1.0 GET of `target` (path and query, already URL-encoded) from
// `host_port` ("127.0.0.1:9090"), with a 10 s deadline on each socket
// operation. For tests on loopback: no TLS, no redirects, no chunking.
HttpResponse HttpGet(const std::string& host_port, const std::string& target);

// Percent-encodes everything but unreserved characters (for query values).
std::string UrlEncode(const std::string& text);

}  // namespace dcgan::testing

#endif  // DCGAN_TESTS_TESTING_HTTP_GET_H_
