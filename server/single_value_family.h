#ifndef DCGAN_SERVER_SINGLE_VALUE_FAMILY_H_
#define DCGAN_SERVER_SINGLE_VALUE_FAMILY_H_

#include <prometheus/metric_family.h>

namespace dcgan {

// A family of one unlabelled counter or gauge, for collectors that read
// their values at scrape time.
inline prometheus::MetricFamily SingleValueFamily(const char* name, const char* help,
                                                  prometheus::MetricType type, double value) {
  prometheus::MetricFamily family;
  family.name = name;
  family.help = help;
  family.type = type;
  prometheus::ClientMetric metric;
  (type == prometheus::MetricType::Counter ? metric.counter.value : metric.gauge.value) = value;
  family.metric.push_back(metric);
  return family;
}

}  // namespace dcgan

#endif  // DCGAN_SERVER_SINGLE_VALUE_FAMILY_H_
