#include "core/sample/model_cache.h"

#include <gtest/gtest.h>

#include <thread>

#include "core/train/trainer.h"
#include "tests/testing/temp_dir.h"
#include "tests/testing/tiny_spec.h"

namespace dcgan {
namespace {

class ModelCacheTest : public ::testing::Test {
 protected:
  void SetUp() override {
    JobSpec spec = testing::TinySpec();
    spec.max_steps = 4;
    spec.checkpoint_every_steps = 2;
    auto trainer = Trainer::Create(spec, testing::TinyOptions(dir_.file("m")));
    ASSERT_TRUE(trainer.ok()) << trainer.status();
    ASSERT_TRUE((*trainer)->Run(nullptr, nullptr).ok());
  }
  testing::TempDir dir_;
};

TEST_F(ModelCacheTest, NewestByDefaultAndCachedAfterwards) {
  ModelCache cache(dir_.path(), 4);
  auto newest = cache.Get("m", 0);
  ASSERT_TRUE(newest.ok()) << newest.status();
  EXPECT_EQ((*newest)->step(), 4);
  auto again = cache.Get("m", 4);
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(again->get(), newest->get());
  EXPECT_EQ(cache.stats().misses, 1);
  EXPECT_EQ(cache.stats().hits, 1);
  EXPECT_EQ(cache.Get("m", 3).status().code(), absl::StatusCode::kNotFound);
  EXPECT_EQ(cache.Get("other", 0).status().code(), absl::StatusCode::kFailedPrecondition);
}

TEST_F(ModelCacheTest, ABurstOfCallsLoadsTheCheckpointOnce) {
  ModelCache cache(dir_.path(), 4);
  constexpr int kCalls = 8;
  std::vector<std::shared_ptr<const LoadedGenerator>> got(kCalls);
  std::vector<std::thread> threads;
  for (int i = 0; i < kCalls; ++i) {
    threads.emplace_back([&, i] { got[i] = *cache.Get("m", 2); });
  }
  for (std::thread& t : threads) t.join();
  for (int i = 1; i < kCalls; ++i) EXPECT_EQ(got[i].get(), got[0].get()) << i;
  EXPECT_EQ(cache.stats().misses, 1);
  EXPECT_EQ(cache.stats().hits, kCalls - 1);
  EXPECT_EQ(cache.stats().loaded, 1);
}

TEST_F(ModelCacheTest, EvictsTheLeastRecentlyUsed) {
  ModelCache cache(dir_.path(), 1);
  ASSERT_TRUE(cache.Get("m", 2).ok());
  ASSERT_TRUE(cache.Get("m", 4).ok());
  EXPECT_EQ(cache.stats().evictions, 1);
  EXPECT_EQ(cache.stats().loaded, 1);
}

}  // namespace
}  // namespace dcgan
