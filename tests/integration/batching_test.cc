// Dynamic batching through the real server: deadlines are kept in the queue,
// and batched answers are the bytes unbatched sampling gives.

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <filesystem>

#include "tests/testing/exposition.h"
#include "tests/testing/http_get.h"
#include "tests/testing/process.h"
#include "tests/testing/server_process.h"
#include "tests/testing/temp_dir.h"

namespace dcgan {
namespace {

using ::testing::HasSubstr;
using testing::ServerProcess;

// A metric's value in the server's exposition (-1 if absent).
double Metric(const ServerProcess& server, const std::string& series) {
  return testing::ExpositionValue(testing::HttpGet(server.metrics_address(), "/metrics").body,
                                  series)
      .value_or(-1);
}

class BatchingTest : public ::testing::Test {
 protected:
  // A 64x64 generator of the default width: a pass over 256 latents takes
  // long enough (~0.5 s here) for a short deadline to pass behind it.
  void Train(ServerProcess& server) {
    auto r = server.Ctl({"train", "--job_id=g", "--image_size=64", "--batch_size=16",
                         "--max_steps=1", "--checkpoint_every_steps=1", "--watch"});
    ASSERT_EQ(r.exit_code, 0) << r.output;
  }
  testing::TempDir dir_;
};

TEST_F(BatchingTest, RequestWhoseDeadlinePassesInTheQueueCostsNoForwardPass) {
  ServerProcess server(dir_.file("state"), {"--max_batch_size=256"});
  ASSERT_TRUE(server.Start()) << server.log();
  Train(server);
  ASSERT_EQ(server.Ctl({"sample", "g", "--count=1", "--out", dir_.file("warm.png")}).exit_code, 0);
  const double passes_before = Metric(server, "dcgan_sample_batch_size_count");

  // A long pass in flight, then a call that cannot wait for it.
  const pid_t big =
      testing::Spawn({testing::CtlBinary(), "sample", "g", "--count=256",
                      "--out=" + dir_.file("big.png"), "--server=" + server.address()},
                     dir_.file("big.log"));
  ASSERT_TRUE(testing::WaitFor(
      [&] {
        const std::string log = server.log();
        size_t calls = 0;
        for (size_t at = 0;
             (at = log.find("call /dcgan.v1.SamplingService/Sample", at)) != std::string::npos;
             ++at) {
          ++calls;
        }
        return calls >= 2;  // the warm-up and the big one
      },
      std::chrono::seconds(30)));
  auto hurried =
      server.Ctl({"sample", "g", "--count=1", "--timeout=0.05", "--out", dir_.file("x.png")});
  EXPECT_EQ(hurried.exit_code, 1);
  EXPECT_THAT(hurried.output, ::testing::AnyOf(HasSubstr("eadline"), HasSubstr("DEADLINE")));
  EXPECT_EQ(testing::WaitForExit(big, std::chrono::seconds(120)), 0)
      << testing::ReadFileOrEmpty(dir_.file("big.log"));

  // One more pass (the big one, 256 latents); none for the expired call.
  EXPECT_TRUE(testing::WaitFor(
      [&] {
        return Metric(server,
                      "dcgan_sample_requests_total{code=\"DeadlineExceeded\",method=\"Sample\"}") ==
               1;
      },
      std::chrono::seconds(10)))
      << server.log();
  EXPECT_EQ(Metric(server, "dcgan_sample_batch_size_count"), passes_before + 1);
  EXPECT_EQ(Metric(server, "dcgan_sample_images_total"), 1 + 256);
}

TEST_F(BatchingTest, ConcurrentBatchedCallsReturnTheUnbatchedBytes) {
  constexpr int kClients = 8;
  auto sample_all = [&](ServerProcess& server, const std::string& out, bool concurrently) {
    std::vector<pid_t> pids;
    for (int i = 0; i < kClients; ++i) {
      std::vector<std::string> argv = {testing::CtlBinary(),
                                       "sample",
                                       "g",
                                       "--count=3",
                                       "--seed=" + std::to_string(i),
                                       "--out-dir=" + dir_.file(out + std::to_string(i)),
                                       "--server=" + server.address()};
      const pid_t pid = testing::Spawn(argv, dir_.file(out + ".log"));
      if (!concurrently) {
        ASSERT_EQ(testing::WaitForExit(pid, std::chrono::seconds(60)), 0);
      } else {
        pids.push_back(pid);
      }
    }
    for (pid_t pid : pids) ASSERT_EQ(testing::WaitForExit(pid, std::chrono::seconds(60)), 0);
  };
  {
    // A long window, so concurrent calls are merged.
    ServerProcess batched(dir_.file("state"), {"--max_queue_delay_us=200000"});
    ASSERT_TRUE(batched.Start()) << batched.log();
    Train(batched);
    sample_all(batched, "batched", /*concurrently=*/true);
    const double passes = Metric(batched, "dcgan_sample_batch_size_count");
    const double latents = Metric(batched, "dcgan_sample_batch_size_sum");
    EXPECT_EQ(latents, kClients * 3);
    RecordProperty("forward_passes", std::to_string(passes));
  }
  {
    ServerProcess unbatched(dir_.file("state"), {"--batching=false"});
    ASSERT_TRUE(unbatched.Start()) << unbatched.log();
    sample_all(unbatched, "unbatched", /*concurrently=*/false);
    EXPECT_EQ(Metric(unbatched, "dcgan_sample_batch_size_count"), kClients);
  }
  for (int i = 0; i < kClients; ++i) {
    for (int j = 0; j < 3; ++j) {
      const std::string name = "/sample-00" + std::to_string(j) + ".png";
      const std::string a =
          testing::ReadFileOrEmpty(dir_.file("batched" + std::to_string(i)) + name);
      const std::string b =
          testing::ReadFileOrEmpty(dir_.file("unbatched" + std::to_string(i)) + name);
      ASSERT_FALSE(a.empty()) << i << name;
      EXPECT_EQ(a, b) << "client " << i << name;
    }
  }
}

}  // namespace
}  // namespace dcgan
