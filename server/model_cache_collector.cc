#include "server/model_cache_collector.h"

#include "server/single_value_family.h"

namespace dcgan {

std::vector<prometheus::MetricFamily> ModelCacheCollector::Collect() const {
  using prometheus::MetricType;
  const ModelCache::Stats stats = cache_->stats();
  return {
      SingleValueFamily("dcgan_model_cache_hits_total", "Generator lookups served from memory",
                        MetricType::Counter, double(stats.hits)),
      SingleValueFamily("dcgan_model_cache_misses_total",
                        "Generator lookups that loaded a checkpoint", MetricType::Counter,
                        double(stats.misses)),
      SingleValueFamily("dcgan_model_cache_evictions_total",
                        "Generators dropped to stay within the capacity", MetricType::Counter,
                        double(stats.evictions)),
      SingleValueFamily("dcgan_models_loaded", "Generators held in memory now", MetricType::Gauge,
                        double(stats.loaded)),
  };
}

}  // namespace dcgan
