// Two dcgan-server replicas on loopback behind haproxy, sharing a real
// PostgreSQL job store and one checkpoint folder: the deployment of
// deploy/docker-compose.yml, as processes. Calls go through the balancer
// with dcganctl and buf curl; then the replica running a job is SIGKILLed
// and the other one finishes it from its last checkpoint.

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <signal.h>

#include <nlohmann/json.hpp>
#include <regex>

#include "tests/testing/buf_binary.h"
#include "tests/testing/exposition.h"
#include "tests/testing/free_port.h"
#include "tests/testing/grpc_balancer.h"
#include "tests/testing/http_get.h"
#include "tests/testing/postgres_server.h"
#include "tests/testing/process.h"
#include "tests/testing/server_process.h"
#include "tests/testing/temp_dir.h"
#include "tests/testing/tiny_job_flags.h"

namespace dcgan {
namespace {

using testing::Concat;
using ::testing::HasSubstr;
using testing::ServerProcess;

constexpr int kCheckpointEvery = 100;
// Ten of the balancer's 200 ms agent checks: room for a slow machine.
constexpr int kDrainDelayMs = 2000;

class ReplicasTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_EQ(postgres_.error(), "");
    const std::string url = postgres_.NewDatabase();
    ASSERT_FALSE(url.empty());
    std::vector<testing::GrpcBalancer::Backend> backends;
    for (const char* id : {"replica-a", "replica-b"}) {
      const int agent_port = testing::FreeLoopbackPort();
      ASSERT_GT(agent_port, 0);
      replicas_.push_back(std::make_unique<ServerProcess>(
          dir_.file(id),
          std::vector<std::string>{
              "--job_store=" + url, "--checkpoint_dir=" + dir_.file("checkpoints"),
              std::string("--replica_id=") + id, "--job_lease_ms=2000", "--torch_threads=1",
              "--haproxy_agent_listen=127.0.0.1:" + std::to_string(agent_port),
              "--drain_delay_ms=" + std::to_string(kDrainDelayMs)}));
      ASSERT_TRUE(replicas_.back()->Start()) << replicas_.back()->log();
      backends.push_back({replicas_.back()->address(), agent_port});
    }
    balancer_ = std::make_unique<testing::GrpcBalancer>(std::move(backends));
    ASSERT_TRUE(balancer_->Start()) << balancer_->log();
  }

  // dcganctl through the balancer.
  testing::CommandResult Ctl(std::vector<std::string> args) {
    std::vector<std::string> argv = {testing::CtlBinary(), "--server=" + balancer_->address()};
    argv.insert(argv.end(), args.begin(), args.end());
    return testing::Run(argv);
  }

  static nlohmann::json JobOn(const ServerProcess& replica, const std::string& id) {
    auto got = replica.Ctl({"job", id, "--json"});
    if (got.exit_code != 0) return nlohmann::json();
    return nlohmann::json::parse(got.output, nullptr, /*allow_exceptions=*/false);
  }

  // The checkpoint step a Sample of `model` on `address` came from (buf
  // curl prints protobuf JSON: int64 as a string); -1 on failure.
  static int64_t SampledCheckpointStep(const std::string& address, const std::string& model) {
    auto sample =
        testing::Run({testing::BufBinary(), "curl", "--protocol", "grpc", "--http2-prior-knowledge",
                      "-d", R"({"model": ")" + model + R"(", "count": 1})",
                      "http://" + address + "/dcgan.v1.SamplingService/Sample"});
    if (sample.exit_code != 0) return -1;
    const auto json = nlohmann::json::parse(sample.output, nullptr, false);
    if (!json.is_object() || !json.contains("checkpointStep")) return -1;
    return std::stoll(json["checkpointStep"].get<std::string>());
  }

  // A Job's progress.step (protobuf JSON: int64 as a string; absent at 0).
  static int64_t StepOf(const nlohmann::json& job) {
    return std::stoll(job["progress"].value("step", std::string("0")));
  }

  // One series of `replica`'s /metrics, scraped now; 0 if absent.
  static double MetricOn(const ServerProcess& replica, const std::string& series) {
    const auto scrape = testing::HttpGet(replica.metrics_address(), "/metrics");
    return testing::ExpositionValue(scrape.body, series).value_or(0);
  }

  static double SampleCallsServed(const ServerProcess& replica) {
    return MetricOn(replica, R"(dcgan_sample_requests_total{code="OK",method="Sample"})");
  }

  testing::PostgresServer postgres_;
  testing::TempDir dir_;
  std::vector<std::unique_ptr<ServerProcess>> replicas_;
  std::unique_ptr<testing::GrpcBalancer> balancer_;
};

TEST_F(ReplicasTest, EveryCallSucceedsOnEitherReplicaAndAJobOutlivesItsReplica) {
  ASSERT_TRUE(std::filesystem::exists(testing::BufBinary())) << testing::BufBinary();
  // Submit and watch to completion through the balancer.
  auto train = Ctl(Concat(
      {"train", "--job_id=shared", "--max_steps=30", "--checkpoint_every_steps=10", "--watch"},
      testing::kTinyJobFlags));
  ASSERT_EQ(train.exit_code, 0) << train.output << replicas_[0]->log() << replicas_[1]->log();
  EXPECT_THAT(train.output, HasSubstr("SUCCEEDED"));

  // Every replica answers GetJob the same.
  const nlohmann::json on_a = JobOn(*replicas_[0], "shared");
  const nlohmann::json on_b = JobOn(*replicas_[1], "shared");
  ASSERT_TRUE(on_a.is_object() && on_b.is_object());
  EXPECT_EQ(on_a["state"], "SUCCEEDED");
  EXPECT_EQ(on_a["state"], on_b["state"]);
  EXPECT_EQ(on_a["progress"]["step"], on_b["progress"]["step"]);
  EXPECT_EQ(on_a["replica"], on_b["replica"]);
  EXPECT_THAT(on_a["replica"].get<std::string>(), ::testing::StartsWith("replica-"));

  // Sample through the balancer with buf curl (a new connection per call):
  // both replicas serve it, from the shared checkpoints.
  for (int i = 0; i < 6; ++i) {
    auto sample =
        testing::Run({testing::BufBinary(), "curl", "--protocol", "grpc", "--http2-prior-knowledge",
                      "-d", R"({"model": "shared", "count": 2, "seed": )" + std::to_string(i) + "}",
                      "http://" + balancer_->address() + "/dcgan.v1.SamplingService/Sample"});
    ASSERT_EQ(sample.exit_code, 0) << sample.output;
    EXPECT_THAT(sample.output, HasSubstr("\"png\""));
  }
  EXPECT_GT(SampleCallsServed(*replicas_[0]), 0) << "the balancer never chose replica-a";
  EXPECT_GT(SampleCallsServed(*replicas_[1]), 0) << "the balancer never chose replica-b";

  // A longer job; once it is well under way, SIGKILL the replica running it.
  auto submitted = Ctl(Concat({"train", "--job_id=failover", "--max_steps=3000",
                               "--checkpoint_every_steps=" + std::to_string(kCheckpointEvery)},
                              testing::kTinyJobFlags));
  ASSERT_EQ(submitted.exit_code, 0) << submitted.output;
  int64_t seen_step = 0;
  std::string runner;
  ASSERT_TRUE(testing::WaitFor(
      [&] {
        for (const auto& replica : replicas_) {
          const nlohmann::json job = JobOn(*replica, "failover");
          if (!job.is_object() || job["state"] != "RUNNING") continue;
          const int64_t step = StepOf(job);
          if (step < 3 * kCheckpointEvery) continue;
          seen_step = step;
          runner = job["replica"];
          return true;
        }
        return false;
      },
      std::chrono::seconds(120)))
      << "the job never got under way";
  ServerProcess& dying = runner == "replica-a" ? *replicas_[0] : *replicas_[1];
  ServerProcess& survivor = runner == "replica-a" ? *replicas_[1] : *replicas_[0];

  // The other replica serves the running job's checkpoints, and the newer
  // ones as they appear, without a restart.
  const int64_t first_sampled = SampledCheckpointStep(survivor.address(), "failover");
  ASSERT_GE(first_sampled, kCheckpointEvery);
  ASSERT_TRUE(testing::WaitFor(
      [&] {
        const nlohmann::json job = JobOn(dying, "failover");
        return job.is_object() && StepOf(job) > first_sampled + 2 * kCheckpointEvery;
      },
      std::chrono::seconds(120)));
  EXPECT_GT(SampledCheckpointStep(survivor.address(), "failover"), first_sampled);
  seen_step = StepOf(JobOn(dying, "failover"));

  dying.Kill(SIGKILL);
  ASSERT_EQ(dying.WaitForExit(), 128 + SIGKILL);

  // The balancer routes around the dead replica; the survivor takes the job
  // over once its lease lapses and finishes it.
  nlohmann::json final_job;
  ASSERT_TRUE(testing::WaitFor(
      [&] {
        auto got = Ctl({"job", "failover", "--json"});
        if (got.exit_code != 0) return false;
        final_job = nlohmann::json::parse(got.output, nullptr, false);
        return final_job.is_object() && final_job["state"] != "RUNNING" &&
               final_job["state"] != "QUEUED";
      },
      std::chrono::seconds(180)))
      << survivor.log();
  EXPECT_EQ(final_job["state"], "SUCCEEDED") << final_job.dump();
  EXPECT_EQ(final_job["progress"]["step"], "3000");
  EXPECT_NE(final_job["replica"], runner);

  // It resumed from the last checkpoint before the kill: at most one
  // checkpoint interval of steps was lost.
  std::smatch match;
  const std::string log = survivor.log();
  ASSERT_TRUE(std::regex_search(
      log, match, std::regex("job failover resumes from its checkpoint at step ([0-9]+)")))
      << log;
  const int64_t resumed_from = std::stoll(match[1]);
  EXPECT_GE(resumed_from, (seen_step - 1) / kCheckpointEvery * kCheckpointEvery)
      << "seen at step " << seen_step << " before the kill";
  std::cerr << "failover: " << runner << " killed after step " << seen_step << "; "
            << final_job["replica"] << " resumed from step " << resumed_from << "\n";
}

// SIGTERM to a replica under load: health NOT_SERVING and its haproxy
// agent says "drain", so within an agent check haproxy sends it no new
// calls while it still serves them (--drain_delay_ms); then gRPC's Shutdown
// finds no call it would have to cancel, calls in flight finish, and the
// other replica takes the load. No call fails. (Without the agent, haproxy's
// TCP check notices only the closed listener: 9 calls in 142,924 failed
// over ten drains.)
TEST_F(ReplicasTest, ADrainingReplicaFailsNoCallThroughTheBalancer) {
  auto train =
      Ctl(Concat({"train", "--job_id=load", "--max_steps=4", "--watch"}, testing::kTinyJobFlags));
  ASSERT_EQ(train.exit_code, 0) << train.output;
  const std::string bench_out = dir_.file("bench.json");
  const pid_t bench =
      testing::Spawn({testing::CtlBinary(), "--server=" + balancer_->address(), "bench", "sample",
                      "--model=load", "--concurrency=8", "--duration=5", "--json"},
                     bench_out);
  ASSERT_GT(bench, 0);
  // Under way on both replicas, then drain one.
  ASSERT_TRUE(testing::WaitFor(
      [&] {
        return SampleCallsServed(*replicas_[0]) > 50 && SampleCallsServed(*replicas_[1]) > 50;
      },
      std::chrono::seconds(30)));
  replicas_[1]->Kill(SIGTERM);
  EXPECT_EQ(replicas_[1]->WaitForExit(), 0) << replicas_[1]->log();
  EXPECT_EQ(testing::WaitForExit(bench, std::chrono::seconds(60)), 0)
      << testing::ReadFileOrEmpty(bench_out);
  const std::string report = testing::ReadFileOrEmpty(bench_out);
  const auto json = nlohmann::json::parse(report.substr(report.find('{')), nullptr, false);
  ASSERT_TRUE(json.is_object()) << report;
  EXPECT_TRUE(json["errors"].empty()) << report;
  EXPECT_EQ(json["ok"], json["calls"]) << report;
  EXPECT_GT(json["ok"].get<int64_t>(), 100) << report;
  EXPECT_GT(SampleCallsServed(*replicas_[0]), 50);
  std::cerr << "drain under load: " << report;
}

// `dcganctl watch` through the balancer outlives the replica serving its
// stream, whether that replica drains (SIGTERM: UNAVAILABLE, "watch it
// again") or dies (SIGKILL: haproxy resets the stream): dcganctl watches
// again through the balancer, reaches the other replica, and follows the
// job (wherever it now runs) to SUCCEEDED.
class WatchThroughBalancerTest : public ReplicasTest, public ::testing::WithParamInterface<int> {};

TEST_P(WatchThroughBalancerTest, OutlivesTheReplicaServingIt) {
  auto submitted = Ctl(Concat({"train", "--job_id=watched", "--max_steps=3000",
                               "--checkpoint_every_steps=" + std::to_string(kCheckpointEvery)},
                              testing::kTinyJobFlags));
  ASSERT_EQ(submitted.exit_code, 0) << submitted.output;
  const std::string watch_out = dir_.file("watch.log");
  const pid_t watch = testing::Spawn(
      {testing::CtlBinary(), "--server=" + balancer_->address(), "watch", "watched"}, watch_out);
  ASSERT_GT(watch, 0);
  auto watches = [](const ServerProcess& replica) {
    return MetricOn(
        replica,
        R"(grpc_server_started_total{grpc_method="WatchJob",grpc_service="dcgan.v1.TrainingService",grpc_type="server_stream"})");
  };
  size_t serving = 0;
  ASSERT_TRUE(testing::WaitFor(
      [&] {
        for (size_t i = 0; i < replicas_.size(); ++i) {
          if (watches(*replicas_[i]) > 0) serving = i;
        }
        return watches(*replicas_[serving]) > 0 && StepOf(JobOn(*replicas_[0], "watched")) >= 20;
      },
      std::chrono::seconds(60)))
      << testing::ReadFileOrEmpty(watch_out);
  const int signal = GetParam();
  replicas_[serving]->Kill(signal);
  const int exit_code = replicas_[serving]->WaitForExit();
  if (signal == SIGTERM) {
    EXPECT_EQ(exit_code, 0) << replicas_[serving]->log();
  }

  EXPECT_EQ(testing::WaitForExit(watch, std::chrono::seconds(180)), 0)
      << testing::ReadFileOrEmpty(watch_out);
  const std::string log = testing::ReadFileOrEmpty(watch_out);
  EXPECT_THAT(log, HasSubstr("watching again")) << log;
  EXPECT_THAT(log, HasSubstr("watched SUCCEEDED")) << log;
  EXPECT_EQ(JobOn(*replicas_[1 - serving], "watched")["state"], "SUCCEEDED");
}

INSTANTIATE_TEST_SUITE_P(DrainedOrKilled, WatchThroughBalancerTest,
                         ::testing::Values(SIGTERM, SIGKILL),
                         [](const ::testing::TestParamInfo<int>& info) {
                           return std::string(info.param == SIGTERM ? "Drained" : "Killed");
                         });

// The balancer configuration the Docker stack mounts (DNS discovery of the
// scaled service) is one haproxy accepts.
TEST(DeployConfigTest, HaproxyAcceptsTheStacksConfiguration) {
  auto check =
      testing::Run({"haproxy", "-c", "-f", std::string(DCGAN_SOURCE_DIR) + "/deploy/haproxy.cfg"});
  EXPECT_EQ(check.exit_code, 0) << check.output;
}

}  // namespace
}  // namespace dcgan
