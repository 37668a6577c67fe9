#include "tests/testing/postgres_server.h"

#include <pwd.h>
#include <unistd.h>

#include <filesystem>

#include "tests/testing/free_port.h"
#include "tests/testing/process.h"

namespace dcgan::testing {
namespace {

// The newest installed server's bin folder, or "".
std::string ServerBin() {
  std::string best;
  std::error_code ec;
  for (std::filesystem::directory_iterator it("/usr/lib/postgresql", ec), end; !ec && it != end;
       it.increment(ec)) {
    const std::string bin = it->path().string() + "/bin";
    if (std::filesystem::exists(bin + "/pg_ctl") && bin > best) best = bin;
  }
  return best;
}

std::string Quote(const std::string& s) { return "'" + s + "'"; }

}  // namespace

std::string PostgresServer::AsServerUser(const std::string& command) const {
  if (geteuid() != 0) return command;
  return "su postgres -s /bin/sh -c " + Quote(command);
}

PostgresServer::PostgresServer() {
  bin_ = ServerBin();
  if (bin_.empty()) {
    error_ = "no PostgreSQL server under /usr/lib/postgresql (deploy/install-deps.sh installs it)";
    return;
  }
  if (geteuid() == 0) {
    const passwd* user = getpwnam("postgres");
    if (user == nullptr || chown(dir_.path().c_str(), user->pw_uid, user->pw_gid) != 0) {
      error_ = "cannot hand " + dir_.path() + " to the postgres user";
      return;
    }
  }
  port_ = FreeLoopbackPort();
  const std::string data = dir_.file("data");
  auto init = Run({"sh", "-c",
                   AsServerUser(bin_ + "/initdb -D " + data + " -A trust -U postgres --no-sync >" +
                                dir_.file("initdb.log") + " 2>&1")});
  if (init.exit_code != 0) {
    error_ = "initdb failed: " + init.output + ReadFileOrEmpty(dir_.file("initdb.log"));
    return;
  }
  auto start = Run({"sh", "-c",
                    AsServerUser(bin_ + "/pg_ctl -D " + data + " -l " + dir_.file("log") +
                                 " -w -o \"-k " + dir_.path() + " -p " + std::to_string(port_) +
                                 " -c listen_addresses=127.0.0.1 -c fsync=off\" start")});
  if (start.exit_code != 0) {
    error_ = "pg_ctl start failed: " + start.output + ReadFileOrEmpty(dir_.file("log"));
    return;
  }
  started_ = true;
}

PostgresServer::~PostgresServer() {
  if (started_) {
    Run({"sh", "-c",
         AsServerUser(bin_ + "/pg_ctl -D " + dir_.file("data") + " -m immediate stop")});
  }
}

std::string PostgresServer::Url(const std::string& database) const {
  return "postgresql://postgres@127.0.0.1:" + std::to_string(port_) + "/" + database;
}

std::string PostgresServer::NewDatabase() {
  const std::string name = "db" + std::to_string(++databases_);
  auto created = Run({bin_ + "/psql", "-q", Url("postgres"), "-c", "CREATE DATABASE " + name});
  if (created.exit_code != 0) return "";
  return Url(name);
}

}  // namespace dcgan::testing
