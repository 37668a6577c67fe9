// dcgan-server's Prometheus endpoint, scraped by a real Prometheus server
// (Debian's `prometheus`) and linted by `promtool check metrics`.

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cmath>
#include <fstream>
#include <nlohmann/json.hpp>
#include <optional>
#include <sstream>

#include "tests/testing/free_port.h"
#include "tests/testing/http_get.h"
#include "tests/testing/process.h"
#include "tests/testing/server_process.h"
#include "tests/testing/temp_dir.h"
#include "tests/testing/tiny_job_flags.h"

namespace dcgan {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;
using testing::ServerProcess;
using Json = nlohmann::json;

constexpr int kBatch = 16;
const std::vector<std::string>& kTinyJob = testing::kTinyJobFlags;
using testing::Concat;

// Debian's Prometheus on a loopback port, scraping one target every second.
class PrometheusProcess {
 public:
  PrometheusProcess(const std::string& dir, const std::string& target) : dir_(dir) {
    std::ofstream(dir + "/prometheus.yml") << "global:\n"
                                              "  scrape_interval: 1s\n"
                                              "  scrape_timeout: 1s\n"
                                              "scrape_configs:\n"
                                              "  - job_name: dcgan\n"
                                              // Keep the series' own job label (the
                                              // training job), as deploy/ does.
                                              "    honor_labels: true\n"
                                              "    static_configs:\n"
                                              "      - targets: ['"
                                           << target << "']\n";
    address_ = "127.0.0.1:" + std::to_string(testing::FreeLoopbackPort());
    pid_ = testing::Spawn({"prometheus", "--config.file=" + dir + "/prometheus.yml",
                           "--storage.tsdb.path=" + dir + "/tsdb",
                           "--web.listen-address=" + address_, "--log.level=warn"},
                          dir + "/prometheus.log");
  }
  ~PrometheusProcess() {
    if (pid_ > 0) {
      kill(pid_, SIGKILL);
      testing::WaitForExit(pid_, std::chrono::seconds(10));
    }
  }

  bool WaitReady() {
    return testing::WaitFor([&] { return testing::HttpGet(address_, "/-/ready").status == 200; },
                            std::chrono::seconds(30));
  }

  // The instant vector of `expr` now ([] on any error).
  Json Query(const std::string& expr) const {
    testing::HttpResponse r =
        testing::HttpGet(address_, "/api/v1/query?query=" + testing::UrlEncode(expr));
    if (r.status != 200) return Json::array();
    Json body = Json::parse(r.body, nullptr, /*allow_exceptions=*/false);
    if (!body.is_object() || body["status"] != "success") return Json::array();
    return body["data"]["result"];
  }

  // Whether Prometheus accepts `expr` (it parses and evaluates).
  bool Accepts(const std::string& expr) const {
    testing::HttpResponse r =
        testing::HttpGet(address_, "/api/v1/query?query=" + testing::UrlEncode(expr));
    return r.status == 200 && Json::parse(r.body, nullptr, false).value("status", "") == "success";
  }

  // The value of `expr` if it has exactly one series.
  std::optional<double> Value(const std::string& expr) const {
    Json result = Query(expr);
    if (result.size() != 1) return std::nullopt;
    return std::stod(result[0]["value"][1].get<std::string>());
  }

  // Polls (Prometheus scrapes every second) until `expr` has one series
  // equal to `expected`; returns the last value seen.
  std::optional<double> WaitForValue(const std::string& expr, double expected) const {
    std::optional<double> seen;
    testing::WaitFor(
        [&] {
          seen = Value(expr);
          return seen && *seen == expected;
        },
        std::chrono::seconds(30));
    return seen;
  }

  std::string log() const { return testing::ReadFileOrEmpty(dir_ + "/prometheus.log"); }

 private:
  std::string dir_;
  std::string address_;
  pid_t pid_ = -1;
};

// A job's JSON from `dcganctl job ID --json`.
Json JobJson(const ServerProcess& server, const std::string& id) {
  return Json::parse(server.Ctl({"job", id, "--json"}).output, nullptr, false);
}

int64_t AsInt(const Json& value) {
  if (value.is_string()) return std::stoll(value.get<std::string>());
  return value.is_number() ? value.get<int64_t>() : 0;
}

std::string Scrape(const ServerProcess& server) {
  testing::HttpResponse r = testing::HttpGet(server.metrics_address(), "/metrics");
  EXPECT_EQ(r.status, 200);
  return r.body;
}

// Sample lines of an exposition (comments left out).
std::vector<std::string> SeriesLines(const std::string& exposition) {
  std::vector<std::string> lines;
  std::istringstream in(exposition);
  for (std::string line; std::getline(in, line);) {
    if (!line.empty() && line[0] != '#') lines.push_back(line);
  }
  return lines;
}

class MetricsTest : public ::testing::Test {
 protected:
  void SetUp() override { ASSERT_TRUE(server_.Start()) << server_.log(); }

  void Train(const std::string& id, int steps) {
    auto r = server_.Ctl(Concat({"train", "--job_id=" + id, "--max_steps=" + std::to_string(steps),
                                 "--checkpoint_every_steps=10", "--watch"},
                                kTinyJob));
    ASSERT_EQ(r.exit_code, 0) << r.output;
  }

  testing::TempDir dir_;
  ServerProcess server_{dir_.file("state")};
};

TEST_F(MetricsTest, PrometheusSeesTrainingAndSamplingAsTheyHappened) {
  PrometheusProcess prometheus(dir_.path(), server_.metrics_address());
  ASSERT_TRUE(prometheus.WaitReady()) << prometheus.log();

  constexpr int kFinishedSteps = 40;
  Train("finished", kFinishedSteps);

  // Sample calls with known outcomes: 10 OK (3 images each), 2 NOT_FOUND,
  // 1 RESOURCE_EXHAUSTED.
  for (int i = 0; i < 10; ++i) {
    auto r = server_.Ctl({"sample", "finished", "--count=3", "--out-dir", dir_.file("s")});
    ASSERT_EQ(r.exit_code, 0) << r.output;
  }
  for (int i = 0; i < 2; ++i) {
    EXPECT_EQ(server_.Ctl({"sample", "nope", "--out", dir_.file("x.png")}).exit_code, 1);
  }
  EXPECT_EQ(
      server_.Ctl({"sample", "finished", "--count=100000", "--out", dir_.file("x.png")}).exit_code,
      1);

  // A job that runs until cancelled: its gauges are seen while it runs.
  auto started =
      server_.Ctl(Concat({"train", "--job_id=running", "--max_steps=10000000"}, kTinyJob));
  ASSERT_EQ(started.exit_code, 0) << started.output;
  std::optional<double> d_loss, d_real;
  ASSERT_TRUE(testing::WaitFor(
      [&] {
        d_loss = prometheus.Value("dcgan_train_discriminator_loss{job=\"running\"}");
        d_real = prometheus.Value("dcgan_train_d_real{job=\"running\"}");
        return d_loss && d_real;
      },
      std::chrono::seconds(40)))
      << prometheus.log() << server_.log();
  EXPECT_TRUE(std::isfinite(*d_loss) && *d_loss > 0) << *d_loss;
  EXPECT_GT(*d_real, 0);
  EXPECT_LT(*d_real, 1);
  EXPECT_TRUE(prometheus.Value("dcgan_train_images_per_second{job=\"running\"}").has_value());
  EXPECT_EQ(prometheus.Query("dcgan_train_step{job=\"finished\"}").size(), 0u)
      << "a finished job's series must be gone";

  ASSERT_EQ(server_.Ctl({"cancel", "running"}).exit_code, 0);
  ASSERT_TRUE(testing::WaitFor([&] { return JobJson(server_, "running")["state"] == "CANCELLED"; },
                               std::chrono::seconds(30)));
  const int64_t running_steps = AsInt(JobJson(server_, "running")["progress"]["step"]);
  ASSERT_GT(running_steps, 0);

  // Counters agree with what the jobs and calls did.
  const double steps = double(kFinishedSteps + running_steps);
  EXPECT_EQ(prometheus.WaitForValue("dcgan_train_steps_total", steps), steps);
  EXPECT_EQ(prometheus.Value("dcgan_train_images_total"), steps * kBatch);
  EXPECT_EQ(prometheus.Value("dcgan_train_step_seconds_count"), steps);
  const std::string sample = "grpc_method=\"Sample\",grpc_service=\"dcgan.v1.SamplingService\"";
  EXPECT_EQ(prometheus.Value("grpc_server_started_total{" + sample + "}"), 13);
  EXPECT_EQ(prometheus.Value("grpc_server_handled_total{" + sample + ",grpc_code=\"OK\"}"), 10);
  EXPECT_EQ(prometheus.Value("grpc_server_handled_total{" + sample + ",grpc_code=\"NotFound\"}"),
            2);
  EXPECT_EQ(
      prometheus.Value("grpc_server_handled_total{" + sample + ",grpc_code=\"ResourceExhausted\"}"),
      1);
  EXPECT_EQ(prometheus.Value("sum(grpc_server_handled_total{" + sample + "})"), 13);
  EXPECT_EQ(
      prometheus.Value("grpc_server_handled_total{grpc_method=\"CreateJob\",grpc_code=\"OK\"}"), 2);
  EXPECT_EQ(prometheus.Value("dcgan_sample_requests_total{method=\"Sample\",code=\"OK\"}"), 10);
  EXPECT_EQ(prometheus.Value("dcgan_sample_requests_total{method=\"Sample\",code=\"NotFound\"}"),
            2);
  EXPECT_EQ(prometheus.Value("dcgan_sample_images_total"), 30);
  EXPECT_EQ(prometheus.Value("dcgan_sample_batch_size_count"), 10);
  EXPECT_EQ(prometheus.Value("dcgan_sample_batch_size_sum"), 30);
  EXPECT_EQ(prometheus.Value("dcgan_sample_latency_seconds_count{method=\"Sample\"}"), 13);
  const std::optional<double> p99 = prometheus.Value(
      "histogram_quantile(0.99, sum by (le) "
      "(dcgan_sample_latency_seconds_bucket{method=\"Sample\"}))");
  ASSERT_TRUE(p99.has_value());
  EXPECT_GT(*p99, 0);
  EXPECT_LE(*p99, 10);  // the top finite bucket: no call took longer
  EXPECT_EQ(prometheus.Value("dcgan_jobs{state=\"SUCCEEDED\"}"), 1);
  EXPECT_EQ(prometheus.Value("dcgan_jobs{state=\"CANCELLED\"}"), 1);
  EXPECT_EQ(prometheus.Value("dcgan_model_cache_misses_total"), 1);
  EXPECT_EQ(prometheus.Value("dcgan_model_cache_hits_total"), 9);
  EXPECT_GT(prometheus.Value("process_resident_memory_bytes").value_or(0), 1 << 20);

  // Every query of the Grafana dashboard in deploy/ is valid PromQL, and the
  // training-loss panel finds the jobs' data in the window.
  std::ifstream dashboard_file(std::string(DCGAN_SOURCE_DIR) + "/deploy/grafana-dashboard.json");
  const Json dashboard = Json::parse(dashboard_file, nullptr, false);
  ASSERT_TRUE(dashboard.is_object());
  int queries = 0;
  for (const Json& panel : dashboard["panels"]) {
    for (const Json& target : panel["targets"]) {
      std::string expr = target["expr"];
      for (size_t at; (at = expr.find("$training_job")) != std::string::npos;) {
        expr.replace(at, 13, ".+");
      }
      EXPECT_TRUE(prometheus.Accepts(expr)) << panel["title"] << ": " << expr;
      ++queries;
    }
  }
  EXPECT_GE(queries, 10);
  EXPECT_FALSE(
      prometheus.Query("max_over_time(dcgan_train_discriminator_loss{job=~\".+\"}[5m])").empty());

  // Once the job has ended, the next scrape drops its series.
  EXPECT_TRUE(testing::WaitFor([&] { return prometheus.Query("{job=\"running\"}").empty(); },
                               std::chrono::seconds(30)))
      << prometheus.Query("{job=\"running\"}").dump();
}

TEST_F(MetricsTest, ExpositionPassesPromtoolAndHasEveryFamily) {
  Train("lint-done", 20);
  ASSERT_EQ(
      server_.Ctl({"sample", "lint-done", "--count=2", "--out-dir", dir_.file("s")}).exit_code, 0);
  EXPECT_EQ(server_.Ctl({"sample", "nope", "--out", dir_.file("x.png")}).exit_code, 1);
  // Scrape while a job runs, so its per-job series are in the text too.
  ASSERT_EQ(
      server_.Ctl(Concat({"train", "--job_id=lint", "--max_steps=10000000"}, kTinyJob)).exit_code,
      0);
  std::string text;
  ASSERT_TRUE(testing::WaitFor(
      [&] {
        text = Scrape(server_);
        return text.find("dcgan_train_step{job=\"lint\"}") != std::string::npos;
      },
      std::chrono::seconds(30)));
  EXPECT_EQ(server_.Ctl({"cancel", "lint"}).exit_code, 0);

  for (const char* file : {"prometheus.yml", "prometheus-compose.yml"}) {
    auto config = testing::Run(
        {"promtool", "check", "config", std::string(DCGAN_SOURCE_DIR) + "/deploy/" + file});
    EXPECT_EQ(config.exit_code, 0) << file << ": " << config.output;
  }

  std::ofstream(dir_.file("metrics.txt")) << text;
  auto lint = testing::Run({"sh", "-c", "promtool check metrics < " + dir_.file("metrics.txt")});
  // promtool reads the "d" of D(x) in the names the metrics issue gives,
  // dcgan_train_d_real and dcgan_train_d_fake, as an abbreviated unit (days).
  // Those names are kept (dashboards depend on them); nothing else may fail.
  std::istringstream complaints(lint.output);
  for (std::string line; std::getline(complaints, line);) {
    EXPECT_TRUE(line == "dcgan_train_d_real metric names should not contain abbreviated units" ||
                line == "dcgan_train_d_fake metric names should not contain abbreviated units")
        << "promtool: " << line;
  }
  EXPECT_THAT(lint.exit_code, ::testing::AnyOf(0, 3)) << lint.output;  // 3: lint findings only
  for (const char* family : {"dcgan_train_discriminator_loss",
                             "dcgan_train_generator_loss",
                             "dcgan_train_d_real",
                             "dcgan_train_d_fake",
                             "dcgan_train_jsd_estimate",
                             "dcgan_train_images_per_second",
                             "dcgan_train_step",
                             "dcgan_train_images_total",
                             "dcgan_train_steps_total",
                             "dcgan_train_step_seconds",
                             "dcgan_jobs",
                             "dcgan_sample_requests_total",
                             "dcgan_sample_images_total",
                             "dcgan_sample_latency_seconds",
                             "dcgan_sample_batch_size",
                             "dcgan_model_cache_hits_total",
                             "dcgan_model_cache_misses_total",
                             "dcgan_model_cache_evictions_total",
                             "dcgan_models_loaded",
                             "grpc_server_started_total",
                             "grpc_server_handled_total",
                             "grpc_server_handling_seconds",
                             "process_cpu_seconds_total",
                             "process_resident_memory_bytes",
                             "process_start_time_seconds",
                             "process_open_fds"}) {
    EXPECT_TRUE(text.find(std::string("# TYPE ") + family + " ") != std::string::npos)
        << family << " is missing";
  }
}

TEST_F(MetricsTest, SeriesStayBoundedHoweverManyJobsRan) {
  Train("job-0", 3);
  const std::vector<std::string> after_one = SeriesLines(Scrape(server_));
  for (int i = 1; i < 16; ++i) Train("job-" + std::to_string(i), 3);
  const std::string text = Scrape(server_);
  const std::vector<std::string> after_many = SeriesLines(text);

  EXPECT_EQ(after_many.size(), after_one.size());
  EXPECT_THAT(text, Not(HasSubstr("job=\""))) << "ended jobs must leave no series";
  EXPECT_THAT(text, HasSubstr("dcgan_train_steps_total 48"));
}

}  // namespace
}  // namespace dcgan
