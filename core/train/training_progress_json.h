#ifndef DCGAN_CORE_TRAIN_TRAINING_PROGRESS_JSON_H_
#define DCGAN_CORE_TRAIN_TRAINING_PROGRESS_JSON_H_

#include <string>

#include "absl/strings/string_view.h"
#include "core/train/training_progress.h"

namespace dcgan {

// JSON object text for checkpoint manifests and job stores. Missing keys read
// as zero; text that is not a JSON object reads as all zero.
std::string TrainingProgressToJson(const TrainingProgress& progress);
TrainingProgress TrainingProgressFromJson(absl::string_view json);

}  // namespace dcgan

#endif  // DCGAN_CORE_TRAIN_TRAINING_PROGRESS_JSON_H_
