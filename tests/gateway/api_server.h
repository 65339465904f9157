#pragma once

#include <fstream>
#include <memory>
#include <string>

#include <gtest/gtest.h>
#include <httplib.h>
#include <nlohmann/json.hpp>

#include "domain/clock.h"
#include "eventstore/catalog_codec.h"
#include "gateway/gateway.h"
#include "gateway/service.h"
#include "tests/support/temp_dir.h"

namespace kuimen::testing {

// The whole service in this process (store, embedded Kafka, relay, projectors,
// HTTP gateway on an ephemeral port) over a fresh data directory, and a real
// HTTP client to talk to it. The clock is manual, so "before the report" is a
// moment the test chooses.
class ApiServerTest : public ::testing::Test {
 protected:
  // 2024-11-20T02:00:00Z, 10:00 in Fengjie.
  static constexpr std::int64_t kStartSeconds = 1732068000;

  ApiServerTest() : clock_(Timestamp(std::chrono::seconds(kStartSeconds))) {}

  void SetUp() override {
    Result<Catalog> catalog = LoadDefaultCatalog();
    ASSERT_TRUE(catalog.ok()) << catalog.status().message();
    catalog_ = std::move(catalog).value();
    Start();
  }

  void Start() {
    ServiceOptions options;
    options.data_dir = dir_.path();
    options.store_env = store_env_;
    options.max_view_lag = max_view_lag_;
    Result<std::unique_ptr<Service>> service = Service::Start(catalog_, options, clock_);
    ASSERT_TRUE(service.ok()) << service.status().message();
    service_ = std::move(service).value();
    HttpServerOptions http;
    http.port = 0;
    http.threads = 8;
    http.max_body_bytes = max_body_bytes_;
    http.request_timeout = request_timeout_;
    Result<std::unique_ptr<Gateway>> gateway =
        Gateway::Start(catalog_, *service_, ViewSettings{}, dir_.path(), clock_, http);
    ASSERT_TRUE(gateway.ok()) << gateway.status().message();
    gateway_ = std::move(gateway).value();
    std::ifstream token(dir_.path() / "admin.token");
    std::getline(token, admin_token_);
    ASSERT_FALSE(admin_token_.empty());
  }

  // The store's file system for the next Start(); nullptr = the real one.
  rocksdb::Env* store_env_ = nullptr;

  void Stop() {
    gateway_.reset();
    service_.reset();
  }

  void TearDown() override { Stop(); }

  struct Reply {
    int status = 0;
    nlohmann::json json;  // discarded when the body is not JSON
    std::string body;
    httplib::Headers headers;
  };

  Reply Send(const std::string& method, const std::string& path, const std::string& token,
             const std::string& body = "") {
    httplib::Client client("127.0.0.1", gateway_->port());
    client.set_read_timeout(10, 0);
    httplib::Headers headers;
    if (!token.empty()) headers.emplace("Authorization", "Bearer " + token);
    httplib::Result result = method == "GET"    ? client.Get(path, headers)
                             : method == "POST" ? client.Post(path, headers, body, "application/json")
                                                : client.Delete(path, headers);
    Reply reply;
    if (!result) {
      ADD_FAILURE() << method << " " << path << ": " << httplib::to_string(result.error());
      return reply;
    }
    reply.status = result->status;
    reply.body = result->body;
    reply.headers = result->headers;
    reply.json = nlohmann::json::parse(result->body, nullptr, /*allow_exceptions=*/false);
    return reply;
  }
  Reply Get(const std::string& path, const std::string& token) { return Send("GET", path, token); }
  Reply Post(const std::string& path, const std::string& token, const nlohmann::json& body) {
    return Send("POST", path, token, body.dump());
  }

  // A new principal's token (registered by the administrator).
  std::string Principal(const std::string& role, const std::string& unit = "", const std::string& name = "测试用户") {
    nlohmann::json body = {{"name", name}, {"role", role}};
    if (!unit.empty()) body["unit"] = unit;
    Reply reply = Post("/api/v1/principals", admin_token_, body);
    EXPECT_EQ(reply.status, 201) << reply.body;
    return reply.json.value("token", "");
  }

  // A progress report as 附件2 task 7's lead unit would send it.
  static nlohmann::json Report(int percent, const std::string& period = "2024-11") {
    return {{"type", "ProgressReported"},
            {"data",
             {{"period", period},
              {"summary", "完成农业生产托管服务"},
              {"percent", percent},
              {"indicators", nlohmann::json::array()},
              {"evidence", nlohmann::json::array()}}}};
  }

  TempDir dir_;
  ManualClock clock_;
  Catalog catalog_;
  std::size_t max_body_bytes_ = 64 * 1024;
  std::chrono::seconds request_timeout_{10};
  std::uint64_t max_view_lag_ = kDefaultMaxViewLag;  // the service's --max-view-lag
  std::unique_ptr<Service> service_;
  std::unique_ptr<Gateway> gateway_;
  std::string admin_token_;
};

}  // namespace kuimen::testing
