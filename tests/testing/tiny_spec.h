#ifndef DCGAN_TESTS_TESTING_TINY_SPEC_H_
#define DCGAN_TESTS_TESTING_TINY_SPEC_H_

#include "core/data/dataset.h"
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

}  // namespace dcgan::testing

#endif  // DCGAN_TESTS_TESTING_TINY_SPEC_H_
