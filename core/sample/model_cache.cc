#include "core/sample/model_cache.h"

#include "absl/strings/str_cat.h"
#include "core/checkpoint/checkpoint.h"

namespace dcgan {

ModelCache::ModelCache(std::string checkpoint_root, int capacity)
    : checkpoint_root_(std::move(checkpoint_root)), capacity_(std::max(1, capacity)) {}

absl::StatusOr<std::shared_ptr<const LoadedGenerator>> ModelCache::Get(const std::string& model,
                                                                       int64_t step) {
  const std::string job_dir = absl::StrCat(checkpoint_root_, "/", model);
  const std::vector<int64_t> steps = ListCheckpointSteps(job_dir);
  if (steps.empty()) {
    return absl::FailedPreconditionError(
        absl::StrCat("model ", model, " has no checkpoint yet; wait for its first one"));
  }
  if (step == 0) {
    step = steps.back();
  } else if (!std::binary_search(steps.begin(), steps.end(), step)) {
    return absl::NotFoundError(absl::StrCat("model ", model, " has no checkpoint at step ", step,
                                            "; newest is ", steps.back()));
  }
  const Key key(model, step);
  {
    absl::MutexLock lock(&mu_);
    while (true) {
      auto it = entries_.find(key);
      if (it != entries_.end()) {
        ++stats_.hits;
        lru_.splice(lru_.begin(), lru_, it->second.lru);
        return it->second.generator;
      }
      if (loading_.count(key) == 0) break;
      // Another call is loading it: wait for that one load rather than
      // have a burst of requests each read and build the same checkpoint.
      auto loaded_elsewhere = [this, &key]() ABSL_SHARED_LOCKS_REQUIRED(mu_) {
        return loading_.count(key) == 0;
      };
      mu_.Await(absl::Condition(&loaded_elsewhere));
    }
    ++stats_.misses;
    loading_.insert(key);
  }
  absl::StatusOr<std::shared_ptr<const LoadedGenerator>> loaded =
      LoadedGenerator::Load(CheckpointDir(job_dir, step));
  absl::MutexLock lock(&mu_);
  loading_.erase(key);
  if (!loaded.ok()) {
    if (loaded.status().code() == absl::StatusCode::kNotFound) {
      // Retention deleted it between the listing and the load.
      return absl::NotFoundError(
          absl::StrCat("checkpoint ", step, " of model ", model, " was just removed; retry"));
    }
    return loaded.status();
  }
  lru_.push_front(key);
  entries_[key] = Entry{*loaded, lru_.begin()};
  while (int(entries_.size()) > capacity_) {
    entries_.erase(lru_.back());
    lru_.pop_back();
    ++stats_.evictions;
  }
  return *loaded;
}

ModelCache::Stats ModelCache::stats() const {
  absl::MutexLock lock(&mu_);
  Stats s = stats_;
  s.loaded = int64_t(entries_.size());
  return s;
}

}  // namespace dcgan
