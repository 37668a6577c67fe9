#ifndef DCGAN_CORE_TRAIN_TRAINING_PROGRESS_H_
#define DCGAN_CORE_TRAIN_TRAINING_PROGRESS_H_

#include <cstdint>

namespace dcgan {

// Where a run stands after a generator step, and what that step measured.
struct TrainingProgress {
  int64_t step = 0;               // generator steps completed
  int64_t total_steps = 0;        // steps the run will take in all
  int64_t epoch = 0;              // 0-based epoch of the step's last batch
  double discriminator_loss = 0;  // -[log D(x) + log(1 - D(G(z)))], batch mean
  double generator_loss = 0;      // -log D(G(z)) (non-saturating), batch mean
  double d_real = 0;              // mean D(x) on the real batch
  double d_fake = 0;              // mean D(G(z)) before D's update
  // Goodfellow et al. 2014, Theorem 1: at the optimal D, V(D, G) =
  // -log 4 + 2 JSD(p_data || p_g); with V estimated on the batch at the
  // current D, (V + log 4) / 2. Near 0 once G fools D (or D is weak).
  double jsd_estimate = 0;
  double images_per_second = 0;   // real images consumed per second, recent window
  double step_seconds = 0;        // wall time of this step
  double data_wait_fraction = 0;  // share of run time spent waiting for data
};

}  // namespace dcgan

#endif  // DCGAN_CORE_TRAIN_TRAINING_PROGRESS_H_
