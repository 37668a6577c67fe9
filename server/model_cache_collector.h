#ifndef DCGAN_SERVER_MODEL_CACHE_COLLECTOR_H_
#define DCGAN_SERVER_MODEL_CACHE_COLLECTOR_H_

#include <prometheus/collectable.h>
#include <prometheus/metric_family.h>

#include <vector>

#include "core/sample/model_cache.h"

namespace dcgan {

// The model cache's counters, read at scrape time:
// dcgan_model_cache_{hits,misses,evictions}_total and dcgan_models_loaded.
// The cache must outlive it.
class ModelCacheCollector : public prometheus::Collectable {
 public:
  explicit ModelCacheCollector(const ModelCache* cache) : cache_(cache) {}
  std::vector<prometheus::MetricFamily> Collect() const override;

 private:
  const ModelCache* const cache_;
};

}  // namespace dcgan

#endif  // DCGAN_SERVER_MODEL_CACHE_COLLECTOR_H_
