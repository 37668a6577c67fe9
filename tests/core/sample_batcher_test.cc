#include "core/sample/sample_batcher.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <torch/torch.h>

#include <thread>

#include "core/checkpoint/checkpoint.h"
#include "core/sample/image_tensor.h"
#include "core/train/trainer.h"
#include "tests/testing/temp_dir.h"
#include "tests/testing/tiny_spec.h"

namespace dcgan {
namespace {

using ::testing::ElementsAre;
using ::testing::UnorderedElementsAre;

class SampleBatcherTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string error;
    generator_ = testing::TrainTinyGenerator(dir_.path(), 1, &error);
    ASSERT_TRUE(generator_) << error;
  }

  SampleBatcherOptions Options(int max_batch, absl::Duration delay) {
    SampleBatcherOptions options;
    options.max_batch_size = max_batch;
    options.max_queue_delay = delay;
    options.on_forward_pass = [this](int64_t rows) {
      absl::MutexLock lock(&mu_);
      passes_.push_back(rows);
    };
    return options;
  }
  std::vector<int64_t> passes() {
    absl::MutexLock lock(&mu_);
    return passes_;
  }
  torch::Tensor Unbatched(const torch::Tensor& latents) { return *generator_->Generate(latents); }

  testing::TempDir dir_;
  std::shared_ptr<const LoadedGenerator> generator_;
  absl::Mutex mu_;
  std::vector<int64_t> passes_ ABSL_GUARDED_BY(mu_);
};

const absl::Time kNoDeadline = absl::InfiniteFuture();

TEST_F(SampleBatcherTest, ConcurrentRequestsShareOnePassAndGiveTheUnbatchedBytes) {
  SampleBatcher batcher(Options(64, absl::Seconds(5)));
  constexpr int kRequests = 8;
  // All arrive first, so the batch waits for every one of them.
  std::vector<SampleBatcher::Arrival> arrivals;
  for (int i = 0; i < kRequests; ++i) arrivals.push_back(batcher.Arrive());
  std::vector<absl::StatusOr<SampledImages>> results(kRequests);
  std::vector<std::thread> threads;
  for (int i = 0; i < kRequests; ++i) {
    threads.emplace_back([&, i] {
      results[i] = batcher.Generate(std::move(arrivals[i]), generator_, LatentsForSeed(i, 3, 16),
                                    kNoDeadline);
    });
  }
  for (std::thread& t : threads) t.join();

  EXPECT_THAT(passes(), ElementsAre(kRequests * 3));
  for (int i = 0; i < kRequests; ++i) {
    ASSERT_TRUE(results[i].ok()) << results[i].status();
    ASSERT_EQ(results[i]->images.size(), 1u);
    const torch::Tensor unbatched = Unbatched(LatentsForSeed(i, 3, 16));
    EXPECT_TRUE(torch::equal(results[i]->images[0], unbatched)) << i;
    EXPECT_TRUE(torch::equal(results[i]->pixels[0], ToPixels(unbatched))) << i;
  }
}

TEST_F(SampleBatcherTest, LoneRequestRunsAtOnce) {
  // Nobody else is arriving: waiting the 60 s delay would blow the deadline.
  SampleBatcher batcher(Options(64, absl::Seconds(60)));
  auto images = batcher.Generate(batcher.Arrive(), generator_, LatentsForSeed(1, 2, 16),
                                 absl::Now() + absl::Seconds(20));
  ASSERT_TRUE(images.ok()) << images.status();
  EXPECT_THAT(passes(), ElementsAre(2));
}

TEST_F(SampleBatcherTest, RequestsLargerThanTheMaximumAreSplit) {
  SampleBatcher batcher(Options(4, absl::Milliseconds(1)));
  const torch::Tensor latents = LatentsForSeed(5, 10, 16);
  auto images = batcher.Generate(batcher.Arrive(), generator_, latents, kNoDeadline);
  ASSERT_TRUE(images.ok()) << images.status();
  EXPECT_THAT(passes(), ElementsAre(4, 4, 2));
  EXPECT_TRUE(torch::equal(torch::cat(images->images), Unbatched(latents)));
  EXPECT_TRUE(torch::equal(torch::cat(images->pixels), ToPixels(Unbatched(latents))));
}

TEST_F(SampleBatcherTest, ExpiredRequestIsDroppedBeforeItsForwardPass) {
  SampleBatcher batcher(Options(64, absl::Milliseconds(400)));
  // A caller still on its way keeps the batch open for the full delay.
  SampleBatcher::Arrival latecomer = batcher.Arrive();
  absl::StatusOr<SampledImages> patient, hurried;
  std::thread a([&] {
    patient = batcher.Generate(batcher.Arrive(), generator_, LatentsForSeed(1, 3, 16), kNoDeadline);
  });
  std::thread b([&] {
    hurried = batcher.Generate(batcher.Arrive(), generator_, LatentsForSeed(2, 5, 16),
                               absl::Now() + absl::Milliseconds(30));
  });
  b.join();
  EXPECT_EQ(hurried.status().code(), absl::StatusCode::kDeadlineExceeded) << hurried.status();
  a.join();
  ASSERT_TRUE(patient.ok()) << patient.status();
  EXPECT_THAT(passes(), ElementsAre(3)) << "the expired request must not be computed";

  auto late = batcher.Generate(std::move(latecomer), generator_, LatentsForSeed(3, 1, 16),
                               absl::Now() - absl::Seconds(1));
  EXPECT_EQ(late.status().code(), absl::StatusCode::kDeadlineExceeded);
  EXPECT_THAT(passes(), ElementsAre(3));
}

TEST_F(SampleBatcherTest, DifferentGeneratorsAreNeverMixed) {
  auto other = LoadedGenerator::Load(CheckpointDir(dir_.path(), 2));
  ASSERT_TRUE(other.ok());
  SampleBatcher batcher(Options(64, absl::Seconds(5)));
  SampleBatcher::Arrival first = batcher.Arrive(), second = batcher.Arrive();
  absl::StatusOr<SampledImages> x, y;
  std::thread a([&] {
    x = batcher.Generate(std::move(first), generator_, LatentsForSeed(1, 3, 16), kNoDeadline);
  });
  std::thread b([&] {
    y = batcher.Generate(std::move(second), *other, LatentsForSeed(1, 5, 16), kNoDeadline);
  });
  a.join();
  b.join();
  ASSERT_TRUE(x.ok() && y.ok());
  EXPECT_THAT(passes(), UnorderedElementsAre(3, 5));
}

TEST_F(SampleBatcherTest, WithoutMergingEachRequestRunsAloneAndWhole) {
  SampleBatcherOptions options = Options(4, absl::Seconds(5));
  options.merge_requests = false;
  SampleBatcher batcher(std::move(options));
  SampleBatcher::Arrival first = batcher.Arrive(), second = batcher.Arrive();
  absl::StatusOr<SampledImages> x, y;
  std::thread a([&] {
    x = batcher.Generate(std::move(first), generator_, LatentsForSeed(1, 10, 16), kNoDeadline);
  });
  std::thread b([&] {
    y = batcher.Generate(std::move(second), generator_, LatentsForSeed(2, 3, 16), kNoDeadline);
  });
  a.join();
  b.join();
  ASSERT_TRUE(x.ok() && y.ok());
  EXPECT_THAT(passes(), UnorderedElementsAre(10, 3));
  EXPECT_TRUE(torch::equal(x->images[0], Unbatched(LatentsForSeed(1, 10, 16))));
}

TEST_F(SampleBatcherTest, BadLatentsAreAnErrorNotACrash) {
  SampleBatcher batcher(Options(64, absl::Milliseconds(1)));
  auto wrong = batcher.Generate(batcher.Arrive(), generator_, torch::zeros({2, 7}), kNoDeadline);
  EXPECT_EQ(wrong.status().code(), absl::StatusCode::kInvalidArgument) << wrong.status();
  auto ok = batcher.Generate(batcher.Arrive(), generator_, LatentsForSeed(1, 1, 16), kNoDeadline);
  EXPECT_TRUE(ok.ok()) << ok.status();
}

}  // namespace
}  // namespace dcgan
