#include "core/data/dataset.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <set>

#include "core/data/batch_prefetcher.h"
#include "core/data/safe_path.h"
#include "core/image/png_codec.h"
#include "tests/testing/temp_dir.h"

namespace dcgan {
namespace {

using ::testing::HasSubstr;
namespace fs = std::filesystem;

void WritePng(const std::string& path, int w, int h, uint8_t value) {
  Image image(w, h, 3);
  std::fill(image.pixels.begin(), image.pixels.end(), value);
  std::ofstream(path, std::ios::binary) << *EncodePng(image);
}

TEST(FashionMnistTest, EveryImageSizeInRange) {
  DatasetOptions options;
  options.max_examples = 16;
  for (int size : {16, 32, 64, 128}) {
    for (int channels : {1, 3}) {
      auto data = OpenDataset("fashion-mnist", size, channels, options);
      ASSERT_TRUE(data.ok()) << data.status();
      EXPECT_EQ((*data)->size(), 16);
      std::vector<float> pixels(size_t(channels) * size * size);
      ASSERT_TRUE((*data)->GetExample(3, pixels.data()).ok());
      const auto [lo, hi] = std::minmax_element(pixels.begin(), pixels.end());
      EXPECT_GE(*lo, -1.0f);
      EXPECT_LE(*hi, 1.0f);
      EXPECT_EQ(*lo, -1.0f);  // black background
      EXPECT_GT(*hi, 0.0f);   // a garment
    }
  }
}

TEST(FashionMnistTest, MissingFolderSaysHowToInstall) {
  DatasetOptions options;
  options.fashion_mnist_dir = "/nonexistent";
  auto data = OpenDataset("fashion-mnist", 32, 1, options);
  EXPECT_EQ(data.status().code(), absl::StatusCode::kNotFound);
  EXPECT_THAT(std::string(data.status().message()), HasSubstr("dataset-fashion-mnist"));
}

TEST(ImageFolderTest, ReadsPngsRecursivelyInSortedOrder) {
  testing::TempDir root;
  fs::create_directories(root.file("faces/sub"));
  WritePng(root.file("faces/b.png"), 40, 20, 255);
  WritePng(root.file("faces/sub/a.PNG"), 20, 40, 0);
  std::ofstream(root.file("faces/notes.txt")) << "ignored";
  DatasetOptions options;
  options.data_root = root.path();
  auto data = OpenDataset("image-folder:faces", 16, 3, options);
  ASSERT_TRUE(data.ok()) << data.status();
  ASSERT_EQ((*data)->size(), 2);
  std::vector<float> pixels(3 * 16 * 16);
  ASSERT_TRUE((*data)->GetExample(0, pixels.data()).ok());  // faces/b.png
  EXPECT_FLOAT_EQ(pixels[0], 1.0f);
  ASSERT_TRUE((*data)->GetExample(1, pixels.data()).ok());  // faces/sub/a.PNG
  EXPECT_FLOAT_EQ(pixels[0], -1.0f);
}

TEST(ImageFolderTest, CorruptImageNamesTheFile) {
  testing::TempDir root;
  fs::create_directories(root.file("set"));
  std::ofstream(root.file("set/broken.png")) << "not a png";
  DatasetOptions options;
  options.data_root = root.path();
  auto data = OpenDataset("image-folder:set", 16, 1, options);
  ASSERT_TRUE(data.ok());
  std::vector<float> pixels(16 * 16);
  absl::Status status = (*data)->GetExample(0, pixels.data());
  EXPECT_EQ(status.code(), absl::StatusCode::kDataLoss);
  EXPECT_THAT(std::string(status.message()), HasSubstr("broken.png"));
}

TEST(ImageFolderTest, RefusesPathsOutsideTheRoot) {
  testing::TempDir root, outside;
  fs::create_directories(root.file("data"));
  WritePng(outside.file("secret.png"), 8, 8, 1);
  DatasetOptions options;
  options.data_root = root.file("data");
  for (const std::string name : {"image-folder:..", "image-folder:../..", "image-folder:/etc"}) {
    auto data = OpenDataset(name, 16, 1, options);
    EXPECT_EQ(data.status().code(), absl::StatusCode::kInvalidArgument) << name;
    EXPECT_THAT(std::string(data.status().message()), HasSubstr("outside the data root"));
  }
  // A symlinked folder and a symlinked file that point out are refused too.
  fs::create_directory_symlink(outside.path(), root.file("data/link"));
  EXPECT_EQ(OpenDataset("image-folder:link", 16, 1, options).status().code(),
            absl::StatusCode::kInvalidArgument);
  fs::create_directories(root.file("data/set"));
  WritePng(root.file("data/set/ok.png"), 8, 8, 1);
  fs::create_symlink(outside.file("secret.png"), root.file("data/set/sneaky.png"));
  auto data = OpenDataset("image-folder:set", 16, 1, options);
  EXPECT_EQ(data.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(std::string(data.status().message()), HasSubstr("sneaky.png"));
}

TEST(ImageFolderTest, EmptyOrMissingFolder) {
  testing::TempDir root;
  fs::create_directories(root.file("empty"));
  DatasetOptions options;
  options.data_root = root.path();
  EXPECT_EQ(OpenDataset("image-folder:empty", 16, 1, options).status().code(),
            absl::StatusCode::kNotFound);
  EXPECT_EQ(OpenDataset("image-folder:missing", 16, 1, options).status().code(),
            absl::StatusCode::kNotFound);
}

TEST(EpochOrderTest, IsASeededPermutation) {
  const auto a = EpochOrder(1000, 7, 0);
  EXPECT_EQ(std::set<int64_t>(a.begin(), a.end()).size(), 1000u);
  EXPECT_EQ(a, EpochOrder(1000, 7, 0));
  EXPECT_NE(a, EpochOrder(1000, 7, 1));
  EXPECT_NE(a, EpochOrder(1000, 8, 0));
}

TEST(BatchPrefetcherTest, StartingMidRunGivesTheSameBatches) {
  DatasetOptions options;
  options.max_examples = 100;
  auto data = OpenDataset("fashion-mnist", 16, 1, options);
  ASSERT_TRUE(data.ok());
  BatchPrefetcher from_start(data->get(), {.batch_size = 30, .seed = 3, .first_batch = 0});
  EXPECT_EQ(from_start.batches_per_epoch(), 3);
  std::vector<torch::Tensor> batches;
  for (int i = 0; i < 7; ++i) batches.push_back(*from_start.Next());  // crosses two epochs
  BatchPrefetcher resumed(data->get(), {.batch_size = 30, .seed = 3, .first_batch = 4});
  for (int i = 4; i < 7; ++i) EXPECT_TRUE(torch::equal(*resumed.Next(), batches[i])) << i;
  EXPECT_FALSE(torch::equal(batches[0], batches[3]));  // epoch 1 is reshuffled
}

TEST(BatchPrefetcherTest, TooSmallDatasetIsAnError) {
  DatasetOptions options;
  options.max_examples = 10;
  auto data = OpenDataset("fashion-mnist", 16, 1, options);
  BatchPrefetcher prefetcher(data->get(), {.batch_size = 64});
  EXPECT_EQ(prefetcher.Next().status().code(), absl::StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace dcgan
