#ifndef DCGAN_SERVER_TRAIN_METRICS_H_
#define DCGAN_SERVER_TRAIN_METRICS_H_

#include <prometheus/counter.h>
#include <prometheus/family.h>
#include <prometheus/gauge.h>
#include <prometheus/histogram.h>
#include <prometheus/registry.h>

#include <map>
#include <string>

#include "absl/base/thread_annotations.h"
#include "absl/synchronization/mutex.h"
#include "core/jobs/job_listener.h"

namespace dcgan {

// Training series, fed by the job queue:
//   per running job (label job): dcgan_train_{discriminator,generator}_loss,
//     dcgan_train_d_real, dcgan_train_d_fake, dcgan_train_jsd_estimate,
//     dcgan_train_images_per_second, dcgan_train_step. A job's series are
//     removed when it stops running here, so the number of series is bounded
//     by --max_concurrent_jobs, not by the jobs ever run.
//   server-wide: dcgan_train_images_total (real images the discriminator
//     consumed: batch_size x d_steps_per_g_step per step),
//     dcgan_train_steps_total, dcgan_train_step_seconds.
// Thread-safe.
class TrainMetrics final : public JobListener {
 public:
  explicit TrainMetrics(prometheus::Registry& registry);

  void OnJobStep(const JobRecord& job, const TrainingProgress& progress) override;
  void OnJobStopped(const std::string& job_id) override;

 private:
  struct JobGauges {
    prometheus::Gauge* discriminator_loss;
    prometheus::Gauge* generator_loss;
    prometheus::Gauge* d_real;
    prometheus::Gauge* d_fake;
    prometheus::Gauge* jsd_estimate;
    prometheus::Gauge* images_per_second;
    prometheus::Gauge* step;
  };
  JobGauges AddJob(const std::string& job_id);

  prometheus::Family<prometheus::Gauge>& discriminator_loss_;
  prometheus::Family<prometheus::Gauge>& generator_loss_;
  prometheus::Family<prometheus::Gauge>& d_real_;
  prometheus::Family<prometheus::Gauge>& d_fake_;
  prometheus::Family<prometheus::Gauge>& jsd_estimate_;
  prometheus::Family<prometheus::Gauge>& images_per_second_;
  prometheus::Family<prometheus::Gauge>& step_;
  prometheus::Counter& images_total_;
  prometheus::Counter& steps_total_;
  prometheus::Histogram& step_seconds_;

  absl::Mutex mu_;
  std::map<std::string, JobGauges> jobs_ ABSL_GUARDED_BY(mu_);
};

}  // namespace dcgan

#endif  // DCGAN_SERVER_TRAIN_METRICS_H_
