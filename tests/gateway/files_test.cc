// Uploaded files (佐证材料), against a `kuimen serve` process and its data
// directory on disk: uploads stream to disk (the server's memory is read from
// /proc and printed), only allowed types are stored, events cite stored files
// only, downloads follow the citing event's authorization, `kuimen verify`
// hashes every cited file, backups carry them, and the start-up sweep removes
// what no event cites after a day.
#include <sys/time.h>

#include <openssl/evp.h>

#include <csignal>
#include <cstdio>
#include <fstream>
#include <random>

#include <gtest/gtest.h>
#include <httplib.h>
#include <nlohmann/json.hpp>

#include "tests/gateway/serve_under_test.h"
#include "tests/support/kuimen_binary.h"
#include "tests/support/temp_dir.h"

namespace kuimen {
namespace {

using nlohmann::json;
using testing::RunKuimen;
using testing::ServeUnderTest;
using testing::ShellQuote;

constexpr int kAgricultureTask = 7;  // led by 县农业农村委

std::string Sha256Hex(const std::string& bytes) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  EVP_Digest(bytes.data(), bytes.size(), digest, &length, EVP_sha256(), nullptr);
  std::string hex;
  char pair[3];
  for (unsigned int i = 0; i < length; ++i) {
    std::snprintf(pair, sizeof pair, "%02x", digest[i]);
    hex += pair;
  }
  return hex;
}

// Bytes that start like a file of that kind, then `size` in all.
std::string FileStartingWith(std::string magic, std::size_t size, unsigned seed = 7) {
  std::mt19937 random(seed);
  std::string bytes = std::move(magic);
  while (bytes.size() < size) bytes.push_back(static_cast<char>(random() & 0xff));
  return bytes;
}
const std::string kPdfMagic = "%PDF-1.7\n%\xe2\xe3\xcf\xd3\n";
const std::string kPngMagic = std::string("\x89PNG\r\n\x1a\n\0\0\0\rIHDR", 16);
const std::string kZipMagic = std::string("PK\x03\x04\x14\0\x06\0", 8);

// A process's memory in KiB, from /proc/<pid>/status ("VmRSS", "VmHWM").
long MemoryKib(pid_t pid, const std::string& field) {
  std::ifstream status("/proc/" + std::to_string(pid) + "/status");
  std::string line;
  while (std::getline(status, line)) {
    if (line.rfind(field + ":", 0) == 0) return std::stol(line.substr(field.size() + 1));
  }
  return -1;
}

class Files : public ::testing::Test {
 protected:
  void SetUp() override {
    server_ = std::make_unique<ServeUnderTest>(dir_.path() / "data");
    server_->Start();
    department_ = server_->Department("县农业农村委");
  }

  httplib::Result Upload(const std::string& token, const std::string& name, const std::string& bytes) {
    httplib::Client client("127.0.0.1", server_->port());
    client.set_read_timeout(30, 0);
    client.set_write_timeout(30, 0);
    return client.Post("/api/v1/files?name=" + httplib::detail::encode_query_param(name),
                       {{"Authorization", "Bearer " + token}}, bytes, "application/octet-stream");
  }
  json UploadOk(const std::string& name, const std::string& bytes) {
    httplib::Result answer = Upload(department_, name, bytes);
    EXPECT_TRUE(answer && answer->status == 201) << (answer ? answer->body : "no answer");
    return answer ? json::parse(answer->body) : json();
  }
  httplib::Result Report(const json& attachments) {
    return server_->Post("/api/v1/tasks/" + std::to_string(kAgricultureTask) + "/events", department_,
                         {{"type", "ProgressReported"},
                          {"data", {{"period", "2024-11"}, {"summary", "完成托管服务12万亩次"}, {"percent", 15},
                                    {"attachments", attachments}}}});
  }
  static std::string Code(const httplib::Result& answer) {
    return answer ? json::parse(answer->body)["error"].value("code", "") : "no answer";
  }
  std::filesystem::path Stored(const std::string& sha256) const { return server_->data() / "files" / sha256; }

  ::kuimen::testing::TempDir dir_;
  std::unique_ptr<ServeUnderTest> server_;
  std::string department_;
};

TEST_F(Files, UploadOfTwentyMegabytesStreamsToDiskWithTheServersMemoryFlat) {
  const std::string pdf = FileStartingWith(kPdfMagic, 20 * 1024 * 1024);
  // Warm the server up with a small upload, so the figure is the big body's alone.
  UploadOk("小样.pdf", FileStartingWith(kPdfMagic, 64 * 1024, 1));
  const pid_t pid = server_->pid();
  const long rss_before = MemoryKib(pid, "VmRSS");
  const long peak_before = MemoryKib(pid, "VmHWM");

  const json stored = UploadOk("托管服务台账.pdf", pdf);

  const long rss_after = MemoryKib(pid, "VmRSS");
  const long peak_after = MemoryKib(pid, "VmHWM");
  std::printf("[ figure ] 20 MiB upload: server RSS %ld -> %ld KiB, peak RSS %ld -> %ld KiB (+%ld KiB)\n", rss_before,
              rss_after, peak_before, peak_after, peak_after - peak_before);
  EXPECT_LT(peak_after - peak_before, 8 * 1024) << "the body was held in memory";

  EXPECT_EQ(stored["sha256"], Sha256Hex(pdf));
  EXPECT_EQ(stored["size"], pdf.size());
  EXPECT_EQ(stored["media_type"], "application/pdf");
  EXPECT_EQ(stored["name"], "托管服务台账.pdf");
  EXPECT_EQ(std::filesystem::file_size(Stored(Sha256Hex(pdf))), pdf.size());
  // Content-addressed: the same bytes again are the same one file; nothing is left half-written.
  EXPECT_EQ(UploadOk("再次上传.pdf", pdf)["sha256"], stored["sha256"]);
  EXPECT_TRUE(std::filesystem::is_empty(server_->data() / "files" / ".incoming"));

  // One byte over the limit (--max-file-mb, default 20) is refused from its Content-Length.
  httplib::Result over = Upload(department_, "太大.pdf", pdf + "x");
  ASSERT_TRUE(over);
  EXPECT_EQ(over->status, 413);
  EXPECT_EQ(Code(over), "payload_too_large");
}

TEST_F(Files, OnlyTypesOnTheAllowListAreStoredTellingOfficeContainersByTheirExtension) {
  const std::string docx = FileStartingWith(kZipMagic, 4096);
  EXPECT_EQ(UploadOk("整改清单.docx", docx)["media_type"],
            "application/vnd.openxmlformats-officedocument.wordprocessingml.document");
  EXPECT_EQ(UploadOk("现场照片.png", FileStartingWith(kPngMagic, 4096))["media_type"], "image/png");
  EXPECT_EQ(UploadOk("台账.xls", FileStartingWith("\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", 4096))["media_type"],
            "application/vnd.ms-excel");

  for (const auto& [name, bytes] : std::vector<std::pair<std::string, std::string>>{
           {"工具.exe", FileStartingWith("MZ\x90", 4096)},
           {"压缩包.zip", FileStartingWith(kZipMagic, 4096, 3)},       // a zip, but not an Office file
           {"伪装.pdf", FileStartingWith("<html><script>", 4096)}}) {  // the name does not make the type
    httplib::Result refused = Upload(department_, name, bytes);
    ASSERT_TRUE(refused) << name;
    EXPECT_EQ(refused->status, 415) << name;
    EXPECT_EQ(Code(refused), "file_type_not_allowed") << name;
  }
  EXPECT_TRUE(std::filesystem::is_empty(server_->data() / "files" / ".incoming"));

  httplib::Result registered =
      server_->Post("/api/v1/principals", server_->admin_token(), {{"name", "审计员"}, {"role", "auditor"}});
  ASSERT_TRUE(registered && registered->status == 201);
  httplib::Result auditor =
      Upload(json::parse(registered->body)["token"], "审计.pdf", FileStartingWith(kPdfMagic, 1024));
  ASSERT_TRUE(auditor);
  EXPECT_EQ(auditor->status, 403);
  EXPECT_EQ(Code(auditor), "auditor_read_only");
}

TEST_F(Files, AReportAndAnAnswerCiteOnlyStoredFilesAsStored) {
  const json photo = UploadOk("现场照片.png", FileStartingWith(kPngMagic, 10000));
  json cited = {{"sha256", photo["sha256"]}, {"name", "现场照片.png"}, {"size", photo["size"]}, {"media_type", "image/png"}};

  json wrong_size = cited;
  wrong_size["size"] = 9999;
  httplib::Result refused = Report(json::array({wrong_size}));
  ASSERT_TRUE(refused);
  EXPECT_EQ(refused->status, 400);
  EXPECT_EQ(Code(refused), "attachment_mismatch");
  EXPECT_EQ(json::parse(refused->body)["error"]["field"], "data.attachments[0].size");

  json wrong_type = cited;
  wrong_type["media_type"] = "application/pdf";
  EXPECT_EQ(Code(Report(json::array({wrong_type}))), "attachment_mismatch");

  json not_stored = cited;
  not_stored["sha256"] = std::string(64, 'a');
  httplib::Result missing = Report(json::array({not_stored}));
  EXPECT_EQ(Code(missing), "attachment_not_found");
  EXPECT_EQ(json::parse(missing->body)["error"]["field"], "data.attachments[0].sha256");

  httplib::Result reported = Report(json::array({cited}));
  ASSERT_TRUE(reported);
  ASSERT_EQ(reported->status, 201) << reported->body;
  EXPECT_EQ(json::parse(reported->body)["event"]["data"]["attachments"][0], cited);

  // An answer to a 督办 notice cites its files the same way.
  ASSERT_EQ(server_->Post("/api/v1/tasks/7/events", server_->admin_token(),
                          {{"type", "NoticeIssued"}, {"data", {{"notice_id", "DB-1"}, {"reason", "进度滞后"}, {"due", "2099-12-31"}}}})
                ->status,
            201);
  const json list = UploadOk("整改清单.docx", FileStartingWith(kZipMagic, 5000));
  httplib::Result answered = server_->Post(
      "/api/v1/tasks/7/events", department_,
      {{"type", "NoticeAnswered"},
       {"data", {{"notice_id", "DB-1"}, {"summary", "已整改"},
                 {"attachments", {{{"sha256", list["sha256"]}, {"name", "整改清单.docx"}, {"size", list["size"]},
                                   {"media_type", list["media_type"]}}}}}}});
  ASSERT_TRUE(answered);
  EXPECT_EQ(answered->status, 201) << answered->body;
}

TEST_F(Files, ALeadersInstructionCitesOnlyStoredFilesAndItsFileIsServedToItsReaders) {
  httplib::Result created = server_->Post("/api/v1/principals", server_->admin_token(),
                                          {{"name", "县委副书记 李四"}, {"role", "leader"}});
  ASSERT_TRUE(created && created->status == 201);
  const std::string leader = json::parse(created->body)["token"];
  httplib::Result uploaded = Upload(leader, "调研报告.pdf", FileStartingWith(kPdfMagic, 8000));
  ASSERT_TRUE(uploaded && uploaded->status == 201) << (uploaded ? uploaded->body : "no answer");
  const json file = json::parse(uploaded->body);
  const json cited = {{"sha256", file["sha256"]}, {"name", "调研报告.pdf"}, {"size", file["size"]},
                      {"media_type", "application/pdf"}};
  const auto instruction = [&](const json& attachment) {
    return server_->Post("/api/v1/tasks/7/events", leader,
                         {{"type", "InstructionGiven"},
                          {"data", {{"text", "请抓紧整改"}, {"attachments", json::array({attachment})}}}});
  };
  json not_stored = cited;
  not_stored["sha256"] = std::string(64, 'b');
  EXPECT_EQ(Code(instruction(not_stored)), "attachment_not_found");

  httplib::Result given = instruction(cited);
  ASSERT_TRUE(given);
  ASSERT_EQ(given->status, 201) << given->body;
  EXPECT_EQ(json::parse(given->body)["event"]["schema_version"], 2);
  httplib::Client client("127.0.0.1", server_->port());
  httplib::Result download =
      client.Get("/api/v1/files/" + file["sha256"].get<std::string>(), {{"Authorization", "Bearer " + department_}});
  ASSERT_TRUE(download);
  EXPECT_EQ(download->status, 200);
  EXPECT_EQ(download->body.size(), 8000u);
}

TEST_F(Files, ADownloadIsServedToThoseWhoMayReadTheCitingEventImagesInline) {
  const std::string png = FileStartingWith(kPngMagic, 3000);
  const json photo = UploadOk("现场照片.png", png);
  const std::string path = "/api/v1/files/" + photo["sha256"].get<std::string>() + "?name=" +
                           httplib::detail::encode_query_param("现场照片.png");
  // Not cited yet: served to nobody.
  httplib::Result uncited = server_->Get(path, server_->admin_token());
  ASSERT_TRUE(uncited);
  EXPECT_EQ(uncited->status, 404);
  EXPECT_EQ(Code(uncited), "file_not_found");

  ASSERT_EQ(Report(json::array({{{"sha256", photo["sha256"]}, {"name", "现场照片.png"}, {"size", photo["size"]},
                                 {"media_type", "image/png"}}}))
                ->status,
            201);
  for (const std::string& token : {department_, server_->admin_token()}) {
    httplib::Result download = server_->Get(path, token);
    ASSERT_TRUE(download);
    EXPECT_EQ(download->status, 200);
    EXPECT_EQ(download->body, png);
    EXPECT_EQ(download->get_header_value("Content-Type"), "image/png");
    EXPECT_EQ(download->get_header_value("Content-Disposition").rfind("inline;", 0), 0u)
        << download->get_header_value("Content-Disposition");
    EXPECT_EQ(download->get_header_value("X-Content-Type-Options"), "nosniff");
  }
  httplib::Result anonymous = server_->Get(path);
  ASSERT_TRUE(anonymous);
  EXPECT_EQ(anonymous->status, 401);

  // An Office file is offered for saving, not shown.
  const json sheet = UploadOk("台账.xlsx", FileStartingWith(kZipMagic, 3000));
  ASSERT_EQ(Report(json::array({{{"sha256", sheet["sha256"]}, {"name", "台账.xlsx"}, {"size", sheet["size"]},
                                 {"media_type", sheet["media_type"]}}}))
                ->status,
            201);
  httplib::Result saved = server_->Get("/api/v1/files/" + sheet["sha256"].get<std::string>(), department_);
  ASSERT_TRUE(saved);
  EXPECT_EQ(saved->get_header_value("Content-Disposition").rfind("attachment;", 0), 0u);
}

TEST_F(Files, VerifyHashesEveryCitedFileAndBackupsCarryThem) {
  const std::string pdf = FileStartingWith(kPdfMagic, 50000);
  const json stored = UploadOk("托管服务台账.pdf", pdf);
  const std::string sha256 = stored["sha256"];
  ASSERT_EQ(Report(json::array({{{"sha256", sha256}, {"name", "托管服务台账.pdf"}, {"size", stored["size"]},
                                 {"media_type", "application/pdf"}}}))
                ->status,
            201);
  server_->Stop(SIGTERM);
  const std::string data = ShellQuote(server_->data().string());

  const testing::KuimenRun intact = RunKuimen("verify --data " + data);
  EXPECT_EQ(intact.exit_code, 0) << intact.out;
  EXPECT_NE(intact.out.find("\nok 1 files\n"), std::string::npos) << intact.out;

  // A backup holds the file; its restore verifies the same.
  const std::string backup = ShellQuote((dir_.path() / "backup").string());
  ASSERT_EQ(RunKuimen("backup --data " + data + " --to " + backup).exit_code, 0);
  EXPECT_TRUE(std::filesystem::exists(dir_.path() / "backup" / "files" / sha256));
  const std::string restored = ShellQuote((dir_.path() / "restored").string());
  ASSERT_EQ(RunKuimen("restore --from " + backup + " --data " + restored).exit_code, 0);
  EXPECT_EQ(RunKuimen("verify --data " + restored).out, intact.out);

  // One byte changed behind the server's back: verify names the file.
  std::filesystem::permissions(Stored(sha256), std::filesystem::perms::owner_write, std::filesystem::perm_options::add);
  {
    std::fstream file(Stored(sha256), std::ios::in | std::ios::out | std::ios::binary);
    file.seekp(40000);
    file.put('!');
  }
  const testing::KuimenRun tampered = RunKuimen("verify --data " + data);
  EXPECT_EQ(tampered.exit_code, 1);
  EXPECT_NE(tampered.out.find("FAILED: file " + sha256 + " (\"托管服务台账.pdf\", cited at position"), std::string::npos)
      << tampered.out;
  EXPECT_NE(tampered.out.find("has changed"), std::string::npos) << tampered.out;

  std::filesystem::remove(Stored(sha256));
  const testing::KuimenRun missing = RunKuimen("verify --data " + data);
  EXPECT_EQ(missing.exit_code, 1);
  EXPECT_NE(missing.out.find("is missing"), std::string::npos) << missing.out;
}

TEST_F(Files, TheStartUpSweepRemovesAnUploadNoEventCitesAfterADay) {
  const json cited = UploadOk("引用的.pdf", FileStartingWith(kPdfMagic, 2000, 1));
  const json fresh = UploadOk("刚传的.pdf", FileStartingWith(kPdfMagic, 2000, 2));
  const json stale = UploadOk("没用上的.pdf", FileStartingWith(kPdfMagic, 2000, 3));
  ASSERT_EQ(Report(json::array({{{"sha256", cited["sha256"]}, {"name", "引用的.pdf"}, {"size", cited["size"]},
                                 {"media_type", "application/pdf"}}}))
                ->status,
            201);
  server_->Stop(SIGTERM);
  // Two days old, as far as the file system says.
  const auto two_days_ago = std::filesystem::file_time_type::clock::now() - std::chrono::hours(48);
  for (const json* file : {&cited, &stale}) {
    std::filesystem::last_write_time(Stored((*file)["sha256"]), two_days_ago);
  }
  server_->Start();
  ::kuimen::testing::WaitUntil([&] { return server_->Log().find("files: swept") != std::string::npos; });
  EXPECT_TRUE(std::filesystem::exists(Stored(cited["sha256"])));
  EXPECT_TRUE(std::filesystem::exists(Stored(fresh["sha256"])));
  EXPECT_FALSE(std::filesystem::exists(Stored(stale["sha256"])));
}

}  // namespace
}  // namespace kuimen
