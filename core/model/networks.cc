#include "core/model/networks.h"

#include <ATen/CPUGeneratorImpl.h>

#include "core/model/dcgan.h"
#include "core/model/mlp.h"
#include "core/util/seed_mix.h"

namespace dcgan {
namespace {

constexpr uint64_t kGeneratorCounter = 0;
constexpr uint64_t kDiscriminatorCounter = 1;

// Radford et al. 2015, section 4, with our own generator so initialisation
// is a function of the seed alone.
void InitializeWeights(torch::nn::Module& module, uint64_t seed) {
  at::Generator generator = at::make_generator<at::CPUGeneratorImpl>(seed);
  torch::NoGradGuard no_grad;
  for (auto& named : module.named_parameters(/*recurse=*/true)) {
    const std::string& name = named.key();
    torch::Tensor& p = named.value();
    const bool is_norm = name.find("bn") != std::string::npos;
    const bool is_bias = name.size() >= 4 && name.compare(name.size() - 4, 4, "bias") == 0;
    if (is_bias) {
      p.zero_();
    } else if (is_norm) {
      p.normal_(1.0, 0.02, generator);
    } else {
      p.normal_(0.0, 0.02, generator);
    }
  }
}

}  // namespace

std::shared_ptr<GeneratorModule> BuildGenerator(const JobSpec& spec, uint64_t init_seed,
                                                const NetworkOptions& options) {
  std::shared_ptr<GeneratorModule> g;
  if (spec.architecture == Architecture::kMlp) {
    g = std::make_shared<MlpGeneratorImpl>(spec.image_size, spec.channels, spec.latent_dim,
                                           spec.generator_width);
  } else {
    g = std::make_shared<DcganGeneratorImpl>(spec.image_size, spec.channels, spec.latent_dim,
                                             spec.generator_width, options.transposed_conv);
  }
  InitializeWeights(*g, init_seed);
  return g;
}

std::shared_ptr<DiscriminatorModule> BuildDiscriminator(const JobSpec& spec, uint64_t init_seed,
                                                        const NetworkOptions&) {
  std::shared_ptr<DiscriminatorModule> d;
  if (spec.architecture == Architecture::kMlp) {
    d = std::make_shared<MlpDiscriminatorImpl>(spec.image_size, spec.channels,
                                               spec.discriminator_width, spec.maxout_pieces);
  } else {
    d = std::make_shared<DcganDiscriminatorImpl>(spec.image_size, spec.channels,
                                                 spec.discriminator_width);
  }
  InitializeWeights(*d, init_seed);
  return d;
}

GanNetworks BuildNetworks(const JobSpec& spec, uint64_t seed, const NetworkOptions& options) {
  return {BuildGenerator(spec, MixSeed(seed, kInitStream, kGeneratorCounter), options),
          BuildDiscriminator(spec, MixSeed(seed, kInitStream, kDiscriminatorCounter), options)};
}

int64_t GeneratorMacsPerImage(const JobSpec& spec) {
  const int64_t pixels = int64_t{spec.channels} * spec.image_size * spec.image_size;
  if (spec.architecture == Architecture::kMlp) {
    const int64_t w = spec.generator_width;
    return spec.latent_dim * w + w * w + w * pixels;
  }
  // Each transposed conv: in_channels * out_channels * k^2 MACs per input pixel.
  const int up = DcganUpsamplingLayers(spec.image_size);
  int64_t macs = int64_t{spec.latent_dim} * (int64_t{spec.generator_width} << (up - 1)) * 16;
  int64_t side = 4;
  int64_t in = int64_t{spec.generator_width} << (up - 1);
  for (int i = 1; i <= up; ++i) {
    const int64_t out = i == up ? spec.channels : in / 2;
    macs += side * side * in * out * 16;
    in = out;
    side *= 2;
  }
  return macs;
}

int64_t DiscriminatorMacsPerImage(const JobSpec& spec) {
  const int64_t pixels = int64_t{spec.channels} * spec.image_size * spec.image_size;
  if (spec.architecture == Architecture::kMlp) {
    const int64_t u = int64_t{spec.discriminator_width} * spec.maxout_pieces;
    return pixels * u + spec.discriminator_width * u + spec.discriminator_width;
  }
  // Each conv: out pixels * in * out * k^2.
  const int down = DcganUpsamplingLayers(spec.image_size);
  int64_t macs = 0;
  int64_t side = spec.image_size / 2;
  int64_t in = spec.channels;
  int64_t out = spec.discriminator_width;
  for (int i = 0; i < down; ++i) {
    macs += side * side * in * out * 16;
    in = out;
    out *= 2;
    side /= 2;
  }
  return macs + in * 16;  // final 4x4 valid conv to one logit
}

}  // namespace dcgan
