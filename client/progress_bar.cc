#include "client/progress_bar.h"

#include <algorithm>
#include <cmath>

#include "absl/strings/str_format.h"

namespace dcgan {

std::string FormatDuration(double seconds) {
  const int64_t s = int64_t(std::llround(std::max(0.0, seconds)));
  if (s >= 3600) return absl::StrFormat("%dh%02dm", s / 3600, (s / 60) % 60);
  if (s >= 60) return absl::StrFormat("%dm%02ds", s / 60, s % 60);
  return absl::StrFormat("%ds", s);
}

std::string FormatProgress(const ProgressLine& p, int width) {
  const double fraction = p.total > 0 ? std::clamp(double(p.step) / p.total, 0.0, 1.0) : 0.0;
  const int filled = int(fraction * width);
  std::string bar(size_t(width), ' ');
  std::fill(bar.begin(), bar.begin() + filled, '=');
  if (filled < width && p.step > 0) bar[size_t(filled)] = '>';
  std::string eta = "--";
  if (p.steps_per_second > 0 && p.total > p.step) {
    eta = FormatDuration(double(p.total - p.step) / p.steps_per_second);
  } else if (p.total > 0 && p.step >= p.total) {
    eta = "0s";
  }
  return absl::StrFormat(
      "step %d/%d [%s] %3.0f%%  loss_D %.3f  loss_G %.3f  D(x) %.2f  D(G(z)) %.2f  %.0f img/s  ETA "
      "%s",
      p.step, p.total, bar, 100 * fraction, p.d_loss, p.g_loss, p.d_real, p.d_fake,
      p.images_per_second, eta);
}

}  // namespace dcgan
