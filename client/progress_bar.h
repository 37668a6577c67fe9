#ifndef DCGAN_CLIENT_PROGRESS_BAR_H_
#define DCGAN_CLIENT_PROGRESS_BAR_H_

#include <cstdint>
#include <string>

namespace dcgan {

struct ProgressLine {
  int64_t step = 0;
  int64_t total = 0;
  double d_loss = 0, g_loss = 0, d_real = 0, d_fake = 0, images_per_second = 0;
  double steps_per_second = 0;  // for the ETA; 0 = unknown
};

// "step 120/500 [=======>          ]  24% loss_D 0.412 loss_G 2.103 D(x) 0.81
// D(G(z)) 0.22 351 img/s ETA 1m05s", `width` characters of bar.
std::string FormatProgress(const ProgressLine& line, int width = 24);

// "1m05s", "2h03m", "42s".
std::string FormatDuration(double seconds);

}  // namespace dcgan

#endif  // DCGAN_CLIENT_PROGRESS_BAR_H_
