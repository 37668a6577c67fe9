// dcganctl: the command-line client of dcgan-server.

#include <google/protobuf/util/json_util.h>
#include <grpcpp/grpcpp.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <string>
#include <thread>
#include <vector>

#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "absl/flags/usage.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "client/progress_bar.h"
#include "client/sample_load.h"
#include "dcgan/v1/sampling_service.grpc.pb.h"
#include "dcgan/v1/training_service.grpc.pb.h"
#include "grpc/health/v1/health.grpc.pb.h"

ABSL_FLAG(std::string, server, "", "server address (default: $DCGAN_SERVER or localhost:50051)");
ABSL_FLAG(double, timeout, 30, "deadline of each unary call, seconds (watch has none)");
ABSL_FLAG(bool, json, false, "print responses as JSON, for scripts");
// train
ABSL_FLAG(std::string, job_id, "", "train: client-chosen job id (a retry with it is safe)");
ABSL_FLAG(std::string, dataset, "", "train: fashion-mnist (default) or image-folder:<path>");
ABSL_FLAG(std::string, architecture, "", "train: dcgan (default) or mlp");
ABSL_FLAG(int, image_size, 0, "train: image side, power of two 16..128 (default 64)");
ABSL_FLAG(int, channels, 0, "train: 1 or 3");
ABSL_FLAG(int, latent_dim, 0, "train: z size (default 100)");
ABSL_FLAG(int, generator_width, 0, "train: ngf (default 64)");
ABSL_FLAG(int, discriminator_width, 0, "train: ndf (default 64)");
ABSL_FLAG(int, batch_size, 0, "train: default 128");
ABSL_FLAG(int, epochs, 0, "train: default 5 unless --max_steps");
ABSL_FLAG(int64_t, max_steps, 0, "train: generator steps");
ABSL_FLAG(double, learning_rate, 0, "train: Adam lr (default 0.0002)");
ABSL_FLAG(double, beta1, 0, "train: Adam beta1 (default 0.5)");
ABSL_FLAG(double, beta2, 0, "train: Adam beta2 (default 0.999)");
ABSL_FLAG(int, d_steps_per_g_step, 0, "train: k (default 1)");
ABSL_FLAG(uint64_t, seed, 0, "train, sample: seed");
ABSL_FLAG(int, checkpoint_every_steps, 0, "train: default 500");
ABSL_FLAG(int, maxout_pieces, 0,
          "train: mlp discriminator maxout pieces (default 5, 1 = LeakyReLU)");
ABSL_FLAG(bool, watch, false, "train: watch the job until it ends");
// jobs
ABSL_FLAG(std::string, state, "", "jobs: only QUEUED, RUNNING, SUCCEEDED, FAILED or CANCELLED");
ABSL_FLAG(int, page_size, 50, "jobs: jobs per page");
// sample, interpolate
ABSL_FLAG(int, count, 0, "sample: images (default 16); bench sample: images per call (default 1)");
ABSL_FLAG(int64_t, checkpoint_step, 0, "sample, interpolate: checkpoint (0: newest)");
ABSL_FLAG(std::string, out, "", "sample, interpolate: write one grid PNG here");
ABSL_FLAG(std::string, out_dir, "", "sample, interpolate: write one PNG per image here");
ABSL_FLAG(uint64_t, seed_from, 0, "interpolate: start seed");
ABSL_FLAG(uint64_t, seed_to, 1, "interpolate: end seed");
ABSL_FLAG(int, steps, 8, "interpolate: images along the walk");
ABSL_FLAG(std::string, method, "spherical", "interpolate: linear or spherical");

ABSL_FLAG(std::string, model, "", "bench sample: the model (job id) to sample");
ABSL_FLAG(int, concurrency, 1, "bench sample: Sample calls kept in flight");
ABSL_FLAG(double, duration, 10, "bench sample: seconds to keep issuing calls");
ABSL_FLAG(std::string, format, "png", "bench sample: png, grid or raw");

namespace dcgan {
namespace {

// Exit codes; `watch` and `train --watch` also report the job's outcome.
constexpr int kOk = 0;
constexpr int kRpcError = 1;
constexpr int kUsage = 2;
constexpr int kJobFailed = 3;
constexpr int kJobCancelled = 4;

constexpr char kUsageText[] = R"(usage: dcganctl COMMAND [ARGS] [--flags]

commands:
  train [--image_size 32 --max_steps 500 ...] [--watch]   submit a training job
  jobs [--state RUNNING]                                   list jobs, newest first
  job ID                                                   show one job
  watch ID                     progress bar until the job ends; exit code follows it
  cancel ID                                                cancel a job
  sample ID [--count 16 --seed 1] (--out grid.png | --out-dir DIR)
  interpolate ID [--seed_from 0 --seed_to 1 --steps 8 --method spherical] (--out | --out-dir)
  models                                                   jobs with checkpoints
  health                                                   the server's health
  bench sample --model ID [--concurrency 1 --duration 10 --count 1 --format png]
                 load generator: requests/s, images/s, latency percentiles, errors

global: --server HOST:PORT (or $DCGAN_SERVER), --timeout SECONDS, --json
exit codes: 0 ok, 1 server error, 2 usage, 3 job failed, 4 job cancelled
)";

struct Clients {
  std::unique_ptr<v1::TrainingService::Stub> training;
  std::unique_ptr<v1::SamplingService::Stub> sampling;
  std::unique_ptr<grpc::health::v1::Health::Stub> health;
};

std::string ServerAddress() {
  std::string server = absl::GetFlag(FLAGS_server);
  if (server.empty()) {
    const char* env = std::getenv("DCGAN_SERVER");
    server = env && *env ? env : "localhost:50051";
  }
  return server;
}

void SetDeadline(grpc::ClientContext* context) {
  context->set_deadline(std::chrono::system_clock::now() +
                        std::chrono::milliseconds(int64_t(absl::GetFlag(FLAGS_timeout) * 1000)));
}

int Fail(const grpc::Status& status) {
  std::cerr << "dcganctl: " << status.error_message();
  if (status.error_code() == grpc::StatusCode::UNAVAILABLE) {
    std::cerr << " (is dcgan-server running at " << ServerAddress() << "?)";
  }
  std::cerr << "\n";
  return kRpcError;
}

void PrintJson(const google::protobuf::Message& message) {
  std::string json;
  google::protobuf::util::JsonPrintOptions options;
  options.add_whitespace = false;
  options.preserve_proto_field_names = true;
  (void)google::protobuf::util::MessageToJsonString(message, &json, options);
  std::cout << json << "\n";
}

std::string StateName(v1::Job::State state) { return v1::Job::State_Name(state); }

void PrintJob(const v1::Job& job) {
  if (absl::GetFlag(FLAGS_json)) return PrintJson(job);
  const auto& p = job.progress();
  std::cout << absl::StrFormat("%-20s %-9s %s %dx%d  step %d/%d", job.id(), StateName(job.state()),
                               job.spec().dataset(), job.spec().image_size(),
                               job.spec().image_size(), p.step(), p.total_steps());
  if (p.step() > 0) {
    std::cout << absl::StrFormat("  loss_D %.3f loss_G %.3f D(x) %.2f D(G(z)) %.2f",
                                 p.discriminator_loss(), p.generator_loss(), p.d_real(),
                                 p.d_fake());
  }
  if (job.checkpoints_size() > 0) {
    std::cout << "  checkpoints " << job.checkpoints_size() << " (newest "
              << job.checkpoints(job.checkpoints_size() - 1).step() << ")";
  }
  if (job.state() == v1::Job::RUNNING && !job.replica().empty()) {
    std::cout << "  on " << job.replica();
  }
  if (job.cancel_requested() && job.state() == v1::Job::RUNNING) std::cout << "  (cancelling)";
  if (!job.error().empty()) std::cout << "  error: " << job.error();
  std::cout << "\n";
}

int ExitCodeFor(const v1::Job& job) {
  switch (job.state()) {
    case v1::Job::SUCCEEDED:
      return kOk;
    case v1::Job::CANCELLED:
      return kJobCancelled;
    default:
      return kJobFailed;
  }
}

// A watch outlives the replica serving its stream: once a stream has
// delivered the job, a break with UNAVAILABLE (that replica drains, or the
// balancer has no replica for a moment) or UNKNOWN (haproxy's reset of a
// stream whose replica died: "Stream removed") means watch again, with
// backoff, until kWatchReconnectFor passes without a stream that delivered
// anything; the job goes on wherever a replica runs it. A server that was
// never reached fails at once, as every other command does.
constexpr auto kWatchReconnectFor = std::chrono::seconds(30);

bool WatchBrokeInTransit(const grpc::Status& status) {
  return status.error_code() == grpc::StatusCode::UNAVAILABLE ||
         status.error_code() == grpc::StatusCode::UNKNOWN;
}

int Watch(Clients& c, const std::string& id) {
  v1::WatchJobRequest request;
  request.set_job_id(id);
  const bool tty = isatty(STDERR_FILENO);
  const bool json = absl::GetFlag(FLAGS_json);
  v1::Job job;
  int64_t first_step = -1;
  auto start = std::chrono::steady_clock::now();
  bool drew = false;
  auto last_line = std::chrono::steady_clock::time_point();
  v1::Job::State last_state = v1::Job::STATE_UNSPECIFIED;
  auto show = [&] {
    if (json) return PrintJson(job);
    const auto& p = job.progress();
    if (first_step < 0 && job.state() == v1::Job::RUNNING) {
      first_step = p.step();
      start = std::chrono::steady_clock::now();
    }
    ProgressLine line{p.step(),   p.total_steps(), p.discriminator_loss(), p.generator_loss(),
                      p.d_real(), p.d_fake(),      p.images_per_second(),  0};
    const double elapsed =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    if (first_step >= 0 && elapsed > 0.5) line.steps_per_second = (p.step() - first_step) / elapsed;
    const std::string text = job.state() == v1::Job::QUEUED ? absl::StrCat(job.id(), " is queued")
                             : p.step() == 0 && job.state() == v1::Job::RUNNING
                                 ? absl::StrCat(job.id(), " is starting (loading data)")
                                 : FormatProgress(line);
    if (tty) {
      std::cerr << "\r\033[K" << text << std::flush;
      drew = true;
    } else if (job.state() != last_state || p.step() == p.total_steps() ||
               std::chrono::steady_clock::now() - last_line > std::chrono::seconds(5)) {
      // A log, not a screen: a line every few seconds is plenty.
      std::cerr << text << "\n";
      last_line = std::chrono::steady_clock::now();
    }
    last_state = job.state();
  };

  auto backoff = std::chrono::milliseconds(200);
  auto give_up_at = std::chrono::steady_clock::now() + kWatchReconnectFor;
  grpc::Status status;
  bool ever_delivered = false;
  for (;;) {
    grpc::ClientContext context;  // no deadline: training takes as long as it takes
    auto reader = c.training->WatchJob(&context, request);
    bool delivered = false;
    while (reader->Read(&job)) {
      delivered = true;
      show();
    }
    status = reader->Finish();
    ever_delivered = ever_delivered || delivered;
    if (!WatchBrokeInTransit(status) || !ever_delivered) break;
    if (delivered) {
      backoff = std::chrono::milliseconds(200);
      give_up_at = std::chrono::steady_clock::now() + kWatchReconnectFor;
    }
    if (std::chrono::steady_clock::now() + backoff > give_up_at) break;
    if (drew) std::cerr << "\n";
    drew = false;
    std::cerr << "dcganctl: " << status.error_message() << "; watching again\n";
    std::this_thread::sleep_for(backoff);
    backoff = std::min(backoff * 2, std::chrono::milliseconds(2000));
  }
  if (drew) std::cerr << "\n";
  if (!status.ok()) return Fail(status);
  if (!json) {
    std::cerr << job.id() << " " << StateName(job.state())
              << (job.error().empty() ? "" : ": " + job.error()) << "\n";
  }
  return ExitCodeFor(job);
}

int Train(Clients& c) {
  v1::CreateJobRequest request;
  request.set_job_id(absl::GetFlag(FLAGS_job_id));
  v1::JobSpec* spec = request.mutable_spec();
  spec->set_dataset(absl::GetFlag(FLAGS_dataset));
  const std::string arch = absl::GetFlag(FLAGS_architecture);
  if (arch == "mlp") {
    spec->set_architecture(v1::MLP);
  } else if (arch == "dcgan") {
    spec->set_architecture(v1::DCGAN);
  } else if (!arch.empty()) {
    std::cerr << "dcganctl: --architecture must be dcgan or mlp\n";
    return kUsage;
  }
  spec->set_image_size(absl::GetFlag(FLAGS_image_size));
  spec->set_channels(absl::GetFlag(FLAGS_channels));
  spec->set_latent_dim(absl::GetFlag(FLAGS_latent_dim));
  spec->set_generator_width(absl::GetFlag(FLAGS_generator_width));
  spec->set_discriminator_width(absl::GetFlag(FLAGS_discriminator_width));
  spec->set_batch_size(absl::GetFlag(FLAGS_batch_size));
  spec->set_epochs(absl::GetFlag(FLAGS_epochs));
  spec->set_max_steps(absl::GetFlag(FLAGS_max_steps));
  spec->set_learning_rate(float(absl::GetFlag(FLAGS_learning_rate)));
  spec->set_beta1(float(absl::GetFlag(FLAGS_beta1)));
  spec->set_beta2(float(absl::GetFlag(FLAGS_beta2)));
  spec->set_d_steps_per_g_step(absl::GetFlag(FLAGS_d_steps_per_g_step));
  spec->set_seed(absl::GetFlag(FLAGS_seed));
  spec->set_checkpoint_every_steps(absl::GetFlag(FLAGS_checkpoint_every_steps));
  spec->set_maxout_pieces(absl::GetFlag(FLAGS_maxout_pieces));
  grpc::ClientContext context;
  SetDeadline(&context);
  v1::Job job;
  grpc::Status status = c.training->CreateJob(&context, request, &job);
  if (!status.ok()) return Fail(status);
  if (!absl::GetFlag(FLAGS_watch) || absl::GetFlag(FLAGS_json)) PrintJob(job);
  if (!absl::GetFlag(FLAGS_json)) std::cerr << "submitted " << job.id() << "\n";
  return absl::GetFlag(FLAGS_watch) ? Watch(c, job.id()) : kOk;
}

int Jobs(Clients& c) {
  v1::ListJobsRequest request;
  request.set_page_size(absl::GetFlag(FLAGS_page_size));
  const std::string state = absl::GetFlag(FLAGS_state);
  if (!state.empty()) {
    v1::Job::State value;
    if (!v1::Job::State_Parse(state, &value)) {
      std::cerr << "dcganctl: --state must be QUEUED, RUNNING, SUCCEEDED, FAILED or CANCELLED\n";
      return kUsage;
    }
    request.set_state(value);
  }
  grpc::ClientContext context;
  SetDeadline(&context);
  v1::ListJobsResponse response;
  grpc::Status status = c.training->ListJobs(&context, request, &response);
  if (!status.ok()) return Fail(status);
  if (absl::GetFlag(FLAGS_json)) {
    PrintJson(response);
  } else {
    for (const v1::Job& job : response.jobs()) PrintJob(job);
  }
  return kOk;
}

int GetOrCancel(Clients& c, const std::string& id, bool cancel) {
  grpc::ClientContext context;
  SetDeadline(&context);
  v1::Job job;
  grpc::Status status;
  if (cancel) {
    v1::CancelJobRequest request;
    request.set_job_id(id);
    status = c.training->CancelJob(&context, request, &job);
  } else {
    v1::GetJobRequest request;
    request.set_job_id(id);
    status = c.training->GetJob(&context, request, &job);
  }
  if (!status.ok()) return Fail(status);
  PrintJob(job);
  return kOk;
}

// Writes the response's images where --out / --out-dir say.
int WriteImages(const v1::SampleResponse& response) {
  const std::string out = absl::GetFlag(FLAGS_out);
  const std::string out_dir = absl::GetFlag(FLAGS_out_dir);
  std::vector<std::string> written;
  if (!out.empty()) {
    std::ofstream(out, std::ios::binary) << response.grid_png();
    written.push_back(out);
  } else {
    std::error_code ec;
    std::filesystem::create_directories(out_dir, ec);
    for (int i = 0; i < response.images_size(); ++i) {
      const std::string path = absl::StrFormat("%s/sample-%03d.png", out_dir, i);
      std::ofstream(path, std::ios::binary) << response.images(i).png();
      written.push_back(path);
    }
  }
  if (absl::GetFlag(FLAGS_json)) {
    v1::SampleResponse summary = response;
    summary.clear_images();
    summary.clear_grid_png();
    PrintJson(summary);
  } else {
    for (const std::string& path : written) std::cout << path << "\n";
    std::cerr << response.model() << " checkpoint " << response.checkpoint_step() << "\n";
  }
  return kOk;
}

bool CheckOutputFlags() {
  if (absl::GetFlag(FLAGS_out).empty() == absl::GetFlag(FLAGS_out_dir).empty()) {
    std::cerr << "dcganctl: give exactly one of --out FILE.png (a grid) or --out-dir DIR\n";
    return false;
  }
  return true;
}

v1::Format OutputFormat() { return absl::GetFlag(FLAGS_out).empty() ? v1::PNG : v1::PNG_GRID; }

int Sample(Clients& c, const std::string& id) {
  if (!CheckOutputFlags()) return kUsage;
  v1::SampleRequest request;
  request.set_model(id);
  const int count = absl::GetFlag(FLAGS_count);
  request.set_count(count == 0 ? 16 : count);
  request.set_seed(absl::GetFlag(FLAGS_seed));
  request.set_checkpoint_step(absl::GetFlag(FLAGS_checkpoint_step));
  request.set_format(OutputFormat());
  grpc::ClientContext context;
  SetDeadline(&context);
  v1::SampleResponse response;
  grpc::Status status = c.sampling->Sample(&context, request, &response);
  if (!status.ok()) return Fail(status);
  return WriteImages(response);
}

int Interpolate(Clients& c, const std::string& id) {
  if (!CheckOutputFlags()) return kUsage;
  v1::InterpolateRequest request;
  request.set_model(id);
  request.set_seed_from(absl::GetFlag(FLAGS_seed_from));
  request.set_seed_to(absl::GetFlag(FLAGS_seed_to));
  request.set_steps(absl::GetFlag(FLAGS_steps));
  request.set_checkpoint_step(absl::GetFlag(FLAGS_checkpoint_step));
  const std::string method = absl::GetFlag(FLAGS_method);
  if (method != "linear" && method != "spherical") {
    std::cerr << "dcganctl: --method must be linear or spherical\n";
    return kUsage;
  }
  request.set_method(method == "linear" ? v1::InterpolateRequest::LINEAR
                                        : v1::InterpolateRequest::SPHERICAL);
  request.set_format(OutputFormat());
  grpc::ClientContext context;
  SetDeadline(&context);
  v1::SampleResponse response;
  grpc::Status status = c.sampling->Interpolate(&context, request, &response);
  if (!status.ok()) return Fail(status);
  return WriteImages(response);
}

int Models(Clients& c) {
  grpc::ClientContext context;
  SetDeadline(&context);
  v1::ListModelsResponse response;
  grpc::Status status = c.sampling->ListModels(&context, v1::ListModelsRequest(), &response);
  if (!status.ok()) return Fail(status);
  if (absl::GetFlag(FLAGS_json)) {
    PrintJson(response);
    return kOk;
  }
  for (const v1::ModelInfo& m : response.models()) {
    std::cout << absl::StrFormat("%-20s %-9s %dx%d  checkpoints", m.model(), StateName(m.state()),
                                 m.spec().image_size(), m.spec().image_size());
    for (int64_t step : m.checkpoint_steps()) std::cout << " " << step;
    std::cout << "\n";
  }
  return kOk;
}

int Health(Clients& c) {
  grpc::ClientContext context;
  SetDeadline(&context);
  grpc::health::v1::HealthCheckResponse response;
  grpc::Status status =
      c.health->Check(&context, grpc::health::v1::HealthCheckRequest(), &response);
  if (!status.ok()) return Fail(status);
  const std::string name =
      grpc::health::v1::HealthCheckResponse::ServingStatus_Name(response.status());
  if (absl::GetFlag(FLAGS_json)) {
    std::cout << "{\"status\":\"" << name << "\"}\n";
  } else {
    std::cout << name << "\n";
  }
  return response.status() == grpc::health::v1::HealthCheckResponse::SERVING ? kOk : kRpcError;
}

int BenchSample(const std::shared_ptr<grpc::Channel>& channel) {
  SampleLoadOptions options;
  options.model = absl::GetFlag(FLAGS_model);
  options.count = absl::GetFlag(FLAGS_count) == 0 ? 1 : absl::GetFlag(FLAGS_count);
  options.concurrency = absl::GetFlag(FLAGS_concurrency);
  options.duration = std::chrono::milliseconds(int64_t(absl::GetFlag(FLAGS_duration) * 1000));
  options.timeout = std::chrono::milliseconds(int64_t(absl::GetFlag(FLAGS_timeout) * 1000));
  options.first_seed = absl::GetFlag(FLAGS_seed);
  const std::string format = absl::GetFlag(FLAGS_format);
  if (options.model.empty() || options.count < 1 || options.concurrency < 1 ||
      options.duration.count() <= 0 || (format != "png" && format != "grid" && format != "raw")) {
    std::cerr << "dcganctl: bench sample needs --model ID, and --count, --concurrency and "
                 "--duration above 0, --format png, grid or raw\n";
    return kUsage;
  }
  options.format = format == "png" ? v1::PNG : format == "grid" ? v1::PNG_GRID : v1::RAW_FLOAT32;
  const SampleLoadReport report = RunSampleLoad(channel, options);
  std::cout << (absl::GetFlag(FLAGS_json) ? ReportJson(report, options)
                                          : ReportText(report, options));
  return report.errors.empty() && report.ok > 0 ? kOk : kRpcError;
}

int Run(const std::vector<std::string>& args) {
  if (args.empty()) {
    std::cerr << kUsageText;
    return kUsage;
  }
  const std::string& command = args[0];
  grpc::ChannelArguments channel_args;
  channel_args.SetMaxReceiveMessageSize(256 << 20);
  auto channel =
      grpc::CreateCustomChannel(ServerAddress(), grpc::InsecureChannelCredentials(), channel_args);
  Clients c{v1::TrainingService::NewStub(channel), v1::SamplingService::NewStub(channel),
            grpc::health::v1::Health::NewStub(channel)};
  auto need_id = [&]() -> const std::string* {
    if (args.size() != 2) {
      std::cerr << "dcganctl: " << command << " takes one job id\n" << kUsageText;
      return nullptr;
    }
    return &args[1];
  };
  if (command == "bench") {
    if (args.size() != 2 || args[1] != "sample") {
      std::cerr << "dcganctl: bench takes one target: sample\n" << kUsageText;
      return kUsage;
    }
    return BenchSample(channel);
  }
  if (command == "train") return Train(c);
  if (command == "jobs") return Jobs(c);
  if (command == "models") return Models(c);
  if (command == "health") return Health(c);
  if (command == "job" || command == "watch" || command == "cancel" || command == "sample" ||
      command == "interpolate") {
    const std::string* id = need_id();
    if (!id) return kUsage;
    if (command == "job") return GetOrCancel(c, *id, false);
    if (command == "cancel") return GetOrCancel(c, *id, true);
    if (command == "watch") return Watch(c, *id);
    if (command == "sample") return Sample(c, *id);
    return Interpolate(c, *id);
  }
  std::cerr << "dcganctl: unknown command \"" << command << "\"\n" << kUsageText;
  return kUsage;
}

}  // namespace
}  // namespace dcgan

int main(int argc, char** argv) {
  absl::SetProgramUsageMessage(dcgan::kUsageText);
  // Accept --out-dir as well as --out_dir: flag names take '_', users type '-'.
  std::vector<std::string> storage(argv, argv + argc);
  for (std::string& arg : storage) {
    if (arg.rfind("--", 0) != 0) continue;
    const size_t end = std::min(arg.find('='), arg.size());
    for (size_t i = 2; i < end; ++i) {
      if (arg[i] == '-') arg[i] = '_';
    }
  }
  std::vector<char*> fixed;
  for (std::string& arg : storage) fixed.push_back(arg.data());
  std::vector<char*> positional = absl::ParseCommandLine(int(fixed.size()), fixed.data());
  return dcgan::Run(std::vector<std::string>(positional.begin() + 1, positional.end()));
}
