#ifndef DCGAN_CORE_DATA_DATASET_H_
#define DCGAN_CORE_DATA_DATASET_H_

#include <cstdint>
#include <memory>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"

namespace dcgan {

// A finite, indexable set of training images, all of one size and channel
// count. Implementations are immutable after construction, so `GetExample`
// may be called from any thread.
class Dataset {
 public:
  virtual ~Dataset() = default;

  virtual int64_t size() const = 0;
  virtual int image_size() const = 0;  // height == width
  virtual int channels() const = 0;
  virtual std::string name() const = 0;

  // Writes example `index` (0 <= index < size()) as channels x image_size x
  // image_size floats in [-1, 1] (CHW) to `out`. An example that cannot be
  // decoded is an error naming its file.
  virtual absl::Status GetExample(int64_t index, float* out) const = 0;
};

struct DatasetOptions {
  // Root that image-folder paths resolve under; nothing outside it is read.
  std::string data_root = ".";
  // Where Debian's dataset-fashion-mnist puts its IDX files.
  std::string fashion_mnist_dir = "/usr/share/datasets/fashion-mnist";
  // Use at most this many examples (0: all). For quick runs and tests.
  int64_t max_examples = 0;
};

// Opens "fashion-mnist" or "image-folder:<path>" at the given size.
// NOT_FOUND if the data is missing, INVALID_ARGUMENT for a bad name or a path
// that escapes the data root, DATA_LOSS for corrupt files.
absl::StatusOr<std::unique_ptr<Dataset>> OpenDataset(const std::string& name, int image_size,
                                                     int channels, const DatasetOptions& options);

// A quick check, without reading the data, that `name` names a dataset
// that is there: for CreateJob to fail fast on a typo. Same codes as
// OpenDataset.
absl::Status CheckDatasetAvailable(const std::string& name, const DatasetOptions& options);

}  // namespace dcgan

#endif  // DCGAN_CORE_DATA_DATASET_H_
