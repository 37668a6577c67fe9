#ifndef DCGAN_CORE_DATA_IDX_READER_H_
#define DCGAN_CORE_DATA_IDX_READER_H_

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/statusor.h"

namespace dcgan {

// An IDX array of unsigned bytes (the MNIST file format: magic 00 00 08 N,
// N big-endian 32-bit dimensions, then the data in row-major order).
struct IdxArray {
  std::vector<int64_t> dims;
  std::vector<uint8_t> data;
};

// Reads an IDX file, gzip-compressed or raw (detected from its bytes).
// Checks the magic number, the element type, the dimensions and that the
// data is exactly as long as the dimensions say. Any mismatch is a
// DATA_LOSS (corrupt or truncated) or NOT_FOUND status naming the file.
absl::StatusOr<IdxArray> ReadIdxFile(const std::string& path);

}  // namespace dcgan

#endif  // DCGAN_CORE_DATA_IDX_READER_H_
