#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "core/checkpoint/checkpoint.h"
#include "core/image/png_codec.h"
#include "core/sample/image_tensor.h"
#include "core/sample/loaded_generator.h"
#include "core/util/file_util.h"
#include "tests/testing/temp_dir.h"
#include "tests/testing/tiny_spec.h"

namespace dcgan {
namespace {

class SamplerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string error;
    generator_ = testing::TrainTinyGenerator(dir_.path(), 3, &error);
    ASSERT_TRUE(generator_) << error;
  }

  std::vector<std::string> Pngs(uint64_t seed, int count) {
    torch::Tensor images = *generator_->Generate(LatentsForSeed(seed, count, 16));
    std::vector<std::string> out;
    for (const Image& image : TensorToImages(images)) out.push_back(*EncodePng(image));
    return out;
  }

  testing::TempDir dir_;
  std::shared_ptr<const LoadedGenerator> generator_;
};

TEST_F(SamplerTest, SameSeedSameBytes) {
  EXPECT_EQ(generator_->step(), 2);
  const auto a = Pngs(7, 4);
  EXPECT_EQ(a, Pngs(7, 4));
  EXPECT_NE(a, Pngs(8, 4));
  auto decoded = DecodePng(a[0], 3);
  ASSERT_TRUE(decoded.ok());
  EXPECT_EQ(decoded->width, 16);
  EXPECT_EQ(decoded->height, 16);
}

TEST_F(SamplerTest, ImagesDoNotDependOnTheirBatch) {
  // Inference-mode batch norm, and kernels that compute each image the same
  // way at any batch size (checked bit for bit on this stack): image i is the
  // same whether generated alone or with others, so the SampleBatcher can
  // merge and split requests and still return the unbatched bytes.
  const auto eight = Pngs(11, 8);
  const auto three = Pngs(11, 3);
  for (int i = 0; i < 3; ++i) EXPECT_EQ(three[i], eight[i]) << i;
  torch::Tensor all = LatentsForSeed(11, 8, 16);
  torch::Tensor one = *generator_->Generate(all.slice(0, 5, 6));
  torch::Tensor batched = *generator_->Generate(all);
  EXPECT_TRUE(torch::equal(one[0], batched[5]));
}

TEST_F(SamplerTest, GridAndCheckpointSamples) {
  torch::Tensor images = *generator_->Generate(LatentsForSeed(1, 10, 16));
  auto grid = EncodeGridPng(TensorToImages(images));
  ASSERT_TRUE(grid.ok());
  auto decoded = DecodePng(*grid, 3);
  ASSERT_TRUE(decoded.ok());
  EXPECT_EQ(decoded->width, 4 * 18 + 2);  // ceil(sqrt(10)) = 4 columns, 2 px gaps
  EXPECT_EQ(decoded->height, 3 * 18 + 2);
  auto samples = ReadFile(CheckpointDir(dir_.path(), 2) + "/samples.png");
  ASSERT_TRUE(samples.ok());
  EXPECT_TRUE(DecodePng(*samples, 3).ok());
}

TEST_F(SamplerTest, WrongLatentSizeIsInvalidArgument) {
  EXPECT_EQ(generator_->Generate(torch::zeros({2, 15})).status().code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(generator_->Generate(torch::zeros({16})).status().code(),
            absl::StatusCode::kInvalidArgument);
}

TEST(LatentsTest, RowsDependOnlyOnSeedAndIndex) {
  torch::Tensor a = LatentsForSeed(3, 10, 100);
  torch::Tensor b = LatentsForSeed(3, 4, 100);
  EXPECT_TRUE(torch::equal(a.slice(0, 0, 4), b));
  EXPECT_NEAR(a.std().item<double>(), 1.0, 0.1);
}

TEST(LoadedGeneratorTest, MissingCheckpointIsNotFound) {
  testing::TempDir dir;
  EXPECT_EQ(LoadedGenerator::Load(dir.file("step-000000000001")).status().code(),
            absl::StatusCode::kNotFound);
}

}  // namespace
}  // namespace dcgan
