#ifndef DCGAN_TESTS_TESTING_SERVER_PROCESS_H_
#define DCGAN_TESTS_TESTING_SERVER_PROCESS_H_

#include <sys/types.h>

#include <string>
#include <vector>

namespace dcgan::testing {

// The real dcgan-server binary on a free loopback port with its own state
// folder. Start() returns once the server reports SERVING (checked with the
// real dcganctl) or fails the test after a deadline.
class ServerProcess {
 public:
  explicit ServerProcess(std::string state_dir, std::vector<std::string> extra_flags = {});
  ~ServerProcess();  // SIGKILLs it if still running

  bool Start();
  void Kill(int signal);
  int WaitForExit();  // exit code; -1 on timeout

  const std::string& address() const { return address_; }
  // host:port of its Prometheus endpoint (/metrics).
  const std::string& metrics_address() const { return metrics_address_; }
  std::string log() const;
  const std::string& state_dir() const { return state_dir_; }

  // Runs dcganctl against this server.
  struct Result {
    int exit_code;
    std::string output;
  };
  Result Ctl(std::vector<std::string> args) const;

 private:
  std::string state_dir_;
  std::vector<std::string> extra_flags_;
  std::string address_;
  std::string metrics_address_;
  pid_t pid_ = -1;
};

std::string ServerBinary();
std::string CtlBinary();

}  // namespace dcgan::testing

#endif  // DCGAN_TESTS_TESTING_SERVER_PROCESS_H_
