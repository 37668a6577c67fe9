#ifndef DCGAN_CORE_SAMPLE_INTERPOLATION_H_
#define DCGAN_CORE_SAMPLE_INTERPOLATION_H_

#include <torch/types.h>

namespace dcgan {

// `steps` latent vectors from `from` to `to` (both [latent_dim]), endpoints
// included, as rows of a [steps, latent_dim] tensor. Linear, or spherical
// (slerp, Shoemake 1985), which keeps the walk at the norms Gaussian latents
// have, as DCGAN's section 6.1 walks do. steps >= 2.
torch::Tensor InterpolateLatents(const torch::Tensor& from, const torch::Tensor& to, int steps,
                                 bool spherical);

}  // namespace dcgan

#endif  // DCGAN_CORE_SAMPLE_INTERPOLATION_H_
