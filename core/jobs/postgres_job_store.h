#ifndef DCGAN_CORE_JOBS_POSTGRES_JOB_STORE_H_
#define DCGAN_CORE_JOBS_POSTGRES_JOB_STORE_H_

#include <memory>
#include <string>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/synchronization/mutex.h"
#include "core/jobs/job_store.h"

struct pg_conn;

namespace dcgan {

// A JobStore in PostgreSQL (libpq), for replicas that share one job store.
// Same contract as SqliteJobStore (tests/core/job_store_contract_test.cc
// runs one suite against both). ClaimNext takes the oldest claimable job
// with FOR UPDATE SKIP LOCKED, so replicas claiming at once never take the
// same job and never wait on each other's claims. Versioned migrations run
// at Open under a transaction-scoped advisory lock, so replicas starting
// together apply each one once.
//
// One connection behind a mutex; a broken connection is re-established on
// the next call (that call fails with UNAVAILABLE). Thread-safe.
class PostgresJobStore : public JobStore {
 public:
  // `conninfo`: a libpq URI (postgresql://user@host:port/db?...) or
  // key=value string. UNAVAILABLE if the server cannot be reached.
  static absl::StatusOr<std::unique_ptr<PostgresJobStore>> Open(const std::string& conninfo);
  ~PostgresJobStore() override;

  absl::StatusOr<JobRecord> Create(const JobRecord& job) override;
  absl::StatusOr<JobRecord> Get(const std::string& id) override;
  absl::StatusOr<std::vector<JobRecord>> List(std::optional<JobState> state, int limit,
                                              int64_t before_sequence) override;
  absl::StatusOr<int64_t> CountInState(JobState state) override;
  absl::Status Update(const JobRecord& job) override;
  absl::StatusOr<std::optional<JobRecord>> ClaimNext(const std::string& owner,
                                                     absl::Duration lease) override;
  absl::StatusOr<LeaseRenewal> RenewLease(const std::string& id, const std::string& owner,
                                          absl::Duration lease) override;
  absl::StatusOr<JobRecord> RequestCancel(const std::string& id) override;
  absl::StatusOr<int> RequeueRunning() override;

 private:
  struct Result;  // owns a PGresult
  explicit PostgresJobStore(pg_conn* conn) : conn_(conn) {}

  // Runs `sql` with text parameters; a PGRES_FATAL_ERROR becomes a status
  // (ALREADY_EXISTS for a unique violation, UNAVAILABLE for a lost
  // connection, INTERNAL otherwise).
  absl::StatusOr<Result> Query(const std::string& sql, const std::vector<std::string>& params)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  absl::Status Migrate() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  // nullopt if there is no such job.
  absl::StatusOr<std::optional<JobRecord>> GetLocked(const std::string& id)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);

  absl::Mutex mu_;
  pg_conn* const conn_ ABSL_PT_GUARDED_BY(mu_);
};

}  // namespace dcgan

#endif  // DCGAN_CORE_JOBS_POSTGRES_JOB_STORE_H_
