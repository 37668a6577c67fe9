#ifndef DCGAN_CORE_UTIL_FILE_UTIL_H_
#define DCGAN_CORE_UTIL_FILE_UTIL_H_

#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace dcgan {

// Reads a whole file. NOT_FOUND if it does not exist.
absl::StatusOr<std::string> ReadFile(const std::string& path);

// Writes `contents` to `path` and fsyncs it before returning.
absl::Status WriteFileDurably(const std::string& path, absl::string_view contents);

// fsyncs a file or directory (directories: so a rename inside is durable).
absl::Status FsyncPath(const std::string& path);

}  // namespace dcgan

#endif  // DCGAN_CORE_UTIL_FILE_UTIL_H_
