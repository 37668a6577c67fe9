#ifndef DCGAN_TESTS_TESTING_EXPOSITION_H_
#define DCGAN_TESTS_TESTING_EXPOSITION_H_

#include <cstdlib>
#include <optional>
#include <string>

namespace dcgan::testing {

// The value of one series in Prometheus text exposition, named exactly as
// it is printed (`name` or `name{label="v",...}`); nullopt if absent.
inline std::optional<double> ExpositionValue(const std::string& text, const std::string& series) {
  const std::string key = "\n" + series + " ";
  const size_t at = text.find(key);
  if (at == std::string::npos) return std::nullopt;
  return std::strtod(text.c_str() + at + key.size(), nullptr);
}

}  // namespace dcgan::testing

#endif  // DCGAN_TESTS_TESTING_EXPOSITION_H_
