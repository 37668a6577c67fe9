#include "server/haproxy_agent.h"

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <string>

namespace dcgan {
namespace {

// What haproxy's agent check reads: connect, read to the end.
std::string AgentAnswer(int port) {
  const int fd = socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0) return "socket failed";
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_port = htons(uint16_t(port));
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  std::string answer;
  if (connect(fd, reinterpret_cast<sockaddr*>(&address), sizeof(address)) == 0) {
    char buffer[64];
    ssize_t n;
    while ((n = read(fd, buffer, sizeof(buffer))) > 0) answer.append(buffer, size_t(n));
  } else {
    answer = "connect failed";
  }
  close(fd);
  return answer;
}

TEST(HaproxyAgentTest, SaysUpUntilDrainingThenDrain) {
  auto agent = HaproxyAgent::Start("127.0.0.1:0");
  ASSERT_TRUE(agent.ok()) << agent.status();
  const int port = (*agent)->port();
  ASSERT_GT(port, 0);
  EXPECT_EQ(AgentAnswer(port), "up ready\n");
  EXPECT_EQ(AgentAnswer(port), "up ready\n");
  (*agent)->SetDraining();
  EXPECT_EQ(AgentAnswer(port), "drain\n");
}

TEST(HaproxyAgentTest, StopsListeningWhenDestroyed) {
  auto agent = HaproxyAgent::Start("127.0.0.1:0");
  ASSERT_TRUE(agent.ok()) << agent.status();
  const int port = (*agent)->port();
  agent->reset();
  EXPECT_EQ(AgentAnswer(port), "connect failed");
}

TEST(HaproxyAgentTest, BadAddressesAreClearErrors) {
  EXPECT_EQ(HaproxyAgent::Start("9465").status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(HaproxyAgent::Start("127.0.0.1:70000").status().code(),
            absl::StatusCode::kInvalidArgument);
  auto taken = HaproxyAgent::Start("127.0.0.1:0");
  ASSERT_TRUE(taken.ok());
  auto again = HaproxyAgent::Start("127.0.0.1:" + std::to_string((*taken)->port()));
  EXPECT_EQ(again.status().code(), absl::StatusCode::kUnavailable) << again.status();
}

}  // namespace
}  // namespace dcgan
