#ifndef DCGAN_SERVER_JOB_STATE_COLLECTOR_H_
#define DCGAN_SERVER_JOB_STATE_COLLECTOR_H_

#include <prometheus/collectable.h>
#include <prometheus/metric_family.h>

#include <vector>

#include "core/jobs/job_queue.h"

namespace dcgan {

// dcgan_jobs{state}: jobs in the job store by state, counted at scrape time
// (one COUNT per state). With a store shared by replicas every replica
// reports the same store-wide numbers: aggregate with max, not sum. A state
// whose count fails is left out of that scrape. The queue must outlive it.
class JobStateCollector : public prometheus::Collectable {
 public:
  explicit JobStateCollector(JobQueue* queue) : queue_(queue) {}
  std::vector<prometheus::MetricFamily> Collect() const override;

 private:
  JobQueue* const queue_;
};

}  // namespace dcgan

#endif  // DCGAN_SERVER_JOB_STATE_COLLECTOR_H_
