#ifndef DCGAN_CORE_JOBS_SQLITE_JOB_STORE_H_
#define DCGAN_CORE_JOBS_SQLITE_JOB_STORE_H_

#include <memory>
#include <string>

#include "absl/base/thread_annotations.h"
#include "absl/synchronization/mutex.h"
#include "core/jobs/job_store.h"

struct sqlite3;

namespace dcgan {

// A JobStore in one SQLite file (WAL mode, synchronous=NORMAL: a committed
// job survives a process crash). One connection behind a mutex: the job
// store sees a few writes a second, far below what that serves.
class SqliteJobStore : public JobStore {
 public:
  // Opens or creates the database at `path` and applies the schema.
  static absl::StatusOr<std::unique_ptr<SqliteJobStore>> Open(const std::string& path);
  ~SqliteJobStore() override;

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
  explicit SqliteJobStore(sqlite3* db) : db_(db) {}
  absl::Status Exec(const char* sql) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  absl::StatusOr<std::optional<JobRecord>> GetLocked(const std::string& id)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);

  absl::Mutex mu_;
  sqlite3* const db_ ABSL_PT_GUARDED_BY(mu_);
};

}  // namespace dcgan

#endif  // DCGAN_CORE_JOBS_SQLITE_JOB_STORE_H_
