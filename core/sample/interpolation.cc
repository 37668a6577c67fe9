#include "core/sample/interpolation.h"

#include <torch/torch.h>

#include <cmath>

namespace dcgan {

torch::Tensor InterpolateLatents(const torch::Tensor& from, const torch::Tensor& to, int steps,
                                 bool spherical) {
  torch::Tensor out = torch::empty({steps, from.numel()});
  const torch::Tensor a = from.flatten().to(torch::kDouble);
  const torch::Tensor b = to.flatten().to(torch::kDouble);
  const double cos_omega =
      std::clamp((a.dot(b) / (a.norm() * b.norm() + 1e-12)).item<double>(), -1.0, 1.0);
  const double omega = std::acos(cos_omega);
  for (int i = 0; i < steps; ++i) {
    const double t = double(i) / (steps - 1);
    torch::Tensor row;
    if (spherical && std::sin(omega) > 1e-6) {
      row = (std::sin((1 - t) * omega) * a + std::sin(t * omega) * b) / std::sin(omega);
    } else {  // linear, and slerp's limit for (anti)parallel endpoints
      row = (1 - t) * a + t * b;
    }
    out[i] = row.to(torch::kFloat);
  }
  return out;
}

}  // namespace dcgan
