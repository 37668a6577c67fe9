#include "server/proto_convert.h"

namespace dcgan {

void SetTimestamp(int64_t unix_ms, google::protobuf::Timestamp* out) {
  out->set_seconds(unix_ms / 1000);
  out->set_nanos(int32_t(unix_ms % 1000) * 1000000);
}

absl::StatusOr<JobSpec> FromProto(const v1::JobSpec& p) {
  JobSpec s;
  s.dataset = p.dataset();
  switch (p.architecture()) {
    case v1::ARCHITECTURE_UNSPECIFIED:
      s.architecture = Architecture::kUnspecified;
      break;
    case v1::DCGAN:
      s.architecture = Architecture::kDcgan;
      break;
    case v1::MLP:
      s.architecture = Architecture::kMlp;
      break;
    default:
      return absl::InvalidArgumentError("spec.architecture must be DCGAN or MLP");
  }
  s.image_size = p.image_size();
  s.channels = p.channels();
  s.latent_dim = p.latent_dim();
  s.generator_width = p.generator_width();
  s.discriminator_width = p.discriminator_width();
  s.batch_size = p.batch_size();
  s.epochs = p.epochs();
  s.max_steps = p.max_steps();
  s.learning_rate = p.learning_rate();
  s.beta1 = p.beta1();
  s.beta2 = p.beta2();
  s.d_steps_per_g_step = p.d_steps_per_g_step();
  s.seed = p.seed();
  s.checkpoint_every_steps = p.checkpoint_every_steps();
  s.maxout_pieces = p.maxout_pieces();
  return s;
}

v1::JobSpec ToProto(const JobSpec& s) {
  v1::JobSpec p;
  p.set_dataset(s.dataset);
  p.set_architecture(s.architecture == Architecture::kMlp     ? v1::MLP
                     : s.architecture == Architecture::kDcgan ? v1::DCGAN
                                                              : v1::ARCHITECTURE_UNSPECIFIED);
  p.set_image_size(s.image_size);
  p.set_channels(s.channels);
  p.set_latent_dim(s.latent_dim);
  p.set_generator_width(s.generator_width);
  p.set_discriminator_width(s.discriminator_width);
  p.set_batch_size(s.batch_size);
  p.set_epochs(s.epochs);
  p.set_max_steps(s.max_steps);
  p.set_learning_rate(s.learning_rate);
  p.set_beta1(s.beta1);
  p.set_beta2(s.beta2);
  p.set_d_steps_per_g_step(s.d_steps_per_g_step);
  p.set_seed(s.seed);
  p.set_checkpoint_every_steps(s.checkpoint_every_steps);
  p.set_maxout_pieces(s.maxout_pieces);
  return p;
}

v1::Progress ToProto(const TrainingProgress& t) {
  v1::Progress p;
  p.set_epoch(int32_t(t.epoch));
  p.set_step(t.step);
  p.set_total_steps(t.total_steps);
  p.set_discriminator_loss(t.discriminator_loss);
  p.set_generator_loss(t.generator_loss);
  p.set_d_real(t.d_real);
  p.set_d_fake(t.d_fake);
  p.set_jsd_estimate(t.jsd_estimate);
  p.set_images_per_second(t.images_per_second);
  return p;
}

v1::Job ToProto(const JobRecord& job, const std::vector<std::pair<int64_t, int64_t>>& checkpoints) {
  v1::Job p;
  p.set_id(job.id);
  p.set_state(static_cast<v1::Job::State>(job.state));
  *p.mutable_spec() = ToProto(job.spec);
  *p.mutable_progress() = ToProto(job.progress);
  for (const auto& [step, unix_ms] : checkpoints) {
    v1::CheckpointInfo* info = p.add_checkpoints();
    info->set_step(step);
    SetTimestamp(unix_ms, info->mutable_create_time());
  }
  p.set_error(job.error);
  if (job.create_unix_ms) SetTimestamp(job.create_unix_ms, p.mutable_create_time());
  if (job.start_unix_ms) SetTimestamp(job.start_unix_ms, p.mutable_start_time());
  if (job.end_unix_ms) SetTimestamp(job.end_unix_ms, p.mutable_end_time());
  p.set_replica(job.owner);
  p.set_cancel_requested(job.cancel_requested);
  return p;
}

}  // namespace dcgan
