// dcgan-train: trains one DCGAN in the foreground and writes a sample grid.
// The single-process way to run a job without the server; the checkpoints it
// writes are the ones dcgan-server serves.

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <iostream>

#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "absl/flags/usage.h"
#include "absl/strings/str_format.h"
#include "core/checkpoint/checkpoint.h"
#include "core/train/torch_threads.h"
#include "core/train/trainer.h"
#include "core/util/file_util.h"

ABSL_FLAG(std::string, dataset, "fashion-mnist",
          "\"fashion-mnist\" or \"image-folder:<path under --data_root>\"");
ABSL_FLAG(std::string, architecture, "dcgan", "dcgan or mlp");
ABSL_FLAG(int, image_size, 32, "image side in pixels, a power of two from 16 to 128");
ABSL_FLAG(int, batch_size, 128, "images per step");
ABSL_FLAG(int64_t, max_steps, 300, "generator steps to train (0: use --epochs)");
ABSL_FLAG(int, epochs, 0, "passes over the data (0: use --max_steps)");
ABSL_FLAG(uint64_t, seed, 1, "seed for initialisation, noise and data order");
ABSL_FLAG(int, checkpoint_every_steps, 100, "write a checkpoint every N steps (and at the end)");
ABSL_FLAG(std::string, job_dir, "var/checkpoints/dcgan-train",
          "checkpoint folder; a run resumes from the newest checkpoint in it");
ABSL_FLAG(std::string, data_root, ".", "root that image-folder paths resolve under");
ABSL_FLAG(std::string, out, "samples.png", "where to write the final sample grid");
ABSL_FLAG(int, torch_threads, 0, "intra-op threads (0: one per CPU)");

int main(int argc, char** argv) {
  absl::SetProgramUsageMessage("Trains a DCGAN in the foreground and writes a sample grid PNG.");
  absl::ParseCommandLine(argc, argv);
  const int threads = dcgan::ConfigureTorchThreads(absl::GetFlag(FLAGS_torch_threads));

  dcgan::JobSpec spec;
  spec.dataset = absl::GetFlag(FLAGS_dataset);
  const std::string arch = absl::GetFlag(FLAGS_architecture);
  spec.architecture = arch == "mlp" ? dcgan::Architecture::kMlp : dcgan::Architecture::kDcgan;
  spec.image_size = absl::GetFlag(FLAGS_image_size);
  spec.batch_size = absl::GetFlag(FLAGS_batch_size);
  spec.max_steps = absl::GetFlag(FLAGS_max_steps);
  spec.epochs = absl::GetFlag(FLAGS_epochs);
  spec.seed = absl::GetFlag(FLAGS_seed);
  spec.checkpoint_every_steps = absl::GetFlag(FLAGS_checkpoint_every_steps);

  dcgan::TrainerOptions options;
  options.job_dir = absl::GetFlag(FLAGS_job_dir);
  options.data.data_root = absl::GetFlag(FLAGS_data_root);
  auto trainer = dcgan::Trainer::Create(spec, options);
  if (!trainer.ok()) {
    std::cerr << "dcgan-train: " << trainer.status().message() << "\n";
    return 2;
  }
  std::cerr << absl::StrFormat(
      "training %s %dx%d on %s, %d steps, %d threads%s\n", arch, spec.image_size, spec.image_size,
      spec.dataset, (*trainer)->total_steps(), threads,
      (*trainer)->resumed_from_step() > 0
          ? absl::StrFormat(", resuming at step %d", (*trainer)->resumed_from_step())
          : "");

  struct PrintEveryFewSteps : dcgan::TrainingObserver {
    std::chrono::steady_clock::time_point last;
    void OnStep(const dcgan::TrainingProgress& p) override {
      const auto now = std::chrono::steady_clock::now();
      if (p.step != p.total_steps && now - last < std::chrono::seconds(2)) return;
      last = now;
      std::cerr << absl::StrFormat(
          "step %d/%d  loss_D %.3f  loss_G %.3f  D(x) %.3f  D(G(z)) %.3f  JSD~%.3f  %.1f img/s\n",
          p.step, p.total_steps, p.discriminator_loss, p.generator_loss, p.d_real, p.d_fake,
          p.jsd_estimate, p.images_per_second);
    }
  } printer;

  absl::Status status = (*trainer)->Run(&printer, nullptr);
  if (!status.ok()) {
    std::cerr << "dcgan-train: " << status.message() << "\n";
    return 1;
  }
  const std::string grid =
      dcgan::CheckpointDir(options.job_dir, (*trainer)->step()) + "/" + dcgan::kSamplesFile;
  std::error_code ec;
  std::filesystem::copy_file(grid, absl::GetFlag(FLAGS_out),
                             std::filesystem::copy_options::overwrite_existing, ec);
  if (ec) {
    std::cerr << "dcgan-train: cannot write " << absl::GetFlag(FLAGS_out) << ": " << ec.message()
              << "\n";
    return 1;
  }
  std::cout << absl::GetFlag(FLAGS_out) << "\n";
  return 0;
}
