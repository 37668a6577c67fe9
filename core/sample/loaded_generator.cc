#include "core/sample/loaded_generator.h"

#include <torch/torch.h>

#include "absl/strings/str_cat.h"
#include "core/checkpoint/module_io.h"
#include "core/model/networks.h"
#include "core/util/file_util.h"
#include "core/util/status_macros.h"

namespace dcgan {

LoadedGenerator::LoadedGenerator(CheckpointManifest manifest,
                                 std::shared_ptr<GeneratorModule> generator)
    : manifest_(std::move(manifest)), generator_(std::move(generator)) {}

absl::StatusOr<std::shared_ptr<const LoadedGenerator>> LoadedGenerator::Load(
    const std::string& checkpoint_dir) {
  ASSIGN_OR_RETURN(CheckpointManifest manifest, ReadCheckpoint(checkpoint_dir, {kGeneratorFile}));
  if (absl::Status valid = Validate(manifest.spec); !valid.ok()) {
    return absl::DataLossError(absl::StrCat(checkpoint_dir, "/", kManifestFile,
                                            " has an invalid spec: ", valid.message()));
  }
  const std::string path = absl::StrCat(checkpoint_dir, "/", kGeneratorFile);
  ASSIGN_OR_RETURN(std::string bytes, ReadFile(path));
  std::shared_ptr<GeneratorModule> generator = BuildGenerator(manifest.spec, /*init_seed=*/0);
  RETURN_IF_ERROR(LoadModule(bytes, path, generator.get()));
  generator->eval();
  return std::shared_ptr<const LoadedGenerator>(
      new LoadedGenerator(std::move(manifest), std::move(generator)));
}

absl::StatusOr<torch::Tensor> LoadedGenerator::Generate(const torch::Tensor& latents) const {
  if (latents.dim() != 2 || latents.size(1) != spec().latent_dim) {
    return absl::InvalidArgumentError(
        absl::StrCat("latent vectors must have ", spec().latent_dim, " values each"));
  }
  try {
    torch::InferenceMode inference;
    return generator_->forward(latents.to(torch::kFloat));
  } catch (const c10::Error& e) {
    return absl::InternalError(absl::StrCat("generator failed: ", e.what_without_backtrace()));
  }
}

}  // namespace dcgan
