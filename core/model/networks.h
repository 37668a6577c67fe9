#ifndef DCGAN_CORE_MODEL_NETWORKS_H_
#define DCGAN_CORE_MODEL_NETWORKS_H_

#include <torch/torch.h>

#include <memory>

#include "absl/status/statusor.h"
#include "core/model/transposed_conv2d.h"
#include "core/train/job_spec.h"

namespace dcgan {

// A generator maps latent vectors [N, latent_dim] to images
// [N, channels, image_size, image_size] in [-1, 1].
class GeneratorModule : public torch::nn::Module {
 public:
  virtual torch::Tensor forward(const torch::Tensor& z) = 0;
};

// A discriminator maps images to one logit each, [N]: D(x) = sigmoid(logit).
class DiscriminatorModule : public torch::nn::Module {
 public:
  virtual torch::Tensor forward(const torch::Tensor& x) = 0;
  // Source of dropout masks, for architectures that use dropout, so that a
  // run's randomness stays a function of its seed. Unused by DCGAN.
  virtual void set_dropout_generator(c10::optional<at::Generator> generator) { (void)generator; }
};

struct GanNetworks {
  std::shared_ptr<GeneratorModule> generator;
  std::shared_ptr<DiscriminatorModule> discriminator;
};

struct NetworkOptions {
  // Kernel path for G's transposed convolutions (see transposed_conv2d.h).
  TransposedConvAlgorithm transposed_conv = TransposedConvAlgorithm::kConvolutionGradient;
};

// Builds the generator of a validated, filled-in spec, initialised from
// `init_seed`: conv and linear weights N(0, 0.02), batch-norm scale
// N(1, 0.02) and shift 0 (Radford et al. 2015, section 4).
std::shared_ptr<GeneratorModule> BuildGenerator(const JobSpec& spec, uint64_t init_seed,
                                                const NetworkOptions& options = {});
std::shared_ptr<DiscriminatorModule> BuildDiscriminator(const JobSpec& spec, uint64_t init_seed,
                                                        const NetworkOptions& options = {});

// Both networks, each from its own stream of `seed`.
GanNetworks BuildNetworks(const JobSpec& spec, uint64_t seed, const NetworkOptions& options = {});

// Number of multiply-accumulates in one forward pass of one image, for
// throughput figures.
int64_t GeneratorMacsPerImage(const JobSpec& spec);
int64_t DiscriminatorMacsPerImage(const JobSpec& spec);

}  // namespace dcgan

#endif  // DCGAN_CORE_MODEL_NETWORKS_H_
