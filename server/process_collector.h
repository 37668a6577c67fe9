#ifndef DCGAN_SERVER_PROCESS_COLLECTOR_H_
#define DCGAN_SERVER_PROCESS_COLLECTOR_H_

#include <prometheus/collectable.h>
#include <prometheus/metric_family.h>

#include <vector>

namespace dcgan {

// The standard process_* series, read from /proc/self at scrape time:
// process_cpu_seconds_total, process_resident_memory_bytes,
// process_virtual_memory_bytes, process_start_time_seconds,
// process_open_fds, process_max_fds. A family whose /proc file cannot be
// read is left out of that scrape rather than reported as 0.
class ProcessCollector : public prometheus::Collectable {
 public:
  std::vector<prometheus::MetricFamily> Collect() const override;
};

}  // namespace dcgan

#endif  // DCGAN_SERVER_PROCESS_COLLECTOR_H_
