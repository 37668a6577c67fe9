#include "tests/testing/server_process.h"

#include <signal.h>

#include <filesystem>

#include "tests/testing/process.h"

namespace dcgan::testing {

std::string ServerBinary() { return DCGAN_SERVER_BINARY; }
std::string CtlBinary() { return DCGAN_CTL_BINARY; }

ServerProcess::ServerProcess(std::string state_dir, std::vector<std::string> extra_flags)
    : state_dir_(std::move(state_dir)), extra_flags_(std::move(extra_flags)) {}

ServerProcess::~ServerProcess() {
  if (pid_ > 0) {
    kill(pid_, SIGKILL);
    testing::WaitForExit(pid_, std::chrono::seconds(10));
  }
}

bool ServerProcess::Start() {
  std::filesystem::create_directories(state_dir_);
  const std::string port_file = state_dir_ + "/port";
  const std::string metrics_port_file = state_dir_ + "/metrics-port";
  std::filesystem::remove(port_file);
  std::filesystem::remove(metrics_port_file);
  std::vector<std::string> argv = {ServerBinary(),
                                   "--listen=127.0.0.1:0",
                                   "--state_dir=" + state_dir_,
                                   "--port_file=" + port_file,
                                   "--metrics_listen=127.0.0.1:0",
                                   "--metrics_port_file=" + metrics_port_file,
                                   "--log_calls",
                                   "--drain_seconds=20"};
  argv.insert(argv.end(), extra_flags_.begin(), extra_flags_.end());
  pid_ = Spawn(argv, state_dir_ + "/server.log");
  if (pid_ <= 0) return false;
  if (!WaitFor([&] { return std::filesystem::exists(port_file); }, std::chrono::seconds(60))) {
    return false;
  }
  // The metrics port file is written before the gRPC one.
  auto read_port = [](const std::string& path) {
    std::string port = ReadFileOrEmpty(path);
    while (!port.empty() && port.back() == '\n') port.pop_back();
    return port;
  };
  address_ = "127.0.0.1:" + read_port(port_file);
  metrics_address_ = "127.0.0.1:" + read_port(metrics_port_file);
  return WaitFor([&] { return Ctl({"health"}).exit_code == 0; }, std::chrono::seconds(30));
}

void ServerProcess::Kill(int signal) { kill(pid_, signal); }

int ServerProcess::WaitForExit() {
  const int code = testing::WaitForExit(pid_, std::chrono::seconds(60));
  if (code != -1) pid_ = -1;
  return code;
}

std::string ServerProcess::log() const { return ReadFileOrEmpty(state_dir_ + "/server.log"); }

ServerProcess::Result ServerProcess::Ctl(std::vector<std::string> args) const {
  std::vector<std::string> argv = {CtlBinary()};
  argv.insert(argv.end(), args.begin(), args.end());
  argv.push_back("--server=" + address_);
  CommandResult r = Run(argv);
  return {r.exit_code, r.output};
}

}  // namespace dcgan::testing
