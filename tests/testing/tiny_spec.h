#ifndef DCGAN_TESTS_TESTING_TINY_SPEC_H_
#define DCGAN_TESTS_TESTING_TINY_SPEC_H_

#include "core/checkpoint/checkpoint.h"
#include "core/data/dataset.h"
#include "core/sample/loaded_generator.h"
#include "core/train/job_spec.h"
#include "core/train/trainer.h"

namespace dcgan::testing {

// A DCGAN small enough to train a step in milliseconds on a CPU: 16x16
// Fashion-MNIST, widths 8, batch 16, drawn from the first 256 images.
inline JobSpec TinySpec() {
  JobSpec spec;
  spec.dataset = "fashion-mnist";
  spec.image_size = 16;
  spec.channels = 1;
  spec.latent_dim = 16;
  spec.generator_width = 8;
  spec.discriminator_width = 8;
  spec.batch_size = 16;
  spec.max_steps = 8;
  spec.seed = 42;
  spec.checkpoint_every_steps = 4;
  return WithDefaults(spec);
}

inline TrainerOptions TinyOptions(const std::string& job_dir) {
  TrainerOptions options;
  options.job_dir = job_dir;
  options.data.max_examples = 256;
  options.sample_grid_images = 16;
  return options;
}

// Trains TinySpec() (with `channels`) for two steps into `job_dir` and
// loads the step-2 generator; null (with the reason in `error`) on failure.
inline std::shared_ptr<const LoadedGenerator> TrainTinyGenerator(const std::string& job_dir,
                                                                 int channels, std::string* error) {
  JobSpec spec = TinySpec();
  spec.channels = channels;
  spec.max_steps = 2;
  auto trainer = Trainer::Create(spec, TinyOptions(job_dir));
  absl::Status status = trainer.ok() ? (*trainer)->Run(nullptr, nullptr) : trainer.status();
  if (status.ok()) {
    auto loaded = LoadedGenerator::Load(CheckpointDir(job_dir, 2));
    if (loaded.ok()) return *loaded;
    status = loaded.status();
  }
  *error = status.ToString();
  return nullptr;
}

}  // namespace dcgan::testing

#endif  // DCGAN_TESTS_TESTING_TINY_SPEC_H_
