#ifndef DCGAN_CORE_UTIL_SHA256_H_
#define DCGAN_CORE_UTIL_SHA256_H_

#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace dcgan {

// Lower-case hex SHA-256 of `data`.
std::string Sha256Hex(absl::string_view data);

// Lower-case hex SHA-256 of a file's contents; NOT_FOUND or DATA_LOSS on I/O
// errors, naming the file.
absl::StatusOr<std::string> Sha256HexOfFile(const std::string& path);

}  // namespace dcgan

#endif  // DCGAN_CORE_UTIL_SHA256_H_
