#ifndef DCGAN_CORE_TRAIN_TRAINING_OBSERVER_H_
#define DCGAN_CORE_TRAIN_TRAINING_OBSERVER_H_

#include <cstdint>
#include <string>

#include "core/train/training_progress.h"

namespace dcgan {

// How core reports training to whoever runs it (the server turns these into
// Prometheus series and WatchJob messages). Called on the training thread,
// after every generator step and after every checkpoint; implementations
// must be quick and must not call back into the trainer.
class TrainingObserver {
 public:
  virtual ~TrainingObserver() = default;
  virtual void OnStep(const TrainingProgress& progress) { (void)progress; }
  virtual void OnCheckpoint(int64_t step, const std::string& checkpoint_dir) {
    (void)step;
    (void)checkpoint_dir;
  }
};

}  // namespace dcgan

#endif  // DCGAN_CORE_TRAIN_TRAINING_OBSERVER_H_
