// dcgan-server: trains DCGANs and serves samples over gRPC.

#include <grpcpp/ext/proto_server_reflection_plugin.h>
#include <grpcpp/grpcpp.h>
#include <grpcpp/health_check_service_interface.h>
#include <signal.h>

#include <filesystem>
#include <fstream>
#include <iostream>
#include <thread>

#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "absl/flags/usage.h"
#include "absl/strings/str_cat.h"
#include "core/jobs/job_queue.h"
#include "core/jobs/sqlite_job_store.h"
#include "core/sample/model_cache.h"
#include "core/train/torch_threads.h"
#include "grpc/health/v1/health.pb.h"
#include "server/call_log_interceptor.h"
#include "server/sampling_service.h"
#include "server/training_service.h"

ABSL_FLAG(std::string, listen, "0.0.0.0:50051",
          "gRPC address to listen on (host:port; port 0 picks one)");
ABSL_FLAG(std::string, state_dir, "./var",
          "folder for the job store (jobs.db) and, by default, checkpoints");
ABSL_FLAG(std::string, checkpoint_dir, "",
          "checkpoint folder (default: <state_dir>/checkpoints); share it between replicas");
ABSL_FLAG(std::string, data_root, ".", "root that image-folder:<path> datasets resolve under");
ABSL_FLAG(std::string, fashion_mnist_dir, "/usr/share/datasets/fashion-mnist",
          "where Debian's dataset-fashion-mnist keeps its IDX files");
ABSL_FLAG(int, max_concurrent_jobs, 1, "training jobs run at once");
ABSL_FLAG(int, max_queued_jobs, 1000, "queued jobs beyond which CreateJob is RESOURCE_EXHAUSTED");
ABSL_FLAG(int, torch_threads, 0, "LibTorch intra-op threads (0: one per CPU)");
ABSL_FLAG(int, max_samples_per_request, 256, "images per Sample or Interpolate call");
ABSL_FLAG(int, max_message_bytes, 64 << 20, "largest gRPC message received or sent, bytes");
ABSL_FLAG(int, model_cache_size, 8, "loaded generators kept in memory (LRU)");
ABSL_FLAG(int, keep_last_checkpoints, 5, "checkpoints kept per job (older ones are deleted)");
ABSL_FLAG(int, drain_seconds, 30, "on SIGTERM/SIGINT, how long calls in flight may take to finish");
ABSL_FLAG(bool, log_calls, false, "log each call's start and status to stderr");
ABSL_FLAG(std::string, port_file, "",
          "if set, the bound port is written here once the server is serving (for scripts)");

namespace {

// Blocks SIGTERM and SIGINT in every thread (call before starting any), so
// one thread can take them with sigwait instead of an async handler.
sigset_t BlockShutdownSignals() {
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGTERM);
  sigaddset(&set, SIGINT);
  pthread_sigmask(SIG_BLOCK, &set, nullptr);
  return set;
}

}  // namespace

int main(int argc, char** argv) {
  absl::SetProgramUsageMessage(
      "Trains DCGANs and serves samples over gRPC.\n"
      "  dcgan-server --listen 127.0.0.1:50051 --state_dir ./var");
  absl::ParseCommandLine(argc, argv);
  const sigset_t signals = BlockShutdownSignals();
  const int threads = dcgan::ConfigureTorchThreads(absl::GetFlag(FLAGS_torch_threads));

  const std::string state_dir = absl::GetFlag(FLAGS_state_dir);
  std::string checkpoint_dir = absl::GetFlag(FLAGS_checkpoint_dir);
  if (checkpoint_dir.empty()) checkpoint_dir = state_dir + "/checkpoints";
  std::error_code ec;
  std::filesystem::create_directories(checkpoint_dir, ec);
  if (ec) {
    std::cerr << "dcgan-server: cannot create " << checkpoint_dir << ": " << ec.message() << "\n";
    return 1;
  }
  auto store = dcgan::SqliteJobStore::Open(state_dir + "/jobs.db");
  if (!store.ok()) {
    std::cerr << "dcgan-server: " << store.status().message() << "\n";
    return 1;
  }

  dcgan::JobQueueOptions queue_options;
  queue_options.max_concurrent_jobs = absl::GetFlag(FLAGS_max_concurrent_jobs);
  queue_options.max_queued_jobs = absl::GetFlag(FLAGS_max_queued_jobs);
  queue_options.checkpoint_root = checkpoint_dir;
  queue_options.data.data_root = absl::GetFlag(FLAGS_data_root);
  queue_options.data.fashion_mnist_dir = absl::GetFlag(FLAGS_fashion_mnist_dir);
  queue_options.keep_last_checkpoints = absl::GetFlag(FLAGS_keep_last_checkpoints);
  dcgan::JobQueue queue(store->get(), queue_options);
  dcgan::ModelCache cache(checkpoint_dir, absl::GetFlag(FLAGS_model_cache_size));

  dcgan::SamplingOptions sampling_options;
  sampling_options.max_samples_per_request = absl::GetFlag(FLAGS_max_samples_per_request);
  sampling_options.max_response_bytes = absl::GetFlag(FLAGS_max_message_bytes) - (64 << 10);
  dcgan::TrainingService training(&queue);
  dcgan::SamplingService sampling(&queue, &cache, sampling_options);

  // Reflection describes grpc.health.v1.Health only if its descriptor is in
  // the generated pool; naming it here keeps the linker from dropping it.
  (void)grpc::health::v1::HealthCheckRequest::descriptor();
  grpc::EnableDefaultHealthCheckService(true);
  grpc::reflection::InitProtoReflectionServerBuilderPlugin();
  grpc::ServerBuilder builder;
  int port = 0;
  builder.AddListeningPort(absl::GetFlag(FLAGS_listen), grpc::InsecureServerCredentials(), &port);
  builder.SetMaxReceiveMessageSize(absl::GetFlag(FLAGS_max_message_bytes));
  builder.SetMaxSendMessageSize(absl::GetFlag(FLAGS_max_message_bytes));
  if (absl::GetFlag(FLAGS_log_calls)) {
    std::vector<std::unique_ptr<grpc::experimental::ServerInterceptorFactoryInterface>> factories;
    factories.push_back(std::make_unique<dcgan::CallLogInterceptorFactory>());
    builder.experimental().SetInterceptorCreators(std::move(factories));
  }
  builder.RegisterService(&training);
  builder.RegisterService(&sampling);
  std::unique_ptr<grpc::Server> server = builder.BuildAndStart();
  if (!server || port == 0) {
    std::cerr << "dcgan-server: cannot listen on " << absl::GetFlag(FLAGS_listen) << "\n";
    return 1;
  }
  grpc::HealthCheckServiceInterface* health = server->GetHealthCheckService();
  const std::vector<std::string> services = {"", "dcgan.v1.TrainingService",
                                             "dcgan.v1.SamplingService"};
  for (const auto& name : services) health->SetServingStatus(name, false);

  if (absl::Status started = queue.Start(); !started.ok()) {
    std::cerr << "dcgan-server: " << started.message() << "\n";
    return 1;
  }
  for (const auto& name : services) health->SetServingStatus(name, true);
  std::cerr << "dcgan-server: serving on port " << port << " (" << threads
            << " torch threads, state in " << state_dir << ")\n";
  if (const std::string port_file = absl::GetFlag(FLAGS_port_file); !port_file.empty()) {
    std::ofstream(port_file + ".tmp") << port << "\n";
    std::filesystem::rename(port_file + ".tmp", port_file, ec);
  }

  int signal_number = 0;
  sigwait(&signals, &signal_number);
  std::cerr << "dcgan-server: " << strsignal(signal_number) << ": draining\n";
  // Balancers see NOT_SERVING first; watchers are released; then gRPC stops
  // accepting calls and waits (bounded) for those in flight; then running
  // jobs checkpoint and stop, staying resumable for the next start.
  for (const auto& name : services) health->SetServingStatus(name, false);
  queue.BeginShutdown();
  server->Shutdown(std::chrono::system_clock::now() +
                   std::chrono::seconds(absl::GetFlag(FLAGS_drain_seconds)));
  queue.Shutdown();
  std::cerr << "dcgan-server: stopped\n";
  return 0;
}
