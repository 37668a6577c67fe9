#include "core/train/trainer.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <filesystem>

#include "core/checkpoint/checkpoint.h"
#include "tests/testing/temp_dir.h"
#include "tests/testing/tiny_spec.h"

namespace dcgan {
namespace {

using ::testing::ElementsAre;
namespace fs = std::filesystem;

// Records every step's losses, and optionally asks to stop after a step.
class Recorder : public TrainingObserver {
 public:
  explicit Recorder(std::atomic<StopRequest>* stop = nullptr, int64_t stop_after = -1,
                    StopRequest request = StopRequest::kCancel)
      : stop_(stop), stop_after_(stop_after), request_(request) {}
  void OnStep(const TrainingProgress& p) override {
    steps.push_back(p);
    if (stop_ && p.step == stop_after_) stop_->store(request_);
  }
  void OnCheckpoint(int64_t step, const std::string&) override { checkpoints.push_back(step); }
  std::vector<TrainingProgress> steps;
  std::vector<int64_t> checkpoints;

 private:
  std::atomic<StopRequest>* stop_;
  int64_t stop_after_;
  StopRequest request_;
};

std::vector<double> Losses(const std::vector<TrainingProgress>& steps) {
  std::vector<double> out;
  for (const auto& p : steps) {
    out.push_back(p.discriminator_loss);
    out.push_back(p.generator_loss);
  }
  return out;
}

TEST(TrainerTest, RunsToTheEndWithCheckpoints) {
  testing::TempDir dir;
  auto trainer = Trainer::Create(testing::TinySpec(), testing::TinyOptions(dir.path()));
  ASSERT_TRUE(trainer.ok()) << trainer.status();
  EXPECT_EQ((*trainer)->total_steps(), 8);
  Recorder recorder;
  ASSERT_TRUE((*trainer)->Run(&recorder, nullptr).ok());
  ASSERT_EQ(recorder.steps.size(), 8u);
  EXPECT_THAT(recorder.checkpoints, ElementsAre(4, 8));
  EXPECT_THAT(ListCheckpointSteps(dir.path()), ElementsAre(4, 8));
  const TrainingProgress& last = recorder.steps.back();
  EXPECT_EQ(last.step, 8);
  EXPECT_EQ(last.total_steps, 8);
  EXPECT_GT(last.images_per_second, 0);
  EXPECT_GT(last.d_real, 0);
  EXPECT_LT(last.d_real, 1);
  // JSD estimate is (log 4 - loss_D) / 2 by definition.
  EXPECT_NEAR(last.jsd_estimate, (std::log(4.0) - last.discriminator_loss) / 2, 1e-9);
}

TEST(TrainerTest, EpochsBoundTheRun) {
  testing::TempDir dir;
  JobSpec spec = testing::TinySpec();
  spec.max_steps = 0;
  spec.epochs = 2;
  spec.d_steps_per_g_step = 2;
  auto trainer = Trainer::Create(spec, testing::TinyOptions(dir.path()));
  ASSERT_TRUE(trainer.ok()) << trainer.status();
  EXPECT_EQ((*trainer)->total_steps(), 2 * (256 / 16) / 2);
}

TEST(TrainerTest, SameSeedSameLossesBitForBit) {
  testing::TempDir a, b;
  Recorder first, second;
  ASSERT_TRUE((*Trainer::Create(testing::TinySpec(), testing::TinyOptions(a.path())))
                  ->Run(&first, nullptr)
                  .ok());
  ASSERT_TRUE((*Trainer::Create(testing::TinySpec(), testing::TinyOptions(b.path())))
                  ->Run(&second, nullptr)
                  .ok());
  EXPECT_EQ(Losses(first.steps), Losses(second.steps));  // exact, not near

  testing::TempDir c;
  JobSpec other = testing::TinySpec();
  other.seed = 43;
  Recorder third;
  ASSERT_TRUE((*Trainer::Create(other, testing::TinyOptions(c.path())))->Run(&third, nullptr).ok());
  EXPECT_NE(Losses(first.steps), Losses(third.steps));
}

TEST(TrainerTest, ResumedRunMatchesUninterruptedRun) {
  for (Architecture arch : {Architecture::kDcgan, Architecture::kMlp}) {
    JobSpec spec = testing::TinySpec();
    spec.architecture = arch;
    spec.generator_width = arch == Architecture::kMlp ? 32 : 8;
    spec.discriminator_width = arch == Architecture::kMlp ? 16 : 8;
    spec.d_steps_per_g_step = 2;
    spec.max_steps = 10;  // crosses an epoch boundary (8 steps of 2 batches per epoch)
    spec.checkpoint_every_steps = 100;
    testing::TempDir straight_dir, resumed_dir;
    Recorder straight;
    ASSERT_TRUE((*Trainer::Create(spec, testing::TinyOptions(straight_dir.path())))
                    ->Run(&straight, nullptr)
                    .ok());

    // Stop after step 5 with a checkpoint, as a server shutting down does.
    std::atomic<StopRequest> stop{StopRequest::kNone};
    Recorder before(&stop, 5, StopRequest::kCheckpointAndStop);
    absl::Status stopped =
        (*Trainer::Create(spec, testing::TinyOptions(resumed_dir.path())))->Run(&before, &stop);
    EXPECT_EQ(stopped.code(), absl::StatusCode::kAborted);
    EXPECT_THAT(ListCheckpointSteps(resumed_dir.path()), ElementsAre(5));

    auto resumed = Trainer::Create(spec, testing::TinyOptions(resumed_dir.path()));
    ASSERT_TRUE(resumed.ok());
    EXPECT_EQ((*resumed)->resumed_from_step(), 5);
    Recorder after;
    ASSERT_TRUE((*resumed)->Run(&after, nullptr).ok());
    ASSERT_EQ(before.steps.size() + after.steps.size(), straight.steps.size());
    std::vector<TrainingProgress> joined = before.steps;
    joined.insert(joined.end(), after.steps.begin(), after.steps.end());
    EXPECT_EQ(Losses(joined), Losses(straight.steps)) << ArchitectureName(arch);
  }
}

TEST(TrainerTest, CancelTakesEffectWithinOneStep) {
  testing::TempDir dir;
  std::atomic<StopRequest> stop{StopRequest::kNone};
  Recorder recorder(&stop, 3, StopRequest::kCancel);
  auto trainer = Trainer::Create(testing::TinySpec(), testing::TinyOptions(dir.path()));
  absl::Status status = (*trainer)->Run(&recorder, &stop);
  EXPECT_EQ(status.code(), absl::StatusCode::kCancelled);
  EXPECT_EQ((*trainer)->step(), 3);
  EXPECT_EQ(recorder.steps.size(), 3u);
  EXPECT_TRUE(ListCheckpointSteps(dir.path()).empty());  // cancel writes nothing
}

TEST(TrainerTest, ShortRunMovesDiscriminatorOutputsApart) {
  // 40 steps at 32x32 on a small subset: D learns to tell real from fake
  // first, so D(x) rises above 1/2 and D(G(z)) falls below it.
  testing::TempDir dir;
  JobSpec spec = testing::TinySpec();
  spec.max_steps = 40;
  spec.image_size = 32;
  spec.checkpoint_every_steps = 1000;
  Recorder recorder;
  ASSERT_TRUE(
      (*Trainer::Create(spec, testing::TinyOptions(dir.path())))->Run(&recorder, nullptr).ok());
  auto mean = [&](auto field, size_t from, size_t to) {
    double sum = 0;
    for (size_t i = from; i < to; ++i) sum += field(recorder.steps[i]);
    return sum / double(to - from);
  };
  auto d_real = [](const TrainingProgress& p) { return p.d_real; };
  auto d_fake = [](const TrainingProgress& p) { return p.d_fake; };
  EXPECT_GT(mean(d_real, 30, 40), 0.6);
  EXPECT_GT(mean(d_real, 30, 40), mean(d_real, 0, 3));
  EXPECT_LT(mean(d_fake, 30, 40), 0.5);
  EXPECT_LT(mean(d_fake, 30, 40), mean(d_fake, 0, 3));
  EXPECT_GT(mean(d_real, 30, 40) - mean(d_fake, 30, 40), mean(d_real, 0, 3) - mean(d_fake, 0, 3));
}

TEST(TrainerTest, BadSpecAndTooLittleData) {
  testing::TempDir dir;
  JobSpec spec = testing::TinySpec();
  spec.image_size = 20;
  EXPECT_EQ(Trainer::Create(spec, testing::TinyOptions(dir.path())).status().code(),
            absl::StatusCode::kInvalidArgument);
  spec = testing::TinySpec();
  spec.batch_size = 512;  // more than the 256 examples
  EXPECT_EQ(Trainer::Create(spec, testing::TinyOptions(dir.path())).status().code(),
            absl::StatusCode::kInvalidArgument);
}

TEST(TrainerTest, CorruptNewestCheckpointFallsBackToTheOneBefore) {
  testing::TempDir dir;
  ASSERT_TRUE((*Trainer::Create(testing::TinySpec(), testing::TinyOptions(dir.path())))
                  ->Run(nullptr, nullptr)
                  .ok());
  fs::resize_file(CheckpointDir(dir.path(), 8) + "/discriminator.pt", 10);
  auto trainer = Trainer::Create(testing::TinySpec(), testing::TinyOptions(dir.path()));
  ASSERT_TRUE(trainer.ok()) << trainer.status();
  EXPECT_EQ((*trainer)->resumed_from_step(), 4);
}

}  // namespace
}  // namespace dcgan
