#include "core/jobs/open_job_store.h"

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "core/jobs/postgres_job_store.h"
#include "core/jobs/sqlite_job_store.h"

namespace dcgan {

bool IsSharedJobStore(const std::string& spec) {
  return absl::StartsWith(spec, "postgresql://") || absl::StartsWith(spec, "postgres://");
}

absl::StatusOr<std::unique_ptr<JobStore>> OpenJobStore(const std::string& spec,
                                                       const std::string& state_dir) {
  if (spec.empty() || absl::StartsWith(spec, "sqlite:")) {
    const std::string path = spec.empty() ? state_dir + "/jobs.db" : spec.substr(7);
    absl::StatusOr<std::unique_ptr<SqliteJobStore>> store = SqliteJobStore::Open(path);
    if (!store.ok()) return store.status();
    return std::unique_ptr<JobStore>(*std::move(store));
  }
  if (IsSharedJobStore(spec)) {
    absl::StatusOr<std::unique_ptr<PostgresJobStore>> store = PostgresJobStore::Open(spec);
    if (!store.ok()) return store.status();
    return std::unique_ptr<JobStore>(*std::move(store));
  }
  return absl::InvalidArgumentError(absl::StrCat(
      "--job_store must be empty (SQLite under --state_dir), sqlite:PATH or postgresql://..., "
      "got \"",
      spec, "\""));
}

}  // namespace dcgan
