// dcgan-server: trains DCGANs and serves samples over gRPC.

#include <grpcpp/ext/proto_server_reflection_plugin.h>
#include <grpcpp/grpcpp.h>
#include <grpcpp/health_check_service_interface.h>
#include <prometheus/registry.h>
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
#include "core/jobs/open_job_store.h"
#include "core/sample/model_cache.h"
#include "core/train/torch_threads.h"
#include "grpc/health/v1/health.pb.h"
#include "server/call_log_interceptor.h"
#include "server/grpc_metrics_interceptor.h"
#include "server/haproxy_agent.h"
#include "server/job_state_collector.h"
#include "server/metrics_endpoint.h"
#include "server/model_cache_collector.h"
#include "server/process_collector.h"
#include "server/sample_metrics.h"
#include "server/sampling_service.h"
#include "server/train_metrics.h"
#include "server/training_service.h"

ABSL_FLAG(std::string, listen, "0.0.0.0:50051",
          "gRPC address to listen on (host:port; port 0 picks one)");
ABSL_FLAG(std::string, state_dir, "./var",
          "folder for the job store (jobs.db) and, by default, checkpoints");
ABSL_FLAG(std::string, job_store, "",
          "job store: empty for SQLite at <state_dir>/jobs.db, sqlite:PATH, or a PostgreSQL URI "
          "(postgresql://user@host:5432/db) shared by replicas");
ABSL_FLAG(std::string, checkpoint_dir, "",
          "checkpoint folder (default: <state_dir>/checkpoints); share it between replicas");
ABSL_FLAG(std::string, data_root, ".", "root that image-folder:<path> datasets resolve under");
ABSL_FLAG(std::string, fashion_mnist_dir, "/usr/share/datasets/fashion-mnist",
          "where Debian's dataset-fashion-mnist keeps its IDX files");
ABSL_FLAG(int, max_concurrent_jobs, 1, "training jobs run at once");
ABSL_FLAG(std::string, replica_id, "",
          "this server's name in job leases, unique among replicas sharing a job store "
          "(default: host name and a random suffix)");
ABSL_FLAG(int, job_lease_ms, 15000,
          "how long a replica holds a job between renewals; a dead replica's jobs resume "
          "elsewhere after at most this long");
ABSL_FLAG(int, max_queued_jobs, 1000, "queued jobs beyond which CreateJob is RESOURCE_EXHAUSTED");
ABSL_FLAG(int, torch_threads, 0, "LibTorch intra-op threads (0: one per CPU)");
ABSL_FLAG(int, max_samples_per_request, 256, "images per Sample or Interpolate call");
ABSL_FLAG(int, max_message_bytes, 64 << 20, "largest gRPC message received or sent, bytes");
ABSL_FLAG(bool, batching, true,
          "merge concurrent Sample/Interpolate calls for the same model into one forward pass");
ABSL_FLAG(int, max_batch_size, 64, "latents per batched forward pass (larger requests are split)");
ABSL_FLAG(int, max_queue_delay_us, 2000,
          "longest a batch's oldest request waits for others to join, microseconds");
ABSL_FLAG(int, max_connection_age_ms, 0,
          "close each client connection (GOAWAY) after this long, so long-lived clients behind a "
          "balancer spread over new replicas (0: never)");
ABSL_FLAG(int, max_connection_age_grace_ms, 30000,
          "after --max_connection_age_ms, how long calls in flight on that connection may finish");
ABSL_FLAG(int, keepalive_time_ms, 0,
          "send HTTP/2 pings on idle connections this often, to find dead peers (0: off)");
ABSL_FLAG(int, keepalive_timeout_ms, 20000, "how long a keepalive ping may go unanswered");
ABSL_FLAG(int, grpc_max_pollers, 2, "gRPC sync-server threads kept waiting for calls");
ABSL_FLAG(int, model_cache_size, 8, "loaded generators kept in memory (LRU)");
ABSL_FLAG(int, keep_last_checkpoints, 5, "checkpoints kept per job (older ones are deleted)");
ABSL_FLAG(int, drain_seconds, 30, "on SIGTERM/SIGINT, how long calls in flight may take to finish");
ABSL_FLAG(int, drain_delay_ms, 0,
          "on SIGTERM/SIGINT, how long to go on serving while health says NOT_SERVING, before "
          "refusing new calls: set it above the balancer's check interval, so it has stopped "
          "sending calls here by then (a second signal cuts it short)");
ABSL_FLAG(std::string, haproxy_agent_listen, "",
          "address (host:port) answering haproxy's agent-check: \"up ready\" while serving, "
          "\"drain\" while draining (empty: off)");
ABSL_FLAG(bool, log_calls, false, "log each call's start and status to stderr");
ABSL_FLAG(std::string, port_file, "",
          "if set, the bound port is written here once the server is serving (for scripts)");
ABSL_FLAG(std::string, metrics_listen, "0.0.0.0:9464",
          "address of the Prometheus /metrics endpoint (host:port; port 0 picks one; empty: off)");
ABSL_FLAG(std::string, metrics_port_file, "",
          "if set, the bound metrics port is written here once the server is serving");

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

// Writes `port` to `path` atomically, so a reader never sees half a number.
void WritePortFile(const std::string& path, int port) {
  if (path.empty()) return;
  std::ofstream(path + ".tmp") << port << "\n";
  std::error_code ec;
  std::filesystem::rename(path + ".tmp", path, ec);
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
  for (const std::string& dir : {state_dir, checkpoint_dir}) {
    std::error_code ec;
    std::filesystem::create_directories(dir, ec);
    if (ec) {
      std::cerr << "dcgan-server: cannot create " << dir << ": " << ec.message() << "\n";
      return 1;
    }
  }
  auto store = dcgan::OpenJobStore(absl::GetFlag(FLAGS_job_store), state_dir);
  if (!store.ok()) {
    std::cerr << "dcgan-server: " << store.status().message() << "\n";
    return 1;
  }

  // Metrics are collected whether or not they are exposed: recording costs
  // a few atomic adds, and one code path is simpler to trust.
  auto registry = std::make_shared<prometheus::Registry>();
  dcgan::TrainMetrics train_metrics(*registry);
  dcgan::SampleMetrics sample_metrics(*registry);

  dcgan::JobQueueOptions queue_options;
  queue_options.max_concurrent_jobs = absl::GetFlag(FLAGS_max_concurrent_jobs);
  queue_options.max_queued_jobs = absl::GetFlag(FLAGS_max_queued_jobs);
  queue_options.checkpoint_root = checkpoint_dir;
  queue_options.data.data_root = absl::GetFlag(FLAGS_data_root);
  queue_options.data.fashion_mnist_dir = absl::GetFlag(FLAGS_fashion_mnist_dir);
  queue_options.keep_last_checkpoints = absl::GetFlag(FLAGS_keep_last_checkpoints);
  queue_options.listener = &train_metrics;
  queue_options.replica_id = absl::GetFlag(FLAGS_replica_id);
  queue_options.lease = absl::Milliseconds(std::max(300, absl::GetFlag(FLAGS_job_lease_ms)));
  queue_options.sole_store_user = !dcgan::IsSharedJobStore(absl::GetFlag(FLAGS_job_store));
  dcgan::JobQueue queue(store->get(), queue_options);
  dcgan::ModelCache cache(checkpoint_dir, absl::GetFlag(FLAGS_model_cache_size));

  dcgan::SamplingOptions sampling_options;
  sampling_options.max_samples_per_request = absl::GetFlag(FLAGS_max_samples_per_request);
  sampling_options.max_response_bytes = absl::GetFlag(FLAGS_max_message_bytes) - (64 << 10);
  dcgan::TrainingService training(&queue);
  // Batching off still runs passes on the batcher's worker, one request at
  // a time: the comparison isolates merging, not threading.
  dcgan::SampleBatcherOptions batcher_options;
  batcher_options.merge_requests = absl::GetFlag(FLAGS_batching);
  batcher_options.max_batch_size = std::max(1, absl::GetFlag(FLAGS_max_batch_size));
  batcher_options.max_queue_delay = absl::Microseconds(absl::GetFlag(FLAGS_max_queue_delay_us));
  batcher_options.on_forward_pass = [&sample_metrics](int64_t batch_size) {
    sample_metrics.RecordForwardPass(batch_size);
  };
  dcgan::SampleBatcher batcher(std::move(batcher_options));
  dcgan::SamplingService sampling(&queue, &cache, &batcher, &sample_metrics, sampling_options);

  std::unique_ptr<prometheus::Exposer> exposer;
  const auto process_collector = std::make_shared<dcgan::ProcessCollector>();
  const auto job_state_collector = std::make_shared<dcgan::JobStateCollector>(&queue);
  const auto cache_collector = std::make_shared<dcgan::ModelCacheCollector>(&cache);
  int metrics_port = 0;
  if (const std::string address = absl::GetFlag(FLAGS_metrics_listen); !address.empty()) {
    absl::StatusOr<std::unique_ptr<prometheus::Exposer>> started =
        dcgan::StartMetricsEndpoint(address);
    if (!started.ok()) {
      std::cerr << "dcgan-server: " << started.status().message()
                << "; choose another --metrics_listen, or --metrics_listen= to turn them off\n";
      return 1;
    }
    exposer = *std::move(started);
    exposer->RegisterCollectable(registry);
    exposer->RegisterCollectable(process_collector);
    exposer->RegisterCollectable(job_state_collector);
    exposer->RegisterCollectable(cache_collector);
    const std::vector<int> ports = exposer->GetListeningPorts();
    metrics_port = ports.empty() ? 0 : ports.front();
  }

  std::unique_ptr<dcgan::HaproxyAgent> agent;
  if (const std::string address = absl::GetFlag(FLAGS_haproxy_agent_listen); !address.empty()) {
    absl::StatusOr<std::unique_ptr<dcgan::HaproxyAgent>> started =
        dcgan::HaproxyAgent::Start(address);
    if (!started.ok()) {
      std::cerr << "dcgan-server: " << started.status().message() << "\n";
      return 1;
    }
    agent = *std::move(started);
  }

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
  if (const int age = absl::GetFlag(FLAGS_max_connection_age_ms); age > 0) {
    builder.AddChannelArgument(GRPC_ARG_MAX_CONNECTION_AGE_MS, age);
    builder.AddChannelArgument(GRPC_ARG_MAX_CONNECTION_AGE_GRACE_MS,
                               absl::GetFlag(FLAGS_max_connection_age_grace_ms));
  }
  if (const int keepalive = absl::GetFlag(FLAGS_keepalive_time_ms); keepalive > 0) {
    builder.AddChannelArgument(GRPC_ARG_KEEPALIVE_TIME_MS, keepalive);
    builder.AddChannelArgument(GRPC_ARG_KEEPALIVE_TIMEOUT_MS,
                               absl::GetFlag(FLAGS_keepalive_timeout_ms));
    builder.AddChannelArgument(GRPC_ARG_KEEPALIVE_PERMIT_WITHOUT_CALLS, 1);
  }
  builder.SetSyncServerOption(grpc::ServerBuilder::SyncServerOption::MAX_POLLERS,
                              absl::GetFlag(FLAGS_grpc_max_pollers));
  std::vector<std::unique_ptr<grpc::experimental::ServerInterceptorFactoryInterface>> factories;
  factories.push_back(std::make_unique<dcgan::GrpcMetricsInterceptorFactory>(*registry));
  if (absl::GetFlag(FLAGS_log_calls)) {
    factories.push_back(std::make_unique<dcgan::CallLogInterceptorFactory>());
  }
  builder.experimental().SetInterceptorCreators(std::move(factories));
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
  std::cerr << "dcgan-server: " << queue.replica_id() << " serving on port " << port << " ("
            << threads << " torch threads, state in " << state_dir << ")";
  if (exposer) std::cerr << "; metrics on port " << metrics_port << " at /metrics";
  if (agent) std::cerr << "; haproxy agent on port " << agent->port();
  std::cerr << "\n";
  WritePortFile(absl::GetFlag(FLAGS_metrics_port_file), metrics_port);
  WritePortFile(absl::GetFlag(FLAGS_port_file), port);

  int signal_number = 0;
  sigwait(&signals, &signal_number);
  std::cerr << "dcgan-server: " << strsignal(signal_number) << ": draining\n";
  // Balancers see NOT_SERVING (gRPC health, the haproxy agent) first and
  // have --drain_delay_ms to stop sending calls here while they are still
  // served; then gRPC stops accepting calls (it cancels any received but
  // not yet started) and waits (bounded) for those in flight; then running
  // jobs checkpoint, stop and go back to the queue, where this replica's
  // next start or another replica resumes them.
  for (const auto& name : services) health->SetServingStatus(name, false);
  if (agent) agent->SetDraining();
  if (const int delay_ms = absl::GetFlag(FLAGS_drain_delay_ms); delay_ms > 0) {
    const timespec delay = {delay_ms / 1000, (delay_ms % 1000) * 1000000L};
    if (sigtimedwait(&signals, nullptr, &delay) > 0) {
      std::cerr << "dcgan-server: second signal: not waiting out --drain_delay_ms\n";
    }
  }
  queue.BeginShutdown();
  server->Shutdown(std::chrono::system_clock::now() +
                   std::chrono::seconds(absl::GetFlag(FLAGS_drain_seconds)));
  queue.Shutdown();
  std::cerr << "dcgan-server: stopped\n";
  return 0;
}
