#ifndef DCGAN_CORE_CHECKPOINT_CHECKPOINT_H_
#define DCGAN_CORE_CHECKPOINT_CHECKPOINT_H_

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "core/train/job_spec.h"
#include "core/train/training_progress.h"

namespace dcgan {

// A checkpoint is a folder `<job_dir>/step-<12 digits>` holding named files
// (generator.pt, discriminator.pt, the optimizers, samples.png) and
// manifest.json, which records the format version, the full spec, where the
// run stood, its metrics, and the SHA-256 of every other file.
//
// Writing is atomic: files go to `<job_dir>/.tmp-...`, each is fsynced, the
// folder is renamed into place and the job folder fsynced. A reader never
// sees a partial checkpoint; `RemoveLeftovers` deletes temp folders of
// writers that died. Functions here are safe to call from any thread; two
// writers of the same (job, step) are not (the job queue prevents that).

inline constexpr int kCheckpointFormatVersion = 1;
inline constexpr char kManifestFile[] = "manifest.json";
inline constexpr char kGeneratorFile[] = "generator.pt";
inline constexpr char kDiscriminatorFile[] = "discriminator.pt";
inline constexpr char kGeneratorOptimizerFile[] = "generator_optimizer.pt";
inline constexpr char kDiscriminatorOptimizerFile[] = "discriminator_optimizer.pt";
inline constexpr char kSamplesFile[] = "samples.png";

struct CheckpointManifest {
  int format_version = kCheckpointFormatVersion;
  JobSpec spec;
  int64_t step = 0;              // generator steps completed
  int64_t epoch = 0;             // epoch of the last batch used
  int64_t batches_consumed = 0;  // data batches drawn so far (k per step)
  TrainingProgress progress;     // metrics of the last step
  int64_t created_unix_ms = 0;
  std::map<std::string, std::string> sha256;  // file name -> hex digest
};

// The folder of `step` under `job_dir`.
std::string CheckpointDir(const std::string& job_dir, int64_t step);

// Writes the files (name -> contents) and a manifest for them (its sha256 map
// is filled in here) as checkpoint `manifest.step` of `job_dir`, creating
// `job_dir` if needed. If that checkpoint already exists it is left as is.
absl::Status WriteCheckpoint(const std::string& job_dir, CheckpointManifest manifest,
                             const std::map<std::string, std::string>& files);

// Reads and parses a checkpoint's manifest, and verifies the checksum of each
// of `verify` (file names; all files in the manifest if empty). NOT_FOUND if
// the checkpoint does not exist; DATA_LOSS naming the file if a file is
// missing, truncated or altered or the manifest is unreadable;
// FAILED_PRECONDITION for an unknown format version.
absl::StatusOr<CheckpointManifest> ReadCheckpoint(const std::string& checkpoint_dir,
                                                  const std::vector<std::string>& verify = {});

// Steps of the complete checkpoints of `job_dir`, ascending. Empty (not an
// error) if the folder does not exist.
std::vector<int64_t> ListCheckpointSteps(const std::string& job_dir);

// Deletes temp folders that writers left behind (crashed mid-write).
absl::Status RemoveLeftovers(const std::string& job_dir);

// Retention: keeps the newest `keep_last` checkpoints plus every one whose
// step is a multiple of `keep_every` (0: none), deletes the rest.
absl::Status ApplyRetention(const std::string& job_dir, int keep_last, int64_t keep_every);

}  // namespace dcgan

#endif  // DCGAN_CORE_CHECKPOINT_CHECKPOINT_H_
