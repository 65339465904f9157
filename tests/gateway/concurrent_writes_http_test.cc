// Many keep-alive connections writing at once, as the 128-connection bench
// does: every write is answered, on its own connection, with its own event
// (the listener wakes its I/O thread once per batch of answers, and the
// command handler wakes each waiting submission once; neither may lose or
// cross an answer), and every answer is in the log exactly once.
#include <set>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

#include "tests/gateway/api_server.h"

namespace kuimen {
namespace {

class ConcurrentWritesHttp : public testing::ApiServerTest {};

TEST_F(ConcurrentWritesHttp, EveryWriteOnManyKeepAliveConnectionsGetsItsOwnAnswerOnce) {
  constexpr int kConnections = 24;
  constexpr int kWritesEach = 15;
  const std::uint64_t head_before = service_->store().Head().position.value;
  std::vector<std::vector<std::string>> answered(kConnections);  // milestone named in each 201's event
  std::vector<std::vector<std::uint64_t>> positions(kConnections);
  std::vector<std::string> failures(kConnections);
  std::vector<std::thread> clients;
  for (int c = 0; c < kConnections; ++c) {
    clients.emplace_back([&, c] {
      httplib::Client client("127.0.0.1", gateway_->port());  // one connection, kept alive
      client.set_keep_alive(true);
      client.set_read_timeout(30, 0);
      const httplib::Headers headers{{"Authorization", "Bearer " + admin_token_}};
      for (int i = 0; i < kWritesEach; ++i) {
        const std::string milestone = "节点 " + std::to_string(c) + "-" + std::to_string(i);
        const nlohmann::json body = {{"type", "DeadlineSet"},
                                     {"data", {{"due", "2024-12-31"}, {"milestone", milestone}}}};
        // Three tasks for 24 connections: several writers queue on each stream.
        auto result = client.Post("/api/v1/tasks/" + std::to_string(c % 3 + 1) + "/events", headers, body.dump(),
                                  "application/json");
        if (!result || result->status != 201) {
          failures[c] = result ? result->body : httplib::to_string(result.error());
          return;
        }
        const auto event = nlohmann::json::parse(result->body)["event"];
        answered[c].push_back(event["data"]["milestone"].get<std::string>());
        positions[c].push_back(event["position"].get<std::uint64_t>());
      }
    });
  }
  for (std::thread& client : clients) client.join();

  std::set<std::uint64_t> all;
  for (int c = 0; c < kConnections; ++c) {
    ASSERT_EQ(failures[c], "") << "connection " << c;
    ASSERT_EQ(answered[c].size(), static_cast<std::size_t>(kWritesEach));
    for (int i = 0; i < kWritesEach; ++i) {
      EXPECT_EQ(answered[c][i], "节点 " + std::to_string(c) + "-" + std::to_string(i));  // its own answer
      all.insert(positions[c][i]);
    }
  }
  // Each write one event, none twice: as many distinct positions as writes, and the log grew by that many.
  EXPECT_EQ(all.size(), static_cast<std::size_t>(kConnections * kWritesEach));
  EXPECT_EQ(service_->store().Head().position.value, head_before + kConnections * kWritesEach);
}

}  // namespace
}  // namespace kuimen
