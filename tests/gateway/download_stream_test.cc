// Downloads of cited files (佐证材料) stream from disk, against a `kuimen
// serve` process: a multi-megabyte file arrives whole, byte for byte, over
// HTTP and HTTPS, with the same head as ever (Content-Length, Content-Type,
// Content-Disposition), HEAD gives the head only, and many slow readers at
// once cost the server memory per chunk, not per file (its RSS is read from
// /proc and printed).
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <openssl/evp.h>

#include <cstdio>
#include <fstream>
#include <memory>
#include <random>

#include <gtest/gtest.h>
#include <httplib.h>
#include <nlohmann/json.hpp>

#include "tests/gateway/serve_under_test.h"
#include "tests/support/temp_dir.h"

namespace kuimen {
namespace {

using nlohmann::json;
using testing::ServeUnderTest;

constexpr int kAgricultureTask = 7;  // led by 县农业农村委
const std::string kPdfMagic = "%PDF-1.7\n%\xe2\xe3\xcf\xd3\n";

std::string Hex(const unsigned char* digest, unsigned int length) {
  std::string hex;
  char pair[3];
  for (unsigned int i = 0; i < length; ++i) {
    std::snprintf(pair, sizeof pair, "%02x", digest[i]);
    hex += pair;
  }
  return hex;
}

std::string Sha256Hex(const std::string& bytes) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  EVP_Digest(bytes.data(), bytes.size(), digest, &length, EVP_sha256(), nullptr);
  return Hex(digest, length);
}

std::string PdfOfSize(std::size_t size, unsigned seed = 11) {
  std::mt19937 random(seed);
  std::string bytes = kPdfMagic;
  bytes.reserve(size);
  while (bytes.size() < size) bytes.push_back(static_cast<char>(random() & 0xff));
  return bytes;
}

// A process's memory in KiB, from /proc/<pid>/status ("VmRSS", "VmHWM").
long MemoryKib(pid_t pid, const std::string& field) {
  std::ifstream status("/proc/" + std::to_string(pid) + "/status");
  std::string line;
  while (std::getline(status, line)) {
    if (line.rfind(field + ":", 0) == 0) return std::stol(line.substr(field.size() + 1));
  }
  return -1;
}

// Uploads `bytes` as a department of 县农业农村委 and cites them in a progress
// report; returns the download path (with its Chinese name) and the token.
template <typename Client>
std::pair<std::string, std::string> UploadAndCite(Client& client, const std::string& admin_token,
                                                  const std::string& bytes, const std::string& name) {
  client.set_read_timeout(30, 0);
  client.set_write_timeout(30, 0);
  httplib::Result created = client.Post("/api/v1/principals", {{"Authorization", "Bearer " + admin_token}},
                                        json{{"name", "联络员"}, {"role", "department"}, {"unit", "县农业农村委"}}.dump(),
                                        "application/json");
  EXPECT_TRUE(created && created->status == 201);
  const std::string token = created ? json::parse(created->body).value("token", "") : "";
  httplib::Result uploaded = client.Post("/api/v1/files?name=" + httplib::detail::encode_query_param(name),
                                         {{"Authorization", "Bearer " + token}}, bytes, "application/octet-stream");
  EXPECT_TRUE(uploaded && uploaded->status == 201) << (uploaded ? uploaded->body : "no answer");
  const json stored = uploaded ? json::parse(uploaded->body) : json::object();
  const json report = {{"type", "ProgressReported"},
                       {"data",
                        {{"period", "2024-11"},
                         {"summary", "完成托管服务12万亩次"},
                         {"percent", 15},
                         {"attachments", json::array({{{"sha256", stored.value("sha256", "")},
                                                       {"name", name},
                                                       {"size", bytes.size()},
                                                       {"media_type", "application/pdf"}}})}}}};
  httplib::Result cited = client.Post("/api/v1/tasks/" + std::to_string(kAgricultureTask) + "/events",
                                      {{"Authorization", "Bearer " + token}}, report.dump(), "application/json");
  EXPECT_TRUE(cited && cited->status == 201) << (cited ? cited->body : "no answer");
  return {"/api/v1/files/" + stored.value("sha256", "") + "?name=" + httplib::detail::encode_query_param(name), token};
}

// The download's head, as it always was.
void ExpectDownloadHead(const httplib::Response& answer, const std::string& bytes) {
  const std::size_t size = bytes.size();
  EXPECT_EQ(answer.get_header_value("Content-Length"), std::to_string(size));
  EXPECT_EQ(answer.get_header_value("Content-Type"), "application/pdf");
  EXPECT_EQ(answer.get_header_value("Content-Disposition"),
            "inline; filename=\"" + Sha256Hex(bytes).substr(0, 16) + ".pdf\"; filename*=UTF-8''托管服务台账.pdf")
      << "(the ASCII name of a Chinese name is the hash's start; cpp-httplib decodes the UTF-8 one, the slow "
         "reader below sees it encoded)";
}

// How many descriptors the process holds open on `file`, from /proc/<pid>/fd.
int OpenDescriptorsOn(pid_t pid, const std::filesystem::path& file) {
  int count = 0;
  std::error_code error;
  const std::filesystem::path target = std::filesystem::canonical(file, error);
  for (const auto& entry : std::filesystem::directory_iterator("/proc/" + std::to_string(pid) + "/fd", error)) {
    std::error_code unreadable;
    if (std::filesystem::read_symlink(entry.path(), unreadable) == target) ++count;
  }
  return count;
}

class DownloadStream : public ::testing::Test {
 protected:
  ::kuimen::testing::TempDir dir_;
};

TEST_F(DownloadStream, AMultiMegabyteCitedFileArrivesWholeAndHeadGivesTheHeadOnly) {
  ServeUnderTest server(dir_.path() / "data");
  server.Start();
  const std::string pdf = PdfOfSize(9 * 1024 * 1024 + 12345);  // not a multiple of the chunk
  httplib::Client client("127.0.0.1", server.port());
  client.set_keep_alive(true);
  const auto [path, token] = UploadAndCite(client, server.admin_token(), pdf, "托管服务台账.pdf");

  httplib::Result download = client.Get(path, {{"Authorization", "Bearer " + token}});
  ASSERT_TRUE(download) << httplib::to_string(download.error());
  EXPECT_EQ(download->status, 200);
  EXPECT_EQ(download->body.size(), pdf.size());
  EXPECT_EQ(Sha256Hex(download->body), Sha256Hex(pdf));
  ExpectDownloadHead(*download, pdf);
  // The same keep-alive connection serves the next request: the body ended where it said.
  httplib::Result again = client.Get(path, {{"Authorization", "Bearer " + token}});
  ASSERT_TRUE(again);
  EXPECT_EQ(Sha256Hex(again->body), Sha256Hex(pdf));

  httplib::Result head = client.Head(path, {{"Authorization", "Bearer " + token}});
  ASSERT_TRUE(head);
  EXPECT_EQ(head->status, 200);
  EXPECT_TRUE(head->body.empty());
  ExpectDownloadHead(*head, pdf);
  httplib::Result after_head = client.Get("/healthz");
  ASSERT_TRUE(after_head);
  EXPECT_EQ(after_head->status, 200);

  // A cited file gone from the data directory is still a clean error, before any byte.
  std::filesystem::remove(server.data() / "files" / path.substr(std::string("/api/v1/files/").size(), 64));
  httplib::Result missing = client.Get(path, {{"Authorization", "Bearer " + token}});
  ASSERT_TRUE(missing);
  EXPECT_EQ(missing->status, 500);
  EXPECT_EQ(json::parse(missing->body)["error"].value("code", ""), "data_loss") << missing->body;
}

TEST_F(DownloadStream, AMultiMegabyteCitedFileArrivesWholeOverHttps) {
  ServeUnderTest server(dir_.path() / "data", {"--tls-self-signed"});
  server.Start();
  const std::string pdf = PdfOfSize(5 * 1024 * 1024 + 777, 3);
  httplib::SSLClient client("127.0.0.1", server.port());
  client.set_ca_cert_path((server.data() / "tls" / "cert.pem").c_str());
  client.enable_server_certificate_verification(true);
  const auto [path, token] = UploadAndCite(client, server.admin_token(), pdf, "托管服务台账.pdf");
  httplib::Result download = client.Get(path, {{"Authorization", "Bearer " + token}});
  ASSERT_TRUE(download) << httplib::to_string(download.error());
  EXPECT_EQ(download->status, 200);
  EXPECT_EQ(Sha256Hex(download->body), Sha256Hex(pdf));
  ExpectDownloadHead(*download, pdf);
}

// A client that asks for a download and reads it slowly: a small receive
// buffer, the head and a first piece read, the rest left waiting.
class SlowReader {
 public:
  SlowReader(int port, const std::string& request) {
    fd_ = socket(AF_INET, SOCK_STREAM, 0);
    const int small = 16 * 1024;
    setsockopt(fd_, SOL_SOCKET, SO_RCVBUF, &small, sizeof small);
    timeval timeout{20, 0};
    setsockopt(fd_, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof timeout);
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_port = htons(static_cast<std::uint16_t>(port));
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    connected_ = connect(fd_, reinterpret_cast<sockaddr*>(&address), sizeof address) == 0 &&
                 send(fd_, request.data(), request.size(), MSG_NOSIGNAL) == static_cast<ssize_t>(request.size());
  }
  ~SlowReader() { close(fd_); }

  // Reads until the head and at least one body byte are here: the answer is being written.
  bool ReadHeadAndAPiece() {
    while (connected_) {
      const std::size_t end = received_.find("\r\n\r\n");
      if (end != std::string::npos && received_.size() > end + 4) {
        head_ = received_.substr(0, end + 4);
        body_seen_ = received_.size() - head_.size();
        return true;
      }
      if (!ReadSome()) return false;
    }
    return false;
  }
  // Reads the rest of a body of `size` bytes; its sha256.
  std::string ReadRest(std::size_t size) {
    EVP_MD_CTX* hash = EVP_MD_CTX_new();
    EVP_DigestInit_ex(hash, EVP_sha256(), nullptr);
    EVP_DigestUpdate(hash, received_.data() + head_.size(), body_seen_);
    std::size_t seen = body_seen_;
    char buffer[64 * 1024];
    while (seen < size) {
      const ssize_t n = recv(fd_, buffer, std::min(sizeof buffer, size - seen), 0);
      if (n <= 0) break;
      EVP_DigestUpdate(hash, buffer, static_cast<std::size_t>(n));
      seen += static_cast<std::size_t>(n);
    }
    unsigned char digest[EVP_MAX_MD_SIZE];
    unsigned int length = 0;
    EVP_DigestFinal_ex(hash, digest, &length);
    EVP_MD_CTX_free(hash);
    return seen == size ? Hex(digest, length) : "short body: " + std::to_string(seen);
  }
  const std::string& head() const { return head_; }

 private:
  bool ReadSome() {
    char buffer[4096];
    const ssize_t n = recv(fd_, buffer, sizeof buffer, 0);
    if (n <= 0) return false;
    received_.append(buffer, static_cast<std::size_t>(n));
    return true;
  }
  int fd_ = -1;
  bool connected_ = false;
  std::string received_;
  std::string head_;
  std::size_t body_seen_ = 0;
};

TEST_F(DownloadStream, ManyConcurrentSlowDownloadsCostTheServerMemoryPerChunkNotPerFile) {
  ServeUnderTest server(dir_.path() / "data");
  server.Start();
  const std::string pdf = PdfOfSize(16 * 1024 * 1024, 5);
  httplib::Client client("127.0.0.1", server.port());
  const auto [path, token] = UploadAndCite(client, server.admin_token(), pdf, "托管服务台账.pdf");
  const std::string request = "GET " + path + " HTTP/1.1\r\nHost: k\r\nAuthorization: Bearer " + token + "\r\n\r\n";
  // Warm up: one download start to finish, so the figure is the concurrent ones' alone.
  {
    SlowReader warm(server.port(), request);
    ASSERT_TRUE(warm.ReadHeadAndAPiece());
    ASSERT_EQ(warm.ReadRest(pdf.size()), Sha256Hex(pdf));
  }
  const pid_t pid = server.pid();
  const long rss_before = MemoryKib(pid, "VmRSS");
  const long peak_before = MemoryKib(pid, "VmHWM");

  constexpr int kReaders = 40;
  std::vector<std::unique_ptr<SlowReader>> readers;
  for (int i = 0; i < kReaders; ++i) readers.push_back(std::make_unique<SlowReader>(server.port(), request));
  // Every answer is being written (its head and a first piece arrived), none drained.
  for (auto& reader : readers) {
    ASSERT_TRUE(reader->ReadHeadAndAPiece());
    EXPECT_EQ(reader->head().rfind("HTTP/1.1 200 OK\r\n", 0), 0u) << reader->head();
    EXPECT_NE(reader->head().find("Content-Length: " + std::to_string(pdf.size()) + "\r\n"), std::string::npos);
    EXPECT_NE(reader->head().find("Content-Disposition: inline; filename=\"" + Sha256Hex(pdf).substr(0, 16) +
                                  ".pdf\"; filename*=UTF-8''" + httplib::detail::encode_query_param("托管服务台账.pdf") +
                                  "\r\n"),
              std::string::npos)
        << reader->head();
  }
  const long rss_during = MemoryKib(pid, "VmRSS");
  const long peak_during = MemoryKib(pid, "VmHWM");
  for (auto& reader : readers) EXPECT_EQ(reader->ReadRest(pdf.size()), Sha256Hex(pdf));

  const long all_files_kib = static_cast<long>(kReaders * pdf.size() / 1024);
  std::printf("[ figure ] %d concurrent slow downloads of 16 MiB (%ld KiB in all): server RSS %ld -> %ld KiB, "
              "peak %ld -> %ld KiB (+%ld KiB)\n",
              kReaders, all_files_kib, rss_before, rss_during, peak_before, peak_during, peak_during - peak_before);
  EXPECT_LT(peak_during - peak_before, all_files_kib / 4) << "downloads were held in memory";
  EXPECT_LT(rss_during - rss_before, all_files_kib / 4) << "downloads were held in memory";
}

TEST_F(DownloadStream, ADownloadAbandonedMidWayClosesItsFileAndAFinishedOneToo) {
  ServeUnderTest server(dir_.path() / "data");
  server.Start();
  const std::string pdf = PdfOfSize(8 * 1024 * 1024, 9);
  httplib::Client client("127.0.0.1", server.port());
  const auto [path, token] = UploadAndCite(client, server.admin_token(), pdf, "托管服务台账.pdf");
  const std::filesystem::path stored = server.data() / "files" / Sha256Hex(pdf);
  const std::string request = "GET " + path + " HTTP/1.1\r\nHost: k\r\nAuthorization: Bearer " + token + "\r\n\r\n";
  const pid_t pid = server.pid();
  {
    std::vector<std::unique_ptr<SlowReader>> readers;
    for (int i = 0; i < 5; ++i) {
      readers.push_back(std::make_unique<SlowReader>(server.port(), request));
      ASSERT_TRUE(readers.back()->ReadHeadAndAPiece());
    }
    // One open file per download being written.
    EXPECT_EQ(OpenDescriptorsOn(pid, stored), 5);
  }  // the readers hang up mid-way
  // Closed with their connections (well before the 10 s write timeout would close them).
  testing::WaitUntil([&] { return OpenDescriptorsOn(pid, stored) == 0; }, std::chrono::seconds(5));

  SlowReader whole(server.port(), request);
  ASSERT_TRUE(whole.ReadHeadAndAPiece());
  EXPECT_EQ(whole.ReadRest(pdf.size()), Sha256Hex(pdf));
  // Written to the end on a keep-alive connection that stays open: the file is closed all the same.
  testing::WaitUntil([&] { return OpenDescriptorsOn(pid, stored) == 0; }, std::chrono::seconds(5));
}

}  // namespace
}  // namespace kuimen
