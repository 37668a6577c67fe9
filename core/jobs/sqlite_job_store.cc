#include "core/jobs/sqlite_job_store.h"

#include <sqlite3.h>

#include "absl/strings/str_cat.h"
#include "core/train/training_progress_json.h"
#include "core/util/status_macros.h"

namespace dcgan {
namespace {

// Versioned migrations, applied in order; PRAGMA user_version records how
// many have run. Append only: never edit a migration that has shipped.
constexpr const char* kMigrations[] = {
    R"sql(
    CREATE TABLE jobs (
      sequence INTEGER PRIMARY KEY AUTOINCREMENT,
      id TEXT NOT NULL UNIQUE,
      state INTEGER NOT NULL,
      spec TEXT NOT NULL,
      progress TEXT NOT NULL DEFAULT '{}',
      error TEXT NOT NULL DEFAULT '',
      create_unix_ms INTEGER NOT NULL,
      start_unix_ms INTEGER NOT NULL DEFAULT 0,
      end_unix_ms INTEGER NOT NULL DEFAULT 0
    );
    CREATE INDEX jobs_by_state ON jobs (state, sequence);
    )sql",
    // Leases, so that replicas sharing a store (PostgreSQL) can take over a
    // dead replica's jobs; SQLite keeps the same schema and contract.
    R"sql(
    ALTER TABLE jobs ADD COLUMN owner TEXT NOT NULL DEFAULT '';
    ALTER TABLE jobs ADD COLUMN lease_until_ms INTEGER NOT NULL DEFAULT 0;
    ALTER TABLE jobs ADD COLUMN cancel_requested INTEGER NOT NULL DEFAULT 0;
    )sql",
};

constexpr char kColumns[] =
    "sequence, id, state, spec, progress, error, create_unix_ms, start_unix_ms, end_unix_ms, "
    "owner, cancel_requested";

// A prepared statement that finalizes itself.
class Statement {
 public:
  Statement(sqlite3* db, const char* sql) : db_(db) {
    rc_ = sqlite3_prepare_v2(db, sql, -1, &stmt_, nullptr);
  }
  ~Statement() { sqlite3_finalize(stmt_); }
  absl::Status status() const {
    return rc_ == SQLITE_OK ? absl::OkStatus()
                            : absl::InternalError(absl::StrCat("sqlite: ", sqlite3_errmsg(db_)));
  }
  Statement& Bind(int i, int64_t v) {
    sqlite3_bind_int64(stmt_, i, v);
    return *this;
  }
  Statement& Bind(int i, const std::string& v) {
    sqlite3_bind_text(stmt_, i, v.data(), int(v.size()), SQLITE_TRANSIENT);
    return *this;
  }
  // SQLITE_ROW, SQLITE_DONE, or an error code.
  int Step() { return sqlite3_step(stmt_); }
  absl::Status Error() const {
    return absl::InternalError(absl::StrCat("sqlite: ", sqlite3_errmsg(db_)));
  }
  int64_t Int(int col) const { return sqlite3_column_int64(stmt_, col); }
  std::string Text(int col) const {
    const unsigned char* text = sqlite3_column_text(stmt_, col);
    return text ? std::string(reinterpret_cast<const char*>(text)) : std::string();
  }

 private:
  sqlite3* db_;
  sqlite3_stmt* stmt_ = nullptr;
  int rc_;
};

absl::StatusOr<JobRecord> ReadRow(const Statement& row) {
  JobRecord job;
  job.sequence = row.Int(0);
  job.id = row.Text(1);
  job.state = static_cast<JobState>(row.Int(2));
  RETURN_IF_ERROR(JobSpecFromJson(row.Text(3), &job.spec));
  job.progress = TrainingProgressFromJson(row.Text(4));
  job.error = row.Text(5);
  job.create_unix_ms = row.Int(6);
  job.start_unix_ms = row.Int(7);
  job.end_unix_ms = row.Int(8);
  job.owner = row.Text(9);
  job.cancel_requested = row.Int(10) != 0;
  return job;
}

}  // namespace

absl::StatusOr<std::unique_ptr<SqliteJobStore>> SqliteJobStore::Open(const std::string& path) {
  sqlite3* db = nullptr;
  if (sqlite3_open_v2(path.c_str(), &db,
                      SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_FULLMUTEX,
                      nullptr) != SQLITE_OK) {
    std::string message = db ? sqlite3_errmsg(db) : "out of memory";
    sqlite3_close(db);
    return absl::UnavailableError(absl::StrCat("cannot open job store ", path, ": ", message));
  }
  sqlite3_busy_timeout(db, 5000);
  std::unique_ptr<SqliteJobStore> store(new SqliteJobStore(db));
  absl::MutexLock lock(&store->mu_);
  RETURN_IF_ERROR(store->Exec("PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;"));
  int version = 0;
  {
    Statement st(db, "PRAGMA user_version");
    RETURN_IF_ERROR(st.status());
    if (st.Step() == SQLITE_ROW) version = int(st.Int(0));
  }
  const int latest = int(std::size(kMigrations));
  if (version > latest) {
    return absl::FailedPreconditionError(
        absl::StrCat(path, " has schema version ", version, "; this build knows up to ", latest));
  }
  for (int v = version; v < latest; ++v) {
    RETURN_IF_ERROR(store->Exec("BEGIN IMMEDIATE"));
    absl::Status status = store->Exec(kMigrations[v]);
    if (status.ok()) status = store->Exec(absl::StrCat("PRAGMA user_version=", v + 1).c_str());
    if (!status.ok()) {
      (void)store->Exec("ROLLBACK");
      return status;
    }
    RETURN_IF_ERROR(store->Exec("COMMIT"));
  }
  return store;
}

SqliteJobStore::~SqliteJobStore() {
  absl::MutexLock lock(&mu_);
  sqlite3_close(db_);
}

absl::Status SqliteJobStore::Exec(const char* sql) {
  char* error = nullptr;
  if (sqlite3_exec(db_, sql, nullptr, nullptr, &error) != SQLITE_OK) {
    absl::Status status = absl::InternalError(absl::StrCat("sqlite: ", error ? error : "error"));
    sqlite3_free(error);
    return status;
  }
  return absl::OkStatus();
}

absl::StatusOr<JobRecord> SqliteJobStore::Create(const JobRecord& job) {
  absl::MutexLock lock(&mu_);
  Statement st(db_,
               "INSERT INTO jobs (id, state, spec, progress, error, create_unix_ms, "
               "start_unix_ms, end_unix_ms) VALUES (?, ?, ?, ?, ?, ?, ?, ?)");
  RETURN_IF_ERROR(st.status());
  st.Bind(1, job.id)
      .Bind(2, int64_t(job.state))
      .Bind(3, JobSpecToJson(job.spec))
      .Bind(4, TrainingProgressToJson(job.progress))
      .Bind(5, job.error)
      .Bind(6, job.create_unix_ms)
      .Bind(7, job.start_unix_ms)
      .Bind(8, job.end_unix_ms);
  const int rc = st.Step();
  if (rc == SQLITE_CONSTRAINT) {
    return absl::AlreadyExistsError(absl::StrCat("job ", job.id, " already exists"));
  }
  if (rc != SQLITE_DONE) return st.Error();
  JobRecord created = job;
  created.sequence = sqlite3_last_insert_rowid(db_);
  return created;
}

absl::StatusOr<std::optional<JobRecord>> SqliteJobStore::GetLocked(const std::string& id) {
  Statement st(db_, absl::StrCat("SELECT ", kColumns, " FROM jobs WHERE id = ?").c_str());
  RETURN_IF_ERROR(st.status());
  st.Bind(1, id);
  const int rc = st.Step();
  if (rc == SQLITE_DONE) return std::optional<JobRecord>();
  if (rc != SQLITE_ROW) return st.Error();
  ASSIGN_OR_RETURN(JobRecord job, ReadRow(st));
  return std::optional<JobRecord>(std::move(job));
}

absl::StatusOr<JobRecord> SqliteJobStore::Get(const std::string& id) {
  absl::MutexLock lock(&mu_);
  ASSIGN_OR_RETURN(std::optional<JobRecord> job, GetLocked(id));
  if (!job) return absl::NotFoundError(absl::StrCat("no job ", id));
  return *std::move(job);
}

absl::StatusOr<std::vector<JobRecord>> SqliteJobStore::List(std::optional<JobState> state,
                                                            int limit, int64_t before_sequence) {
  absl::MutexLock lock(&mu_);
  Statement st(db_, absl::StrCat("SELECT ", kColumns,
                                 " FROM jobs WHERE (?1 = 0 OR state = ?1) AND (?2 = 0 OR "
                                 "sequence < ?2) ORDER BY sequence DESC LIMIT ?3")
                        .c_str());
  RETURN_IF_ERROR(st.status());
  st.Bind(1, state ? int64_t(*state) : 0).Bind(2, before_sequence).Bind(3, limit);
  std::vector<JobRecord> jobs;
  int rc;
  while ((rc = st.Step()) == SQLITE_ROW) {
    ASSIGN_OR_RETURN(JobRecord job, ReadRow(st));
    jobs.push_back(std::move(job));
  }
  if (rc != SQLITE_DONE) return st.Error();
  return jobs;
}

absl::StatusOr<int64_t> SqliteJobStore::CountInState(JobState state) {
  absl::MutexLock lock(&mu_);
  Statement st(db_, "SELECT COUNT(*) FROM jobs WHERE state = ?");
  RETURN_IF_ERROR(st.status());
  st.Bind(1, int64_t(state));
  if (st.Step() != SQLITE_ROW) return st.Error();
  return st.Int(0);
}

absl::Status SqliteJobStore::Update(const JobRecord& job) {
  absl::MutexLock lock(&mu_);
  Statement st(db_,
               "UPDATE jobs SET state = ?, progress = ?, error = ?, start_unix_ms = ?, "
               "end_unix_ms = ? WHERE id = ? AND owner = ? AND state = 2");
  RETURN_IF_ERROR(st.status());
  st.Bind(1, int64_t(job.state))
      .Bind(2, TrainingProgressToJson(job.progress))
      .Bind(3, job.error)
      .Bind(4, job.start_unix_ms)
      .Bind(5, job.end_unix_ms)
      .Bind(6, job.id)
      .Bind(7, job.owner);
  if (st.Step() != SQLITE_DONE) return st.Error();
  if (sqlite3_changes(db_) > 0) return absl::OkStatus();
  ASSIGN_OR_RETURN(std::optional<JobRecord> current, GetLocked(job.id));
  if (!current) return absl::NotFoundError(absl::StrCat("no job ", job.id));
  return LostLeaseError(job, *current);
}

absl::StatusOr<std::optional<JobRecord>> SqliteJobStore::ClaimNext(const std::string& owner,
                                                                   absl::Duration lease) {
  absl::MutexLock lock(&mu_);
  RETURN_IF_ERROR(Exec("BEGIN IMMEDIATE"));
  auto claim = [&]() -> absl::StatusOr<std::optional<JobRecord>> {
    const int64_t now = NowUnixMs();
    Statement pick(db_, absl::StrCat("SELECT ", kColumns,
                                     " FROM jobs WHERE state = 1 OR (state = 2 AND "
                                     "lease_until_ms < ?) ORDER BY sequence LIMIT 1")
                            .c_str());
    RETURN_IF_ERROR(pick.status());
    pick.Bind(1, now);
    const int rc = pick.Step();
    if (rc == SQLITE_DONE) return std::optional<JobRecord>();
    if (rc != SQLITE_ROW) return pick.Error();
    ASSIGN_OR_RETURN(JobRecord job, ReadRow(pick));
    job.state = JobState::kRunning;
    job.owner = owner;
    if (job.start_unix_ms == 0) job.start_unix_ms = now;
    Statement mark(db_,
                   "UPDATE jobs SET state = 2, owner = ?, lease_until_ms = ?, start_unix_ms = ? "
                   "WHERE id = ?");
    RETURN_IF_ERROR(mark.status());
    mark.Bind(1, owner)
        .Bind(2, now + absl::ToInt64Milliseconds(lease))
        .Bind(3, job.start_unix_ms)
        .Bind(4, job.id);
    if (mark.Step() != SQLITE_DONE) return mark.Error();
    return std::optional<JobRecord>(std::move(job));
  };
  absl::StatusOr<std::optional<JobRecord>> result = claim();
  absl::Status end = Exec(result.ok() ? "COMMIT" : "ROLLBACK");
  if (!end.ok()) return end;
  return result;
}

absl::StatusOr<JobStore::LeaseRenewal> SqliteJobStore::RenewLease(const std::string& id,
                                                                  const std::string& owner,
                                                                  absl::Duration lease) {
  absl::MutexLock lock(&mu_);
  Statement st(db_,
               "UPDATE jobs SET lease_until_ms = ? WHERE id = ? AND owner = ? AND state = 2 "
               "RETURNING cancel_requested");
  RETURN_IF_ERROR(st.status());
  st.Bind(1, NowUnixMs() + absl::ToInt64Milliseconds(lease)).Bind(2, id).Bind(3, owner);
  LeaseRenewal renewal;
  const int rc = st.Step();
  if (rc == SQLITE_ROW) {
    renewal.held = true;
    renewal.cancel_requested = st.Int(0) != 0;
    if (st.Step() != SQLITE_DONE) return st.Error();
    return renewal;
  }
  if (rc != SQLITE_DONE) return st.Error();
  ASSIGN_OR_RETURN(std::optional<JobRecord> current, GetLocked(id));
  if (!current) return absl::NotFoundError(absl::StrCat("no job ", id));
  return renewal;
}

absl::StatusOr<JobRecord> SqliteJobStore::RequestCancel(const std::string& id) {
  absl::MutexLock lock(&mu_);
  const int64_t now = NowUnixMs();
  // Every SET expression reads the row as it was before the update.
  Statement st(db_,
               "UPDATE jobs SET cancel_requested = 1, "
               "end_unix_ms = CASE WHEN state = 1 OR lease_until_ms < ?1 THEN ?1 ELSE "
               "end_unix_ms END, "
               "state = CASE WHEN state = 1 OR lease_until_ms < ?1 THEN 5 ELSE state END "
               "WHERE id = ?2 AND state IN (1, 2)");
  RETURN_IF_ERROR(st.status());
  st.Bind(1, now).Bind(2, id);
  if (st.Step() != SQLITE_DONE) return st.Error();
  ASSIGN_OR_RETURN(std::optional<JobRecord> job, GetLocked(id));
  if (!job) return absl::NotFoundError(absl::StrCat("no job ", id));
  return *std::move(job);
}

absl::StatusOr<int> SqliteJobStore::RequeueRunning() {
  absl::MutexLock lock(&mu_);
  RETURN_IF_ERROR(Exec("UPDATE jobs SET state = 1 WHERE state = 2"));
  return sqlite3_changes(db_);
}

}  // namespace dcgan
