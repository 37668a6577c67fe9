#include "core/jobs/postgres_job_store.h"

#include <libpq-fe.h>

#include <iterator>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "core/train/training_progress_json.h"
#include "core/util/status_macros.h"

namespace dcgan {
namespace {

// Versioned migrations, applied in order; dcgan_schema_version records how
// many have run. Append only: never edit a migration that has shipped.
constexpr const char* kMigrations[] = {
    R"sql(
    CREATE TABLE jobs (
      sequence BIGSERIAL PRIMARY KEY,
      id TEXT NOT NULL UNIQUE,
      state INTEGER NOT NULL,
      spec TEXT NOT NULL,
      progress TEXT NOT NULL DEFAULT '{}',
      error TEXT NOT NULL DEFAULT '',
      create_unix_ms BIGINT NOT NULL,
      start_unix_ms BIGINT NOT NULL DEFAULT 0,
      end_unix_ms BIGINT NOT NULL DEFAULT 0
    );
    CREATE INDEX jobs_by_state ON jobs (state, sequence);
    )sql",
    // Leases: a replica holds each job it runs until lease_until_ms (the
    // database's clock, so replicas' clocks need not agree).
    R"sql(
    ALTER TABLE jobs ADD COLUMN owner TEXT NOT NULL DEFAULT '';
    ALTER TABLE jobs ADD COLUMN lease_until_ms BIGINT NOT NULL DEFAULT 0;
    ALTER TABLE jobs ADD COLUMN cancel_requested BOOLEAN NOT NULL DEFAULT FALSE;
    )sql",
};

// The database's clock in Unix milliseconds: leases are set and compared by
// one clock whichever replica writes them.
constexpr char kNowMs[] = "(EXTRACT(EPOCH FROM clock_timestamp()) * 1000)::bigint";

// Any constant: the key of the advisory lock that serialises migrations.
constexpr int64_t kMigrationLock = 0x646367616e;  // "dcgan"

constexpr char kColumns[] =
    "sequence, id, state, spec, progress, error, create_unix_ms, start_unix_ms, end_unix_ms, "
    "owner, cancel_requested";

}  // namespace

struct PostgresJobStore::Result {
  PGresult* r = nullptr;
  explicit Result(PGresult* result) : r(result) {}
  Result(Result&& other) noexcept : r(other.r) { other.r = nullptr; }
  Result& operator=(Result&&) = delete;
  ~Result() { PQclear(r); }
  int rows() const { return PQntuples(r); }
  std::string Text(int row, int col) const { return PQgetvalue(r, row, col); }
  int64_t Int(int row, int col) const {
    int64_t v = 0;
    (void)absl::SimpleAtoi(PQgetvalue(r, row, col), &v);
    return v;
  }
  int64_t Affected() const {
    int64_t v = 0;
    (void)absl::SimpleAtoi(PQcmdTuples(r), &v);
    return v;
  }
  absl::StatusOr<JobRecord> Job(int row) const {
    JobRecord job;
    job.sequence = Int(row, 0);
    job.id = Text(row, 1);
    job.state = static_cast<JobState>(Int(row, 2));
    RETURN_IF_ERROR(JobSpecFromJson(Text(row, 3), &job.spec));
    job.progress = TrainingProgressFromJson(Text(row, 4));
    job.error = Text(row, 5);
    job.create_unix_ms = Int(row, 6);
    job.start_unix_ms = Int(row, 7);
    job.end_unix_ms = Int(row, 8);
    job.owner = Text(row, 9);
    job.cancel_requested = Text(row, 10) == "t";
    return job;
  }
};

absl::StatusOr<std::unique_ptr<PostgresJobStore>> PostgresJobStore::Open(
    const std::string& conninfo) {
  pg_conn* conn = PQconnectdb(conninfo.c_str());
  if (conn == nullptr || PQstatus(conn) != CONNECTION_OK) {
    std::string message = conn ? PQerrorMessage(conn) : "out of memory";
    while (!message.empty() && (message.back() == '\n' || message.back() == ' ')) {
      message.pop_back();
    }
    PQfinish(conn);
    return absl::UnavailableError(absl::StrCat("cannot reach the PostgreSQL job store: ", message));
  }
  // NOTICEs ("relation already exists, skipping") are not for users' logs.
  PQsetNoticeProcessor(
      conn, [](void*, const char*) {}, nullptr);
  std::unique_ptr<PostgresJobStore> store(new PostgresJobStore(conn));
  absl::MutexLock lock(&store->mu_);
  RETURN_IF_ERROR(store->Migrate());
  return store;
}

PostgresJobStore::~PostgresJobStore() {
  absl::MutexLock lock(&mu_);
  PQfinish(conn_);
}

absl::StatusOr<PostgresJobStore::Result> PostgresJobStore::Query(
    const std::string& sql, const std::vector<std::string>& params) {
  if (PQstatus(conn_) != CONNECTION_OK) PQreset(conn_);
  if (PQstatus(conn_) != CONNECTION_OK) {
    return absl::UnavailableError(
        absl::StrCat("lost the PostgreSQL job store: ", PQerrorMessage(conn_)));
  }
  std::vector<const char*> values;
  for (const std::string& p : params) values.push_back(p.c_str());
  Result result(PQexecParams(conn_, sql.c_str(), int(values.size()), nullptr, values.data(),
                             nullptr, nullptr, 0));
  const ExecStatusType status = PQresultStatus(result.r);
  if (status == PGRES_COMMAND_OK || status == PGRES_TUPLES_OK) return result;
  const char* sqlstate = PQresultErrorField(result.r, PG_DIAG_SQLSTATE);
  const std::string message = PQresultErrorMessage(result.r);
  if (sqlstate != nullptr && std::string(sqlstate) == "23505") {
    return absl::AlreadyExistsError(absl::StrCat("postgresql: ", message));
  }
  if (PQstatus(conn_) != CONNECTION_OK) {
    return absl::UnavailableError(absl::StrCat("lost the PostgreSQL job store: ", message));
  }
  return absl::InternalError(absl::StrCat("postgresql: ", message));
}

absl::Status PostgresJobStore::Migrate() {
  RETURN_IF_ERROR(Query("BEGIN", {}).status());
  auto migrate = [&]() -> absl::Status {
    RETURN_IF_ERROR(
        Query("SELECT pg_advisory_xact_lock($1::bigint)", {absl::StrCat(kMigrationLock)}).status());
    RETURN_IF_ERROR(
        Query("CREATE TABLE IF NOT EXISTS dcgan_schema_version (version INTEGER NOT NULL)", {})
            .status());
    ASSIGN_OR_RETURN(Result current,
                     Query("SELECT COALESCE(MAX(version), 0) FROM dcgan_schema_version", {}));
    const int version = int(current.Int(0, 0));
    const int latest = int(std::size(kMigrations));
    if (version > latest) {
      return absl::FailedPreconditionError(absl::StrCat(
          "the job store has schema version ", version, "; this build knows up to ", latest));
    }
    for (int v = version; v < latest; ++v) {
      Result applied(PQexec(conn_, kMigrations[v]));
      if (PQresultStatus(applied.r) != PGRES_COMMAND_OK) {
        return absl::InternalError(
            absl::StrCat("postgresql migration ", v + 1, ": ", PQresultErrorMessage(applied.r)));
      }
    }
    if (version < latest) {
      RETURN_IF_ERROR(Query("DELETE FROM dcgan_schema_version", {}).status());
      RETURN_IF_ERROR(
          Query("INSERT INTO dcgan_schema_version VALUES ($1::int)", {absl::StrCat(latest)})
              .status());
    }
    return absl::OkStatus();
  };
  absl::Status status = migrate();
  absl::Status end = Query(status.ok() ? "COMMIT" : "ROLLBACK", {}).status();
  return status.ok() ? end : status;
}

absl::StatusOr<JobRecord> PostgresJobStore::Create(const JobRecord& job) {
  absl::MutexLock lock(&mu_);
  absl::StatusOr<Result> inserted = Query(
      "INSERT INTO jobs (id, state, spec, progress, error, create_unix_ms, start_unix_ms, "
      "end_unix_ms) VALUES ($1, $2::int, $3, $4, $5, $6::bigint, $7::bigint, $8::bigint) "
      "RETURNING sequence",
      {job.id, absl::StrCat(int(job.state)), JobSpecToJson(job.spec),
       TrainingProgressToJson(job.progress), job.error, absl::StrCat(job.create_unix_ms),
       absl::StrCat(job.start_unix_ms), absl::StrCat(job.end_unix_ms)});
  if (inserted.status().code() == absl::StatusCode::kAlreadyExists) {
    return absl::AlreadyExistsError(absl::StrCat("job ", job.id, " already exists"));
  }
  RETURN_IF_ERROR(inserted.status());
  JobRecord created = job;
  created.sequence = inserted->Int(0, 0);
  return created;
}

absl::StatusOr<std::optional<JobRecord>> PostgresJobStore::GetLocked(const std::string& id) {
  ASSIGN_OR_RETURN(Result found,
                   Query(absl::StrCat("SELECT ", kColumns, " FROM jobs WHERE id = $1"), {id}));
  if (found.rows() == 0) return std::optional<JobRecord>();
  ASSIGN_OR_RETURN(JobRecord job, found.Job(0));
  return std::optional<JobRecord>(std::move(job));
}

absl::StatusOr<JobRecord> PostgresJobStore::Get(const std::string& id) {
  absl::MutexLock lock(&mu_);
  ASSIGN_OR_RETURN(std::optional<JobRecord> job, GetLocked(id));
  if (!job) return absl::NotFoundError(absl::StrCat("no job ", id));
  return *std::move(job);
}

absl::StatusOr<std::vector<JobRecord>> PostgresJobStore::List(std::optional<JobState> state,
                                                              int limit, int64_t before_sequence) {
  absl::MutexLock lock(&mu_);
  ASSIGN_OR_RETURN(
      Result found,
      Query(absl::StrCat("SELECT ", kColumns,
                         " FROM jobs WHERE ($1::int = 0 OR state = $1::int) AND ($2::bigint = 0 "
                         "OR sequence < $2::bigint) ORDER BY sequence DESC LIMIT $3::int"),
            {absl::StrCat(state ? int(*state) : 0), absl::StrCat(before_sequence),
             absl::StrCat(limit)}));
  std::vector<JobRecord> jobs;
  for (int row = 0; row < found.rows(); ++row) {
    ASSIGN_OR_RETURN(JobRecord job, found.Job(row));
    jobs.push_back(std::move(job));
  }
  return jobs;
}

absl::StatusOr<int64_t> PostgresJobStore::CountInState(JobState state) {
  absl::MutexLock lock(&mu_);
  ASSIGN_OR_RETURN(Result count, Query("SELECT COUNT(*) FROM jobs WHERE state = $1::int",
                                       {absl::StrCat(int(state))}));
  return count.Int(0, 0);
}

absl::Status PostgresJobStore::Update(const JobRecord& job) {
  absl::MutexLock lock(&mu_);
  ASSIGN_OR_RETURN(
      Result updated,
      Query("UPDATE jobs SET state = $1::int, progress = $2, error = $3, start_unix_ms = "
            "$4::bigint, end_unix_ms = $5::bigint WHERE id = $6 AND owner = $7 AND state = 2",
            {absl::StrCat(int(job.state)), TrainingProgressToJson(job.progress), job.error,
             absl::StrCat(job.start_unix_ms), absl::StrCat(job.end_unix_ms), job.id, job.owner}));
  if (updated.Affected() > 0) return absl::OkStatus();
  ASSIGN_OR_RETURN(std::optional<JobRecord> current, GetLocked(job.id));
  if (!current) return absl::NotFoundError(absl::StrCat("no job ", job.id));
  return LostLeaseError(job, *current);
}

absl::StatusOr<std::optional<JobRecord>> PostgresJobStore::ClaimNext(const std::string& owner,
                                                                     absl::Duration lease) {
  absl::MutexLock lock(&mu_);
  // One statement, so one transaction: the row lock taken by the subquery
  // is held until the update commits, and other claimers skip that row.
  ASSIGN_OR_RETURN(
      Result claimed,
      Query(absl::StrCat("UPDATE jobs SET state = 2, owner = $2, lease_until_ms = ", kNowMs,
                         " + $3::bigint, start_unix_ms = CASE WHEN start_unix_ms = 0 THEN "
                         "$1::bigint ELSE start_unix_ms END WHERE sequence = (SELECT sequence "
                         "FROM jobs WHERE state = 1 OR (state = 2 AND lease_until_ms < ",
                         kNowMs, ") ORDER BY sequence LIMIT 1 FOR UPDATE SKIP LOCKED) RETURNING ",
                         kColumns),
            {absl::StrCat(NowUnixMs()), owner, absl::StrCat(absl::ToInt64Milliseconds(lease))}));
  if (claimed.rows() == 0) return std::optional<JobRecord>();
  ASSIGN_OR_RETURN(JobRecord job, claimed.Job(0));
  return std::optional<JobRecord>(std::move(job));
}

absl::StatusOr<JobStore::LeaseRenewal> PostgresJobStore::RenewLease(const std::string& id,
                                                                    const std::string& owner,
                                                                    absl::Duration lease) {
  absl::MutexLock lock(&mu_);
  ASSIGN_OR_RETURN(Result renewed,
                   Query(absl::StrCat("UPDATE jobs SET lease_until_ms = ", kNowMs,
                                      " + $3::bigint WHERE id = $1 AND owner = $2 AND state = 2 "
                                      "RETURNING cancel_requested"),
                         {id, owner, absl::StrCat(absl::ToInt64Milliseconds(lease))}));
  LeaseRenewal renewal;
  if (renewed.rows() > 0) {
    renewal.held = true;
    renewal.cancel_requested = renewed.Text(0, 0) == "t";
    return renewal;
  }
  ASSIGN_OR_RETURN(std::optional<JobRecord> current, GetLocked(id));
  if (!current) return absl::NotFoundError(absl::StrCat("no job ", id));
  return renewal;
}

absl::StatusOr<JobRecord> PostgresJobStore::RequestCancel(const std::string& id) {
  absl::MutexLock lock(&mu_);
  // Every SET expression reads the row as it was before the update.
  const std::string stoppable = absl::StrCat("(state = 1 OR lease_until_ms < ", kNowMs, ")");
  ASSIGN_OR_RETURN(
      Result cancelled,
      Query(absl::StrCat(
                "UPDATE jobs SET cancel_requested = TRUE, end_unix_ms = CASE WHEN ", stoppable,
                " THEN $2::bigint ELSE end_unix_ms END, state = CASE WHEN ", stoppable,
                " THEN 5 ELSE state END WHERE id = $1 AND state IN (1, 2) RETURNING ", kColumns),
            {id, absl::StrCat(NowUnixMs())}));
  if (cancelled.rows() > 0) return cancelled.Job(0);
  // Terminal already, or no such job.
  ASSIGN_OR_RETURN(std::optional<JobRecord> job, GetLocked(id));
  if (!job) return absl::NotFoundError(absl::StrCat("no job ", id));
  return *std::move(job);
}

absl::StatusOr<int> PostgresJobStore::RequeueRunning() {
  absl::MutexLock lock(&mu_);
  ASSIGN_OR_RETURN(Result moved, Query("UPDATE jobs SET state = 1 WHERE state = 2", {}));
  return int(moved.Affected());
}

}  // namespace dcgan
