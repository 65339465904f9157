// Issue 11 hardening of uploads, against a `kuimen serve` process and its data
// directory: uploads no event cites yet are limited per principal and in all
// (reserved before the body, right under concurrency, recounted after a
// restart, released when cited or swept), an upload that would leave the disk
// too empty is refused, a slow county line may upload slowly while a stalled
// or trickling one is cut off, and a file name with invisible format
// characters is refused. Every refusal stores nothing.
#include <arpa/inet.h>
#include <poll.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <random>
#include <regex>
#include <thread>

#include <gtest/gtest.h>
#include <httplib.h>
#include <nlohmann/json.hpp>

#include "tests/gateway/serve_under_test.h"
#include "tests/support/temp_dir.h"

namespace kuimen {
namespace {

using nlohmann::json;
using testing::ServeUnderTest;

constexpr std::size_t kKiB = 1024;
const std::string kPdfMagic = "%PDF-1.7\n%\xe2\xe3\xcf\xd3\n";

// A PDF-looking file of `size` bytes; `seed` makes its content (and hash) its own.
std::string Pdf(std::size_t size, unsigned seed) {
  std::mt19937 random(seed);
  std::string bytes = kPdfMagic;
  while (bytes.size() < size) bytes.push_back(static_cast<char>(random() & 0xff));
  return bytes;
}

// The answer of a raw exchange: status and parsed JSON body.
struct RawAnswer {
  int status = 0;
  json body;
};

// A client on a plain socket, for what a client library will not do: send a
// body slowly, or stop sending.
class SlowClient {
 public:
  explicit SlowClient(int port) {
    fd_ = socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_port = htons(static_cast<std::uint16_t>(port));
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    timeval timeout{30, 0};
    setsockopt(fd_, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof timeout);
    if (connect(fd_, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0) ADD_FAILURE() << "cannot connect";
  }
  ~SlowClient() { close(fd_); }

  // True when the server has answered (or closed): a refused client stops sending.
  bool Answered() const {
    pollfd readable{fd_, POLLIN, 0};
    return poll(&readable, 1, 0) > 0;
  }
  // False once the server has closed its side (a refusal).
  bool Send(std::string_view bytes) {
    return send(fd_, bytes.data(), bytes.size(), MSG_NOSIGNAL) == static_cast<ssize_t>(bytes.size());
  }
  // Sends `body` in `pieces`, waiting `gap` between them: a slow line.
  bool SendSlowly(const std::string& body, std::size_t pieces, std::chrono::milliseconds gap) {
    const std::size_t piece = (body.size() + pieces - 1) / pieces;
    for (std::size_t at = 0; at < body.size(); at += piece) {
      if (Answered() || !Send(std::string_view(body).substr(at, piece))) return false;
      std::this_thread::sleep_for(gap);  // the pace of the line under test, not a synchronisation
    }
    return true;
  }
  // Reads one answer (blocks until it is whole or the connection ends).
  RawAnswer Answer() {
    std::string answer;
    char buffer[4096];
    std::smatch length;
    for (ssize_t n; (n = recv(fd_, buffer, sizeof buffer, 0)) > 0;) {
      answer.append(buffer, static_cast<std::size_t>(n));
      const std::size_t end = answer.find("\r\n\r\n");
      const std::string head = answer.substr(0, end == std::string::npos ? 0 : end);
      if (end != std::string::npos && std::regex_search(head, length, std::regex("Content-Length: (\\d+)", std::regex::icase)) &&
          answer.size() >= end + 4 + std::stoul(length[1])) {
        break;
      }
    }
    RawAnswer parsed;
    if (answer.size() < 12) return parsed;
    parsed.status = std::stoi(answer.substr(9, 3));
    const std::size_t end = answer.find("\r\n\r\n");
    parsed.body = json::parse(end == std::string::npos ? "" : answer.substr(end + 4), nullptr, false);
    return parsed;
  }

 private:
  int fd_ = -1;
};

std::string UploadHead(const std::string& token, const std::string& name, std::size_t size) {
  return "POST /api/v1/files?name=" + httplib::detail::encode_query_param(name) +
         " HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer " + token +
         "\r\nContent-Type: application/octet-stream\r\nContent-Length: " + std::to_string(size) + "\r\n\r\n";
}

class UploadLimits : public ::testing::Test {
 protected:
  void Start(std::vector<std::string> args) {
    server_ = std::make_unique<ServeUnderTest>(dir_.path() / "data", std::move(args));
    server_->Start();
    agriculture_ = server_->Department("县农业农村委");
  }

  httplib::Result Upload(const std::string& token, const std::string& name, const std::string& bytes) const {
    httplib::Client client("127.0.0.1", server_->port());
    client.set_read_timeout(30, 0);
    client.set_write_timeout(30, 0);
    return client.Post("/api/v1/files?name=" + httplib::detail::encode_query_param(name),
                       {{"Authorization", "Bearer " + token}}, bytes, "application/octet-stream");
  }
  json UploadOk(const std::string& token, const std::string& name, const std::string& bytes) const {
    httplib::Result answer = Upload(token, name, bytes);
    EXPECT_TRUE(answer && answer->status == 201) << (answer ? answer->body : "no answer");
    return answer && answer->status == 201 ? json::parse(answer->body) : json();
  }
  // A report on task 7 (led by 县农业农村委) citing `file`.
  httplib::Result Cite(const json& file, const std::string& name) const {
    return server_->Post("/api/v1/tasks/7/events", agriculture_,
                         {{"type", "ProgressReported"},
                          {"data", {{"period", "2024-11"}, {"summary", "完成托管服务12万亩次"}, {"percent", 15},
                                    {"attachments", {{{"sha256", file["sha256"]}, {"name", name}, {"size", file["size"]},
                                                      {"media_type", file["media_type"]}}}}}}});
  }
  static json Error(const httplib::Result& answer) {
    return answer ? json::parse(answer->body, nullptr, false).value("error", json::object()) : json::object();
  }
  // The stored files (by hash) and what is left of uploads in progress.
  std::size_t StoredFiles() const {
    std::size_t count = 0;
    for (const auto& entry : std::filesystem::directory_iterator(server_->data() / "files")) {
      count += entry.is_regular_file() ? 1 : 0;
    }
    return count;
  }
  bool NothingIncoming() const { return std::filesystem::is_empty(server_->data() / "files" / ".incoming"); }

  ::kuimen::testing::TempDir dir_;
  std::unique_ptr<ServeUnderTest> server_;
  std::string agriculture_;
};

TEST_F(UploadLimits, AnUploadOverThePrincipalsShareOfUncitedFilesIsRefusedUntilOneIsCited) {
  Start({"--upload-quota-mb", "1"});
  const json first = UploadOk(agriculture_, "托管服务台账.pdf", Pdf(600 * kKiB, 1));

  httplib::Result refused = Upload(agriculture_, "现场照片.pdf", Pdf(600 * kKiB, 2));
  ASSERT_TRUE(refused);
  EXPECT_EQ(refused->status, 413);
  EXPECT_EQ(Error(refused)["code"], "upload_quota_exceeded");
  EXPECT_EQ(Error(refused)["field"], "file");
  EXPECT_NE(Error(refused)["message"].get<std::string>().find("1 MB"), std::string::npos) << refused->body;
  EXPECT_EQ(StoredFiles(), 1u) << "a refused upload stored something";
  EXPECT_TRUE(NothingIncoming());

  // Another unit has its own share.
  UploadOk(server_->Department("县林业局"), "林业台账.pdf", Pdf(600 * kKiB, 3));

  // Cited by a report, the first file no longer counts: the second fits now.
  ASSERT_EQ(Cite(first, "托管服务台账.pdf")->status, 201);
  const json second = UploadOk(agriculture_, "现场照片.pdf", Pdf(600 * kKiB, 2));
  // The same content once more is the same one file: once it is cited, a
  // third upload of it reserves, finds it stored, and leaves nothing counted.
  ASSERT_EQ(Cite(second, "现场照片.pdf")->status, 201);
  UploadOk(agriculture_, "现场照片（副本）.pdf", Pdf(600 * kKiB, 2));
  UploadOk(agriculture_, "整改清单.pdf", Pdf(600 * kKiB, 4));
}

TEST_F(UploadLimits, ParallelUploadsReserveBeforeTheyStreamSoTogetherTheyCannotPassTheShare) {
  Start({"--upload-quota-mb", "1"});
  // 300 KiB each: three fit in 1 MiB, a fourth does not, however they interleave.
  constexpr int kUploads = 8;
  std::vector<std::thread> senders;
  std::vector<int> statuses(kUploads, 0);
  std::vector<std::string> codes(kUploads);
  for (int i = 0; i < kUploads; ++i) {
    senders.emplace_back([&, i] {
      httplib::Result answer = Upload(agriculture_, "材料" + std::to_string(i) + ".pdf", Pdf(300 * kKiB, 10 + i));
      statuses[i] = answer ? answer->status : 0;
      codes[i] = answer ? Error(answer).value("code", "") : "no answer";
    });
  }
  for (std::thread& sender : senders) sender.join();
  int stored = 0;
  for (int i = 0; i < kUploads; ++i) {
    if (statuses[i] == 201) {
      ++stored;
    } else {
      EXPECT_EQ(statuses[i], 413) << codes[i];
      EXPECT_EQ(codes[i], "upload_quota_exceeded");
    }
  }
  std::printf("[ figure ] %d parallel uploads of 300 KiB against a 1 MiB share: %d stored, %d refused\n", kUploads,
              stored, kUploads - stored);
  EXPECT_EQ(stored, 3);
  EXPECT_EQ(StoredFiles(), 3u);
  EXPECT_TRUE(NothingIncoming());
}

TEST_F(UploadLimits, TheCountOfUncitedFilesSurvivesARestartAndTheTotalBindsAllPrincipals) {
  Start({"--upload-quota-mb", "1", "--upload-total-mb", "2"});
  const std::string forestry = server_->Department("县林业局");
  UploadOk(agriculture_, "台账.pdf", Pdf(900 * kKiB, 1));
  server_->Stop(SIGTERM);
  server_->Start();

  // Recounted from the files directory and the owner records: still 900 KiB used.
  httplib::Result refused = Upload(agriculture_, "照片.pdf", Pdf(300 * kKiB, 2));
  ASSERT_TRUE(refused);
  EXPECT_EQ(refused->status, 413) << refused->body;
  EXPECT_EQ(Error(refused)["code"], "upload_quota_exceeded");

  // Within each unit's share, but past the total of 2 MiB for everyone: 507.
  UploadOk(forestry, "林业台账.pdf", Pdf(900 * kKiB, 3));
  const std::string finance = server_->Department("县财政局");
  httplib::Result full = Upload(finance, "财政台账.pdf", Pdf(300 * kKiB, 4));
  ASSERT_TRUE(full);
  EXPECT_EQ(full->status, 507) << full->body;
  EXPECT_EQ(Error(full)["code"], "upload_total_exceeded");
  EXPECT_EQ(Error(full)["field"], "file");
  EXPECT_EQ(Error(full)["kind"], "resource_exhausted");
  EXPECT_EQ(StoredFiles(), 2u);
}

TEST_F(UploadLimits, AnUploadSweptAfterADayNoLongerCounts) {
  Start({"--upload-quota-mb", "1"});
  const json stale = UploadOk(agriculture_, "没用上的.pdf", Pdf(900 * kKiB, 1));
  server_->Stop(SIGTERM);
  std::filesystem::last_write_time(server_->data() / "files" / stale["sha256"].get<std::string>(),
                                   std::filesystem::file_time_type::clock::now() - std::chrono::hours(48));
  server_->Start();
  ::kuimen::testing::WaitUntil([&] { return server_->Log().find("files: swept") != std::string::npos; });
  ASSERT_NE(server_->Log().find("1 unreferenced upload(s)"), std::string::npos) << server_->Log();
  EXPECT_FALSE(std::filesystem::exists(server_->data() / "files" / ".owners" / stale["sha256"].get<std::string>()));
  UploadOk(agriculture_, "新材料.pdf", Pdf(900 * kKiB, 2));
}

TEST_F(UploadLimits, CitingFilesDoesNotResetTheDailyCapWhichSurvivesARestartAndEndsAfter24Hours) {
  Start({"--upload-daily-mb", "1"});
  // Upload and cite, the attack's loop: citing frees the share of uncited
  // files, but the day's bytes stay counted.
  const json first = UploadOk(agriculture_, "托管服务台账.pdf", Pdf(600 * kKiB, 1));
  ASSERT_EQ(Cite(first, "托管服务台账.pdf")->status, 201);
  httplib::Result refused = Upload(agriculture_, "现场照片.pdf", Pdf(600 * kKiB, 2));
  ASSERT_TRUE(refused);
  EXPECT_EQ(refused->status, 413);
  EXPECT_EQ(Error(refused)["code"], "upload_daily_exceeded");
  EXPECT_EQ(Error(refused)["field"], "file");
  EXPECT_NE(Error(refused)["message"].get<std::string>().find("24小时内上传的文件合计不能超过1 MB"), std::string::npos)
      << refused->body;
  EXPECT_EQ(StoredFiles(), 1u) << "a refused upload stored something";
  EXPECT_TRUE(NothingIncoming());
  // Another unit has its own day.
  UploadOk(server_->Department("县林业局"), "林业台账.pdf", Pdf(600 * kKiB, 3));

  // A restart counts the day again from the owner records.
  server_->Stop(SIGTERM);
  server_->Start();
  httplib::Result still = Upload(agriculture_, "现场照片.pdf", Pdf(600 * kKiB, 2));
  ASSERT_TRUE(still);
  EXPECT_EQ(still->status, 413);
  EXPECT_EQ(Error(still)["code"], "upload_daily_exceeded");

  // A day later (the owner record's time is the upload's) it counts no more.
  server_->Stop(SIGTERM);
  std::filesystem::last_write_time(server_->data() / "files" / ".owners" / first["sha256"].get<std::string>(),
                                   std::filesystem::file_time_type::clock::now() - std::chrono::hours(25));
  server_->Start();
  UploadOk(agriculture_, "现场照片.pdf", Pdf(600 * kKiB, 2));
  EXPECT_EQ(StoredFiles(), 3u);
}

TEST_F(UploadLimits, AnUploadThatWouldLeaveTheDiskBelowItsFloorIsRefusedAndStoresNothing) {
  // A floor above what any test machine has free: the refusal is certain.
  Start({"--upload-min-free-mb", std::to_string(1ull << 30)});
  httplib::Result refused = Upload(agriculture_, "台账.pdf", Pdf(64 * kKiB, 1));
  ASSERT_TRUE(refused);
  EXPECT_EQ(refused->status, 507);
  EXPECT_EQ(Error(refused)["code"], "disk_space_low");
  EXPECT_EQ(Error(refused)["field"], "file");
  EXPECT_EQ(Error(refused)["message"], "服务器磁盘剩余空间不足，本次文件未保存，请联系管理员");
  EXPECT_EQ(StoredFiles(), 0u);
  EXPECT_TRUE(NothingIncoming());
}

TEST_F(UploadLimits, ASlowLineUploadsPastTheRequestTimeoutWhileOtherRequestsKeepIt) {
  // A 1 s request deadline, and an upload sent over about 3 s in 12 pieces.
  Start({"--request-timeout", "1", "--upload-idle-timeout", "2"});
  const std::string pdf = Pdf(48 * kKiB, 1);
  SlowClient upload(server_->port());
  ASSERT_TRUE(upload.Send(UploadHead(agriculture_, "慢速上传.pdf", pdf.size())));
  ASSERT_TRUE(upload.SendSlowly(pdf, 12, std::chrono::milliseconds(250)));
  const RawAnswer stored = upload.Answer();
  EXPECT_EQ(stored.status, 201) << stored.body.dump();
  EXPECT_EQ(stored.body.value("size", 0u), pdf.size());

  // A report sent as slowly is held to the request deadline.
  const std::string report =
      json{{"type", "ProgressReported"}, {"data", {{"period", "2024-11"}, {"summary", "完成"}, {"percent", 15}}}}.dump();
  SlowClient writer(server_->port());
  ASSERT_TRUE(writer.Send("POST /api/v1/tasks/7/events HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer " + agriculture_ +
                          "\r\nContent-Type: application/json\r\nContent-Length: " + std::to_string(report.size()) +
                          "\r\n\r\n"));
  writer.SendSlowly(report, 12, std::chrono::milliseconds(250));
  const RawAnswer late = writer.Answer();
  EXPECT_EQ(late.status, 408);
  EXPECT_EQ(late.body["error"]["code"], "request_timeout");
  EXPECT_EQ(late.body["error"]["field"], "body");
}

TEST_F(UploadLimits, AnUploadThatStallsIsCutOffAndLeavesNothing) {
  Start({"--request-timeout", "1", "--upload-idle-timeout", "1", "--upload-quota-mb", "1"});
  SlowClient upload(server_->port());
  ASSERT_TRUE(upload.Send(UploadHead(agriculture_, "中断.pdf", 1024 * kKiB)));
  ASSERT_TRUE(upload.Send(Pdf(16 * kKiB, 1)));
  // ...and nothing more: no progress for the idle timeout.
  const RawAnswer stalled = upload.Answer();
  EXPECT_EQ(stalled.status, 408);
  EXPECT_EQ(stalled.body["error"]["code"], "request_timeout");
  EXPECT_EQ(stalled.body["error"]["field"], "body");
  ::kuimen::testing::WaitUntil([&] { return NothingIncoming(); });
  EXPECT_TRUE(NothingIncoming());
  EXPECT_EQ(StoredFiles(), 0u);
  // Its reservation (the whole 1 MiB share) went with it: the share is free again.
  UploadOk(agriculture_, "重新上传.pdf", Pdf(1024 * kKiB, 2));
}

TEST_F(UploadLimits, AnUploadThatTricklesCannotHoldItsConnectionBeyondTheMinimumRate) {
  // 1 MiB files at no less than 1 MiB/s on average: whole within 1 s + 1 s.
  Start({"--request-timeout", "1", "--upload-idle-timeout", "60", "--max-file-mb", "1", "--upload-min-kib-per-second",
         "1024"});
  SlowClient slowloris(server_->port());
  ASSERT_TRUE(slowloris.Send(UploadHead(agriculture_, "滴灌.pdf", 1024 * kKiB)));
  ASSERT_TRUE(slowloris.Send(kPdfMagic));
  // A byte every 100 ms: never idle, far below the rate. Stops once refused.
  const auto started = std::chrono::steady_clock::now();
  while (!slowloris.Answered() && slowloris.Send("x") &&
         std::chrono::steady_clock::now() - started < std::chrono::seconds(20)) {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));  // the trickle's pace
  }
  const RawAnswer cut = slowloris.Answer();
  EXPECT_EQ(cut.status, 408);
  EXPECT_EQ(cut.body["error"]["code"], "request_timeout");
  EXPECT_LT(std::chrono::steady_clock::now() - started, std::chrono::seconds(20)) << "the trickle was never cut off";
}

TEST_F(UploadLimits, AFileNameWithInvisibleFormatCharactersIsRefusedBeforeItsBody) {
  Start({});
  // U+202E RIGHT-TO-LEFT OVERRIDE makes "报告\u202Efdp.exe" read as "报告exe.pdf".
  for (const std::string& name : {std::string("报告\u202Efdp.exe"), std::string("台账\u200B.pdf"),
                                   std::string("\uFEFF台账.pdf"), std::string("台账\u2066.pdf")}) {
    SCOPED_TRACE(name);
    SlowClient client(server_->port());
    // The head announces 20 MB; the refusal comes before any of it is sent.
    ASSERT_TRUE(client.Send(UploadHead(agriculture_, name, 20 * 1024 * kKiB)));
    const RawAnswer refused = client.Answer();
    EXPECT_EQ(refused.status, 400);
    EXPECT_EQ(refused.body["error"]["code"], "invisible_character");
    EXPECT_EQ(refused.body["error"]["field"], "name");
  }
  SlowClient c1(server_->port());
  ASSERT_TRUE(c1.Send(UploadHead(agriculture_, "台账\u0085.pdf", 8 * kKiB)));  // C1 NEXT LINE
  const RawAnswer control = c1.Answer();
  EXPECT_EQ(control.status, 400);
  EXPECT_EQ(control.body["error"]["code"], "control_character");
  EXPECT_EQ(control.body["error"]["field"], "name");
  EXPECT_EQ(StoredFiles(), 0u);

  // A report naming a stored file so is refused too, with the attachment's field.
  const json file = UploadOk(agriculture_, "台账.pdf", Pdf(8 * kKiB, 1));
  httplib::Result cited = Cite(file, "报告\u202Efdp.exe");
  ASSERT_TRUE(cited);
  EXPECT_EQ(cited->status, 400);
  EXPECT_EQ(Error(cited)["code"], "invisible_character");
  EXPECT_EQ(Error(cited)["field"], "data.attachments[0].name");
}

}  // namespace
}  // namespace kuimen
