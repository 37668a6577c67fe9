#include "server/train_metrics.h"

#include <gtest/gtest.h>
#include <prometheus/registry.h>

#include <map>
#include <string>

namespace dcgan {
namespace {

// Series per family name in the registry now.
std::map<std::string, size_t> SeriesByFamily(prometheus::Registry& registry) {
  std::map<std::string, size_t> series;
  for (const prometheus::MetricFamily& family : registry.Collect()) {
    series[family.name] = family.metric.size();
  }
  return series;
}

double Value(prometheus::Registry& registry, const std::string& name, const std::string& job) {
  for (const prometheus::MetricFamily& family : registry.Collect()) {
    if (family.name != name) continue;
    for (const prometheus::ClientMetric& metric : family.metric) {
      if (job.empty() && metric.label.empty()) {
        return family.type == prometheus::MetricType::Counter ? metric.counter.value
                                                              : metric.gauge.value;
      }
      if (!metric.label.empty() && metric.label[0].value == job) return metric.gauge.value;
    }
  }
  return -1;
}

JobRecord Job(const std::string& id, int batch, int d_steps) {
  JobRecord job;
  job.id = id;
  job.spec.batch_size = batch;
  job.spec.d_steps_per_g_step = d_steps;
  return job;
}

TrainingProgress Step(int64_t step, double d_loss) {
  TrainingProgress p;
  p.step = step;
  p.discriminator_loss = d_loss;
  p.step_seconds = 0.01;
  return p;
}

TEST(TrainMetricsTest, RunningJobsHaveTheirOwnSeriesWithTheLatestStep) {
  prometheus::Registry registry;
  TrainMetrics metrics(registry);
  metrics.OnJobStep(Job("a", 64, 1), Step(1, 1.5));
  metrics.OnJobStep(Job("b", 32, 2), Step(1, 0.7));
  metrics.OnJobStep(Job("a", 64, 1), Step(2, 1.25));

  EXPECT_EQ(SeriesByFamily(registry)["dcgan_train_discriminator_loss"], 2u);
  EXPECT_EQ(Value(registry, "dcgan_train_discriminator_loss", "a"), 1.25);
  EXPECT_EQ(Value(registry, "dcgan_train_step", "a"), 2);
  EXPECT_EQ(Value(registry, "dcgan_train_discriminator_loss", "b"), 0.7);
  EXPECT_EQ(Value(registry, "dcgan_train_steps_total", ""), 3);
  // Real images consumed: batch x discriminator steps per generator step.
  EXPECT_EQ(Value(registry, "dcgan_train_images_total", ""), 64 + 32 * 2 + 64);
}

TEST(TrainMetricsTest, TenThousandEndedJobsLeaveNoSeries) {
  prometheus::Registry registry;
  TrainMetrics metrics(registry);
  metrics.OnJobStep(Job("long-running", 8, 1), Step(1, 1));
  const std::map<std::string, size_t> before = SeriesByFamily(registry);
  for (int i = 0; i < 10000; ++i) {
    const std::string id = "job-" + std::to_string(i);
    metrics.OnJobStep(Job(id, 8, 1), Step(1, 1));
    metrics.OnJobStep(Job(id, 8, 1), Step(2, 1));
    metrics.OnJobStopped(id);
  }
  EXPECT_EQ(SeriesByFamily(registry), before);
  EXPECT_EQ(Value(registry, "dcgan_train_steps_total", ""), 1 + 2 * 10000);

  metrics.OnJobStopped("long-running");
  metrics.OnJobStopped("never-ran");  // unknown ids are ignored
  std::map<std::string, size_t> after = SeriesByFamily(registry);
  EXPECT_EQ(after.count("dcgan_train_step"), 0u);  // prometheus-cpp drops empty families
  EXPECT_EQ(after["dcgan_train_steps_total"], 1u);
}

}  // namespace
}  // namespace dcgan
