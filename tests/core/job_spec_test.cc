#include "core/train/job_spec.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace dcgan {
namespace {

using ::testing::HasSubstr;

TEST(JobSpecTest, DefaultsAreThePapers) {
  const JobSpec spec = WithDefaults(JobSpec{});
  EXPECT_EQ(spec.dataset, "fashion-mnist");
  EXPECT_EQ(spec.architecture, Architecture::kDcgan);
  EXPECT_EQ(spec.image_size, 64);
  EXPECT_EQ(spec.channels, 1);
  EXPECT_EQ(spec.latent_dim, 100);
  EXPECT_EQ(spec.generator_width, 64);
  EXPECT_EQ(spec.discriminator_width, 64);
  EXPECT_EQ(spec.batch_size, 128);
  EXPECT_FLOAT_EQ(spec.learning_rate, 0.0002f);
  EXPECT_FLOAT_EQ(spec.beta1, 0.5f);
  EXPECT_FLOAT_EQ(spec.beta2, 0.999f);
  EXPECT_EQ(spec.d_steps_per_g_step, 1);
  EXPECT_TRUE(Validate(spec).ok());
}

TEST(JobSpecTest, SetFieldsAreKept) {
  JobSpec spec;
  spec.dataset = "image-folder:faces";
  spec.image_size = 32;
  spec.max_steps = 10;
  const JobSpec filled = WithDefaults(spec);
  EXPECT_EQ(filled.image_size, 32);
  EXPECT_EQ(filled.channels, 3);  // image folders default to RGB
  EXPECT_EQ(filled.epochs, 0);    // max_steps alone bounds the run
  EXPECT_EQ(filled.max_steps, 10);
}

struct BadSpecCase {
  const char* field;
  void (*mutate)(JobSpec&);
};

class BadSpecTest : public ::testing::TestWithParam<BadSpecCase> {};

TEST_P(BadSpecTest, NamesTheField) {
  JobSpec spec = WithDefaults(JobSpec{});
  GetParam().mutate(spec);
  const absl::Status status = Validate(spec);
  EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(std::string(status.message()), HasSubstr(std::string("spec.") + GetParam().field));
}

INSTANTIATE_TEST_SUITE_P(
    Fields, BadSpecTest,
    ::testing::Values(
        BadSpecCase{"dataset", [](JobSpec& s) { s.dataset = "imagenet"; }},
        BadSpecCase{"dataset", [](JobSpec& s) { s.dataset = "image-folder:"; }},
        BadSpecCase{"image_size", [](JobSpec& s) { s.image_size = 48; }},
        BadSpecCase{"image_size", [](JobSpec& s) { s.image_size = 256; }},
        BadSpecCase{"channels", [](JobSpec& s) { s.channels = 2; }},
        BadSpecCase{"latent_dim", [](JobSpec& s) { s.latent_dim = -1; }},
        BadSpecCase{"generator_width", [](JobSpec& s) { s.generator_width = 5000; }},
        BadSpecCase{"discriminator_width", [](JobSpec& s) { s.discriminator_width = -3; }},
        BadSpecCase{"batch_size", [](JobSpec& s) { s.batch_size = 1; }},
        BadSpecCase{"epochs", [](JobSpec& s) { s.epochs = -1; }},
        BadSpecCase{"max_steps", [](JobSpec& s) { s.max_steps = -5; }},
        BadSpecCase{"learning_rate", [](JobSpec& s) { s.learning_rate = 2; }},
        BadSpecCase{"beta1", [](JobSpec& s) { s.beta1 = 1; }},
        BadSpecCase{"beta2", [](JobSpec& s) { s.beta2 = -0.1f; }},
        BadSpecCase{"d_steps_per_g_step", [](JobSpec& s) { s.d_steps_per_g_step = 0; }},
        BadSpecCase{"checkpoint_every_steps", [](JobSpec& s) { s.checkpoint_every_steps = -1; }},
        BadSpecCase{"maxout_pieces", [](JobSpec& s) { s.maxout_pieces = 99; }}));

TEST(JobSpecTest, JsonRoundTrip) {
  JobSpec spec = WithDefaults(JobSpec{});
  spec.architecture = Architecture::kMlp;
  spec.seed = 0xfedcba9876543210ULL;
  spec.max_steps = 1234567890123;
  JobSpec back;
  ASSERT_TRUE(JobSpecFromJson(JobSpecToJson(spec), &back).ok());
  EXPECT_EQ(back, spec);
}

TEST(JobSpecTest, JsonGarbageIsAnError) {
  JobSpec spec;
  EXPECT_FALSE(JobSpecFromJson("{not json", &spec).ok());
  EXPECT_FALSE(JobSpecFromJson("[1,2]", &spec).ok());
  EXPECT_FALSE(JobSpecFromJson(R"({"image_size": "big"})", &spec).ok());
}

}  // namespace
}  // namespace dcgan
