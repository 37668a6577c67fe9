// A table of bad requests against the real dcgan-server: each gets the right
// status code and a message that names the field, and the server keeps
// serving.

#include <gmock/gmock.h>
#include <grpcpp/grpcpp.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <functional>

#include "dcgan/v1/sampling_service.grpc.pb.h"
#include "dcgan/v1/training_service.grpc.pb.h"
#include "grpc/health/v1/health.grpc.pb.h"
#include "tests/testing/process.h"
#include "tests/testing/server_process.h"
#include "tests/testing/temp_dir.h"

namespace dcgan {
namespace {

using ::testing::HasSubstr;
namespace fs = std::filesystem;

v1::JobSpec Tiny(int64_t steps) {
  v1::JobSpec spec;
  spec.set_image_size(16);
  spec.set_generator_width(8);
  spec.set_discriminator_width(8);
  spec.set_batch_size(16);
  spec.set_latent_dim(16);
  spec.set_max_steps(steps);
  spec.set_checkpoint_every_steps(5);
  return spec;
}

struct Stubs {
  std::unique_ptr<v1::TrainingService::Stub> training;
  std::unique_ptr<v1::SamplingService::Stub> sampling;
};

struct BadRequest {
  const char* name;
  grpc::StatusCode code;
  const char* message;  // must appear in the status message
  std::function<grpc::Status(Stubs&, grpc::ClientContext*)> call;
};

template <typename Request, typename Mutate>
std::function<grpc::Status(Stubs&, grpc::ClientContext*)> CreateJob(Mutate mutate) {
  return [mutate](Stubs& s, grpc::ClientContext* c) {
    v1::CreateJobRequest r;
    *r.mutable_spec() = Tiny(10);
    mutate(r);
    v1::Job job;
    return s.training->CreateJob(c, r, &job);
  };
}

std::function<grpc::Status(Stubs&, grpc::ClientContext*)> Sample(
    std::function<void(v1::SampleRequest&)> mutate) {
  return [mutate](Stubs& s, grpc::ClientContext* c) {
    v1::SampleRequest r;
    r.set_model("ready");
    r.set_count(1);
    mutate(r);
    v1::SampleResponse response;
    return s.sampling->Sample(c, r, &response);
  };
}

std::function<grpc::Status(Stubs&, grpc::ClientContext*)> Interpolate(
    std::function<void(v1::InterpolateRequest&)> mutate) {
  return [mutate](Stubs& s, grpc::ClientContext* c) {
    v1::InterpolateRequest r;
    r.set_model("ready");
    mutate(r);
    v1::SampleResponse response;
    return s.sampling->Interpolate(c, r, &response);
  };
}

std::function<grpc::Status(Stubs&, grpc::ClientContext*)> ListJobs(
    std::function<void(v1::ListJobsRequest&)> mutate) {
  return [mutate](Stubs& s, grpc::ClientContext* c) {
    v1::ListJobsRequest r;
    mutate(r);
    v1::ListJobsResponse response;
    return s.training->ListJobs(c, r, &response);
  };
}

using Code = grpc::StatusCode;
using CJ = v1::CreateJobRequest;

const BadRequest kBadRequests[] = {
    {"image_size_not_power_of_two", Code::INVALID_ARGUMENT, "spec.image_size",
     CreateJob<CJ>([](CJ& r) { r.mutable_spec()->set_image_size(48); })},
    {"image_size_too_big", Code::INVALID_ARGUMENT, "spec.image_size",
     CreateJob<CJ>([](CJ& r) { r.mutable_spec()->set_image_size(256); })},
    {"channels", Code::INVALID_ARGUMENT, "spec.channels",
     CreateJob<CJ>([](CJ& r) { r.mutable_spec()->set_channels(2); })},
    {"batch_size", Code::INVALID_ARGUMENT, "spec.batch_size",
     CreateJob<CJ>([](CJ& r) { r.mutable_spec()->set_batch_size(1); })},
    {"learning_rate", Code::INVALID_ARGUMENT, "spec.learning_rate",
     CreateJob<CJ>([](CJ& r) { r.mutable_spec()->set_learning_rate(-1); })},
    {"beta1", Code::INVALID_ARGUMENT, "spec.beta1",
     CreateJob<CJ>([](CJ& r) { r.mutable_spec()->set_beta1(1.5); })},
    {"beta2", Code::INVALID_ARGUMENT, "spec.beta2",
     CreateJob<CJ>([](CJ& r) { r.mutable_spec()->set_beta2(-0.5); })},
    {"unknown_dataset", Code::INVALID_ARGUMENT, "spec.dataset",
     CreateJob<CJ>([](CJ& r) { r.mutable_spec()->set_dataset("imagenet"); })},
    {"dataset_escapes_root", Code::INVALID_ARGUMENT, "spec.dataset",
     CreateJob<CJ>([](CJ& r) { r.mutable_spec()->set_dataset("image-folder:../../etc"); })},
    {"architecture", Code::INVALID_ARGUMENT, "spec.architecture",
     CreateJob<CJ>([](CJ& r) { r.mutable_spec()->set_architecture(v1::Architecture(7)); })},
    {"d_steps", Code::INVALID_ARGUMENT, "spec.d_steps_per_g_step",
     CreateJob<CJ>([](CJ& r) { r.mutable_spec()->set_d_steps_per_g_step(-1); })},
    {"latent_dim", Code::INVALID_ARGUMENT, "spec.latent_dim",
     CreateJob<CJ>([](CJ& r) { r.mutable_spec()->set_latent_dim(-5); })},
    {"generator_width", Code::INVALID_ARGUMENT, "spec.generator_width",
     CreateJob<CJ>([](CJ& r) { r.mutable_spec()->set_generator_width(100000); })},
    {"epochs", Code::INVALID_ARGUMENT, "spec.epochs",
     CreateJob<CJ>([](CJ& r) { r.mutable_spec()->set_epochs(-1); })},
    {"job_id_charset", Code::INVALID_ARGUMENT, "job_id",
     CreateJob<CJ>([](CJ& r) { r.set_job_id("Bad ID!"); })},
    {"job_id_reused_with_other_spec", Code::ALREADY_EXISTS, "job_id", CreateJob<CJ>([](CJ& r) {
       r.set_job_id("ready");
       r.mutable_spec()->set_max_steps(999);
     })},
    {"get_empty_id", Code::INVALID_ARGUMENT, "job_id",
     [](Stubs& s, grpc::ClientContext* c) {
       v1::Job job;
       return s.training->GetJob(c, v1::GetJobRequest(), &job);
     }},
    {"get_unknown_job", Code::NOT_FOUND, "no-such-job",
     [](Stubs& s, grpc::ClientContext* c) {
       v1::GetJobRequest r;
       r.set_job_id("no-such-job");
       v1::Job job;
       return s.training->GetJob(c, r, &job);
     }},
    {"page_size_negative", Code::INVALID_ARGUMENT, "page_size",
     ListJobs([](v1::ListJobsRequest& r) { r.set_page_size(-1); })},
    {"page_size_huge", Code::INVALID_ARGUMENT, "page_size",
     ListJobs([](v1::ListJobsRequest& r) { r.set_page_size(5000); })},
    {"page_token", Code::INVALID_ARGUMENT, "page_token",
     ListJobs([](v1::ListJobsRequest& r) { r.set_page_token("xyz"); })},
    {"state_filter", Code::INVALID_ARGUMENT, "state",
     ListJobs([](v1::ListJobsRequest& r) { r.set_state(v1::Job::State(42)); })},
    {"cancel_empty_id", Code::INVALID_ARGUMENT, "job_id",
     [](Stubs& s, grpc::ClientContext* c) {
       v1::Job job;
       return s.training->CancelJob(c, v1::CancelJobRequest(), &job);
     }},
    {"cancel_succeeded_job", Code::FAILED_PRECONDITION, "ready",
     [](Stubs& s, grpc::ClientContext* c) {
       v1::CancelJobRequest r;
       r.set_job_id("ready");
       v1::Job job;
       return s.training->CancelJob(c, r, &job);
     }},
    {"watch_unknown_job", Code::NOT_FOUND, "nobody",
     [](Stubs& s, grpc::ClientContext* c) {
       v1::WatchJobRequest r;
       r.set_job_id("nobody");
       auto reader = s.training->WatchJob(c, r);
       v1::Job job;
       while (reader->Read(&job)) {
       }
       return reader->Finish();
     }},
    {"sample_empty_model", Code::INVALID_ARGUMENT, "model",
     Sample([](v1::SampleRequest& r) { r.set_model(""); })},
    {"sample_model_path", Code::INVALID_ARGUMENT, "model",
     Sample([](v1::SampleRequest& r) { r.set_model("../etc"); })},
    {"sample_unknown_model", Code::NOT_FOUND, "model",
     Sample([](v1::SampleRequest& r) { r.set_model("missing"); })},
    {"sample_negative_count", Code::INVALID_ARGUMENT, "count",
     Sample([](v1::SampleRequest& r) { r.set_count(-3); })},
    {"sample_count_over_limit", Code::RESOURCE_EXHAUSTED, "count",
     Sample([](v1::SampleRequest& r) { r.set_count(100000); })},
    {"sample_negative_step", Code::INVALID_ARGUMENT, "checkpoint_step",
     Sample([](v1::SampleRequest& r) { r.set_checkpoint_step(-1); })},
    {"sample_missing_step", Code::NOT_FOUND, "checkpoint at step 12345",
     Sample([](v1::SampleRequest& r) { r.set_checkpoint_step(12345); })},
    {"sample_format", Code::INVALID_ARGUMENT, "format",
     Sample([](v1::SampleRequest& r) { r.set_format(v1::Format(9)); })},
    {"sample_latent_size", Code::INVALID_ARGUMENT, "latents[0]",
     Sample([](v1::SampleRequest& r) { r.add_latents()->add_values(1.0f); })},
    {"sample_latent_not_finite", Code::INVALID_ARGUMENT, "latents[0]",
     Sample([](v1::SampleRequest& r) {
       v1::Latent* latent = r.add_latents();
       for (int i = 0; i < 16; ++i) latent->add_values(i == 3 ? NAN : 0.5f);
     })},
    {"sample_no_checkpoint_yet", Code::FAILED_PRECONDITION, "no checkpoint yet",
     Sample([](v1::SampleRequest& r) { r.set_model("waiting"); })},
    {"sample_corrupt_checkpoint", Code::DATA_LOSS, "generator.pt",
     Sample([](v1::SampleRequest& r) { r.set_model("broken"); })},
    {"interpolate_one_step", Code::INVALID_ARGUMENT, "steps",
     Interpolate([](v1::InterpolateRequest& r) { r.set_steps(1); })},
    {"interpolate_too_many_steps", Code::RESOURCE_EXHAUSTED, "steps",
     Interpolate([](v1::InterpolateRequest& r) { r.set_steps(1000); })},
    {"interpolate_one_latent", Code::INVALID_ARGUMENT, "latent_from",
     Interpolate([](v1::InterpolateRequest& r) { r.mutable_latent_from()->add_values(1); })},
    {"interpolate_method", Code::INVALID_ARGUMENT, "method",
     Interpolate(
         [](v1::InterpolateRequest& r) { r.set_method(v1::InterpolateRequest::Method(9)); })},
};

class BadRequestsTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = new testing::TempDir();
    server_ = new testing::ServerProcess(dir_->file("state"));
    ASSERT_TRUE(server_->Start()) << server_->log();
    auto channel = grpc::CreateChannel(server_->address(), grpc::InsecureChannelCredentials());
    stubs_ =
        new Stubs{v1::TrainingService::NewStub(channel), v1::SamplingService::NewStub(channel)};
    health_ = grpc::health::v1::Health::NewStub(channel).release();
    // "ready" and "broken" train to completion; then "busy" holds the only
    // worker so "waiting" stays queued with no checkpoint.
    for (const char* id : {"ready", "broken"}) {
      Create(id, 10);
      ASSERT_TRUE(testing::WaitFor([&] { return State(id) == v1::Job::SUCCEEDED; },
                                   std::chrono::seconds(120)));
    }
    Create("busy", 1000000000);
    ASSERT_TRUE(testing::WaitFor([] { return State("busy") == v1::Job::RUNNING; },
                                 std::chrono::seconds(60)));
    Create("waiting", 10);
    const std::string generator =
        dir_->file("state/checkpoints/broken/step-000000000010/generator.pt");
    ASSERT_TRUE(fs::exists(generator));
    std::ofstream(generator, std::ios::binary | std::ios::app) << "corruption";
  }

  static void TearDownTestSuite() {
    delete health_;
    delete stubs_;
    delete server_;
    delete dir_;
  }

  static void Create(const std::string& id, int64_t steps) {
    grpc::ClientContext context;
    v1::CreateJobRequest request;
    request.set_job_id(id);
    *request.mutable_spec() = Tiny(steps);
    v1::Job job;
    ASSERT_TRUE(stubs_->training->CreateJob(&context, request, &job).ok());
  }

  static v1::Job::State State(const std::string& id) {
    grpc::ClientContext context;
    v1::GetJobRequest request;
    request.set_job_id(id);
    v1::Job job;
    return stubs_->training->GetJob(&context, request, &job).ok() ? job.state()
                                                                  : v1::Job::STATE_UNSPECIFIED;
  }

  static testing::TempDir* dir_;
  static testing::ServerProcess* server_;
  static Stubs* stubs_;
  static grpc::health::v1::Health::Stub* health_;
};

testing::TempDir* BadRequestsTest::dir_;
testing::ServerProcess* BadRequestsTest::server_;
Stubs* BadRequestsTest::stubs_;
grpc::health::v1::Health::Stub* BadRequestsTest::health_;

TEST_F(BadRequestsTest, EachGetsItsCodeAndNamesTheField) {
  ASSERT_GE(std::size(kBadRequests), 25u);
  for (const BadRequest& bad : kBadRequests) {
    grpc::ClientContext context;
    context.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(30));
    const grpc::Status status = bad.call(*stubs_, &context);
    EXPECT_EQ(status.error_code(), bad.code) << bad.name << ": " << status.error_message();
    EXPECT_THAT(status.error_message(), HasSubstr(bad.message)) << bad.name;
  }
  // Still serving, and still answering good requests.
  grpc::ClientContext context;
  grpc::health::v1::HealthCheckResponse health;
  ASSERT_TRUE(health_->Check(&context, grpc::health::v1::HealthCheckRequest(), &health).ok());
  EXPECT_EQ(health.status(), grpc::health::v1::HealthCheckResponse::SERVING);
  grpc::ClientContext sample_context;
  v1::SampleRequest good;
  good.set_model("ready");
  good.set_count(2);
  v1::SampleResponse response;
  ASSERT_TRUE(stubs_->sampling->Sample(&sample_context, good, &response).ok());
  EXPECT_EQ(response.images_size(), 2);
  EXPECT_EQ(State("busy"), v1::Job::RUNNING);  // nothing above disturbed the running job
}

}  // namespace
}  // namespace dcgan
