#ifndef DCGAN_CORE_SAMPLE_LOADED_GENERATOR_H_
#define DCGAN_CORE_SAMPLE_LOADED_GENERATOR_H_

#include <torch/types.h>

#include <cstdint>
#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "core/checkpoint/checkpoint.h"

namespace dcgan {

class GeneratorModule;

// A generator loaded from a checkpoint for inference: batch norm uses its
// running statistics, so an image depends only on its own latent vector,
// never on what else is in the batch.
//
// Immutable after Load and safe to share between threads as
// std::shared_ptr<const LoadedGenerator>; a newer checkpoint is a new object.
class LoadedGenerator {
 public:
  // Reads the manifest, verifies generator.pt's checksum, rebuilds the
  // architecture from the spec and loads the weights. NOT_FOUND if there is no
  // checkpoint in `checkpoint_dir`, DATA_LOSS if a file is corrupt.
  static absl::StatusOr<std::shared_ptr<const LoadedGenerator>> Load(
      const std::string& checkpoint_dir);

  const CheckpointManifest& manifest() const { return manifest_; }
  const JobSpec& spec() const { return manifest_.spec; }
  int64_t step() const { return manifest_.step; }

  // latents [N, latent_dim] -> images [N, channels, size, size] in [-1, 1],
  // under InferenceMode on the calling thread.
  absl::StatusOr<torch::Tensor> Generate(const torch::Tensor& latents) const;

 private:
  LoadedGenerator(CheckpointManifest manifest, std::shared_ptr<GeneratorModule> generator);

  const CheckpointManifest manifest_;
  const std::shared_ptr<GeneratorModule> generator_;
};

}  // namespace dcgan

#endif  // DCGAN_CORE_SAMPLE_LOADED_GENERATOR_H_
