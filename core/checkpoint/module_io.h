#ifndef DCGAN_CORE_CHECKPOINT_MODULE_IO_H_
#define DCGAN_CORE_CHECKPOINT_MODULE_IO_H_

#include <torch/torch.h>

#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"

namespace dcgan {

// LibTorch archives in memory, with c10::Error turned into a Status. The
// bytes are what torch::save would write to a file.
absl::StatusOr<std::string> SerializeModule(const torch::nn::Module& module);
absl::StatusOr<std::string> SerializeOptimizer(const torch::optim::Optimizer& optimizer);

// Loads parameters and buffers into a module of the same structure.
// DATA_LOSS naming `what` if the bytes do not fit the module.
absl::Status LoadModule(const std::string& bytes, const std::string& what,
                        torch::nn::Module* module);
absl::Status LoadOptimizer(const std::string& bytes, const std::string& what,
                           torch::optim::Optimizer* optimizer);

}  // namespace dcgan

#endif  // DCGAN_CORE_CHECKPOINT_MODULE_IO_H_
