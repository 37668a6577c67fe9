// Sampling throughput and latency, in one run, on 32x32 and 64x64 generators:
//   raw     the generator's forward pass in this process, no RPC, at batch
//           1, 8, 64 and 256 (and at whatever mean batch the server reached);
//   served  Sample through a real dcgan-server on loopback, driven by
//           `dcganctl bench sample` at concurrency 1, 8 and 64 (count 1) and
//           at count 256, with dynamic batching on and then off.
// Each served figure is set against the raw figure at the mean batch size
// the server's forward passes reached (from its dcgan_sample_batch_size
// metric). Also: what recording the metrics costs per call. The last line is
// `RESULT key=value ...`.
//
// Usage: sample_bench [--seconds S]   (S per served run, default 5)

#include <torch/torch.h>

#include <chrono>
#include <cmath>
#include <cstdio>
#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "core/checkpoint/checkpoint.h"
#include "core/image/png_codec.h"
#include "core/sample/image_tensor.h"
#include "core/sample/loaded_generator.h"
#include "core/train/torch_threads.h"
#include "server/sample_metrics.h"
#include "tests/testing/exposition.h"
#include "tests/testing/http_get.h"
#include "tests/testing/server_process.h"
#include "tests/testing/temp_dir.h"

namespace dcgan {
namespace {

using Clock = std::chrono::steady_clock;
using Json = nlohmann::json;

double Seconds(Clock::duration d) { return std::chrono::duration<double>(d).count(); }

// Forward passes per second of `generator` at `batch`, over at least
// `min_seconds` after a warm-up pass.
double RawImagesPerSecond(const LoadedGenerator& generator, int batch, double min_seconds) {
  const torch::Tensor latents = LatentsForSeed(1, batch, generator.spec().latent_dim);
  (void)generator.Generate(latents);
  int passes = 0;
  const Clock::time_point start = Clock::now();
  while (passes < 3 || Seconds(Clock::now() - start) < min_seconds) {
    (void)generator.Generate(latents);
    ++passes;
  }
  return double(passes) * batch / Seconds(Clock::now() - start);
}

// The server's forward-pass counters: (passes, latents).
std::pair<double, double> BatchCounters(const testing::ServerProcess& server) {
  const std::string text = testing::HttpGet(server.metrics_address(), "/metrics").body;
  auto value = [&](const std::string& name) {
    return testing::ExpositionValue(text, name).value_or(0);
  };
  return {value("dcgan_sample_batch_size_count"), value("dcgan_sample_batch_size_sum")};
}

struct Served {
  Json report;
  double mean_batch = 0;
};

Served RunLoad(const testing::ServerProcess& server, const std::string& model, int concurrency,
               int count, double seconds) {
  const auto before = BatchCounters(server);
  auto r = server.Ctl({"bench", "sample", "--model=" + model,
                       "--concurrency=" + std::to_string(concurrency),
                       "--count=" + std::to_string(count), "--duration=" + absl::StrCat(seconds),
                       "--timeout=60", "--json"});
  const auto after = BatchCounters(server);
  Served served;
  served.report = Json::parse(r.output.substr(0, r.output.find('\n')), nullptr, false);
  if (!served.report.is_object()) {
    std::fprintf(stderr, "bench sample failed (%d): %s\n", r.exit_code, r.output.c_str());
    std::exit(1);
  }
  const double passes = after.first - before.first;
  served.mean_batch = passes > 0 ? (after.second - before.second) / passes : 0;
  return served;
}

// What SampleMetrics and the per-RPC interceptor record for one call:
// counter adds and histogram observations, as on the request path.
double MetricsNanosecondsPerCall() {
  prometheus::Registry registry;
  SampleMetrics metrics(registry);
  auto& started =
      prometheus::BuildCounter().Name("b_started_total").Help("x").Register(registry).Add({});
  auto& handled =
      prometheus::BuildCounter().Name("b_handled_total").Help("x").Register(registry).Add({});
  auto& seconds = prometheus::BuildHistogram()
                      .Name("b_seconds")
                      .Help("x")
                      .Register(registry)
                      .Add({}, prometheus::Histogram::BucketBoundaries{0.001, 0.0025, 0.005, 0.01,
                                                                       0.025, 0.05, 0.1, 0.25, 0.5,
                                                                       1, 2.5, 5, 10, 30, 60, 300});
  constexpr int kCalls = 2000000;
  const Clock::time_point start = Clock::now();
  for (int i = 0; i < kCalls; ++i) {
    started.Increment();
    metrics.RecordForwardPass(1);
    metrics.RecordRequest(SampleMethod::kSample, grpc::StatusCode::OK, 1, 0.008);
    handled.Increment();
    seconds.Observe(0.008);
  }
  return Seconds(Clock::now() - start) * 1e9 / kCalls;
}

// Microseconds to encode one image of `generator`'s as PNG, on one thread.
double PngMicrosecondsPerImage(const LoadedGenerator& generator) {
  const torch::Tensor pixels =
      ToPixels(*generator.Generate(LatentsForSeed(2, 64, generator.spec().latent_dim)));
  const int size = generator.spec().image_size, channels = generator.spec().channels;
  const size_t each = size_t(size) * size * channels;
  int encoded = 0;
  const Clock::time_point start = Clock::now();
  while (encoded < 640 || Seconds(Clock::now() - start) < 0.5) {
    (void)EncodePng(size, size, channels, pixels.data_ptr<uint8_t>() + (encoded % 64) * each);
    ++encoded;
  }
  return Seconds(Clock::now() - start) * 1e6 / encoded;
}

int Main(int argc, char** argv) {
  double seconds = 5;
  for (int i = 1; i + 1 < argc; ++i) {
    if (std::string(argv[i]) == "--seconds") (void)absl::SimpleAtod(argv[i + 1], &seconds);
  }
  const int threads = ConfigureTorchThreads(0);
  testing::TempDir dir;
  const std::string state = dir.file("state");
  const std::vector<std::string> quiet = {"--log_calls=false"};

  std::map<int, std::shared_ptr<const LoadedGenerator>> generators;
  {
    testing::ServerProcess server(state, quiet);
    if (!server.Start()) {
      std::fprintf(stderr, "server did not start:\n%s\n", server.log().c_str());
      return 1;
    }
    for (int size : {32, 64}) {
      const std::string model = absl::StrCat("g", size);
      // Default architecture (widths 64, z 100); two steps give a checkpoint:
      // the weights' values do not change the cost of a forward pass.
      auto r = server.Ctl({"train", "--job_id=" + model, "--image_size=" + std::to_string(size),
                           "--max_steps=2", "--checkpoint_every_steps=2", "--watch"});
      if (r.exit_code != 0) {
        std::fprintf(stderr, "training %s failed: %s\n", model.c_str(), r.output.c_str());
        return 1;
      }
      const std::string job_dir = state + "/checkpoints/" + model;
      generators[size] =
          *LoadedGenerator::Load(CheckpointDir(job_dir, ListCheckpointSteps(job_dir).back()));
    }
  }

  std::printf("sample_bench: %d torch threads, %.0f s per served run, PNG responses\n\n", threads,
              seconds);
  std::string result = "RESULT";
  bool all_met = true;
  int64_t total_errors = 0;
  for (int size : {32, 64}) {
    const std::string model = absl::StrCat("g", size);
    const LoadedGenerator& generator = *generators[size];
    std::map<int, double> raw;
    auto raw_at = [&](int batch) {
      batch = std::max(1, batch);
      if (!raw.count(batch)) raw[batch] = RawImagesPerSecond(generator, batch, 1.5);
      return raw[batch];
    };
    std::printf("%dx%d generator: raw forward, in process\n", size, size);
    for (int batch : {1, 8, 64, 256}) {
      std::printf("  batch %3d: %8.1f images/s  (%.2f ms per pass)\n", batch, raw_at(batch),
                  1000.0 * batch / raw_at(batch));
      absl::StrAppend(&result, absl::StrFormat(" raw%d_b%d=%.1f", size, batch, raw_at(batch)));
    }

    const double png_us = PngMicrosecondsPerImage(generator);
    std::printf(
        "  PNG encode: %.1f us per image, one thread (%.1f%% of a batch-64 forward per image)\n",
        png_us, 100 * png_us / (1e6 / raw_at(64)));
    absl::StrAppend(&result, absl::StrFormat(" png%d_us=%.1f", size, png_us));

    std::map<std::string, Served> runs;
    for (bool batching : {true, false}) {
      testing::ServerProcess server(
          state, {"--log_calls=false", absl::StrCat("--batching=", batching ? "true" : "false")});
      if (!server.Start()) {
        std::fprintf(stderr, "server did not start:\n%s\n", server.log().c_str());
        return 1;
      }
      (void)RunLoad(server, model, 8, 1, 1.0);  // warm-up: model loaded, threads spawned
      std::printf("served, batching %s:\n", batching ? "on" : "off");
      std::printf("  %-16s %9s %9s %8s %8s %8s %8s %10s %6s\n", "load", "images/s", "mean batch",
                  "p50 ms", "p90 ms", "p99 ms", "max ms", "vs raw", "errors");
      for (auto [concurrency, count] :
           std::vector<std::pair<int, int>>{{1, 1}, {8, 1}, {64, 1}, {1, 256}}) {
        Served s = RunLoad(server, model, concurrency, count, seconds);
        const Json& j = s.report;
        const double ratio =
            j["images_per_second"].get<double>() / raw_at(int(std::lround(s.mean_batch)));
        int64_t errors = j["calls"].get<int64_t>() - j["ok"].get<int64_t>();
        total_errors += errors;
        const std::string name = absl::StrCat("c", concurrency, "_n", count);
        std::printf("  %-16s %9.1f %9.1f %8.2f %8.2f %8.2f %8.2f %9.2fx %6lld\n",
                    absl::StrCat("conc ", concurrency, " count ", count).c_str(),
                    j["images_per_second"].get<double>(), s.mean_batch,
                    j["latency_ms"]["p50"].get<double>(), j["latency_ms"]["p90"].get<double>(),
                    j["latency_ms"]["p99"].get<double>(), j["latency_ms"]["max"].get<double>(),
                    ratio, (long long)errors);
        const std::string key = absl::StrCat(batching ? "on" : "off", size, "_", name);
        absl::StrAppend(
            &result,
            absl::StrFormat(" %s_ips=%.1f %s_p50ms=%.2f %s_batch=%.1f %s_vs_raw=%.2f", key,
                            j["images_per_second"].get<double>(), key,
                            j["latency_ms"]["p50"].get<double>(), key, s.mean_batch, key, ratio));
        runs[absl::StrCat(batching ? "on_" : "off_", name)] = std::move(s);
      }
    }
    // The targets.
    const double c64 = runs["on_c64_n1"].report["images_per_second"].get<double>();
    const double c64_vs_raw64 = c64 / raw_at(64);
    const double raw1_ms = 1000.0 / raw_at(1);
    const double c1_p50 = runs["on_c1_n1"].report["latency_ms"]["p50"].get<double>();
    const double gain = c64 / runs["off_c64_n1"].report["images_per_second"].get<double>();
    const bool met = c64_vs_raw64 >= 0.8 && c1_p50 <= raw1_ms + 1 && gain >= 3;
    all_met = all_met && met;
    std::printf(
        "targets %dx%d: conc-64 / raw batch-64 = %.2f (>= 0.8); conc-1 p50 %.2f ms vs raw batch-1 "
        "%.2f ms + 1 (%s); batching on/off at conc 64 = %.2fx (>= 3)\n\n",
        size, size, c64_vs_raw64, c1_p50, raw1_ms, c1_p50 <= raw1_ms + 1 ? "met" : "missed", gain);
    absl::StrAppend(&result,
                    absl::StrFormat(" target%d_c64_vs_raw64=%.2f target%d_c1_p50_over_raw1_ms=%.2f "
                                    "target%d_batching_gain=%.2f",
                                    size, c64_vs_raw64, size, c1_p50 - raw1_ms, size, gain));
  }
  const double metrics_ns = MetricsNanosecondsPerCall();
  std::printf("metrics recorded per Sample call: %.0f ns\n", metrics_ns);
  absl::StrAppend(&result, absl::StrFormat(" metrics_ns_per_call=%.0f errors=%lld targets_met=%d",
                                           metrics_ns, (long long)total_errors, all_met ? 1 : 0));
  std::printf("%s\n", result.c_str());
  return 0;
}

}  // namespace
}  // namespace dcgan

int main(int argc, char** argv) { return dcgan::Main(argc, argv); }
