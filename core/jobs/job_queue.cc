#include "core/jobs/job_queue.h"

#include <unistd.h>

#include <iostream>
#include <random>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "core/checkpoint/checkpoint.h"
#include "core/util/status_macros.h"

namespace dcgan {
namespace {

std::string DefaultReplicaId() {
  char host[256] = {};
  if (gethostname(host, sizeof(host) - 1) != 0 || host[0] == '\0') std::snprintf(host, 8, "dcgan");
  return absl::StrFormat("%s-%06x", host, std::random_device()() & 0xffffff);
}

}  // namespace

// Feeds a running job's steps into the queue's live record.
class JobQueue::Observer : public TrainingObserver {
 public:
  Observer(JobQueue* queue, std::shared_ptr<Running> running, absl::Duration write_interval)
      : queue_(queue), running_(std::move(running)), write_interval_(write_interval) {}

  void OnStep(const TrainingProgress& progress) override {
    JobRecord snapshot;
    {
      absl::MutexLock lock(&queue_->mu_);
      running_->record.progress = progress;
      snapshot = running_->record;
    }
    const absl::Time now = absl::Now();
    const bool persist = now - last_write_ >= write_interval_;
    if (persist) last_write_ = now;
    queue_->Publish(snapshot, persist, running_.get());
    if (queue_->options_.listener != nullptr)
      queue_->options_.listener->OnJobStep(snapshot, progress);
  }

 private:
  JobQueue* const queue_;
  const std::shared_ptr<Running> running_;
  const absl::Duration write_interval_;
  absl::Time last_write_ = absl::InfinitePast();
};

JobQueue::JobQueue(JobStore* store, const JobQueueOptions& options)
    : store_(store),
      options_(options),
      replica_id_(options.replica_id.empty() ? DefaultReplicaId() : options.replica_id) {}

JobQueue::~JobQueue() { Shutdown(); }

absl::Status JobQueue::Start() {
  if (options_.sole_store_user) {
    ASSIGN_OR_RETURN(int requeued, store_->RequeueRunning());
    if (requeued > 0) {
      std::cerr << "job queue: " << requeued << " interrupted job(s) will resume\n";
    }
  }
  {
    absl::MutexLock lock(&mu_);
    wakeups_ = options_.max_concurrent_jobs;  // look for queued jobs at once
  }
  for (int i = 0; i < options_.max_concurrent_jobs; ++i) {
    workers_.emplace_back([this] { WorkerLoop(); });
  }
  lease_keeper_ = std::thread([this] { LeaseLoop(); });
  return absl::OkStatus();
}

std::string JobQueue::JobDir(const std::string& id) const {
  return absl::StrCat(options_.checkpoint_root, "/", id);
}

std::vector<int64_t> JobQueue::CheckpointSteps(const std::string& id) const {
  return ListCheckpointSteps(JobDir(id));
}

absl::StatusOr<int64_t> JobQueue::CountInState(JobState state) const {
  return store_->CountInState(state);
}

bool JobQueue::shutting_down() const {
  absl::MutexLock lock(&mu_);
  return shutting_down_;
}

absl::StatusOr<JobRecord> JobQueue::Submit(const std::string& requested_id, const JobSpec& spec) {
  if (shutting_down()) return absl::UnavailableError("server is shutting down");
  if (!requested_id.empty() && !IsValidJobId(requested_id)) {
    return absl::InvalidArgumentError(
        "job_id must be 1 to 63 characters of a-z, 0-9 and '-', not starting with '-'");
  }
  const JobSpec filled = WithDefaults(spec);
  RETURN_IF_ERROR(Validate(filled));
  if (!requested_id.empty()) {
    absl::StatusOr<JobRecord> existing = store_->Get(requested_id);
    if (existing.ok()) {
      if (existing->spec == filled) return Get(requested_id);
      return absl::AlreadyExistsError(absl::StrCat(
          "job_id ", requested_id, " already exists with a different spec; choose another id"));
    }
    if (existing.status().code() != absl::StatusCode::kNotFound) return existing.status();
  }
  if (absl::Status data = CheckDatasetAvailable(filled.dataset, options_.data); !data.ok()) {
    return absl::Status(data.code(), absl::StrCat("spec.dataset: ", data.message()));
  }
  ASSIGN_OR_RETURN(const int64_t queued, store_->CountInState(JobState::kQueued));
  if (queued >= options_.max_queued_jobs) {
    return absl::ResourceExhaustedError(absl::StrCat(
        options_.max_queued_jobs, " jobs are already queued; wait for some to finish"));
  }
  JobRecord job;
  job.id = requested_id.empty() ? NewJobId() : requested_id;
  job.state = JobState::kQueued;
  job.spec = filled;
  job.create_unix_ms = NowUnixMs();
  absl::StatusOr<JobRecord> created = store_->Create(job);
  if (created.status().code() == absl::StatusCode::kAlreadyExists && !requested_id.empty()) {
    return Submit(requested_id, spec);  // lost a race with an identical retry
  }
  RETURN_IF_ERROR(created.status());
  absl::MutexLock lock(&mu_);
  ++version_;
  ++wakeups_;
  return *created;
}

absl::StatusOr<JobRecord> JobQueue::Get(const std::string& id) {
  {
    absl::MutexLock lock(&mu_);
    auto it = running_.find(id);
    if (it != running_.end()) return it->second->record;
  }
  return store_->Get(id);
}

absl::StatusOr<std::vector<JobRecord>> JobQueue::List(std::optional<JobState> state, int limit,
                                                      int64_t before_sequence) {
  ASSIGN_OR_RETURN(std::vector<JobRecord> jobs, store_->List(state, limit, before_sequence));
  absl::MutexLock lock(&mu_);
  for (JobRecord& job : jobs) {
    auto it = running_.find(job.id);
    if (it != running_.end()) job.progress = it->second->record.progress;
  }
  return jobs;
}

absl::StatusOr<JobRecord> JobQueue::Cancel(const std::string& id) {
  {
    absl::MutexLock lock(&mu_);
    auto it = running_.find(id);
    if (it != running_.end()) {
      it->second->stop.store(StopRequest::kCancel);
      return it->second->record;  // becomes CANCELLED within one step
    }
  }
  ASSIGN_OR_RETURN(JobRecord job, store_->RequestCancel(id));
  if (job.state == JobState::kSucceeded || job.state == JobState::kFailed) {
    return absl::FailedPreconditionError(
        absl::StrCat("job ", id, " already ", JobStateName(job.state)));
  }
  {
    // A worker here may have claimed it between our first look and the
    // request: then it is registered by now, or it will see
    // cancel_requested when it re-reads the store (RunJob), so one of the
    // two stops it.
    absl::MutexLock lock(&mu_);
    auto it = running_.find(id);
    if (it != running_.end()) it->second->stop.store(StopRequest::kCancel);
  }
  Publish(job, /*persist=*/false);
  return job;
}

absl::StatusOr<JobRecord> JobQueue::WaitForChange(const std::string& id, int64_t* version,
                                                  absl::Time deadline) {
  {
    absl::MutexLock lock(&mu_);
    const int64_t seen = *version;
    auto changed = [this, seen]() ABSL_SHARED_LOCKS_REQUIRED(mu_) {
      return version_ > seen || shutting_down_;
    };
    mu_.AwaitWithDeadline(absl::Condition(&changed), deadline);
    *version = version_;
  }
  return Get(id);
}

void JobQueue::BeginShutdown() {
  absl::MutexLock lock(&mu_);
  shutting_down_ = true;
  for (auto& [id, running] : running_) {
    StopRequest none = StopRequest::kNone;
    running->stop.compare_exchange_strong(none, StopRequest::kCheckpointAndStop);
  }
}

void JobQueue::Shutdown() {
  BeginShutdown();
  for (std::thread& worker : workers_) worker.join();
  workers_.clear();
  if (lease_keeper_.joinable()) lease_keeper_.join();
}

void JobQueue::LoseLease(Running* running, const absl::Status& why) {
  if (running->lease_lost.exchange(true)) return;
  running->stop.store(StopRequest::kCancel);
  std::cerr << "job queue: stopping job " << running->record.id << " without saving: " << why
            << "\n";
}

void JobQueue::Publish(const JobRecord& job, bool persist, Running* running) {
  if (persist) {
    absl::Status status = store_->Update(job);
    if (status.code() == absl::StatusCode::kFailedPrecondition && running != nullptr) {
      LoseLease(running, status);
    } else if (!status.ok()) {
      std::cerr << "job queue: cannot save job " << job.id << ": " << status << "\n";
    }
  }
  absl::MutexLock lock(&mu_);
  ++version_;
}

void JobQueue::LeaseLoop() {
  while (true) {
    {
      absl::MutexLock lock(&mu_);
      auto stopping = [this]() ABSL_SHARED_LOCKS_REQUIRED(mu_) {
        return shutting_down_ && running_.empty();
      };
      // Renew until the last job has stopped: a draining job still holds its
      // lease while it writes its checkpoint.
      if (mu_.AwaitWithTimeout(absl::Condition(&stopping), options_.lease / 3)) return;
    }
    RenewLeases();
  }
}

void JobQueue::RenewLeases() {
  std::vector<std::shared_ptr<Running>> jobs;
  {
    absl::MutexLock lock(&mu_);
    for (const auto& [id, running] : running_) jobs.push_back(running);
  }
  for (const std::shared_ptr<Running>& running : jobs) {
    const std::string& id = running->record.id;
    absl::StatusOr<JobStore::LeaseRenewal> renewal =
        store_->RenewLease(id, replica_id_, options_.lease);
    const absl::Time now = absl::Now();
    if (!renewal.ok()) {
      // Past 2/3 of the lease another replica may take the job over soon:
      // stop before two replicas train it at once.
      if (now - running->renewed_at > options_.lease * 2 / 3) {
        LoseLease(running.get(), renewal.status());
      } else {
        std::cerr << "job queue: cannot renew the lease on job " << id << ": " << renewal.status()
                  << "\n";
      }
      continue;
    }
    if (!renewal->held) {
      LoseLease(running.get(),
                absl::FailedPreconditionError(absl::StrCat("another replica took over job ", id)));
      continue;
    }
    running->renewed_at = now;
    if (renewal->cancel_requested) running->stop.store(StopRequest::kCancel);
  }
}

void JobQueue::WorkerLoop() {
  while (true) {
    {
      absl::MutexLock lock(&mu_);
      auto work = [this]()
                      ABSL_SHARED_LOCKS_REQUIRED(mu_) { return wakeups_ > 0 || shutting_down_; };
      mu_.AwaitWithTimeout(absl::Condition(&work), options_.poll_interval);
      if (shutting_down_) return;
      if (wakeups_ > 0) --wakeups_;
    }
    absl::StatusOr<std::optional<JobRecord>> claimed =
        store_->ClaimNext(replica_id_, options_.lease);
    if (!claimed.ok()) {
      std::cerr << "job queue: cannot claim a job: " << claimed.status() << "\n";
      continue;
    }
    if (!claimed->has_value()) continue;
    RunJob(**claimed);
    absl::MutexLock lock(&mu_);
    ++wakeups_;  // there may be more queued
  }
}

void JobQueue::RunJob(JobRecord job) {
  auto running = std::make_shared<Running>();
  running->record = job;
  running->renewed_at = absl::Now();
  {
    absl::MutexLock lock(&mu_);
    running_[job.id] = running;
    if (shutting_down_) running->stop.store(StopRequest::kCheckpointAndStop);
  }
  // Cancelled before the claim, by a replica that saw it running, or between
  // the claim and the registration above (see Cancel).
  if (job.cancel_requested) running->stop.store(StopRequest::kCancel);
  if (absl::StatusOr<JobRecord> current = store_->Get(job.id);
      current.ok() && current->cancel_requested) {
    running->stop.store(StopRequest::kCancel);
  }
  Publish(job, /*persist=*/false);

  TrainerOptions trainer_options;
  trainer_options.data = options_.data;
  trainer_options.job_dir = JobDir(job.id);
  trainer_options.keep_last_checkpoints = options_.keep_last_checkpoints;
  absl::Status result;
  absl::StatusOr<std::unique_ptr<Trainer>> trainer =
      running->stop.load() == StopRequest::kCancel
          ? absl::CancelledError("cancelled before it started")
          : Trainer::Create(job.spec, trainer_options);
  if (trainer.ok() && (*trainer)->resumed_from_step() > 0) {
    std::cerr << "job queue: job " << job.id << " resumes from its checkpoint at step "
              << (*trainer)->resumed_from_step() << "\n";
  }
  if (trainer.ok()) {
    Observer observer(this, running, options_.store_write_interval);
    result = (*trainer)->Run(&observer, &running->stop);
  } else {
    result = trainer.status();
  }
  JobRecord final_record;
  {
    absl::MutexLock lock(&mu_);
    final_record = running->record;
  }
  if (options_.listener != nullptr) options_.listener->OnJobStopped(job.id);
  Finish(std::move(final_record), result, running.get());
  // Unregistered only after the final write, so the lease keeper renews
  // the lease until then.
  absl::MutexLock lock(&mu_);
  running_.erase(job.id);
  ++version_;
}

void JobQueue::Finish(JobRecord job, absl::Status result, Running* running) {
  if (running->lease_lost.load()) return;  // not ours to write any more
  if (result.ok()) {
    job.state = JobState::kSucceeded;
  } else if (result.code() == absl::StatusCode::kCancelled) {
    job.state = JobState::kCancelled;
  } else if (result.code() == absl::StatusCode::kAborted) {
    // Shutdown: a checkpoint was written; back to QUEUED, so this replica's
    // next start or any other replica resumes it from there at once.
    job.state = JobState::kQueued;
  } else {
    job.state = JobState::kFailed;
    job.error = std::string(result.message());
  }
  if (IsTerminal(job.state)) job.end_unix_ms = NowUnixMs();
  {
    absl::MutexLock lock(&mu_);
    running->record = job;
  }
  Publish(job, /*persist=*/true, running);
}

}  // namespace dcgan
