#include "core/checkpoint/checkpoint.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "core/sample/image_tensor.h"
#include "core/sample/loaded_generator.h"
#include "core/train/trainer.h"
#include "core/util/file_util.h"
#include "tests/testing/temp_dir.h"
#include "tests/testing/tiny_spec.h"

namespace dcgan {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
namespace fs = std::filesystem;

CheckpointManifest Manifest(int64_t step) {
  CheckpointManifest m;
  m.spec = testing::TinySpec();
  m.step = step;
  m.batches_consumed = step;
  return m;
}

TEST(CheckpointTest, WriteListRead) {
  testing::TempDir dir;
  ASSERT_TRUE(WriteCheckpoint(dir.path(), Manifest(20), {{"a.bin", "alpha"}}).ok());
  ASSERT_TRUE(WriteCheckpoint(dir.path(), Manifest(5), {{"a.bin", "beta"}}).ok());
  EXPECT_THAT(ListCheckpointSteps(dir.path()), ElementsAre(5, 20));
  auto m = ReadCheckpoint(CheckpointDir(dir.path(), 20));
  ASSERT_TRUE(m.ok()) << m.status();
  EXPECT_EQ(m->step, 20);
  EXPECT_EQ(m->spec, testing::TinySpec());
  EXPECT_EQ(m->sha256.at("a.bin").size(), 64u);
  EXPECT_EQ(ReadCheckpoint(CheckpointDir(dir.path(), 7)).status().code(),
            absl::StatusCode::kNotFound);
}

TEST(CheckpointTest, AlteredOrTruncatedFileIsDataLossNamingIt) {
  testing::TempDir dir;
  ASSERT_TRUE(
      WriteCheckpoint(dir.path(), Manifest(1), {{"weights.pt", std::string(1000, 'w')}}).ok());
  const std::string file = CheckpointDir(dir.path(), 1) + "/weights.pt";
  fs::resize_file(file, 500);
  auto m = ReadCheckpoint(CheckpointDir(dir.path(), 1));
  EXPECT_EQ(m.status().code(), absl::StatusCode::kDataLoss);
  EXPECT_THAT(std::string(m.status().message()), HasSubstr(file));

  ASSERT_TRUE(WriteFileDurably(file, std::string(1000, 'x')).ok());  // same size, other bytes
  EXPECT_EQ(ReadCheckpoint(CheckpointDir(dir.path(), 1)).status().code(),
            absl::StatusCode::kDataLoss);
  fs::remove(file);
  EXPECT_EQ(ReadCheckpoint(CheckpointDir(dir.path(), 1)).status().code(),
            absl::StatusCode::kDataLoss);

  ASSERT_TRUE(WriteFileDurably(CheckpointDir(dir.path(), 1) + "/manifest.json", "{trunc").ok());
  auto bad = ReadCheckpoint(CheckpointDir(dir.path(), 1));
  EXPECT_EQ(bad.status().code(), absl::StatusCode::kDataLoss);
  EXPECT_THAT(std::string(bad.status().message()), HasSubstr("manifest.json"));
}

TEST(CheckpointTest, HalfWrittenCheckpointIsInvisibleAndCleaned) {
  testing::TempDir dir;
  ASSERT_TRUE(WriteCheckpoint(dir.path(), Manifest(1), {{"g.pt", "ok"}}).ok());
  // What a writer killed mid-checkpoint leaves: a temp folder with some files.
  const std::string temp = dir.file(".tmp-step-000000000002-999-deadbeef");
  fs::create_directory(temp);
  std::ofstream(temp + "/g.pt") << "half";
  // And a step folder without its manifest (written by hand, say).
  fs::create_directory(CheckpointDir(dir.path(), 3));
  EXPECT_THAT(ListCheckpointSteps(dir.path()), ElementsAre(1));
  ASSERT_TRUE(RemoveLeftovers(dir.path()).ok());
  EXPECT_FALSE(fs::exists(temp));
  EXPECT_TRUE(fs::exists(CheckpointDir(dir.path(), 1)));
}

TEST(CheckpointTest, UnknownFormatVersionIsFailedPrecondition) {
  testing::TempDir dir;
  CheckpointManifest m = Manifest(1);
  m.format_version = 99;
  ASSERT_TRUE(WriteCheckpoint(dir.path(), m, {}).ok());
  EXPECT_EQ(ReadCheckpoint(CheckpointDir(dir.path(), 1)).status().code(),
            absl::StatusCode::kFailedPrecondition);
}

TEST(CheckpointTest, RetentionKeepsLastKAndEveryMth) {
  testing::TempDir dir;
  for (int step = 10; step <= 100; step += 10) {
    ASSERT_TRUE(WriteCheckpoint(dir.path(), Manifest(step), {{"x", "y"}}).ok());
  }
  ASSERT_TRUE(ApplyRetention(dir.path(), 3, 40).ok());
  EXPECT_THAT(ListCheckpointSteps(dir.path()), ElementsAre(40, 80, 90, 100));
  for (const auto& entry : fs::directory_iterator(dir.path())) {
    EXPECT_EQ(entry.path().filename().string().rfind(".tmp-", 0), std::string::npos);
  }
}

TEST(CheckpointTest, RoundTripGivesIdenticalGeneratorOutputs) {
  testing::TempDir dir;
  auto trainer = Trainer::Create(testing::TinySpec(), testing::TinyOptions(dir.path()));
  ASSERT_TRUE(trainer.ok()) << trainer.status();
  ASSERT_TRUE((*trainer)->Step().ok());
  ASSERT_TRUE((*trainer)->SaveCheckpoint().ok());
  const std::string ckpt = CheckpointDir(dir.path(), 1);
  EXPECT_TRUE(fs::exists(ckpt + "/samples.png"));

  auto a = LoadedGenerator::Load(ckpt);
  auto b = LoadedGenerator::Load(ckpt);
  ASSERT_TRUE(a.ok()) << a.status();
  ASSERT_TRUE(b.ok());
  torch::Tensor z = LatentsForSeed(9, 6, (*a)->spec().latent_dim);
  torch::Tensor out_a = *(*a)->Generate(z);
  EXPECT_TRUE(torch::equal(out_a, *(*b)->Generate(z)));
  EXPECT_EQ(out_a.sizes(), (std::vector<int64_t>{6, 1, 16, 16}));

  // A corrupt generator.pt is DATA_LOSS naming it.
  std::ofstream(ckpt + "/generator.pt", std::ios::app) << "tail";
  auto corrupt = LoadedGenerator::Load(ckpt);
  EXPECT_EQ(corrupt.status().code(), absl::StatusCode::kDataLoss);
  EXPECT_THAT(std::string(corrupt.status().message()), HasSubstr("generator.pt"));
}

}  // namespace
}  // namespace dcgan
