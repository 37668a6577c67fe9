#include "server/job_state_collector.h"

namespace dcgan {

std::vector<prometheus::MetricFamily> JobStateCollector::Collect() const {
  prometheus::MetricFamily family;
  family.name = "dcgan_jobs";
  family.help = "Jobs in the job store, by state (store-wide)";
  family.type = prometheus::MetricType::Gauge;
  for (JobState state : {JobState::kQueued, JobState::kRunning, JobState::kSucceeded,
                         JobState::kFailed, JobState::kCancelled}) {
    absl::StatusOr<int64_t> count = queue_->CountInState(state);
    if (!count.ok()) continue;
    prometheus::ClientMetric metric;
    metric.label.push_back({"state", std::string(JobStateName(state))});
    metric.gauge.value = double(*count);
    family.metric.push_back(std::move(metric));
  }
  return {std::move(family)};
}

}  // namespace dcgan
