// How many threads an idle `kuimen serve` holds (issue 12: an idle service
// under 40 threads). A count of /proc/<pid>/task, a property of the process,
// not a timing: every part starts its threads before server.json is written,
// and the HTTP workers beyond one per core start only while requests wait.
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>
#include <string>

#include <gtest/gtest.h>

#include "tests/gateway/serve_under_test.h"
#include "tests/support/temp_dir.h"

namespace kuimen::testing {
namespace {

// The process's threads by name (comm), and how many in all.
std::map<std::string, int> ThreadNames(pid_t pid, int& total) {
  std::map<std::string, int> names;
  total = 0;
  for (const auto& task : std::filesystem::directory_iterator("/proc/" + std::to_string(pid) + "/task")) {
    std::string name;
    std::getline(std::ifstream(task.path() / "comm"), name);
    ++names[name];
    ++total;
  }
  return names;
}

std::string Describe(const std::map<std::string, int>& names) {
  std::ostringstream out;
  for (const auto& [name, count] : names) out << "  " << count << " × " << name << "\n";
  return out.str();
}

TEST(ServeThreads, AnIdleServiceHoldsFewerThanFortyThreadsAlsoAfterServingRequests) {
  TempDir dir;
  ServeUnderTest server(dir.path() / "data");
  server.Start();
  ASSERT_TRUE(server.Get("/healthz"));

  int total = 0;
  std::map<std::string, int> names = ThreadNames(server.pid(), total);
  std::printf("idle kuimen serve: %d threads\n%s", total, Describe(names).c_str());
  EXPECT_LT(total, 40) << Describe(names);
  // Its own threads say what they are, so `top -H` and a profile can tell them apart.
  for (const char* part : {"kuimen-sync", "kuimen-stage", "kuimen-relay", "view:supervisio", "view:assessment", "http-io",
                           "http-worker", "webhooks", "kuimen-sweep"}) {
    EXPECT_TRUE(names.contains(part)) << part << " is not among\n" << Describe(names);
  }

  // Requests one after another need no more than the workers kept per core.
  for (int i = 0; i < 20; ++i) {
    httplib::Result written = server.Post("/api/v1/tasks/1/events", server.admin_token(),
                                          {{"type", "DeadlineSet"},
                                           {"data", {{"due", "2030-12-31"}, {"milestone", "年度目标 " + std::to_string(i)}}}});
    ASSERT_TRUE(written);
    ASSERT_EQ(written->status, 201) << written->body;
  }
  names = ThreadNames(server.pid(), total);
  std::printf("after 20 sequential writes: %d threads\n", total);
  EXPECT_LT(total, 40) << Describe(names);
  EXPECT_EQ(server.Stop(SIGTERM), 0) << server.Log();
}

}  // namespace
}  // namespace kuimen::testing
