#include "core/data/idx_reader.h"

#include <zlib.h>

#include <memory>

#include "absl/strings/str_cat.h"

namespace dcgan {
namespace {

constexpr int kUnsignedByteType = 0x08;
constexpr int kMaxDims = 4;
constexpr int64_t kMaxElements = int64_t{1} << 32;

struct GzCloser {
  void operator()(gzFile_s* f) const { gzclose(f); }
};

// Reads exactly `n` bytes; false on a short read or a stream error.
bool ReadExactly(gzFile file, void* out, size_t n) {
  auto* bytes = static_cast<uint8_t*>(out);
  while (n > 0) {
    const unsigned chunk = static_cast<unsigned>(std::min<size_t>(n, 1u << 30));
    const int got = gzread(file, bytes, chunk);
    if (got <= 0) return false;
    bytes += got;
    n -= static_cast<size_t>(got);
  }
  return true;
}

}  // namespace

absl::StatusOr<IdxArray> ReadIdxFile(const std::string& path) {
  // gzread reads plain files unchanged, so one path serves both.
  std::unique_ptr<gzFile_s, GzCloser> file(gzopen(path.c_str(), "rb"));
  if (file == nullptr) return absl::NotFoundError(absl::StrCat("cannot open IDX file ", path));
  gzbuffer(file.get(), 1 << 17);

  uint8_t magic[4];
  if (!ReadExactly(file.get(), magic, 4)) {
    return absl::DataLossError(absl::StrCat(path, ": truncated before the IDX magic number"));
  }
  if (magic[0] != 0 || magic[1] != 0) {
    return absl::DataLossError(absl::StrCat(path, ": not an IDX file (bad magic number)"));
  }
  if (magic[2] != kUnsignedByteType) {
    return absl::DataLossError(absl::StrCat(path, ": IDX element type 0x", absl::Hex(magic[2]),
                                            " is not unsigned byte (0x08)"));
  }
  const int ndims = magic[3];
  if (ndims < 1 || ndims > kMaxDims) {
    return absl::DataLossError(
        absl::StrCat(path, ": IDX has ", ndims, " dimensions, expected 1 to ", kMaxDims));
  }
  IdxArray array;
  int64_t elements = 1;
  for (int i = 0; i < ndims; ++i) {
    uint8_t be[4];
    if (!ReadExactly(file.get(), be, 4)) {
      return absl::DataLossError(absl::StrCat(path, ": truncated in the IDX header"));
    }
    const int64_t dim = (int64_t{be[0]} << 24) | (be[1] << 16) | (be[2] << 8) | be[3];
    if (dim <= 0) return absl::DataLossError(absl::StrCat(path, ": IDX dimension ", i, " is 0"));
    elements *= dim;
    if (elements > kMaxElements) {
      return absl::DataLossError(absl::StrCat(path, ": IDX dimensions are implausibly large"));
    }
    array.dims.push_back(dim);
  }
  array.data.resize(static_cast<size_t>(elements));
  if (!ReadExactly(file.get(), array.data.data(), array.data.size())) {
    int err = Z_OK;
    const char* message = gzerror(file.get(), &err);
    return absl::DataLossError(absl::StrCat(path, ": truncated: the header promises ", elements,
                                            " bytes of data",
                                            err != Z_OK ? absl::StrCat(" (", message, ")") : ""));
  }
  // Reading past the end also makes zlib check the gzip trailer (CRC, length).
  uint8_t extra;
  const int trailing = gzread(file.get(), &extra, 1);
  if (trailing > 0) {
    return absl::DataLossError(
        absl::StrCat(path, ": has bytes past the ", elements, " its header promises"));
  }
  int err = Z_OK;
  const char* message = gzerror(file.get(), &err);
  if (trailing < 0 || (err != Z_OK && err != Z_STREAM_END)) {
    return absl::DataLossError(absl::StrCat(path, ": corrupt compressed stream (", message, ")"));
  }
  return array;
}

}  // namespace dcgan
