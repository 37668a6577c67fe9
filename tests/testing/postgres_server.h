#ifndef DCGAN_TESTS_TESTING_POSTGRES_SERVER_H_
#define DCGAN_TESTS_TESTING_POSTGRES_SERVER_H_

#include <string>

#include "tests/testing/temp_dir.h"

namespace dcgan::testing {

// A throwaway PostgreSQL server (Debian's, /usr/lib/postgresql/*/bin) on a
// free loopback port, with its data in a temp folder: initdb, pg_ctl start,
// and on destruction pg_ctl stop. PostgreSQL refuses to run as root, so as
// root it runs as the `postgres` user the Debian package creates.
class PostgresServer {
 public:
  PostgresServer();
  ~PostgresServer();
  PostgresServer(const PostgresServer&) = delete;
  PostgresServer& operator=(const PostgresServer&) = delete;

  // Empty if the server is up; otherwise what went wrong (with its log).
  const std::string& error() const { return error_; }
  // A new, empty database on this server; its libpq URI.
  std::string NewDatabase();
  std::string Url(const std::string& database) const;
  int port() const { return port_; }

 private:
  std::string AsServerUser(const std::string& command) const;

  TempDir dir_;
  std::string bin_;
  int port_ = 0;
  int databases_ = 0;
  bool started_ = false;
  std::string error_;
};

}  // namespace dcgan::testing

#endif  // DCGAN_TESTS_TESTING_POSTGRES_SERVER_H_
