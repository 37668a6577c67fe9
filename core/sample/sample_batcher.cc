#include "core/sample/sample_batcher.h"

#include <torch/torch.h>

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "core/sample/image_tensor.h"

namespace dcgan {

struct SampleBatcher::Request {
  std::shared_ptr<const LoadedGenerator> generator;
  torch::Tensor latents;
  absl::Time deadline;
  absl::Time queued_at;
  SampledImages parts;  // slot i: piece i's images, once run
  int remaining = 0;    // pieces not yet run
  absl::Status status;
  bool done = false;       // parts complete, or status set
  bool abandoned = false;  // the caller stopped waiting: skip its pieces
};

void SampleBatcher::Arrival::Leave() {
  if (batcher_ == nullptr) return;
  absl::MutexLock lock(&batcher_->mu_);
  --batcher_->arriving_;
  batcher_ = nullptr;
}

SampleBatcher::SampleBatcher(SampleBatcherOptions options) : options_(std::move(options)) {
  for (int i = 0; i < std::max(1, options_.workers); ++i) {
    workers_.emplace_back([this] { WorkerLoop(); });
  }
}

SampleBatcher::~SampleBatcher() {
  {
    absl::MutexLock lock(&mu_);
    stopping_ = true;
    for (Piece& piece : queue_) {
      if (!piece.request->done) {
        piece.request->status = absl::UnavailableError("the server is shutting down");
        piece.request->done = true;
      }
    }
    queue_.clear();
    queued_.clear();
  }
  for (std::thread& worker : workers_) worker.join();
}

SampleBatcher::Arrival SampleBatcher::Arrive() {
  absl::MutexLock lock(&mu_);
  ++arriving_;
  return Arrival(this);
}

absl::StatusOr<SampledImages> SampleBatcher::Generate(
    Arrival arrival, std::shared_ptr<const LoadedGenerator> generator, const torch::Tensor& latents,
    absl::Time deadline) {
  const int64_t rows = latents.dim() == 2 ? latents.size(0) : 0;
  if (rows == 0) return absl::InvalidArgumentError("no latent vectors to sample");
  auto request = std::make_shared<Request>();
  request->generator = std::move(generator);
  request->latents = latents.contiguous();
  request->deadline = deadline;

  absl::MutexLock lock(&mu_);
  // Leaving and queueing under one lock: a worker never sees "nobody
  // arriving" before this request is in the queue.
  if (arrival.batcher_ == this) {
    --arriving_;
    arrival.batcher_ = nullptr;
  }
  if (stopping_) return absl::UnavailableError("the server is shutting down");
  request->queued_at = absl::Now();
  if (request->queued_at >= deadline) {
    return absl::DeadlineExceededError("the deadline passed before sampling started");
  }
  const int64_t max = options_.merge_requests ? std::max(1, options_.max_batch_size) : rows;
  int index = 0;
  for (int64_t begin = 0; begin < rows; begin += max, ++index) {
    queue_.push_back(Piece{request, begin, std::min(max, rows - begin), index});
  }
  request->parts.images.resize(size_t(index));
  request->parts.pixels.resize(size_t(index));
  request->remaining = index;
  Queued& queued = queued_[request->generator.get()];
  queued.rows += rows;
  queued.pieces += index;

  mu_.AwaitWithDeadline(absl::Condition(&request->done), deadline);
  if (!request->done) {
    request->abandoned = true;
    return absl::DeadlineExceededError(absl::StrCat(
        "the deadline passed while the request waited for the generator (", rows, " images)"));
  }
  if (!request->status.ok()) return request->status;
  return std::move(request->parts);
}

bool SampleBatcher::NextBatch(std::vector<Piece>* batch) {
  const int64_t max = std::max(1, options_.max_batch_size);
  auto drop = [this](const Piece& piece) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
    auto queued = queued_.find(piece.request->generator.get());
    queued->second.rows -= piece.count;
    if (--queued->second.pieces == 0) queued_.erase(queued);
  };
  // Fails a request whose deadline has passed, so it costs no forward pass.
  auto expired = [](const Piece& piece, absl::Time now) {
    Request& r = *piece.request;
    if (r.abandoned || r.done) return true;
    if (now < r.deadline) return false;
    r.status = absl::DeadlineExceededError("the deadline passed while the request was queued");
    r.done = true;
    return true;
  };
  while (true) {
    auto has_work = [this]()
                        ABSL_SHARED_LOCKS_REQUIRED(mu_) { return !queue_.empty() || stopping_; };
    mu_.Await(absl::Condition(&has_work));
    if (stopping_) return false;
    const absl::Time now = absl::Now();
    while (!queue_.empty() && expired(queue_.front(), now)) {
      drop(queue_.front());
      queue_.pop_front();
    }
    if (queue_.empty()) continue;

    const std::shared_ptr<Request> oldest = queue_.front().request;
    const LoadedGenerator* generator = oldest->generator.get();
    auto closes = [this, generator, max]() ABSL_SHARED_LOCKS_REQUIRED(mu_) {
      auto queued = queued_.find(generator);
      if (stopping_ || queued == queued_.end() || !options_.merge_requests) return true;
      return queued->second.rows >= max ||
             (arriving_ == 0 && queued->second.pieces >= last_batch_pieces_);
    };
    mu_.AwaitWithDeadline(absl::Condition(&closes), oldest->queued_at + options_.max_queue_delay);
    if (stopping_) return false;
    if (queue_.empty() || queue_.front().request != oldest) continue;  // another worker took it
    if (!options_.merge_requests) {
      batch->assign(1, std::move(queue_.front()));
      queue_.pop_front();
      drop(batch->front());
      return true;
    }

    // Oldest first; whole pieces only, so a piece keeps its place for the
    // next batch if it does not fit in this one.
    batch->clear();
    int64_t rows = 0;
    const absl::Time cut = absl::Now();
    std::deque<Piece> rest;
    for (Piece& piece : queue_) {
      if (piece.request->generator.get() != generator || rows + piece.count > max) {
        rest.push_back(std::move(piece));
        continue;
      }
      drop(piece);
      if (expired(piece, cut)) continue;
      rows += piece.count;
      batch->push_back(std::move(piece));
    }
    queue_ = std::move(rest);
    if (!batch->empty()) {
      last_batch_pieces_ = int64_t(batch->size());
      return true;
    }
  }
}

void SampleBatcher::WorkerLoop() {
  std::vector<Piece> batch;
  while (true) {
    {
      absl::MutexLock lock(&mu_);
      if (!NextBatch(&batch)) return;
    }
    absl::StatusOr<torch::Tensor> images;
    torch::Tensor pixels;
    {
      torch::InferenceMode inference;
      std::vector<torch::Tensor> slices;
      int64_t rows = 0;
      for (const Piece& piece : batch) {
        slices.push_back(piece.request->latents.narrow(0, piece.begin, piece.count));
        rows += piece.count;
      }
      images = batch.front().request->generator->Generate(slices.size() == 1 ? slices[0]
                                                                             : torch::cat(slices));
      if (images.ok()) pixels = ToPixels(*images);
      if (options_.on_forward_pass) options_.on_forward_pass(rows);
    }
    Complete(batch, images, pixels);
  }
}

void SampleBatcher::Complete(const std::vector<Piece>& batch,
                             const absl::StatusOr<torch::Tensor>& images,
                             const torch::Tensor& pixels) {
  absl::MutexLock lock(&mu_);
  int64_t offset = 0;
  for (const Piece& piece : batch) {
    Request& r = *piece.request;
    const int64_t begin = offset;
    offset += piece.count;
    if (r.done) continue;  // failed by another piece, or shut down
    if (!images.ok()) {
      r.status = images.status();
      r.done = true;
      continue;
    }
    r.parts.images[size_t(piece.index)] = images->narrow(0, begin, piece.count);
    r.parts.pixels[size_t(piece.index)] = pixels.narrow(0, begin, piece.count);
    if (--r.remaining == 0) r.done = true;
  }
}

}  // namespace dcgan
