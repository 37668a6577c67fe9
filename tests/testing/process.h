#ifndef DCGAN_TESTS_TESTING_PROCESS_H_
#define DCGAN_TESTS_TESTING_PROCESS_H_

#include <sys/types.h>

#include <chrono>
#include <functional>
#include <string>
#include <vector>

namespace dcgan::testing {

// Starts `argv` (argv[0] looked up in $PATH unless it has a slash) with
// stdout and stderr appended to `log_path`; returns its pid.
pid_t Spawn(const std::vector<std::string>& argv, const std::string& log_path);

// Waits up to `timeout` for `pid` to exit; returns its exit code, 128 + signal
// if a signal ended it, or -1 if it is still running at the deadline.
int WaitForExit(pid_t pid, std::chrono::milliseconds timeout);

struct CommandResult {
  int exit_code = -1;
  std::string output;  // stdout and stderr
};

// Runs `argv` to completion (killed after `timeout`).
CommandResult Run(const std::vector<std::string>& argv,
                  std::chrono::milliseconds timeout = std::chrono::seconds(120));

// Re-evaluates `condition` (every 20 ms) until it holds or `timeout` passes.
bool WaitFor(const std::function<bool()>& condition, std::chrono::milliseconds timeout);

std::string ReadFileOrEmpty(const std::string& path);

}  // namespace dcgan::testing

#endif  // DCGAN_TESTS_TESTING_PROCESS_H_
