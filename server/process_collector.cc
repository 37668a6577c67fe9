#include "server/process_collector.h"

#include <sys/resource.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

#include "server/single_value_family.h"

namespace dcgan {
namespace {

// Seconds since the epoch at which the machine booted (btime in /proc/stat).
bool BootTime(double* seconds) {
  std::ifstream in("/proc/stat");
  std::string key;
  while (in >> key) {
    if (key == "btime") return bool(in >> *seconds);
    in.ignore(1 << 20, '\n');
  }
  return false;
}

}  // namespace

std::vector<prometheus::MetricFamily> ProcessCollector::Collect() const {
  using prometheus::MetricType;
  std::vector<prometheus::MetricFamily> families;
  const double ticks = double(sysconf(_SC_CLK_TCK));
  const double page = double(sysconf(_SC_PAGESIZE));

  std::ifstream stat_file("/proc/self/stat");
  std::string stat((std::istreambuf_iterator<char>(stat_file)), std::istreambuf_iterator<char>());
  // Fields after the command name, which is in parentheses and may hold
  // spaces; field 3 (state) comes first.
  if (const size_t close = stat.rfind(')'); close != std::string::npos) {
    std::istringstream fields(stat.substr(close + 2));
    std::vector<std::string> f;
    for (std::string field; fields >> field;) f.push_back(field);
    if (f.size() >= 22) {  // f[i] is field i + 3
      const double utime = std::stod(f[11]), stime = std::stod(f[12]);
      families.push_back(SingleValueFamily("process_cpu_seconds_total",
                                           "User and system CPU time spent, seconds",
                                           MetricType::Counter, (utime + stime) / ticks));
      families.push_back(SingleValueFamily("process_virtual_memory_bytes",
                                           "Virtual memory size, bytes", MetricType::Gauge,
                                           std::stod(f[20])));
      families.push_back(SingleValueFamily("process_resident_memory_bytes",
                                           "Resident memory size, bytes", MetricType::Gauge,
                                           std::stod(f[21]) * page));
      if (double boot = 0; BootTime(&boot)) {
        families.push_back(SingleValueFamily(
            "process_start_time_seconds", "Start time of the process since the Unix epoch, seconds",
            MetricType::Gauge, boot + std::stod(f[19]) / ticks));
      }
    }
  }

  std::error_code ec;
  int64_t open_fds = 0;
  for (std::filesystem::directory_iterator it("/proc/self/fd", ec), end; !ec && it != end;
       it.increment(ec)) {
    ++open_fds;
  }
  if (!ec) {
    // The count includes the descriptor the listing itself held open.
    families.push_back(SingleValueFamily("process_open_fds", "Open file descriptors",
                                         MetricType::Gauge, double(open_fds - 1)));
  }
  if (rlimit limit; getrlimit(RLIMIT_NOFILE, &limit) == 0) {
    families.push_back(SingleValueFamily("process_max_fds", "Limit on open file descriptors",
                                         MetricType::Gauge, double(limit.rlim_cur)));
  }
  return families;
}

}  // namespace dcgan
