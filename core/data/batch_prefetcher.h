#ifndef DCGAN_CORE_DATA_BATCH_PREFETCHER_H_
#define DCGAN_CORE_DATA_BATCH_PREFETCHER_H_

#include <torch/types.h>

#include <cstdint>
#include <deque>
#include <thread>

#include "absl/base/thread_annotations.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "core/data/dataset.h"

namespace dcgan {

// The example order of one epoch: a permutation of [0, size) that depends
// only on (seed, epoch), so a resumed run sees the same data order.
std::vector<int64_t> EpochOrder(int64_t size, uint64_t seed, int64_t epoch);

// Assembles training batches on its own thread, `depth` ahead of the
// consumer, in the order EpochOrder gives (the last partial batch of each
// epoch is dropped, as DCGAN training does). Batch b of the run is batch
// b % batches_per_epoch() of epoch b / batches_per_epoch(), so starting at
// `first_batch` resumes exactly where a checkpoint left off.
//
// Lifecycle: the constructor starts the thread; the destructor stops and
// joins it. `Next` is for one consumer thread. The dataset must outlive this.
class BatchPrefetcher {
 public:
  struct Options {
    int batch_size = 128;
    uint64_t seed = 0;
    int64_t first_batch = 0;
    int depth = 3;
  };

  BatchPrefetcher(const Dataset* dataset, const Options& options);
  ~BatchPrefetcher();
  BatchPrefetcher(const BatchPrefetcher&) = delete;
  BatchPrefetcher& operator=(const BatchPrefetcher&) = delete;

  int64_t batches_per_epoch() const { return batches_per_epoch_; }

  // The next batch, [batch, channels, size, size] float in [-1, 1], or the
  // error that stopped the producer (a file that would not decode, say).
  absl::StatusOr<torch::Tensor> Next();

  // Total time `Next` spent blocked waiting for the producer.
  double seconds_waited() const;

 private:
  void Produce();

  // Constant after construction.
  const Dataset* const dataset_;
  const Options options_;
  const int64_t batches_per_epoch_;

  mutable absl::Mutex mu_;
  std::deque<torch::Tensor> ready_ ABSL_GUARDED_BY(mu_);
  absl::Status error_ ABSL_GUARDED_BY(mu_);
  bool stop_ ABSL_GUARDED_BY(mu_) = false;
  double seconds_waited_ ABSL_GUARDED_BY(mu_) = 0;

  std::thread producer_;  // last: starts after everything above exists
};

}  // namespace dcgan

#endif  // DCGAN_CORE_DATA_BATCH_PREFETCHER_H_
