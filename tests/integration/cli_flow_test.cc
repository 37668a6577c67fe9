// dcgan-server and dcganctl, the real binaries, on loopback.

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <signal.h>

#include <filesystem>

#include "core/image/png_codec.h"
#include "tests/testing/postgres_server.h"
#include "tests/testing/process.h"
#include "tests/testing/server_process.h"
#include "tests/testing/temp_dir.h"
#include "tests/testing/tiny_job_flags.h"

namespace dcgan {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;
using testing::ReadFileOrEmpty;
using testing::ServerProcess;
namespace fs = std::filesystem;

// 16x16, width 8: a step takes milliseconds.
const std::vector<std::string>& kTinyJob = testing::kTinyJobFlags;
using testing::Concat;

bool JobShows(const ServerProcess& server, const std::string& id, const std::string& text) {
  return server.Ctl({"job", id, "--json"}).output.find(text) != std::string::npos;
}

class CliFlowTest : public ::testing::Test {
 protected:
  void SetUp() override { ASSERT_TRUE(server_.Start()) << server_.log(); }
  testing::TempDir dir_;
  ServerProcess server_{dir_.file("state")};
};

TEST_F(CliFlowTest, TrainWatchSample) {
  auto train = server_.Ctl(
      Concat({"train", "--job_id=flow", "--max_steps=30", "--checkpoint_every_steps=10", "--watch"},
             kTinyJob));
  ASSERT_EQ(train.exit_code, 0) << train.output;
  EXPECT_THAT(train.output, HasSubstr("step 30/30"));
  EXPECT_THAT(train.output, HasSubstr("flow SUCCEEDED"));

  auto sample =
      server_.Ctl({"sample", "flow", "--count=4", "--seed=7", "--out-dir", dir_.file("a")});
  ASSERT_EQ(sample.exit_code, 0) << sample.output;
  for (int i = 0; i < 4; ++i) {
    const std::string png = ReadFileOrEmpty(dir_.file("a/sample-00" + std::to_string(i) + ".png"));
    auto image = DecodePng(png, 1);
    ASSERT_TRUE(image.ok()) << image.status();
    EXPECT_EQ(image->width, 16);
    EXPECT_EQ(image->height, 16);
  }
  ASSERT_EQ(server_.Ctl({"sample", "flow", "--count=4", "--seed=7", "--out-dir=" + dir_.file("b")})
                .exit_code,
            0);
  ASSERT_EQ(server_.Ctl({"sample", "flow", "--count=4", "--seed=8", "--out-dir=" + dir_.file("c")})
                .exit_code,
            0);
  EXPECT_EQ(ReadFileOrEmpty(dir_.file("a/sample-002.png")),
            ReadFileOrEmpty(dir_.file("b/sample-002.png")));
  EXPECT_NE(ReadFileOrEmpty(dir_.file("a/sample-002.png")),
            ReadFileOrEmpty(dir_.file("c/sample-002.png")));

  ASSERT_EQ(
      server_.Ctl({"sample", "flow", "--count=9", "--out=" + dir_.file("grid.png")}).exit_code, 0);
  auto grid = DecodePng(ReadFileOrEmpty(dir_.file("grid.png")), 1);
  ASSERT_TRUE(grid.ok());
  EXPECT_EQ(grid->width, 3 * 18 + 2);
  ASSERT_EQ(
      server_.Ctl({"interpolate", "flow", "--steps=5", "--out=" + dir_.file("walk.png")}).exit_code,
      0);
  EXPECT_TRUE(DecodePng(ReadFileOrEmpty(dir_.file("walk.png")), 1).ok());

  auto jobs = server_.Ctl({"jobs"});
  EXPECT_THAT(jobs.output, HasSubstr("flow"));
  EXPECT_THAT(jobs.output, HasSubstr("SUCCEEDED"));
  auto models = server_.Ctl({"models"});
  EXPECT_THAT(models.output, HasSubstr("checkpoints 10 20 30"));
  // The same id and spec again returns the same job instead of a new one.
  auto again = server_.Ctl(Concat(
      {"train", "--job_id=flow", "--max_steps=30", "--checkpoint_every_steps=10"}, kTinyJob));
  EXPECT_EQ(again.exit_code, 0) << again.output;
  EXPECT_THAT(again.output, HasSubstr("SUCCEEDED"));
}

TEST_F(CliFlowTest, Cancel) {
  ASSERT_EQ(
      server_.Ctl(Concat({"train", "--job_id=long", "--max_steps=100000000"}, kTinyJob)).exit_code,
      0);
  ASSERT_TRUE(testing::WaitFor([&] { return JobShows(server_, "long", "\"state\":\"RUNNING\""); },
                               std::chrono::seconds(60)));
  EXPECT_EQ(server_.Ctl({"cancel", "long"}).exit_code, 0);
  auto watch = server_.Ctl({"watch", "long"});
  EXPECT_EQ(watch.exit_code, 4) << watch.output;  // the exit code follows the outcome
  EXPECT_THAT(watch.output, HasSubstr("long CANCELLED"));
  EXPECT_EQ(server_.Ctl({"cancel", "long"}).exit_code, 0);  // cancelling again is harmless
}

TEST_F(CliFlowTest, SigkillMidJobThenRestartResumesFromCheckpoint) {
  ASSERT_EQ(server_
                .Ctl({"train", "--job_id=crash", "--image_size=32", "--generator_width=16",
                      "--discriminator_width=16", "--batch_size=32", "--max_steps=400",
                      "--checkpoint_every_steps=20"})
                .exit_code,
            0);
  const std::string job_dir = server_.state_dir() + "/checkpoints/crash";
  ASSERT_TRUE(testing::WaitFor([&] { return fs::exists(job_dir + "/step-000000000040"); },
                               std::chrono::seconds(120)));
  server_.Kill(SIGKILL);
  EXPECT_EQ(server_.WaitForExit(), 128 + SIGKILL);
  ASSERT_FALSE(fs::exists(job_dir + "/step-000000000400")) << "the job ended before the kill";

  ServerProcess restarted(server_.state_dir());
  ASSERT_TRUE(restarted.Start()) << restarted.log();
  auto watch = restarted.Ctl({"watch", "crash"});
  EXPECT_EQ(watch.exit_code, 0) << watch.output;
  EXPECT_THAT(watch.output, HasSubstr("crash SUCCEEDED"));
  EXPECT_THAT(restarted.log(), HasSubstr("job crash resumes from its checkpoint at step"));
  EXPECT_TRUE(fs::exists(job_dir + "/step-000000000400"));
}

TEST_F(CliFlowTest, SigtermLetsASampleInFlightComplete) {
  // A 64x64 generator at full width: 256 images take seconds to generate.
  ASSERT_EQ(server_
                .Ctl({"train", "--job_id=big", "--image_size=64", "--batch_size=16",
                      "--max_steps=1", "--watch"})
                .exit_code,
            0);
  const pid_t sample =
      testing::Spawn({testing::CtlBinary(), "sample", "big", "--count=256",
                      "--out=" + dir_.file("big.png"), "--server=" + server_.address()},
                     dir_.file("sample.log"));
  ASSERT_TRUE(testing::WaitFor(
      [&] {
        return server_.log().find("call /dcgan.v1.SamplingService/Sample") != std::string::npos;
      },
      std::chrono::seconds(60)));
  server_.Kill(SIGTERM);
  EXPECT_EQ(testing::WaitForExit(sample, std::chrono::seconds(120)), 0)
      << ReadFileOrEmpty(dir_.file("sample.log"));
  EXPECT_EQ(server_.WaitForExit(), 0) << server_.log();
  EXPECT_THAT(server_.log(), HasSubstr("done /dcgan.v1.SamplingService/Sample OK"));
  auto grid = DecodePng(ReadFileOrEmpty(dir_.file("big.png")), 1);
  ASSERT_TRUE(grid.ok());
  EXPECT_EQ(grid->width, 16 * 66 + 2);  // 256 images of 64 px: 16 columns
}

TEST_F(CliFlowTest, SigtermCheckpointsARunningJobForTheNextStart) {
  ASSERT_EQ(server_
                .Ctl(Concat({"train", "--job_id=paused", "--max_steps=100000000",
                             "--checkpoint_every_steps=1000000"},
                            kTinyJob))
                .exit_code,
            0);
  ASSERT_TRUE(testing::WaitFor([&] { return JobShows(server_, "paused", "\"step\":\""); },
                               std::chrono::seconds(60)));
  server_.Kill(SIGTERM);
  EXPECT_EQ(server_.WaitForExit(), 0) << server_.log();
  EXPECT_FALSE(fs::is_empty(server_.state_dir() + "/checkpoints/paused"));
  ServerProcess restarted(server_.state_dir());
  ASSERT_TRUE(restarted.Start()) << restarted.log();
  ASSERT_TRUE(testing::WaitFor([&] { return JobShows(restarted, "paused", "RUNNING"); },
                               std::chrono::seconds(60)));
  EXPECT_TRUE(testing::WaitFor(
      [&] { return restarted.log().find("job paused resumes") != std::string::npos; },
      std::chrono::seconds(60)));
  EXPECT_EQ(restarted.Ctl({"cancel", "paused"}).exit_code, 0);
}

TEST_F(CliFlowTest, ErrorsPrintTheServersMessage) {
  auto missing = server_.Ctl({"job", "no-such-job"});
  EXPECT_EQ(missing.exit_code, 1);
  EXPECT_THAT(missing.output, HasSubstr("no job no-such-job"));
  auto bad = server_.Ctl({"train", "--image_size=48"});
  EXPECT_EQ(bad.exit_code, 1);
  EXPECT_THAT(bad.output, HasSubstr("spec.image_size must be a power of two"));
  EXPECT_EQ(server_.Ctl({"bogus"}).exit_code, 2);
  auto down = testing::Run({testing::CtlBinary(), "health", "--server=127.0.0.1:1", "--timeout=2"});
  EXPECT_EQ(down.exit_code, 1);
}

}  // namespace
}  // namespace dcgan

namespace dcgan {
namespace {

TEST(PostgresJobStoreFlowTest, ServerKeepsItsJobsInPostgres) {
  testing::PostgresServer postgres;
  ASSERT_EQ(postgres.error(), "");
  const std::string url = postgres.NewDatabase();
  ASSERT_FALSE(url.empty());
  testing::TempDir dir;
  {
    ServerProcess server(dir.file("a"), {"--job_store=" + url});
    ASSERT_TRUE(server.Start()) << server.log();
    auto train = server.Ctl(
        Concat({"train", "--job_id=pg", "--max_steps=10", "--checkpoint_every_steps=5", "--watch"},
               kTinyJob));
    ASSERT_EQ(train.exit_code, 0) << train.output << server.log();
  }
  // Another server, another state folder, the same database and checkpoints.
  ServerProcess other(dir.file("b"),
                      {"--job_store=" + url, "--checkpoint_dir=" + dir.file("a/checkpoints")});
  ASSERT_TRUE(other.Start()) << other.log();
  auto job = other.Ctl({"job", "pg"});
  EXPECT_EQ(job.exit_code, 0) << job.output;
  EXPECT_THAT(job.output, HasSubstr("SUCCEEDED"));
  EXPECT_EQ(other.Ctl({"sample", "pg", "--count=2", "--out", dir.file("g.png")}).exit_code, 0);
  EXPECT_FALSE(std::filesystem::exists(dir.file("b/jobs.db")));
}

}  // namespace
}  // namespace dcgan

namespace dcgan {
namespace {

// --max_connection_age_ms closes each connection (GOAWAY) every 0.3 s here;
// a client keeping 4 calls in flight on one channel for 2 s rides over
// several such rotations without a failed call (the grace lets calls in
// flight finish; new ones go out on a new connection).
TEST(ConnectionAgeTest, LongLivedClientLosesNoCallWhenConnectionsRotate) {
  testing::TempDir dir;
  ServerProcess server(dir.file("state"),
                       {"--max_connection_age_ms=300", "--max_connection_age_grace_ms=5000"});
  ASSERT_TRUE(server.Start()) << server.log();
  auto train = server.Ctl(Concat({"train", "--job_id=age", "--max_steps=4", "--watch"}, kTinyJob));
  ASSERT_EQ(train.exit_code, 0) << train.output;
  auto bench =
      server.Ctl({"bench", "sample", "--model=age", "--concurrency=4", "--duration=2", "--json"});
  EXPECT_EQ(bench.exit_code, 0) << bench.output;
  EXPECT_THAT(bench.output, HasSubstr("\"errors\":{}"));
  EXPECT_THAT(bench.output, Not(HasSubstr("\"ok\":0,")));
}

}  // namespace
}  // namespace dcgan

namespace dcgan {
namespace {

// --checkpoint_dir elsewhere (a shared volume) must not leave the state
// folder, where SQLite lives, uncreated.
TEST(ServerStartTest, CreatesAMissingStateDirWhenCheckpointsLiveElsewhere) {
  testing::TempDir dir;
  const std::string port_file = dir.file("port");
  const pid_t pid =
      testing::Spawn({testing::ServerBinary(), "--listen=127.0.0.1:0",
                      "--metrics_listen=", "--state_dir=" + dir.file("new/state"),
                      "--checkpoint_dir=" + dir.file("shared"), "--port_file=" + port_file},
                     dir.file("server.log"));
  ASSERT_GT(pid, 0);
  const bool serving = testing::WaitFor([&] { return std::filesystem::exists(port_file); },
                                        std::chrono::seconds(60));
  kill(pid, SIGTERM);
  EXPECT_EQ(testing::WaitForExit(pid, std::chrono::seconds(60)), 0);
  ASSERT_TRUE(serving) << ReadFileOrEmpty(dir.file("server.log"));
  EXPECT_TRUE(std::filesystem::exists(dir.file("new/state/jobs.db")));
}

}  // namespace
}  // namespace dcgan
