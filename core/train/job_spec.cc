#include "core/train/job_spec.h"

#include <nlohmann/json.hpp>
#include <tuple>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"

namespace dcgan {
namespace {

constexpr absl::string_view kImageFolderPrefix = "image-folder:";

bool IsPowerOfTwo(int64_t v) { return v > 0 && (v & (v - 1)) == 0; }

template <typename T>
absl::Status CheckRange(absl::string_view field, T value, T lo, T hi) {
  if (value >= lo && value <= hi) return absl::OkStatus();
  return absl::InvalidArgumentError(
      absl::StrCat("spec.", field, " must be from ", lo, " to ", hi, ", got ", value));
}

auto Tie(const JobSpec& s) {
  return std::tie(s.dataset, s.architecture, s.image_size, s.channels, s.latent_dim,
                  s.generator_width, s.discriminator_width, s.batch_size, s.epochs, s.max_steps,
                  s.learning_rate, s.beta1, s.beta2, s.d_steps_per_g_step, s.seed,
                  s.checkpoint_every_steps, s.maxout_pieces);
}

}  // namespace

bool operator==(const JobSpec& a, const JobSpec& b) { return Tie(a) == Tie(b); }

absl::string_view ArchitectureName(Architecture architecture) {
  switch (architecture) {
    case Architecture::kDcgan:
      return "dcgan";
    case Architecture::kMlp:
      return "mlp";
    case Architecture::kUnspecified:
      break;
  }
  return "unspecified";
}

JobSpec WithDefaults(JobSpec spec) {
  const bool mlp = spec.architecture == Architecture::kMlp;
  if (spec.dataset.empty()) spec.dataset = "fashion-mnist";
  if (spec.architecture == Architecture::kUnspecified) spec.architecture = Architecture::kDcgan;
  if (spec.image_size == 0) spec.image_size = 64;
  if (spec.channels == 0) spec.channels = spec.dataset == "fashion-mnist" ? 1 : 3;
  if (spec.latent_dim == 0) spec.latent_dim = 100;
  if (spec.generator_width == 0) spec.generator_width = mlp ? 1200 : 64;
  if (spec.discriminator_width == 0) spec.discriminator_width = mlp ? 240 : 64;
  if (spec.batch_size == 0) spec.batch_size = 128;
  if (spec.epochs == 0 && spec.max_steps == 0) spec.epochs = 5;
  if (spec.learning_rate == 0) spec.learning_rate = 0.0002f;
  if (spec.beta1 == 0) spec.beta1 = 0.5f;
  if (spec.beta2 == 0) spec.beta2 = 0.999f;
  if (spec.d_steps_per_g_step == 0) spec.d_steps_per_g_step = 1;
  if (spec.checkpoint_every_steps == 0) spec.checkpoint_every_steps = 500;
  if (spec.maxout_pieces == 0) spec.maxout_pieces = 5;
  return spec;
}

absl::Status Validate(const JobSpec& spec) {
  if (spec.dataset != "fashion-mnist" && !(absl::StartsWith(spec.dataset, kImageFolderPrefix) &&
                                           spec.dataset.size() > kImageFolderPrefix.size())) {
    return absl::InvalidArgumentError(absl::StrCat(
        "spec.dataset must be \"fashion-mnist\" or \"image-folder:<path under the data root>\", "
        "got \"",
        spec.dataset, "\""));
  }
  if (spec.architecture != Architecture::kDcgan && spec.architecture != Architecture::kMlp) {
    return absl::InvalidArgumentError("spec.architecture must be DCGAN or MLP");
  }
  if (!IsPowerOfTwo(spec.image_size) || spec.image_size < 16 || spec.image_size > 128) {
    return absl::InvalidArgumentError(absl::StrCat(
        "spec.image_size must be a power of two from 16 to 128, got ", spec.image_size));
  }
  if (spec.channels != 1 && spec.channels != 3) {
    return absl::InvalidArgumentError(
        absl::StrCat("spec.channels must be 1 or 3, got ", spec.channels));
  }
  const bool mlp = spec.architecture == Architecture::kMlp;
  const int32_t max_width = mlp ? 8192 : 1024;
  if (auto s = CheckRange("latent_dim", spec.latent_dim, 1, 4096); !s.ok()) return s;
  if (auto s = CheckRange("generator_width", spec.generator_width, 1, max_width); !s.ok()) return s;
  if (auto s = CheckRange("discriminator_width", spec.discriminator_width, 1, max_width); !s.ok()) {
    return s;
  }
  // Batch norm needs at least two samples to normalise over.
  if (auto s = CheckRange("batch_size", spec.batch_size, 2, 4096); !s.ok()) return s;
  if (auto s = CheckRange("epochs", spec.epochs, 0, 1000000); !s.ok()) return s;
  if (auto s = CheckRange<int64_t>("max_steps", spec.max_steps, 0, 1000000000000); !s.ok()) {
    return s;
  }
  if (spec.epochs == 0 && spec.max_steps == 0) {
    return absl::InvalidArgumentError("spec.epochs or spec.max_steps must be positive");
  }
  if (!(spec.learning_rate > 0 && spec.learning_rate <= 1)) {
    return absl::InvalidArgumentError(
        absl::StrCat("spec.learning_rate must be in (0, 1], got ", spec.learning_rate));
  }
  if (!(spec.beta1 >= 0 && spec.beta1 < 1)) {
    return absl::InvalidArgumentError(
        absl::StrCat("spec.beta1 must be in [0, 1), got ", spec.beta1));
  }
  if (!(spec.beta2 >= 0 && spec.beta2 < 1)) {
    return absl::InvalidArgumentError(
        absl::StrCat("spec.beta2 must be in [0, 1), got ", spec.beta2));
  }
  if (auto s = CheckRange("d_steps_per_g_step", spec.d_steps_per_g_step, 1, 100); !s.ok()) return s;
  if (auto s = CheckRange("checkpoint_every_steps", spec.checkpoint_every_steps, 1, 1000000000);
      !s.ok()) {
    return s;
  }
  if (auto s = CheckRange("maxout_pieces", spec.maxout_pieces, 1, 16); !s.ok()) return s;
  return absl::OkStatus();
}

std::string JobSpecToJson(const JobSpec& s) {
  nlohmann::json j = {
      {"dataset", s.dataset},
      {"architecture", std::string(ArchitectureName(s.architecture))},
      {"image_size", s.image_size},
      {"channels", s.channels},
      {"latent_dim", s.latent_dim},
      {"generator_width", s.generator_width},
      {"discriminator_width", s.discriminator_width},
      {"batch_size", s.batch_size},
      {"epochs", s.epochs},
      {"max_steps", s.max_steps},
      {"learning_rate", s.learning_rate},
      {"beta1", s.beta1},
      {"beta2", s.beta2},
      {"d_steps_per_g_step", s.d_steps_per_g_step},
      {"seed", s.seed},
      {"checkpoint_every_steps", s.checkpoint_every_steps},
      {"maxout_pieces", s.maxout_pieces},
  };
  return j.dump();
}

absl::Status JobSpecFromJson(absl::string_view text, JobSpec* spec) {
  nlohmann::json j = nlohmann::json::parse(text.begin(), text.end(), nullptr, false);
  if (j.is_discarded() || !j.is_object()) {
    return absl::InvalidArgumentError("job spec is not a JSON object");
  }
  try {
    JobSpec s;
    s.dataset = j.value("dataset", "");
    const std::string arch = j.value("architecture", "");
    s.architecture = arch == "dcgan" ? Architecture::kDcgan
                     : arch == "mlp" ? Architecture::kMlp
                                     : Architecture::kUnspecified;
    s.image_size = j.value("image_size", 0);
    s.channels = j.value("channels", 0);
    s.latent_dim = j.value("latent_dim", 0);
    s.generator_width = j.value("generator_width", 0);
    s.discriminator_width = j.value("discriminator_width", 0);
    s.batch_size = j.value("batch_size", 0);
    s.epochs = j.value("epochs", 0);
    s.max_steps = j.value("max_steps", int64_t{0});
    s.learning_rate = j.value("learning_rate", 0.0f);
    s.beta1 = j.value("beta1", 0.0f);
    s.beta2 = j.value("beta2", 0.0f);
    s.d_steps_per_g_step = j.value("d_steps_per_g_step", 0);
    s.seed = j.value("seed", uint64_t{0});
    s.checkpoint_every_steps = j.value("checkpoint_every_steps", 0);
    s.maxout_pieces = j.value("maxout_pieces", 0);
    *spec = std::move(s);
  } catch (const nlohmann::json::exception& e) {
    return absl::InvalidArgumentError(absl::StrCat("bad job spec JSON: ", e.what()));
  }
  return absl::OkStatus();
}

}  // namespace dcgan
