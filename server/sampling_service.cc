#include "server/sampling_service.h"

#include <torch/torch.h>

#include <chrono>
#include <cmath>
#include <iterator>

#include "absl/strings/str_cat.h"
#include "core/image/png_codec.h"
#include "core/sample/image_tensor.h"
#include "core/sample/interpolation.h"
#include "server/proto_convert.h"
#include "server/status_util.h"
#include "server/training_service.h"

namespace dcgan {
namespace {

constexpr int kDefaultInterpolationSteps = 8;

grpc::Status CheckFormat(v1::Format format) {
  if (v1::Format_IsValid(format)) return grpc::Status::OK;
  return InvalidArgument(
      absl::StrCat("format must be PNG, PNG_GRID or RAW_FLOAT32, got ", int(format)));
}

// Copies latent vectors into a tensor, checking each one's size and values.
grpc::Status LatentsToTensor(const google::protobuf::RepeatedPtrField<v1::Latent>& latents,
                             const char* field, int64_t latent_dim, torch::Tensor* out) {
  *out = torch::empty({latents.size(), latent_dim});
  for (int i = 0; i < latents.size(); ++i) {
    const auto& values = latents[i].values();
    if (values.size() != latent_dim) {
      return InvalidArgument(absl::StrCat(field, "[", i, "] has ", values.size(),
                                          " values; this model takes ", latent_dim));
    }
    for (float v : values) {
      if (!std::isfinite(v)) {
        return InvalidArgument(absl::StrCat(field, "[", i, "] has a value that is not finite"));
      }
    }
    std::copy(values.begin(), values.end(), (*out)[i].data_ptr<float>());
  }
  return grpc::Status::OK;
}

// Images a finished call returned: the batch dimension of its shape.
int64_t ImagesIn(const v1::SampleResponse& response, const grpc::Status& status) {
  return status.ok() && response.shape_size() > 0 ? response.shape(0) : 0;
}

double SecondsSince(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

}  // namespace

grpc::Status SamplingService::CheckCount(const char* field, int64_t count) const {
  if (count < 1) return InvalidArgument(absl::StrCat(field, " must be at least 1, got ", count));
  if (count > options_.max_samples_per_request) {
    return grpc::Status(grpc::StatusCode::RESOURCE_EXHAUSTED,
                        absl::StrCat(field, " must be at most ", options_.max_samples_per_request,
                                     " (--max_samples_per_request), got ", count));
  }
  return grpc::Status::OK;
}

grpc::Status SamplingService::Resolve(const std::string& model, int64_t step,
                                      std::shared_ptr<const LoadedGenerator>* generator) {
  if (grpc::Status s = ValidateJobId("model", model); !s.ok()) return s;
  if (step < 0) {
    return InvalidArgument(
        absl::StrCat("checkpoint_step must be 0 (newest) or a checkpoint's step, got ", step));
  }
  // The checkpoint folder is named by the job id, so a model with a
  // checkpoint is a job: the job store is asked only when there is none, to
  // tell an unknown model from one still before its first checkpoint.
  absl::StatusOr<std::shared_ptr<const LoadedGenerator>> loaded = cache_->Get(model, step);
  if (loaded.status().code() == absl::StatusCode::kFailedPrecondition) {
    absl::StatusOr<JobRecord> job = queue_->Get(model);
    if (job.status().code() == absl::StatusCode::kNotFound) {
      return grpc::Status(
          grpc::StatusCode::NOT_FOUND,
          absl::StrCat("no model \"", model, "\": models are job ids (ListModels)"));
    }
    if (!job.ok()) return ToGrpcStatus(job.status());
  }
  if (!loaded.ok()) return ToGrpcStatus(loaded.status());
  *generator = *loaded;
  return grpc::Status::OK;
}

grpc::Status SamplingService::Render(grpc::ServerContext* context,
                                     const std::shared_ptr<const LoadedGenerator>& generator,
                                     const torch::Tensor& latents, v1::Format format,
                                     SampleBatcher::Arrival arrival, v1::SampleResponse* response) {
  const JobSpec& spec = generator->spec();
  const int64_t n = latents.size(0);
  const int64_t raw_bytes = n * spec.channels * spec.image_size * spec.image_size * 4;
  if (raw_bytes > options_.max_response_bytes) {
    return grpc::Status(grpc::StatusCode::RESOURCE_EXHAUSTED,
                        absl::StrCat("the response would be ", raw_bytes, " bytes, over the ",
                                     options_.max_response_bytes, "-byte limit; ask for fewer"));
  }
  if (context->IsCancelled() || std::chrono::system_clock::now() > context->deadline()) {
    return grpc::Status(grpc::StatusCode::DEADLINE_EXCEEDED, "deadline passed before sampling");
  }
  absl::StatusOr<SampledImages> sampled = batcher_->Generate(std::move(arrival), generator, latents,
                                                             absl::FromChrono(context->deadline()));
  if (!sampled.ok()) return ToGrpcStatus(sampled.status());
  response->set_checkpoint_step(generator->step());
  response->add_shape(n);
  response->add_shape(spec.channels);
  response->add_shape(spec.image_size);
  response->add_shape(spec.image_size);
  if (format == v1::RAW_FLOAT32) {
    std::string* raw = response->mutable_raw();
    raw->reserve(size_t(raw_bytes));
    for (const torch::Tensor& part : sampled->images) {
      const torch::Tensor contiguous = part.contiguous();  // a view already, for whole batches
      raw->append(reinterpret_cast<const char*>(contiguous.data_ptr<float>()),
                  size_t(contiguous.numel()) * sizeof(float));
    }
    return grpc::Status::OK;
  }
  const int size = spec.image_size, channels = spec.channels;
  const size_t image_bytes = size_t(size) * size * channels;
  if (format == v1::PNG_GRID) {
    std::vector<Image> tiles;
    for (const torch::Tensor& part : sampled->pixels) {
      std::vector<Image> images = PixelsToImages(part);
      std::move(images.begin(), images.end(), std::back_inserter(tiles));
    }
    absl::StatusOr<std::string> grid = EncodeGridPng(tiles);
    if (!grid.ok()) return ToGrpcStatus(grid.status());
    response->set_grid_png(*std::move(grid));
    return grpc::Status::OK;
  }
  // PNG encoding runs here, on the call's own thread: concurrent calls
  // encode in parallel while the batcher's worker runs the next pass.
  for (const torch::Tensor& part : sampled->pixels) {
    const uint8_t* data = part.data_ptr<uint8_t>();
    for (int64_t i = 0; i < part.size(0); ++i) {
      absl::StatusOr<std::string> png = EncodePng(size, size, channels, data + i * image_bytes);
      if (!png.ok()) return ToGrpcStatus(png.status());
      v1::Image* out = response->add_images();
      out->set_png(*std::move(png));
      out->set_width(size);
      out->set_height(size);
      out->set_channels(channels);
    }
  }
  return grpc::Status::OK;
}

grpc::Status SamplingService::Sample(grpc::ServerContext* context, const v1::SampleRequest* request,
                                     v1::SampleResponse* response) {
  const auto start = std::chrono::steady_clock::now();
  grpc::Status status = DoSample(context, request, batcher_->Arrive(), response);
  metrics_->RecordRequest(SampleMethod::kSample, status.error_code(), ImagesIn(*response, status),
                          SecondsSince(start));
  return status;
}

grpc::Status SamplingService::Interpolate(grpc::ServerContext* context,
                                          const v1::InterpolateRequest* request,
                                          v1::SampleResponse* response) {
  const auto start = std::chrono::steady_clock::now();
  grpc::Status status = DoInterpolate(context, request, batcher_->Arrive(), response);
  metrics_->RecordRequest(SampleMethod::kInterpolate, status.error_code(),
                          ImagesIn(*response, status), SecondsSince(start));
  return status;
}

grpc::Status SamplingService::DoSample(grpc::ServerContext* context,
                                       const v1::SampleRequest* request,
                                       SampleBatcher::Arrival arrival,
                                       v1::SampleResponse* response) {
  if (grpc::Status s = CheckFormat(request->format()); !s.ok()) return s;
  const bool explicit_latents = request->latents_size() > 0;
  if (explicit_latents) {
    if (grpc::Status s = CheckCount("latents", request->latents_size()); !s.ok()) return s;
  } else if (request->count() != 0) {
    if (grpc::Status s = CheckCount("count", request->count()); !s.ok()) return s;
  }
  std::shared_ptr<const LoadedGenerator> generator;
  if (grpc::Status s = Resolve(request->model(), request->checkpoint_step(), &generator); !s.ok()) {
    return s;
  }
  const int64_t latent_dim = generator->spec().latent_dim;
  torch::Tensor latents;
  if (explicit_latents) {
    if (grpc::Status s = LatentsToTensor(request->latents(), "latents", latent_dim, &latents);
        !s.ok()) {
      return s;
    }
  } else {
    latents = LatentsForSeed(request->seed(), std::max(1, request->count()), latent_dim);
  }
  response->set_model(request->model());
  response->set_seed(request->seed());
  return Render(context, generator, latents, request->format(), std::move(arrival), response);
}

grpc::Status SamplingService::DoInterpolate(grpc::ServerContext* context,
                                            const v1::InterpolateRequest* request,
                                            SampleBatcher::Arrival arrival,
                                            v1::SampleResponse* response) {
  if (grpc::Status s = CheckFormat(request->format()); !s.ok()) return s;
  if (!v1::InterpolateRequest::Method_IsValid(request->method())) {
    return InvalidArgument(
        absl::StrCat("method must be LINEAR or SPHERICAL, got ", int(request->method())));
  }
  const int steps = request->steps() == 0 ? kDefaultInterpolationSteps : request->steps();
  if (steps < 2) return InvalidArgument(absl::StrCat("steps must be at least 2, got ", steps));
  if (grpc::Status s = CheckCount("steps", steps); !s.ok()) return s;
  if (request->has_latent_from() != request->has_latent_to()) {
    return InvalidArgument("latent_from and latent_to must be given together (or neither)");
  }
  std::shared_ptr<const LoadedGenerator> generator;
  if (grpc::Status s = Resolve(request->model(), request->checkpoint_step(), &generator); !s.ok()) {
    return s;
  }
  const int64_t latent_dim = generator->spec().latent_dim;
  torch::Tensor from, to;
  if (request->has_latent_from()) {
    google::protobuf::RepeatedPtrField<v1::Latent> ends;
    *ends.Add() = request->latent_from();
    *ends.Add() = request->latent_to();
    torch::Tensor both;
    if (grpc::Status s = LatentsToTensor(ends, "latent_from/latent_to", latent_dim, &both);
        !s.ok()) {
      return s;
    }
    from = both[0];
    to = both[1];
  } else {
    from = LatentsForSeed(request->seed_from(), 1, latent_dim)[0];
    to = LatentsForSeed(request->seed_to(), 1, latent_dim)[0];
  }
  const bool spherical = request->method() == v1::InterpolateRequest::SPHERICAL;
  response->set_model(request->model());
  return Render(context, generator, InterpolateLatents(from, to, steps, spherical),
                request->format(), std::move(arrival), response);
}

grpc::Status SamplingService::ListModels(grpc::ServerContext*, const v1::ListModelsRequest*,
                                         v1::ListModelsResponse* response) {
  int64_t before = 0;
  while (true) {
    absl::StatusOr<std::vector<JobRecord>> jobs = queue_->List(std::nullopt, 500, before);
    if (!jobs.ok()) return ToGrpcStatus(jobs.status());
    for (const JobRecord& job : *jobs) {
      const std::vector<int64_t> steps = queue_->CheckpointSteps(job.id);
      if (steps.empty()) continue;
      v1::ModelInfo* model = response->add_models();
      model->set_model(job.id);
      for (int64_t step : steps) model->add_checkpoint_steps(step);
      *model->mutable_spec() = ToProto(job.spec);
      *model->mutable_progress() = ToProto(job.progress);
      model->set_state(static_cast<v1::Job::State>(job.state));
    }
    if (jobs->size() < 500) break;
    before = jobs->back().sequence;
  }
  return grpc::Status::OK;
}

}  // namespace dcgan
