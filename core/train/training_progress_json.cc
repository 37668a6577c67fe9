#include "core/train/training_progress_json.h"

#include <nlohmann/json.hpp>

namespace dcgan {

std::string TrainingProgressToJson(const TrainingProgress& p) {
  nlohmann::json j = {{"step", p.step},
                      {"total_steps", p.total_steps},
                      {"epoch", p.epoch},
                      {"discriminator_loss", p.discriminator_loss},
                      {"generator_loss", p.generator_loss},
                      {"d_real", p.d_real},
                      {"d_fake", p.d_fake},
                      {"jsd_estimate", p.jsd_estimate},
                      {"images_per_second", p.images_per_second}};
  return j.dump();
}

TrainingProgress TrainingProgressFromJson(absl::string_view text) {
  TrainingProgress p;
  nlohmann::json j = nlohmann::json::parse(text.begin(), text.end(), nullptr, false);
  if (j.is_discarded() || !j.is_object()) return p;
  try {
    p.step = j.value("step", int64_t{0});
    p.total_steps = j.value("total_steps", int64_t{0});
    p.epoch = j.value("epoch", int64_t{0});
    p.discriminator_loss = j.value("discriminator_loss", 0.0);
    p.generator_loss = j.value("generator_loss", 0.0);
    p.d_real = j.value("d_real", 0.0);
    p.d_fake = j.value("d_fake", 0.0);
    p.jsd_estimate = j.value("jsd_estimate", 0.0);
    p.images_per_second = j.value("images_per_second", 0.0);
  } catch (const nlohmann::json::exception&) {
    return TrainingProgress{};
  }
  return p;
}

}  // namespace dcgan
