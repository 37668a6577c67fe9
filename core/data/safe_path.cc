#include "core/data/safe_path.h"

#include <filesystem>
#include <system_error>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"

namespace dcgan {

namespace fs = std::filesystem;

bool IsWithin(const std::string& root, const std::string& path) {
  if (path == root) return true;
  const std::string prefix = absl::EndsWith(root, "/") ? root : root + "/";
  return absl::StartsWith(path, prefix);
}

absl::StatusOr<std::string> ResolveUnderRoot(const std::string& root, const std::string& relative) {
  std::error_code ec;
  const fs::path canonical_root = fs::canonical(root, ec);
  if (ec) return absl::NotFoundError(absl::StrCat("data root ", root, " does not exist"));
  const fs::path joined = canonical_root / relative;  // an absolute `relative` replaces the root
  const fs::path resolved = fs::canonical(joined, ec);
  if (ec) {
    // Say "escapes" rather than "missing" when the lexical path already does.
    const fs::path lexical = joined.lexically_normal();
    if (!IsWithin(canonical_root.string(), lexical.string())) {
      return absl::InvalidArgumentError(
          absl::StrCat("path \"", relative, "\" is outside the data root ", root));
    }
    return absl::NotFoundError(absl::StrCat("\"", relative, "\" not found under data root ", root));
  }
  if (!IsWithin(canonical_root.string(), resolved.string())) {
    return absl::InvalidArgumentError(
        absl::StrCat("path \"", relative, "\" is outside the data root ", root));
  }
  return resolved.string();
}

}  // namespace dcgan
