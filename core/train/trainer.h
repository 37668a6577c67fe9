#ifndef DCGAN_CORE_TRAIN_TRAINER_H_
#define DCGAN_CORE_TRAIN_TRAINER_H_

#include <atomic>
#include <cstdint>
#include <memory>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "core/data/dataset.h"
#include "core/model/transposed_conv_algorithm.h"
#include "core/train/job_spec.h"
#include "core/train/training_observer.h"
#include "core/train/training_progress.h"

namespace dcgan {

// What a caller may ask of a running trainer; checked before every step.
enum class StopRequest : int {
  kNone = 0,
  kCancel = 1,             // stop now, write nothing more
  kCheckpointAndStop = 2,  // write a checkpoint, then stop (server shutdown)
};

struct TrainerOptions {
  DatasetOptions data;
  // Folder of this job's checkpoints. Required.
  std::string job_dir;
  // Retention after each checkpoint: the newest `keep_last_checkpoints` plus
  // every step that is a multiple of `keep_every_steps` (0: none).
  int keep_last_checkpoints = 5;
  int64_t keep_every_steps = 0;
  // Images in each checkpoint's samples.png grid (from one fixed noise batch).
  int sample_grid_images = 64;
  TransposedConvAlgorithm transposed_conv = TransposedConvAlgorithm::kConvolutionGradient;
};

// Trains one GAN (Goodfellow et al. 2014) with Adam, k discriminator steps per
// generator step, the non-saturating generator loss and BCE-with-logits.
//
// Lifecycle: `Create` fills in the spec's defaults and validates it, opens the data, builds the
// networks and, if `job_dir` holds a checkpoint, resumes from the newest one
// (step, weights, optimizer state; data order and noise are functions of
// (seed, step), so the resumed run continues the same run bit for bit).
// Then `Run` (or `Step` repeatedly). A Trainer is used from one thread at a
// time; it uses LibTorch's intra-op threads as configured process-wide.
class Trainer {
 public:
  static absl::StatusOr<std::unique_ptr<Trainer>> Create(const JobSpec& spec,
                                                         const TrainerOptions& options);
  ~Trainer();

  // Trains until total_steps(), writing a checkpoint every
  // checkpoint_every_steps and at the end. Returns OK when done, CANCELLED
  // after kCancel, ABORTED after kCheckpointAndStop (a checkpoint of the
  // current step was written), or the error that stopped training.
  absl::Status Run(TrainingObserver* observer, const std::atomic<StopRequest>* stop);

  // One generator step (and its k discriminator steps).
  absl::StatusOr<TrainingProgress> Step();

  // Writes a checkpoint of the current step (and applies retention).
  absl::Status SaveCheckpoint();

  int64_t step() const;
  int64_t total_steps() const;
  const JobSpec& spec() const;
  // The step the trainer resumed from (0 for a fresh run).
  int64_t resumed_from_step() const;

 private:
  class Impl;
  explicit Trainer(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace dcgan

#endif  // DCGAN_CORE_TRAIN_TRAINER_H_
