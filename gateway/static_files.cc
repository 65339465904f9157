#include "gateway/static_files.h"

#include <openssl/sha.h>
#include <zlib.h>

#include <fstream>
#include <sstream>

namespace kuimen {

namespace {

constexpr std::uintmax_t kMaxFileBytes = 16 * 1024 * 1024;
constexpr std::uintmax_t kMaxTotalBytes = 64 * 1024 * 1024;

bool Compressible(const std::string& content_type) {
  return content_type.rfind("text/", 0) == 0 || content_type.rfind("application/json", 0) == 0 ||
         content_type.rfind("image/svg", 0) == 0;
}

// `bytes` as a gzip member (RFC 1952), best compression; empty on failure.
std::string Gzip(const std::string& bytes) {
  z_stream stream{};
  if (deflateInit2(&stream, Z_BEST_COMPRESSION, Z_DEFLATED, 15 + 16, 9, Z_DEFAULT_STRATEGY) != Z_OK) return "";
  std::string out(deflateBound(&stream, bytes.size()), '\0');
  stream.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(bytes.data()));
  stream.avail_in = static_cast<uInt>(bytes.size());
  stream.next_out = reinterpret_cast<Bytef*>(out.data());
  stream.avail_out = static_cast<uInt>(out.size());
  const int result = deflate(&stream, Z_FINISH);
  out.resize(stream.total_out);
  deflateEnd(&stream);
  return result == Z_STREAM_END ? out : "";
}

std::string ETagOf(const std::string& bytes) {
  unsigned char digest[SHA256_DIGEST_LENGTH];
  SHA256(reinterpret_cast<const unsigned char*>(bytes.data()), bytes.size(), digest);
  static const char* kHex = "0123456789abcdef";
  std::string tag = "\"";
  for (int i = 0; i < 12; ++i) {
    tag += kHex[digest[i] >> 4];
    tag += kHex[digest[i] & 15];
  }
  return tag + "\"";
}

// True when Accept-Encoding allows gzip ("gzip", "gzip;q=0.5", "*"), not "gzip;q=0".
bool AcceptsGzip(const std::string& accept) {
  std::stringstream list(accept);
  std::string item;
  while (std::getline(list, item, ',')) {
    std::string token = item.substr(0, item.find(';'));
    token.erase(0, token.find_first_not_of(" \t"));
    token.erase(token.find_last_not_of(" \t") + 1);
    if (token != "gzip" && token != "*") continue;
    const std::size_t q = item.find("q=");
    if (q != std::string::npos && std::strtod(item.c_str() + q + 2, nullptr) <= 0) continue;
    return true;
  }
  return false;
}

// True when If-None-Match lists `etag` (or is "*").
bool Matches(const std::string& if_none_match, const std::string& etag) {
  if (if_none_match.empty()) return false;
  if (if_none_match.find('*') != std::string::npos) return true;
  return if_none_match.find(etag) != std::string::npos;
}

}  // namespace

std::string ContentTypeOf(const std::filesystem::path& file) {
  static const std::map<std::string, std::string> kTypes = {
      {".html", "text/html; charset=utf-8"},
      {".js", "text/javascript; charset=utf-8"},
      {".mjs", "text/javascript; charset=utf-8"},
      {".css", "text/css; charset=utf-8"},
      {".json", "application/json; charset=utf-8"},
      {".map", "application/json; charset=utf-8"},
      {".svg", "image/svg+xml"},
      {".png", "image/png"},
      {".jpg", "image/jpeg"},
      {".ico", "image/x-icon"},
      {".woff2", "font/woff2"},
      {".txt", "text/plain; charset=utf-8"},
      {".md", "text/plain; charset=utf-8"},
      {".LICENSE", "text/plain; charset=utf-8"},
  };
  auto type = kTypes.find(file.extension().string());
  return type == kTypes.end() ? "application/octet-stream" : type->second;
}

Result<std::unique_ptr<StaticFiles>> StaticFiles::Load(const std::filesystem::path& dir) {
  std::unique_ptr<StaticFiles> files(new StaticFiles());
  std::error_code error;
  std::filesystem::recursive_directory_iterator it(dir, error), end;
  if (error) return Status::Unavailable("cannot serve the dashboard from " + dir.string() + ": " + error.message());
  std::uintmax_t total = 0;
  for (; it != end; it.increment(error)) {
    if (error) return Status::Unavailable("cannot read " + dir.string() + ": " + error.message());
    const std::filesystem::path& path = it->path();
    const std::string name = path.filename().string();
    if (!name.empty() && name[0] == '.') {
      if (it->is_directory()) it.disable_recursion_pending();
      continue;
    }
    if (it->is_symlink() || !it->is_regular_file()) continue;
    const std::uintmax_t size = it->file_size(error);
    if (error || size > kMaxFileBytes || total + size > kMaxTotalBytes) continue;
    std::ifstream in(path, std::ios::binary);
    std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    if (!in && !in.eof()) continue;
    total += bytes.size();
    File file;
    file.content_type = ContentTypeOf(path);
    file.etag = ETagOf(bytes);
    if (Compressible(file.content_type) && bytes.size() > 1024) {
      std::string gzip = Gzip(bytes);
      if (!gzip.empty() && gzip.size() < bytes.size() * 9 / 10) file.gzip = std::move(gzip);
    }
    file.bytes = std::move(bytes);
    files->files_["/" + std::filesystem::relative(path, dir).generic_string()] = std::move(file);
  }
  return files;
}

const StaticFiles::File* StaticFiles::Find(const std::string& path) const {
  if (path.empty() || path.front() != '/') return nullptr;
  auto it = files_.find(path.back() == '/' ? path + "index.html" : path);
  return it == files_.end() ? nullptr : &it->second;
}

bool StaticFiles::Has(const std::string& path) const { return Find(path) != nullptr; }

bool StaticFiles::Serve(const httplib::Request& request, httplib::Response& response) const {
  const File* file = Find(request.path);
  if (file == nullptr) return false;
  response.set_header("ETag", file->etag);
  // Files keep their names across versions (app.js): revalidate every time;
  // an unchanged file costs a 304.
  response.set_header("Cache-Control", "no-cache");
  if (!file->gzip.empty()) response.set_header("Vary", "Accept-Encoding");
  if (Matches(request.get_header_value("If-None-Match"), file->etag)) {
    response.status = 304;
    return true;
  }
  response.status = 200;
  if (!file->gzip.empty() && AcceptsGzip(request.get_header_value("Accept-Encoding"))) {
    response.set_header("Content-Encoding", "gzip");
    response.set_content(file->gzip, file->content_type);
  } else {
    response.set_content(file->bytes, file->content_type);
  }
  return true;
}

}  // namespace kuimen
