#include "core/data/batch_prefetcher.h"

#include <chrono>
#include <numeric>

#include "core/util/seed_mix.h"

namespace dcgan {

std::vector<int64_t> EpochOrder(int64_t size, uint64_t seed, int64_t epoch) {
  std::vector<int64_t> order(static_cast<size_t>(size));
  std::iota(order.begin(), order.end(), 0);
  SplitMix64 rng(MixSeed(seed, kDataOrderStream, static_cast<uint64_t>(epoch)));
  // Fisher-Yates with our own generator: std::shuffle's output differs
  // between standard libraries, and the order is part of a checkpoint's meaning.
  for (int64_t i = size - 1; i > 0; --i) {
    const int64_t j = static_cast<int64_t>(rng.Below(static_cast<uint64_t>(i + 1)));
    std::swap(order[i], order[j]);
  }
  return order;
}

BatchPrefetcher::BatchPrefetcher(const Dataset* dataset, const Options& options)
    : dataset_(dataset),
      options_(options),
      batches_per_epoch_(dataset->size() / options.batch_size),
      producer_([this] { Produce(); }) {}

BatchPrefetcher::~BatchPrefetcher() {
  {
    absl::MutexLock lock(&mu_);
    stop_ = true;
  }
  producer_.join();
}

void BatchPrefetcher::Produce() {
  if (batches_per_epoch_ == 0) {
    absl::MutexLock lock(&mu_);
    error_ = absl::InvalidArgumentError(
        "dataset " + dataset_->name() + " has " + std::to_string(dataset_->size()) +
        " images, fewer than one batch of " + std::to_string(options_.batch_size));
    return;
  }
  const int c = dataset_->channels();
  const int s = dataset_->image_size();
  const int64_t example_floats = int64_t{c} * s * s;
  int64_t epoch = -1;
  std::vector<int64_t> order;
  for (int64_t batch = options_.first_batch;; ++batch) {
    {
      absl::MutexLock lock(&mu_);
      auto room = [this]() ABSL_SHARED_LOCKS_REQUIRED(mu_) {
        return stop_ || ready_.size() < static_cast<size_t>(options_.depth);
      };
      mu_.Await(absl::Condition(&room));
      if (stop_) return;
    }
    if (batch / batches_per_epoch_ != epoch) {
      epoch = batch / batches_per_epoch_;
      order = EpochOrder(dataset_->size(), options_.seed, epoch);
    }
    torch::Tensor tensor = torch::empty({options_.batch_size, c, s, s});
    float* out = tensor.data_ptr<float>();
    const int64_t first = (batch % batches_per_epoch_) * options_.batch_size;
    for (int i = 0; i < options_.batch_size; ++i) {
      absl::Status status = dataset_->GetExample(order[first + i], out + i * example_floats);
      if (!status.ok()) {
        absl::MutexLock lock(&mu_);
        error_ = std::move(status);
        return;
      }
    }
    absl::MutexLock lock(&mu_);
    ready_.push_back(std::move(tensor));
  }
}

absl::StatusOr<torch::Tensor> BatchPrefetcher::Next() {
  absl::MutexLock lock(&mu_);
  auto available = [this]()
                       ABSL_SHARED_LOCKS_REQUIRED(mu_) { return !ready_.empty() || !error_.ok(); };
  if (!available()) {
    const auto start = std::chrono::steady_clock::now();
    mu_.Await(absl::Condition(&available));
    seconds_waited_ +=
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  }
  if (ready_.empty()) return error_;
  torch::Tensor batch = std::move(ready_.front());
  ready_.pop_front();
  return batch;
}

double BatchPrefetcher::seconds_waited() const {
  absl::MutexLock lock(&mu_);
  return seconds_waited_;
}

}  // namespace dcgan
