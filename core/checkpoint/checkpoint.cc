#include "core/checkpoint/checkpoint.h"

#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <random>
#include <system_error>

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "core/train/training_progress_json.h"
#include "core/util/file_util.h"
#include "core/util/sha256.h"
#include "core/util/status_macros.h"

namespace dcgan {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

constexpr absl::string_view kStepPrefix = "step-";
constexpr absl::string_view kTempPrefix = ".tmp-";

std::string ManifestToJson(const CheckpointManifest& m) {
  json j = {{"format_version", m.format_version},
            {"spec", json::parse(JobSpecToJson(m.spec))},
            {"step", m.step},
            {"epoch", m.epoch},
            {"batches_consumed", m.batches_consumed},
            // Every random draw is a function of (seed, stream, step): see
            // core/util/seed_mix.h. This names that scheme so a future format
            // that saves generator state can tell the two apart.
            {"rng", {{"scheme", "splitmix64-counter"}, {"seed", m.spec.seed}}},
            {"progress", json::parse(TrainingProgressToJson(m.progress))},
            {"created_unix_ms", m.created_unix_ms},
            {"sha256", m.sha256}};
  return j.dump(2);
}

absl::StatusOr<CheckpointManifest> ManifestFromJson(const std::string& text,
                                                    const std::string& path) {
  json j = json::parse(text, nullptr, false);
  if (j.is_discarded() || !j.is_object()) {
    return absl::DataLossError(absl::StrCat(path, " is not valid JSON"));
  }
  CheckpointManifest m;
  try {
    m.format_version = j.at("format_version").get<int>();
    if (m.format_version != kCheckpointFormatVersion) {
      return absl::FailedPreconditionError(absl::StrCat(path, " has checkpoint format version ",
                                                        m.format_version, "; this build reads ",
                                                        kCheckpointFormatVersion));
    }
    RETURN_IF_ERROR(JobSpecFromJson(j.at("spec").dump(), &m.spec));
    m.step = j.at("step").get<int64_t>();
    m.epoch = j.value("epoch", int64_t{0});
    m.batches_consumed = j.at("batches_consumed").get<int64_t>();
    m.progress = TrainingProgressFromJson(j.value("progress", json::object()).dump());
    m.created_unix_ms = j.value("created_unix_ms", int64_t{0});
    m.sha256 = j.at("sha256").get<std::map<std::string, std::string>>();
  } catch (const json::exception& e) {
    return absl::DataLossError(absl::StrCat(path, " is missing fields: ", e.what()));
  }
  return m;
}

std::string UniqueSuffix() {
  std::random_device random;
  return absl::StrFormat("%d-%08x", ::getpid(), random());
}

}  // namespace

std::string CheckpointDir(const std::string& job_dir, int64_t step) {
  return absl::StrFormat("%s/%s%012d", job_dir, kStepPrefix, step);
}

absl::Status WriteCheckpoint(const std::string& job_dir, CheckpointManifest manifest,
                             const std::map<std::string, std::string>& files) {
  const std::string final_dir = CheckpointDir(job_dir, manifest.step);
  std::error_code ec;
  if (fs::exists(fs::path(final_dir) / kManifestFile, ec)) return absl::OkStatus();
  fs::create_directories(job_dir, ec);
  if (ec) return absl::InternalError(absl::StrCat("cannot create ", job_dir, ": ", ec.message()));

  const std::string temp_dir = absl::StrCat(
      job_dir, "/", kTempPrefix, fs::path(final_dir).filename().string(), "-", UniqueSuffix());
  fs::create_directory(temp_dir, ec);
  if (ec) return absl::InternalError(absl::StrCat("cannot create ", temp_dir, ": ", ec.message()));
  auto cleanup = [&] { fs::remove_all(temp_dir, ec); };

  manifest.sha256.clear();
  for (const auto& [name, contents] : files) {
    absl::Status status = WriteFileDurably(absl::StrCat(temp_dir, "/", name), contents);
    if (!status.ok()) {
      cleanup();
      return status;
    }
    manifest.sha256[name] = Sha256Hex(contents);
  }
  if (manifest.created_unix_ms == 0) {
    manifest.created_unix_ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                                   std::chrono::system_clock::now().time_since_epoch())
                                   .count();
  }
  // The manifest goes last: a folder with a manifest has all its files.
  absl::Status status =
      WriteFileDurably(absl::StrCat(temp_dir, "/", kManifestFile), ManifestToJson(manifest));
  if (status.ok()) status = FsyncPath(temp_dir);
  if (!status.ok()) {
    cleanup();
    return status;
  }
  fs::rename(temp_dir, final_dir, ec);
  if (ec) {
    cleanup();
    // Another writer got there first with the same step: theirs stands.
    if (fs::exists(fs::path(final_dir) / kManifestFile)) return absl::OkStatus();
    return absl::InternalError(
        absl::StrCat("cannot rename checkpoint into ", final_dir, ": ", ec.message()));
  }
  return FsyncPath(job_dir);
}

absl::StatusOr<CheckpointManifest> ReadCheckpoint(const std::string& checkpoint_dir,
                                                  const std::vector<std::string>& verify) {
  const std::string manifest_path = absl::StrCat(checkpoint_dir, "/", kManifestFile);
  std::error_code ec;
  if (!fs::exists(manifest_path, ec)) {
    return absl::NotFoundError(absl::StrCat("no checkpoint at ", checkpoint_dir));
  }
  absl::StatusOr<std::string> text = ReadFile(manifest_path);
  if (!text.ok()) return absl::DataLossError(text.status().message());
  ASSIGN_OR_RETURN(CheckpointManifest manifest, ManifestFromJson(*text, manifest_path));
  std::vector<std::string> names = verify;
  if (names.empty()) {
    for (const auto& [name, digest] : manifest.sha256) names.push_back(name);
  }
  for (const std::string& name : names) {
    const std::string path = absl::StrCat(checkpoint_dir, "/", name);
    auto expected = manifest.sha256.find(name);
    if (expected == manifest.sha256.end()) {
      return absl::DataLossError(absl::StrCat(manifest_path, " lists no file ", name));
    }
    absl::StatusOr<std::string> actual = Sha256HexOfFile(path);
    if (!actual.ok()) {
      return absl::DataLossError(absl::StrCat("checkpoint file ", path, " is missing"));
    }
    if (*actual != expected->second) {
      return absl::DataLossError(
          absl::StrCat("checkpoint file ", path, " is corrupt (SHA-256 mismatch)"));
    }
  }
  return manifest;
}

std::vector<int64_t> ListCheckpointSteps(const std::string& job_dir) {
  std::vector<int64_t> steps;
  std::error_code ec;
  for (fs::directory_iterator it(job_dir, ec), end; !ec && it != end; it.increment(ec)) {
    const std::string name = it->path().filename().string();
    if (!absl::StartsWith(name, kStepPrefix)) continue;
    int64_t step;
    if (!absl::SimpleAtoi(absl::string_view(name).substr(kStepPrefix.size()), &step)) continue;
    if (!fs::exists(it->path() / kManifestFile)) continue;
    steps.push_back(step);
  }
  std::sort(steps.begin(), steps.end());
  return steps;
}

absl::Status RemoveLeftovers(const std::string& job_dir) {
  std::error_code ec;
  std::vector<fs::path> leftovers;
  for (fs::directory_iterator it(job_dir, ec), end; !ec && it != end; it.increment(ec)) {
    if (absl::StartsWith(it->path().filename().string(), kTempPrefix)) {
      leftovers.push_back(it->path());
    }
  }
  for (const fs::path& path : leftovers) {
    fs::remove_all(path, ec);
    if (ec) return absl::InternalError(absl::StrCat("cannot remove ", path.string()));
  }
  return absl::OkStatus();
}

absl::Status ApplyRetention(const std::string& job_dir, int keep_last, int64_t keep_every) {
  const std::vector<int64_t> steps = ListCheckpointSteps(job_dir);
  const size_t keep_from = steps.size() > size_t(keep_last) ? steps.size() - keep_last : 0;
  for (size_t i = 0; i < keep_from; ++i) {
    if (keep_every > 0 && steps[i] % keep_every == 0) continue;
    std::error_code ec;
    // Rename first so a concurrent reader sees the checkpoint whole or gone.
    const std::string dir = CheckpointDir(job_dir, steps[i]);
    const std::string doomed = absl::StrCat(job_dir, "/", kTempPrefix, "delete-", UniqueSuffix());
    fs::rename(dir, doomed, ec);
    if (!ec) fs::remove_all(doomed, ec);
    if (ec) return absl::InternalError(absl::StrCat("cannot delete ", dir, ": ", ec.message()));
  }
  return absl::OkStatus();
}

}  // namespace dcgan
