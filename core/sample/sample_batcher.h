#ifndef DCGAN_CORE_SAMPLE_SAMPLE_BATCHER_H_
#define DCGAN_CORE_SAMPLE_SAMPLE_BATCHER_H_

#include <torch/types.h>

#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <thread>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "core/sample/loaded_generator.h"

namespace dcgan {

// A request's images, in order, as slices of the batches that made them
// (views, no copies). Both forms are computed on the worker, once per batch,
// so the callers' threads (gRPC's) never run torch kernels of their own.
struct SampledImages {
  std::vector<torch::Tensor> images;  // float [n_i, C, H, W] in [-1, 1]
  std::vector<torch::Tensor> pixels;  // uint8 [n_i, H, W, C] (ToPixels), contiguous
};

struct SampleBatcherOptions {
  // Latents per generator forward pass; larger requests are split.
  int max_batch_size = 64;
  // How long a batch's oldest request may wait for others to join.
  absl::Duration max_queue_delay = absl::Milliseconds(2);
  // false: every request runs alone, whole, in its own pass (batching off,
  // for comparison); same threads, no merging, no splitting.
  bool merge_requests = true;
  // Threads running forward passes. Each pass already uses every torch
  // intra-op thread, so more than one only makes passes contend.
  int workers = 1;
  // Told the size of every forward pass (for metrics); may be empty.
  std::function<void(int64_t batch_size)> on_forward_pass;
};

// Dynamic batching of generator forward passes, as Triton and TF Serving do
// it: concurrent requests for the same generator (same model and checkpoint)
// are merged into one pass of up to max_batch_size latents.
//
// When a batch closes: once it is full; once max_queue_delay has passed
// since its oldest request was queued; or as soon as no caller is between
// Arrive() and Generate() and the batch holds as many requests as the
// previous one did. Closed-loop clients come back in the numbers they were
// served in, so a lone client never waits for company that is not coming
// (its batches are of one), while 64 clients whose answers went out together
// are waited for (up to the delay) and go together again.
//
// Deadlines are kept inside the queue: a request whose deadline passes
// before its pass starts returns DEADLINE_EXCEEDED and costs no forward pass.
// Images depend only on their own latents (inference-mode batch norm, and
// this stack's kernels are batch-invariant bit for bit), so results are the
// same bytes as unbatched sampling. Thread-safe.
class SampleBatcher {
 public:
  explicit SampleBatcher(SampleBatcherOptions options);
  ~SampleBatcher();  // requests still queued get UNAVAILABLE
  SampleBatcher(const SampleBatcher&) = delete;
  SampleBatcher& operator=(const SampleBatcher&) = delete;

  // Marks one caller on its way to Generate (validating, loading a model):
  // while any is, an open batch waits (up to max_queue_delay) for it. Every
  // Arrival must end: passed to Generate, or destroyed.
  class Arrival {
   public:
    Arrival() = default;
    Arrival(Arrival&& other) noexcept : batcher_(other.batcher_) { other.batcher_ = nullptr; }
    Arrival& operator=(Arrival&&) = delete;
    ~Arrival() { Leave(); }
    void Leave();

   private:
    friend class SampleBatcher;
    explicit Arrival(SampleBatcher* batcher) : batcher_(batcher) {}
    SampleBatcher* batcher_ = nullptr;
  };
  Arrival Arrive();

  // latents [N, latent_dim] -> the images of generator->Generate(latents),
  // run in merged batches on the worker threads. Blocks until done or
  // `deadline`.
  absl::StatusOr<SampledImages> Generate(Arrival arrival,
                                         std::shared_ptr<const LoadedGenerator> generator,
                                         const torch::Tensor& latents, absl::Time deadline);

 private:
  struct Request;
  // Rows [begin, begin + count) of one request, the unit of batching.
  struct Piece {
    std::shared_ptr<Request> request;
    int64_t begin;
    int64_t count;
    int index;  // which of the request's pieces
  };

  void WorkerLoop();
  // Takes the next batch off the queue (dropping expired requests), or
  // returns false on shutdown.
  bool NextBatch(std::vector<Piece>* batch) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  void Complete(const std::vector<Piece>& batch, const absl::StatusOr<torch::Tensor>& images,
                const torch::Tensor& pixels) ABSL_LOCKS_EXCLUDED(mu_);

  const SampleBatcherOptions options_;

  absl::Mutex mu_;
  std::deque<Piece> queue_ ABSL_GUARDED_BY(mu_);
  struct Queued {
    int64_t rows = 0;
    int64_t pieces = 0;
  };
  // What is queued per generator, to tell when a batch may close.
  std::map<const LoadedGenerator*, Queued> queued_ ABSL_GUARDED_BY(mu_);
  int64_t last_batch_pieces_ ABSL_GUARDED_BY(mu_) = 1;
  int arriving_ ABSL_GUARDED_BY(mu_) = 0;
  bool stopping_ ABSL_GUARDED_BY(mu_) = false;
  std::vector<std::thread> workers_;
};

}  // namespace dcgan

#endif  // DCGAN_CORE_SAMPLE_SAMPLE_BATCHER_H_
