#ifndef DCGAN_CORE_JOBS_OPEN_JOB_STORE_H_
#define DCGAN_CORE_JOBS_OPEN_JOB_STORE_H_

#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "core/jobs/job_store.h"

namespace dcgan {

// The job store a --job_store value names:
//   ""                               SQLite at <state_dir>/jobs.db (one process)
//   "sqlite:PATH"                    SQLite at PATH
//   "postgresql://..." / "postgres://..."   PostgreSQL (shared by replicas)
// INVALID_ARGUMENT for anything else.
absl::StatusOr<std::unique_ptr<JobStore>> OpenJobStore(const std::string& spec,
                                                       const std::string& state_dir);

// True if `spec` names a store that several replicas may share (PostgreSQL);
// a SQLite store belongs to one server.
bool IsSharedJobStore(const std::string& spec);

}  // namespace dcgan

#endif  // DCGAN_CORE_JOBS_OPEN_JOB_STORE_H_
