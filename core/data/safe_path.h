#ifndef DCGAN_CORE_DATA_SAFE_PATH_H_
#define DCGAN_CORE_DATA_SAFE_PATH_H_

#include <string>

#include "absl/status/statusor.h"

namespace dcgan {

// Resolves `relative` under `root`, following symlinks, and returns the
// canonical path. INVALID_ARGUMENT if the result is outside `root` (through
// "..", an absolute path elsewhere or a symlink out); NOT_FOUND if it does
// not exist.
absl::StatusOr<std::string> ResolveUnderRoot(const std::string& root, const std::string& relative);

// True if canonical path `path` is `root` itself or inside it (both canonical).
bool IsWithin(const std::string& root, const std::string& path);

}  // namespace dcgan

#endif  // DCGAN_CORE_DATA_SAFE_PATH_H_
