// Training throughput, four ways, interleaved in one run:
//   (a) a bare LibTorch DCGAN loop on the stock stack (Debian's reference BLAS),
//   (d) the same bare loop with only OpenBLAS put under torch,
//   (c) the same bare loop with our configuration (OpenBLAS, our thread
//       settings, transposed convolutions through oneDNN's backward-data path),
//   (b) our Trainer with its defaults (prefetching data thread, observer).
// Each measurement runs in a child process so the BLAS can differ
// (LD_LIBRARY_PATH picks which libblas.so.3 torch binds); each child checks
// and prints which library it got. The last line is `RESULT key=value ...`.
//
// Usage: train_bench [--steps N] [--rounds R] [--sizes 64,32]

#include <torch/torch.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_split.h"
#include "core/data/dataset.h"
#include "core/model/networks.h"
#include "core/train/torch_threads.h"
#include "core/train/trainer.h"
#include "tests/testing/temp_dir.h"

namespace dcgan {
namespace {

using Clock = std::chrono::steady_clock;
constexpr int kBatch = 64;
constexpr int kThreads = 2;
constexpr char kReferenceBlas[] = "/usr/lib/x86_64-linux-gnu/blas:/usr/lib/x86_64-linux-gnu/lapack";
constexpr char kOpenBlas[] = "/usr/lib/x86_64-linux-gnu/openblas-openmp";

double Seconds(Clock::duration d) { return std::chrono::duration<double>(d).count(); }

JobSpec BenchSpec(int size) {
  JobSpec spec;
  spec.image_size = size;
  spec.batch_size = kBatch;
  spec.max_steps = 1000000;
  spec.checkpoint_every_steps = 1000000;
  return WithDefaults(spec);
}

// The BLAS this process actually mapped, from /proc/self/maps.
std::string MappedBlas() {
  std::ifstream maps("/proc/self/maps");
  std::string line, found;
  while (std::getline(maps, line)) {
    for (const char* name : {"libblas.so", "libopenblas"}) {
      const size_t at = line.find('/');
      if (line.find(name) != std::string::npos && at != std::string::npos) {
        const std::string path = line.substr(at);
        if (found.find(path) == std::string::npos) found += (found.empty() ? "" : ",") + path;
      }
    }
  }
  return found;
}

// Steady-state FLOPs of one training image: G forward and backward (3x its
// forward), D forward on real and fake and their backward (2 x 3x), and D
// forward and input-gradient on the fake for G's step (2x).
double FlopsPerImage(const JobSpec& spec) {
  return 2.0 * (3.0 * GeneratorMacsPerImage(spec) + 8.0 * DiscriminatorMacsPerImage(spec));
}

// pytorch/examples' DCGAN loop, on batches already in memory.
double BareLoop(const JobSpec& spec, TransposedConvAlgorithm conv, int steps) {
  DatasetOptions data_options;
  data_options.max_examples = kBatch * 8;
  auto data = OpenDataset(spec.dataset, spec.image_size, spec.channels, data_options);
  if (!data.ok()) {
    std::cerr << data.status() << "\n";
    std::exit(1);
  }
  std::vector<torch::Tensor> batches;
  for (int b = 0; b < 8; ++b) {
    torch::Tensor t = torch::empty({kBatch, spec.channels, spec.image_size, spec.image_size});
    for (int i = 0; i < kBatch; ++i) {
      (void)(*data)->GetExample(b * kBatch + i, t[i].data_ptr<float>());
    }
    batches.push_back(t);
  }
  GanNetworks nets = BuildNetworks(spec, 1, {conv});
  torch::optim::Adam opt_g(nets.generator->parameters(),
                           torch::optim::AdamOptions(2e-4).betas({0.5, 0.999}));
  torch::optim::Adam opt_d(nets.discriminator->parameters(),
                           torch::optim::AdamOptions(2e-4).betas({0.5, 0.999}));
  auto step = [&](int i) {
    torch::Tensor real = batches[i % batches.size()];
    torch::Tensor z = torch::randn({kBatch, spec.latent_dim});
    torch::Tensor fake = nets.generator->forward(z);
    opt_d.zero_grad();
    torch::Tensor lr = nets.discriminator->forward(real);
    torch::Tensor lf = nets.discriminator->forward(fake.detach());
    torch::Tensor loss_d = torch::binary_cross_entropy_with_logits(lr, torch::ones_like(lr)) +
                           torch::binary_cross_entropy_with_logits(lf, torch::zeros_like(lf));
    loss_d.backward();
    opt_d.step();
    opt_g.zero_grad();
    torch::Tensor lg = nets.discriminator->forward(fake);
    torch::Tensor loss_g = torch::binary_cross_entropy_with_logits(lg, torch::ones_like(lg));
    loss_g.backward();
    opt_g.step();
    (void)loss_d.item<float>();
  };
  step(0);  // warm-up: first-call allocations and oneDNN primitive creation
  const auto start = Clock::now();
  for (int i = 1; i <= steps; ++i) step(i);
  return kBatch * steps / Seconds(Clock::now() - start);
}

double OurTrainer(const JobSpec& spec, int steps) {
  testing::TempDir dir;
  TrainerOptions options;
  options.job_dir = dir.path();
  options.data.max_examples = kBatch * 64;
  auto trainer = Trainer::Create(spec, options);
  if (!trainer.ok()) {
    std::cerr << trainer.status() << "\n";
    std::exit(1);
  }
  (void)(*trainer)->Step();  // warm-up
  const auto start = Clock::now();
  double waited = 0;
  for (int i = 0; i < steps; ++i) {
    auto p = (*trainer)->Step();
    if (!p.ok()) std::exit(1);
    waited = p->data_wait_fraction;
  }
  const double ips = kBatch * steps / Seconds(Clock::now() - start);
  std::printf("DATA_WAIT %.4f\n", waited);
  return ips;
}

// The fastest convolution we can run here: a large 4x4 stride-2 forward conv
// through oneDNN, the kernel D's layers use.
double ConvCeilingGflops() {
  torch::NoGradGuard no_grad;
  torch::Tensor x = torch::randn({64, 128, 32, 32});
  torch::Tensor w = torch::randn({256, 128, 4, 4});
  for (int i = 0; i < 2; ++i) torch::conv2d(x, w, {}, 2, 1);
  const int reps = 5;
  const auto start = Clock::now();
  for (int i = 0; i < reps; ++i) torch::conv2d(x, w, {}, 2, 1);
  const double flops = 2.0 * 64 * 256 * 16 * 16 * 128 * 16 * reps;
  return flops / Seconds(Clock::now() - start) / 1e9;
}

int Child(const std::string& mode, int size, int steps) {
  ConfigureTorchThreads(kThreads);
  const JobSpec spec = BenchSpec(size);
  double ips = 0;
  if (mode == "stock" || mode == "openblas") {
    ips = BareLoop(spec, TransposedConvAlgorithm::kNative, steps);
  } else if (mode == "ours_bare") {
    ips = BareLoop(spec, TransposedConvAlgorithm::kConvolutionGradient, steps);
  } else if (mode == "trainer") {
    ips = OurTrainer(spec, steps);
  } else if (mode == "ceiling") {
    std::printf("CEILING %.2f\n", ConvCeilingGflops());
    return 0;
  }
  std::printf("BLAS %s\nIPS %.4f\n", MappedBlas().c_str(), ips);
  return 0;
}

std::map<std::string, std::string> RunChild(const char* self, const std::string& mode, int size,
                                            int steps, const char* blas_path) {
  std::string command;
  if (blas_path) command = absl::StrCat("LD_LIBRARY_PATH=", blas_path, " ");
  absl::StrAppend(&command, self, " --child ", mode, " --size ", size, " --steps ", steps);
  FILE* pipe = popen(command.c_str(), "r");
  std::map<std::string, std::string> out;
  char line[4096];
  while (pipe && std::fgets(line, sizeof(line), pipe)) {
    std::vector<std::string> kv =
        absl::StrSplit(absl::StripTrailingAsciiWhitespace(line), absl::MaxSplits(' ', 1));
    if (kv.size() == 2) out[kv[0]] = kv[1];
  }
  if (!pipe || pclose(pipe) != 0) {
    std::cerr << "child failed: " << command << "\n";
    std::exit(1);
  }
  return out;
}

int Driver(const char* self, const std::vector<int>& sizes, int steps, int rounds) {
  std::printf("DCGAN training throughput, batch %d, %d intra-op threads, %d rounds interleaved\n",
              kBatch, kThreads, rounds);
  const double ceiling = std::stod(RunChild(self, "ceiling", 64, 0, nullptr)["CEILING"]);
  std::printf("conv ceiling (oneDNN 4x4/2 conv forward, 64x128x32x32 -> 256): %.1f GFLOP/s\n",
              ceiling);
  std::string result = absl::StrFormat("RESULT conv_ceiling_gflops=%.1f", ceiling);
  struct Config {
    const char* key;
    const char* mode;
    const char* blas;
    const char* label;
  };
  const Config configs[] = {
      {"a", "stock", kReferenceBlas, "(a) bare loop, stock (reference BLAS)"},
      {"d", "openblas", kOpenBlas, "(d) bare loop, OpenBLAS under torch"},
      {"c", "ours_bare", nullptr, "(c) bare loop, our configuration"},
      {"b", "trainer", nullptr, "(b) our trainer, defaults"},
  };
  for (int size : sizes) {
    const JobSpec spec = BenchSpec(size);
    std::map<std::string, std::vector<double>> ips;
    std::map<std::string, std::string> blas;
    std::string data_wait;
    for (int r = 0; r < rounds; ++r) {
      for (const Config& c : configs) {
        // The stock stack is ~20x slower: fewer steps keep the run short.
        const int n = std::string(c.key) == "a" ? std::max(2, steps / 8) : steps;
        auto out = RunChild(self, c.mode, size, n, c.blas);
        ips[c.key].push_back(std::stod(out["IPS"]));
        blas[c.key] = out["BLAS"];
        if (out.count("DATA_WAIT")) data_wait = out["DATA_WAIT"];
      }
    }
    std::printf("\n%dx%d (G %.2f GMAC/img, D %.2f GMAC/img):\n", size, size,
                GeneratorMacsPerImage(spec) / 1e9, DiscriminatorMacsPerImage(spec) / 1e9);
    std::map<std::string, double> best;
    for (const Config& c : configs) {
      double m = 0;
      for (double v : ips[c.key]) m = std::max(m, v);
      best[c.key] = m;
      std::string all;
      for (double v : ips[c.key])
        absl::StrAppend(&all, all.empty() ? "" : " ", absl::StrFormat("%.1f", v));
      const double gflops = m * FlopsPerImage(spec) / 1e9;
      std::printf("  %-42s %7.1f img/s  [%s]  %5.1f GFLOP/s (%.0f%% of ceiling)  blas=%s\n",
                  c.label, m, all.c_str(), gflops, 100 * gflops / ceiling, blas[c.key].c_str());
      absl::StrAppend(&result, absl::StrFormat(" s%d_%s_ips=%.1f", size, c.key, m));
    }
    const double ba = best["b"] / best["a"], bd = best["b"] / best["d"], bc = best["b"] / best["c"];
    std::printf(
        "  b/a = %.2f (target >= 7)   b/d = %.2f (target >= 1.25)   b/c = %.2f (target >= 0.95)\n",
        ba, bd, bc);
    std::printf("  trainer time waiting for data: %.2f%% of step time\n",
                100 * std::stod(data_wait));
    absl::StrAppend(&result,
                    absl::StrFormat(" s%d_b_over_a=%.2f s%d_b_over_d=%.2f s%d_b_over_c=%.2f "
                                    "s%d_data_wait=%.4f s%d_b_gflops=%.1f",
                                    size, ba, size, bd, size, bc, size, std::stod(data_wait), size,
                                    best["b"] * FlopsPerImage(spec) / 1e9));
  }
  std::printf("%s\n", result.c_str());
  return 0;
}

}  // namespace
}  // namespace dcgan

int main(int argc, char** argv) {
  std::string child;
  int size = 64, steps = 16, rounds = 2;
  std::vector<int> sizes = {64, 32};
  for (int i = 1; i + 1 < argc; i += 2) {
    const std::string flag = argv[i], value = argv[i + 1];
    if (flag == "--child")
      child = value;
    else if (flag == "--size")
      size = std::stoi(value);
    else if (flag == "--steps")
      steps = std::stoi(value);
    else if (flag == "--rounds")
      rounds = std::stoi(value);
    else if (flag == "--sizes") {
      sizes.clear();
      for (absl::string_view s : absl::StrSplit(value, ','))
        sizes.push_back(std::stoi(std::string(s)));
    }
  }
  if (!child.empty()) return dcgan::Child(child, size, steps);
  return dcgan::Driver(argv[0], sizes, steps, rounds);
}
