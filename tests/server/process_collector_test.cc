#include "server/process_collector.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <chrono>
#include <map>
#include <string>

namespace dcgan {
namespace {

std::map<std::string, double> Collect() {
  std::map<std::string, double> values;
  for (const prometheus::MetricFamily& family : ProcessCollector().Collect()) {
    const prometheus::ClientMetric& m = family.metric.at(0);
    values[family.name] =
        family.type == prometheus::MetricType::Counter ? m.counter.value : m.gauge.value;
  }
  return values;
}

TEST(ProcessCollectorTest, ReadsThisProcessFromProc) {
  std::map<std::string, double> v = Collect();
  const double now =
      std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch()).count();
  EXPECT_GT(v["process_resident_memory_bytes"], 1 << 20);
  EXPECT_GE(v["process_virtual_memory_bytes"], v["process_resident_memory_bytes"]);
  EXPECT_GT(v["process_start_time_seconds"], now - 3600);
  EXPECT_LE(v["process_start_time_seconds"], now + 1);
  EXPECT_GE(v["process_cpu_seconds_total"], 0);
  EXPECT_GE(v["process_max_fds"], v["process_open_fds"]);

  const double fds = v["process_open_fds"];
  const int extra = open("/dev/null", O_RDONLY);
  ASSERT_GE(extra, 0);
  EXPECT_EQ(Collect()["process_open_fds"], fds + 1);
  close(extra);
}

TEST(ProcessCollectorTest, CpuTimeGrowsWithWork) {
  const double before = Collect()["process_cpu_seconds_total"];
  volatile double sink = 0;
  const auto until = std::chrono::steady_clock::now() + std::chrono::milliseconds(300);
  while (std::chrono::steady_clock::now() < until) sink = sink + 1;
  EXPECT_GT(Collect()["process_cpu_seconds_total"], before);
}

}  // namespace
}  // namespace dcgan
