#include "server/train_metrics.h"

namespace dcgan {
namespace {

prometheus::Family<prometheus::Gauge>& JobGauge(prometheus::Registry& registry,
                                                const std::string& name, const std::string& help) {
  return prometheus::BuildGauge().Name(name).Help(help).Register(registry);
}

}  // namespace

TrainMetrics::TrainMetrics(prometheus::Registry& registry)
    : discriminator_loss_(JobGauge(registry, "dcgan_train_discriminator_loss",
                                   "Discriminator loss -[log D(x) + log(1 - D(G(z)))] of the "
                                   "job's latest step, batch mean")),
      generator_loss_(JobGauge(registry, "dcgan_train_generator_loss",
                               "Non-saturating generator loss -log D(G(z)) of the job's latest "
                               "step, batch mean")),
      d_real_(JobGauge(registry, "dcgan_train_d_real",
                       "Mean D(x) on the real batch of the job's latest step")),
      d_fake_(JobGauge(registry, "dcgan_train_d_fake",
                       "Mean D(G(z)) on the fake batch of the job's latest step, before D's "
                       "update")),
      jsd_estimate_(JobGauge(registry, "dcgan_train_jsd_estimate",
                             "(V(D,G) + log 4) / 2 on the job's latest batch: the Jensen-Shannon "
                             "divergence estimate of Goodfellow et al. 2014, Theorem 1")),
      images_per_second_(JobGauge(registry, "dcgan_train_images_per_second",
                                  "Real images the job consumes per second, recent window")),
      step_(JobGauge(registry, "dcgan_train_step", "Generator steps the job has completed")),
      images_total_(prometheus::BuildCounter()
                        .Name("dcgan_train_images_total")
                        .Help("Real images consumed by training in this process")
                        .Register(registry)
                        .Add({})),
      steps_total_(prometheus::BuildCounter()
                       .Name("dcgan_train_steps_total")
                       .Help("Generator steps trained in this process")
                       .Register(registry)
                       .Add({})),
      step_seconds_(prometheus::BuildHistogram()
                        .Name("dcgan_train_step_seconds")
                        .Help("Wall time of one training step (k discriminator steps and one "
                              "generator step)")
                        .Register(registry)
                        .Add({}, prometheus::Histogram::BucketBoundaries{0.001, 0.0025, 0.005, 0.01,
                                                                         0.025, 0.05, 0.1, 0.25,
                                                                         0.5, 1, 2.5, 5, 10, 30})) {
}

TrainMetrics::JobGauges TrainMetrics::AddJob(const std::string& job_id) {
  const prometheus::Labels labels = {{"job", job_id}};
  return {&discriminator_loss_.Add(labels),
          &generator_loss_.Add(labels),
          &d_real_.Add(labels),
          &d_fake_.Add(labels),
          &jsd_estimate_.Add(labels),
          &images_per_second_.Add(labels),
          &step_.Add(labels)};
}

void TrainMetrics::OnJobStep(const JobRecord& job, const TrainingProgress& progress) {
  JobGauges gauges;
  {
    absl::MutexLock lock(&mu_);
    auto it = jobs_.find(job.id);
    if (it == jobs_.end()) it = jobs_.emplace(job.id, AddJob(job.id)).first;
    gauges = it->second;
  }
  gauges.discriminator_loss->Set(progress.discriminator_loss);
  gauges.generator_loss->Set(progress.generator_loss);
  gauges.d_real->Set(progress.d_real);
  gauges.d_fake->Set(progress.d_fake);
  gauges.jsd_estimate->Set(progress.jsd_estimate);
  gauges.images_per_second->Set(progress.images_per_second);
  gauges.step->Set(double(progress.step));
  images_total_.Increment(double(job.spec.batch_size) * job.spec.d_steps_per_g_step);
  steps_total_.Increment();
  step_seconds_.Observe(progress.step_seconds);
}

void TrainMetrics::OnJobStopped(const std::string& job_id) {
  absl::MutexLock lock(&mu_);
  auto it = jobs_.find(job_id);
  if (it == jobs_.end()) return;
  const JobGauges& g = it->second;
  discriminator_loss_.Remove(g.discriminator_loss);
  generator_loss_.Remove(g.generator_loss);
  d_real_.Remove(g.d_real);
  d_fake_.Remove(g.d_fake);
  jsd_estimate_.Remove(g.jsd_estimate);
  images_per_second_.Remove(g.images_per_second);
  step_.Remove(g.step);
  jobs_.erase(it);
}

}  // namespace dcgan
