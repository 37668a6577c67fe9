#ifndef DCGAN_CORE_TRAIN_JOB_SPEC_H_
#define DCGAN_CORE_TRAIN_JOB_SPEC_H_

#include <cstdint>
#include <string>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"

namespace dcgan {

enum class Architecture {
  kUnspecified = 0,
  kDcgan = 1,  // Radford, Metz & Chintala 2015.
  kMlp = 2,    // Goodfellow et al. 2014's fully connected networks.
};

absl::string_view ArchitectureName(Architecture architecture);

// Everything that defines a training run. A zero (or empty) field means "the
// paper's default"; `WithDefaults` fills those in, and `Validate` checks that
// a filled-in spec is in range. The status message names the field and its
// allowed range, so the server can pass it to the user as is.
struct JobSpec {
  // "fashion-mnist" (Debian's dataset-fashion-mnist) or "image-folder:<path>",
  // the path relative to the data root.
  std::string dataset;
  Architecture architecture = Architecture::kUnspecified;  // default kDcgan
  int32_t image_size = 0;              // pixels, power of two 16..128; default 64
  int32_t channels = 0;                // 1 or 3; default 1 for fashion-mnist, else 3
  int32_t latent_dim = 0;              // z size; default 100
  int32_t generator_width = 0;         // ngf (dcgan) or hidden units (mlp); default 64 / 1200
  int32_t discriminator_width = 0;     // ndf (dcgan) or maxout units (mlp); default 64 / 240
  int32_t batch_size = 0;              // images per step; default 128
  int32_t epochs = 0;                  // passes over the data; default 5 unless max_steps is set
  int64_t max_steps = 0;               // generator steps; 0 = no step limit
  float learning_rate = 0;             // Adam, both networks; default 0.0002
  float beta1 = 0;                     // Adam beta1; default 0.5
  float beta2 = 0;                     // Adam beta2; default 0.999
  int32_t d_steps_per_g_step = 0;      // Goodfellow's k; default 1
  uint64_t seed = 0;                   // initialisation, noise and data order; 0 is a valid seed
  int32_t checkpoint_every_steps = 0;  // default 500; a checkpoint is also written at the end
  int32_t maxout_pieces = 0;           // mlp discriminator: maxout pieces, 1 = LeakyReLU; default 5

  friend bool operator==(const JobSpec& a, const JobSpec& b);
  friend bool operator!=(const JobSpec& a, const JobSpec& b) { return !(a == b); }
};

// Returns `spec` with every zero field replaced by its default.
JobSpec WithDefaults(JobSpec spec);

// OK if a filled-in spec is trainable; INVALID_ARGUMENT naming the first bad
// field ("spec.image_size must be ...") otherwise. Does not touch the disk.
absl::Status Validate(const JobSpec& spec);

// Serialises as a JSON object text and back (for manifests and job stores).
// Unknown keys are ignored; missing keys read as zero.
std::string JobSpecToJson(const JobSpec& spec);
absl::Status JobSpecFromJson(absl::string_view json, JobSpec* spec);

}  // namespace dcgan

#endif  // DCGAN_CORE_TRAIN_JOB_SPEC_H_
