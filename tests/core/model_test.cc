#include <gtest/gtest.h>
#include <torch/torch.h>

#include "core/model/dcgan.h"
#include "core/model/networks.h"
#include "core/model/transposed_conv2d.h"

namespace dcgan {
namespace {

JobSpec Spec(int size, int channels, Architecture arch = Architecture::kDcgan) {
  JobSpec spec;
  spec.architecture = arch;
  spec.image_size = size;
  spec.channels = channels;
  spec.generator_width = 8;
  spec.discriminator_width = 8;
  return WithDefaults(spec);
}

template <typename T>
int Count(torch::nn::Module& module) {
  int n = 0;
  for (const auto& m : module.modules(/*include_self=*/false)) n += m->as<T>() != nullptr;
  return n;
}

class DcganShapeTest : public ::testing::TestWithParam<std::tuple<int, int>> {};

TEST_P(DcganShapeTest, ShapesAndLayerRules) {
  const auto [size, channels] = GetParam();
  const JobSpec spec = Spec(size, channels);
  GanNetworks nets = BuildNetworks(spec, 1);
  const int up = DcganUpsamplingLayers(size);
  EXPECT_EQ(1 << (up + 2), size);

  torch::Tensor images = nets.generator->forward(torch::randn({3, spec.latent_dim}));
  EXPECT_EQ(images.sizes(), (std::vector<int64_t>{3, channels, size, size}));
  EXPECT_LE(images.max().item<float>(), 1.0f);  // tanh output
  EXPECT_GE(images.min().item<float>(), -1.0f);
  EXPECT_EQ(nets.discriminator->forward(images).sizes(), (std::vector<int64_t>{3}));

  // G: up + 1 transposed convs, batch norm after all but the output layer.
  EXPECT_EQ(Count<TransposedConv2dImpl>(*nets.generator), up + 1);
  EXPECT_EQ(Count<torch::nn::BatchNorm2dImpl>(*nets.generator), up);
  // D: up strided convs + the 4x4 logit conv, batch norm on all but the input layer.
  EXPECT_EQ(Count<torch::nn::Conv2dImpl>(*nets.discriminator), up + 1);
  EXPECT_EQ(Count<torch::nn::BatchNorm2dImpl>(*nets.discriminator), up - 1);
  // No fully connected layers, no pooling.
  EXPECT_EQ(Count<torch::nn::LinearImpl>(*nets.generator), 0);
  EXPECT_EQ(Count<torch::nn::LinearImpl>(*nets.discriminator), 0);
  for (const auto& m : nets.discriminator->modules(false)) {
    EXPECT_EQ(m->name().find("Pool"), std::string::npos) << m->name();
  }
  // The widths double towards G's input and D's output.
  auto g_params = nets.generator->named_parameters();
  EXPECT_EQ(g_params["conv0.weight"].size(1), int64_t{8} << (up - 1));
  EXPECT_EQ(g_params["conv" + std::to_string(up) + ".weight"].size(1), channels);
  EXPECT_FALSE(nets.generator->named_parameters().contains("bn" + std::to_string(up) + ".weight"));
  EXPECT_FALSE(nets.discriminator->named_parameters().contains("bn0.weight"));
}

INSTANTIATE_TEST_SUITE_P(AllSizes, DcganShapeTest,
                         ::testing::Combine(::testing::Values(16, 32, 64, 128),
                                            ::testing::Values(1, 3)));

TEST(InitTest, WeightsFollowThePaper) {
  JobSpec spec = Spec(64, 3);
  spec.generator_width = 64;
  spec.discriminator_width = 64;
  GanNetworks nets = BuildNetworks(spec, 5);
  for (auto* module : {static_cast<torch::nn::Module*>(nets.generator.get()),
                       static_cast<torch::nn::Module*>(nets.discriminator.get())}) {
    for (const auto& p : module->named_parameters()) {
      if (p.value().numel() < 500) continue;  // too few for tight statistics
      const bool norm = p.key().find("bn") != std::string::npos;
      const bool bias = p.key().find("bias") != std::string::npos;
      const double mean = p.value().mean().item<double>();
      const double std = p.value().std().item<double>();
      if (bias) {
        EXPECT_EQ(p.value().abs().max().item<double>(), 0) << p.key();
      } else {
        EXPECT_NEAR(mean, norm ? 1.0 : 0.0, 0.003) << p.key();
        EXPECT_NEAR(std, 0.02, 0.002) << p.key();
      }
    }
  }
  // Same seed, same weights; another seed, others.
  GanNetworks again = BuildNetworks(spec, 5);
  GanNetworks other = BuildNetworks(spec, 6);
  auto w = [](GanNetworks& n) { return n.generator->named_parameters()["conv1.weight"]; };
  EXPECT_TRUE(torch::equal(w(nets), w(again)));
  EXPECT_FALSE(torch::equal(w(nets), w(other)));
}

struct ConvCase {
  int64_t batch, in, out, side, stride, padding;
};

class TransposedConvTest : public ::testing::TestWithParam<ConvCase> {};

TEST_P(TransposedConvTest, ConvolutionGradientPathMatchesNative) {
  const ConvCase c = GetParam();
  torch::manual_seed(3);
  torch::Tensor x = torch::randn({c.batch, c.in, c.side, c.side}, torch::requires_grad());
  torch::Tensor w = (0.1 * torch::randn({c.in, c.out, 4, 4})).requires_grad_();
  torch::Tensor x2 = x.detach().clone().requires_grad_();
  torch::Tensor w2 = w.detach().clone().requires_grad_();

  torch::Tensor native =
      TransposedConvolution(x, w, c.stride, c.padding, TransposedConvAlgorithm::kNative);
  torch::Tensor fast = TransposedConvolution(x2, w2, c.stride, c.padding,
                                             TransposedConvAlgorithm::kConvolutionGradient);
  ASSERT_EQ(native.sizes(), fast.sizes());
  EXPECT_TRUE(torch::allclose(native, fast, 1e-4, 1e-5));

  torch::Tensor upstream = torch::randn_like(native);
  (native * upstream).sum().backward();
  (fast * upstream).sum().backward();
  EXPECT_TRUE(torch::allclose(x.grad(), x2.grad(), 1e-4, 1e-4));
  EXPECT_TRUE(torch::allclose(w.grad(), w2.grad(), 1e-3, 1e-3));
}

INSTANTIATE_TEST_SUITE_P(Layers, TransposedConvTest,
                         ::testing::Values(ConvCase{4, 100, 64, 1, 1, 0},  // G's projection
                                           ConvCase{4, 64, 32, 4, 2, 1},
                                           ConvCase{2, 32, 3, 16, 2, 1},
                                           ConvCase{1, 16, 1, 8, 2, 1},
                                           ConvCase{3, 8, 8, 5, 1, 0}));

TEST(MlpTest, ShapesAndMaxout) {
  for (int pieces : {1, 5}) {
    JobSpec spec = Spec(16, 3, Architecture::kMlp);
    spec.generator_width = 32;
    spec.discriminator_width = 16;
    spec.maxout_pieces = pieces;
    GanNetworks nets = BuildNetworks(spec, 2);
    torch::Tensor images = nets.generator->forward(torch::randn({5, spec.latent_dim}));
    EXPECT_EQ(images.sizes(), (std::vector<int64_t>{5, 3, 16, 16}));
    EXPECT_EQ(nets.discriminator->forward(images).sizes(), (std::vector<int64_t>{5}));
    EXPECT_EQ(nets.discriminator->named_parameters()["fc0.weight"].size(0), 16 * pieces);
  }
}

TEST(MlpTest, DropoutFollowsItsGenerator) {
  JobSpec spec = Spec(16, 1, Architecture::kMlp);
  GanNetworks nets = BuildNetworks(spec, 2);
  torch::Tensor x = torch::randn({4, 1, 16, 16});
  auto run = [&](uint64_t seed) {
    nets.discriminator->set_dropout_generator(at::make_generator<at::CPUGeneratorImpl>(seed));
    return nets.discriminator->forward(x);
  };
  EXPECT_TRUE(torch::equal(run(1), run(1)));
  EXPECT_FALSE(torch::equal(run(1), run(2)));
  nets.discriminator->eval();
  EXPECT_TRUE(torch::equal(run(1), run(2)));  // no dropout at inference
}

TEST(MacsTest, MatchesHandCount) {
  const JobSpec spec = WithDefaults(JobSpec{});  // 64x64, ngf = ndf = 64, nc = 1
  const int64_t g = 100 * 512 * 16 + 16 * 512 * 256 * 16 + 64 * 256 * 128 * 16 +
                    256 * 128 * 64 * 16 + 1024 * 64 * 1 * 16;
  EXPECT_EQ(GeneratorMacsPerImage(spec), g);
  const int64_t d = 1024 * 1 * 64 * 16 + 256 * 64 * 128 * 16 + 64 * 128 * 256 * 16 +
                    16 * 256 * 512 * 16 + 512 * 16;
  EXPECT_EQ(DiscriminatorMacsPerImage(spec), d);
}

}  // namespace
}  // namespace dcgan
