#include "core/train/trainer.h"

#include <ATen/CPUGeneratorImpl.h>
#include <torch/torch.h>

#include <chrono>
#include <cmath>
#include <map>

#include "absl/strings/str_cat.h"
#include "core/checkpoint/checkpoint.h"
#include "core/checkpoint/module_io.h"
#include "core/data/batch_prefetcher.h"
#include "core/model/networks.h"
#include "core/sample/image_tensor.h"
#include "core/util/file_util.h"
#include "core/util/seed_mix.h"
#include "core/util/status_macros.h"

namespace dcgan {
namespace {

using Clock = std::chrono::steady_clock;

double Seconds(Clock::duration d) { return std::chrono::duration<double>(d).count(); }

torch::optim::Adam MakeAdam(torch::nn::Module& module, const JobSpec& spec) {
  return torch::optim::Adam(
      module.parameters(),
      torch::optim::AdamOptions(spec.learning_rate).betas({spec.beta1, spec.beta2}));
}

void SetRequiresGrad(torch::nn::Module& module, bool requires_grad) {
  for (torch::Tensor& p : module.parameters()) p.requires_grad_(requires_grad);
}

}  // namespace

class Trainer::Impl {
 public:
  Impl(const JobSpec& spec, const TrainerOptions& options, std::unique_ptr<Dataset> dataset)
      : spec_(spec),
        options_(options),
        dataset_(std::move(dataset)),
        nets_(BuildNetworks(spec, spec.seed, {options.transposed_conv})),
        g_optimizer_(MakeAdam(*nets_.generator, spec)),
        d_optimizer_(MakeAdam(*nets_.discriminator, spec)),
        batches_per_epoch_(dataset_->size() / spec.batch_size),
        fixed_noise_(LatentsForSeed(MixSeed(spec.seed, kFixedNoiseStream, 0),
                                    options.sample_grid_images, spec.latent_dim)) {
    const int64_t steps_per_epoch = batches_per_epoch_ / spec.d_steps_per_g_step;
    total_steps_ = spec.epochs > 0 ? spec.epochs * steps_per_epoch : spec.max_steps;
    if (spec.max_steps > 0) total_steps_ = std::min<int64_t>(total_steps_, spec.max_steps);
  }

  absl::Status Resume() {
    RETURN_IF_ERROR(RemoveLeftovers(options_.job_dir));
    const std::vector<int64_t> steps = ListCheckpointSteps(options_.job_dir);
    // Newest first; a corrupt newest checkpoint falls back to the one before.
    absl::Status last_error = absl::OkStatus();
    for (auto it = steps.rbegin(); it != steps.rend(); ++it) {
      absl::Status status = LoadCheckpoint(CheckpointDir(options_.job_dir, *it));
      if (status.ok()) {
        resumed_from_step_ = step_;
        break;
      }
      last_error = status;
    }
    if (step_ == 0 && !last_error.ok()) return last_error;
    StartPrefetcher();
    return absl::OkStatus();
  }

  absl::StatusOr<TrainingProgress> Step() {
    const Clock::time_point start = Clock::now();
    const int64_t batch = spec_.batch_size;
    TrainingProgress p;
    torch::Tensor fake;
    at::Tensor real_logits, fake_logits, d_loss;
    for (int k = 0; k < spec_.d_steps_per_g_step; ++k) {
      ASSIGN_OR_RETURN(torch::Tensor real, prefetcher_->Next());
      // One generator per data batch: the noise and dropout of a step are a
      // function of (seed, batch number) alone.
      at::Generator noise = at::make_generator<at::CPUGeneratorImpl>(
          MixSeed(spec_.seed, kNoiseStream, uint64_t(batches_consumed_)));
      ++batches_consumed_;
      nets_.discriminator->set_dropout_generator(noise);
      torch::Tensor z = at::randn({batch, spec_.latent_dim}, noise);
      const bool last = k + 1 == spec_.d_steps_per_g_step;
      {
        // Only the last fake batch is reused for G's step and needs a graph.
        c10::optional<torch::NoGradGuard> no_grad;
        if (!last) no_grad.emplace();
        fake = nets_.generator->forward(z);
      }
      d_optimizer_.zero_grad();
      real_logits = nets_.discriminator->forward(real);
      fake_logits = nets_.discriminator->forward(fake.detach());
      d_loss = torch::binary_cross_entropy_with_logits(real_logits, torch::ones_like(real_logits)) +
               torch::binary_cross_entropy_with_logits(fake_logits, torch::zeros_like(fake_logits));
      d_loss.backward();
      d_optimizer_.step();
    }

    // Generator step, non-saturating: maximise log D(G(z)). D's weights get
    // no gradient here (it would be discarded), which skips their backward.
    g_optimizer_.zero_grad();
    SetRequiresGrad(*nets_.discriminator, false);
    torch::Tensor g_logits = nets_.discriminator->forward(fake);
    torch::Tensor g_loss =
        torch::binary_cross_entropy_with_logits(g_logits, torch::ones_like(g_logits));
    g_loss.backward();
    SetRequiresGrad(*nets_.discriminator, true);
    g_optimizer_.step();
    ++step_;

    const double d_loss_value = d_loss.item<double>();
    p.step = step_;
    p.total_steps = total_steps_;
    p.epoch = (batches_consumed_ - 1) / batches_per_epoch_;
    p.discriminator_loss = d_loss_value;
    p.generator_loss = g_loss.item<double>();
    p.d_real = torch::sigmoid(real_logits).mean().item<double>();
    p.d_fake = torch::sigmoid(fake_logits).mean().item<double>();
    // V(D, G) on the batch is -d_loss; Theorem 1 gives JSD = (V + log 4) / 2.
    p.jsd_estimate = (std::log(4.0) - d_loss_value) / 2;
    p.step_seconds = Seconds(Clock::now() - start);
    // Smoothed over ~20 steps so the figure is steady enough to read.
    smoothed_step_seconds_ = smoothed_step_seconds_ == 0
                                 ? p.step_seconds
                                 : 0.95 * smoothed_step_seconds_ + 0.05 * p.step_seconds;
    p.images_per_second = double(batch) * spec_.d_steps_per_g_step / smoothed_step_seconds_;
    train_seconds_ += p.step_seconds;
    p.data_wait_fraction = train_seconds_ > 0 ? prefetcher_->seconds_waited() / train_seconds_ : 0;
    last_progress_ = p;
    return p;
  }

  absl::Status SaveCheckpoint() {
    std::map<std::string, std::string> files;
    ASSIGN_OR_RETURN(files[kGeneratorFile], SerializeModule(*nets_.generator));
    ASSIGN_OR_RETURN(files[kDiscriminatorFile], SerializeModule(*nets_.discriminator));
    ASSIGN_OR_RETURN(files[kGeneratorOptimizerFile], SerializeOptimizer(g_optimizer_));
    ASSIGN_OR_RETURN(files[kDiscriminatorOptimizerFile], SerializeOptimizer(d_optimizer_));
    ASSIGN_OR_RETURN(files[kSamplesFile], RenderSamples());
    CheckpointManifest manifest;
    manifest.spec = spec_;
    manifest.step = step_;
    manifest.epoch = last_progress_.epoch;
    manifest.batches_consumed = batches_consumed_;
    manifest.progress = last_progress_;
    RETURN_IF_ERROR(WriteCheckpoint(options_.job_dir, manifest, files));
    return ApplyRetention(options_.job_dir, options_.keep_last_checkpoints,
                          options_.keep_every_steps);
  }

  absl::Status Run(TrainingObserver* observer, const std::atomic<StopRequest>* stop) {
    while (step_ < total_steps_) {
      const StopRequest request = stop ? stop->load() : StopRequest::kNone;
      if (request == StopRequest::kCancel) {
        return absl::CancelledError(absl::StrCat("cancelled at step ", step_));
      }
      if (request == StopRequest::kCheckpointAndStop) {
        RETURN_IF_ERROR(SaveAndReport(observer));
        return absl::AbortedError(absl::StrCat("stopped at step ", step_, "; checkpoint written"));
      }
      ASSIGN_OR_RETURN(TrainingProgress progress, Step());
      if (observer) observer->OnStep(progress);
      if (step_ % spec_.checkpoint_every_steps == 0 || step_ == total_steps_) {
        RETURN_IF_ERROR(SaveAndReport(observer));
      }
    }
    return absl::OkStatus();
  }

  int64_t step() const { return step_; }
  int64_t total_steps() const { return total_steps_; }
  const JobSpec& spec() const { return spec_; }
  int64_t resumed_from_step() const { return resumed_from_step_; }

 private:
  absl::Status SaveAndReport(TrainingObserver* observer) {
    RETURN_IF_ERROR(SaveCheckpoint());
    if (observer) observer->OnCheckpoint(step_, CheckpointDir(options_.job_dir, step_));
    return absl::OkStatus();
  }

  void StartPrefetcher() {
    BatchPrefetcher::Options options;
    options.batch_size = spec_.batch_size;
    options.seed = spec_.seed;
    options.first_batch = batches_consumed_;
    prefetcher_ = std::make_unique<BatchPrefetcher>(dataset_.get(), options);
  }

  absl::StatusOr<std::string> RenderSamples() {
    torch::InferenceMode inference;
    nets_.generator->eval();
    torch::Tensor images = nets_.generator->forward(fixed_noise_);
    nets_.generator->train();
    return EncodeGridPng(TensorToImages(images));
  }

  absl::Status LoadCheckpoint(const std::string& dir) {
    ASSIGN_OR_RETURN(CheckpointManifest manifest, ReadCheckpoint(dir));
    if (manifest.spec != spec_) {
      return absl::FailedPreconditionError(
          absl::StrCat(dir, " was written for a different job spec"));
    }
    auto read = [&](const char* name) { return ReadFile(absl::StrCat(dir, "/", name)); };
    ASSIGN_OR_RETURN(std::string g, read(kGeneratorFile));
    ASSIGN_OR_RETURN(std::string d, read(kDiscriminatorFile));
    ASSIGN_OR_RETURN(std::string g_opt, read(kGeneratorOptimizerFile));
    ASSIGN_OR_RETURN(std::string d_opt, read(kDiscriminatorOptimizerFile));
    RETURN_IF_ERROR(LoadModule(g, absl::StrCat(dir, "/", kGeneratorFile), nets_.generator.get()));
    RETURN_IF_ERROR(
        LoadModule(d, absl::StrCat(dir, "/", kDiscriminatorFile), nets_.discriminator.get()));
    RETURN_IF_ERROR(
        LoadOptimizer(g_opt, absl::StrCat(dir, "/", kGeneratorOptimizerFile), &g_optimizer_));
    RETURN_IF_ERROR(
        LoadOptimizer(d_opt, absl::StrCat(dir, "/", kDiscriminatorOptimizerFile), &d_optimizer_));
    step_ = manifest.step;
    batches_consumed_ = manifest.batches_consumed;
    last_progress_ = manifest.progress;
    return absl::OkStatus();
  }

  // Constant after construction.
  const JobSpec spec_;
  const TrainerOptions options_;
  const std::unique_ptr<Dataset> dataset_;
  GanNetworks nets_;
  torch::optim::Adam g_optimizer_;
  torch::optim::Adam d_optimizer_;
  const int64_t batches_per_epoch_;
  const torch::Tensor fixed_noise_;
  int64_t total_steps_ = 0;

  // Run state.
  int64_t step_ = 0;
  int64_t batches_consumed_ = 0;
  int64_t resumed_from_step_ = 0;
  double smoothed_step_seconds_ = 0;
  double train_seconds_ = 0;
  TrainingProgress last_progress_;
  std::unique_ptr<BatchPrefetcher> prefetcher_;
};

absl::StatusOr<std::unique_ptr<Trainer>> Trainer::Create(const JobSpec& requested,
                                                         const TrainerOptions& options) {
  const JobSpec spec = WithDefaults(requested);
  RETURN_IF_ERROR(Validate(spec));
  if (options.job_dir.empty()) return absl::InvalidArgumentError("TrainerOptions.job_dir is empty");
  ASSIGN_OR_RETURN(std::unique_ptr<Dataset> dataset,
                   OpenDataset(spec.dataset, spec.image_size, spec.channels, options.data));
  if (dataset->size() / spec.batch_size < spec.d_steps_per_g_step) {
    return absl::InvalidArgumentError(
        absl::StrCat("dataset ", dataset->name(), " has ", dataset->size(), " images: too few for ",
                     spec.d_steps_per_g_step, " batch(es) of spec.batch_size ", spec.batch_size));
  }
  auto impl = std::make_unique<Impl>(spec, options, std::move(dataset));
  RETURN_IF_ERROR(impl->Resume());
  return std::unique_ptr<Trainer>(new Trainer(std::move(impl)));
}

Trainer::Trainer(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
Trainer::~Trainer() = default;

absl::Status Trainer::Run(TrainingObserver* observer, const std::atomic<StopRequest>* stop) {
  try {
    return impl_->Run(observer, stop);
  } catch (const c10::Error& e) {
    return absl::InternalError(absl::StrCat("training failed: ", e.what_without_backtrace()));
  }
}

absl::StatusOr<TrainingProgress> Trainer::Step() {
  try {
    return impl_->Step();
  } catch (const c10::Error& e) {
    return absl::InternalError(absl::StrCat("training step failed: ", e.what_without_backtrace()));
  }
}

absl::Status Trainer::SaveCheckpoint() {
  try {
    return impl_->SaveCheckpoint();
  } catch (const c10::Error& e) {
    return absl::InternalError(absl::StrCat("checkpoint failed: ", e.what_without_backtrace()));
  }
}

int64_t Trainer::step() const { return impl_->step(); }
int64_t Trainer::total_steps() const { return impl_->total_steps(); }
const JobSpec& Trainer::spec() const { return impl_->spec(); }
int64_t Trainer::resumed_from_step() const { return impl_->resumed_from_step(); }

}  // namespace dcgan
