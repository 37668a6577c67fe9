// The server the way grpcurl users reach it: server reflection only, no
// .proto files at hand, through `buf curl` (grpcurl is not packaged here).

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>

#include "tests/testing/buf_binary.h"
#include "tests/testing/process.h"
#include "tests/testing/server_process.h"
#include "tests/testing/temp_dir.h"

namespace dcgan {
namespace {

using ::testing::HasSubstr;

using testing::BufBinary;

class BufCurlTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(std::filesystem::exists(BufBinary()))
        << BufBinary() << " is missing: scripts/test.sh installs it (npm @bufbuild/buf)";
    ASSERT_TRUE(server_.Start()) << server_.log();
  }

  testing::CommandResult Buf(std::vector<std::string> args) {
    std::vector<std::string> argv = {BufBinary(), "curl", "--protocol", "grpc",
                                     "--http2-prior-knowledge"};
    argv.insert(argv.end(), args.begin(), args.end());
    return testing::Run(argv, std::chrono::seconds(60));
  }
  std::string Url(const std::string& method = "") {
    return "http://" + server_.address() + (method.empty() ? "" : "/" + method);
  }

  testing::TempDir dir_;
  testing::ServerProcess server_{dir_.file("state")};
};

TEST_F(BufCurlTest, ListServicesAndMethods) {
  auto services = Buf({"--list-services", Url()});
  ASSERT_EQ(services.exit_code, 0) << services.output;
  for (const char* name : {"dcgan.v1.TrainingService", "dcgan.v1.SamplingService",
                           "grpc.health.v1.Health", "grpc.reflection.v1alpha.ServerReflection"}) {
    EXPECT_THAT(services.output, HasSubstr(name));
  }
  auto methods = Buf({"--list-methods", Url()});
  ASSERT_EQ(methods.exit_code, 0) << methods.output;
  for (const char* name : {"dcgan.v1.TrainingService/WatchJob", "dcgan.v1.SamplingService/Sample",
                           "dcgan.v1.SamplingService/Interpolate", "grpc.health.v1.Health/Check"}) {
    EXPECT_THAT(methods.output, HasSubstr(name));
  }
}

TEST_F(BufCurlTest, HealthCheck) {
  auto health = Buf({"-d", "{}", Url("grpc.health.v1.Health/Check")});
  ASSERT_EQ(health.exit_code, 0) << health.output;
  EXPECT_THAT(health.output, HasSubstr("\"status\": \"SERVING\""));
}

TEST_F(BufCurlTest, TrainWatchAndSampleWithJson) {
  auto created = Buf({"-d",
                      R"({"job_id": "via-buf", "spec": {"image_size": 16, "generator_width": 8,
                          "discriminator_width": 8, "batch_size": 16, "max_steps": 10,
                          "checkpoint_every_steps": 5}})",
                      Url("dcgan.v1.TrainingService/CreateJob")});
  ASSERT_EQ(created.exit_code, 0) << created.output;
  EXPECT_THAT(created.output, HasSubstr("\"latentDim\": 100"));  // defaults filled in
  auto watch = Buf({"-d", R"({"job_id": "via-buf"})", Url("dcgan.v1.TrainingService/WatchJob")});
  ASSERT_EQ(watch.exit_code, 0) << watch.output;
  EXPECT_THAT(watch.output, HasSubstr("\"state\": \"SUCCEEDED\""));

  auto sample = Buf({"-d", R"({"model": "via-buf", "count": 3, "seed": 4})",
                     Url("dcgan.v1.SamplingService/Sample")});
  ASSERT_EQ(sample.exit_code, 0) << sample.output;
  EXPECT_THAT(sample.output, HasSubstr("\"png\": \"iVBORw0KGgo"));  // base64 of a PNG signature
  EXPECT_THAT(sample.output, HasSubstr("\"checkpointStep\": \"10\""));
  auto again = Buf({"-d", R"({"model": "via-buf", "count": 3, "seed": 4})",
                    Url("dcgan.v1.SamplingService/Sample")});
  EXPECT_EQ(again.output, sample.output);

  auto walk = Buf({"-d", R"({"model": "via-buf", "steps": 4, "method": "SPHERICAL",
                             "format": "PNG_GRID"})",
                   Url("dcgan.v1.SamplingService/Interpolate")});
  ASSERT_EQ(walk.exit_code, 0) << walk.output;
  EXPECT_THAT(walk.output, HasSubstr("\"gridPng\""));

  auto missing = Buf({"-d", R"({"model": "nope"})", Url("dcgan.v1.SamplingService/Sample")});
  EXPECT_NE(missing.exit_code, 0);
  EXPECT_THAT(missing.output, HasSubstr("not_found"));
}

}  // namespace
}  // namespace dcgan
