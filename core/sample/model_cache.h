#ifndef DCGAN_CORE_SAMPLE_MODEL_CACHE_H_
#define DCGAN_CORE_SAMPLE_MODEL_CACHE_H_

#include <cstdint>
#include <list>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <utility>

#include "absl/base/thread_annotations.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "core/sample/loaded_generator.h"

namespace dcgan {

// A bounded LRU cache of loaded generators, keyed by (model, step), over the
// checkpoint folders <checkpoint_root>/<model>/step-*.
//
// Step 0 means "the newest checkpoint": the folder is listed on every call
// (a readdir), so a checkpoint written after start is served without a
// restart. A new checkpoint is loaded outside the lock, once: concurrent
// calls for the same one wait for that load and count as hits; calls for
// other checkpoints are not held up. Then it is inserted;
// calls in flight keep the generator they got alive (shared_ptr), so nothing
// is ever unloaded under a running forward pass. Thread-safe.
class ModelCache {
 public:
  struct Stats {
    int64_t hits = 0;
    int64_t misses = 0;
    int64_t evictions = 0;
    int64_t loaded = 0;
  };

  ModelCache(std::string checkpoint_root, int capacity);

  // FAILED_PRECONDITION if the model has no checkpoint yet, NOT_FOUND if it
  // has no checkpoint at `step`, DATA_LOSS if the checkpoint is corrupt.
  // `model` must be a valid job id (IsValidJobId).
  absl::StatusOr<std::shared_ptr<const LoadedGenerator>> Get(const std::string& model,
                                                             int64_t step);

  Stats stats() const;

 private:
  using Key = std::pair<std::string, int64_t>;
  struct Entry {
    std::shared_ptr<const LoadedGenerator> generator;
    std::list<Key>::iterator lru;
  };

  const std::string checkpoint_root_;
  const int capacity_;

  mutable absl::Mutex mu_;
  std::map<Key, Entry> entries_ ABSL_GUARDED_BY(mu_);
  std::list<Key> lru_ ABSL_GUARDED_BY(mu_);  // front: most recently used
  std::set<Key> loading_ ABSL_GUARDED_BY(mu_);
  Stats stats_ ABSL_GUARDED_BY(mu_);
};

}  // namespace dcgan

#endif  // DCGAN_CORE_SAMPLE_MODEL_CACHE_H_
