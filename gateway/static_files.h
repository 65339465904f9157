#pragma once

#include <filesystem>
#include <map>
#include <memory>
#include <string>

#include <httplib.h>

#include "domain/status.h"

// The dashboard's static files, read into memory once at start: each with its
// content type, an ETag (a SHA-256 prefix of its bytes) and, when the type
// compresses, a gzip copy made then. Requests never touch the file system, so
// no path can reach outside the directory. Immutable after Load: thread-safe.
namespace kuimen {

class StaticFiles {
 public:
  // Reads every regular file under `dir` (no symbolic links, no dot files),
  // each at most 16 MiB, 64 MiB in all. kUnavailable when `dir` cannot be read.
  static Result<std::unique_ptr<StaticFiles>> Load(const std::filesystem::path& dir);

  // Answers GET or HEAD `request.path` ("/" and "dir/" mean their
  // index.html): 200 with the file (gzip when the client accepts it), or 304
  // when If-None-Match names its ETag. False when there is no such file.
  bool Serve(const httplib::Request& request, httplib::Response& response) const;

  // True when `path` names a file Serve would answer.
  bool Has(const std::string& path) const;

  std::size_t size() const { return files_.size(); }

 private:
  struct File {
    std::string bytes;
    std::string gzip;  // empty: not worth compressing
    std::string etag;  // quoted
    std::string content_type;
  };
  const File* Find(const std::string& path) const;

  std::map<std::string, File> files_;  // by URL path: "/index.html", "/vendor/echarts.min.js"
};

// The content type of a file name by its extension ("text/javascript; charset=utf-8").
std::string ContentTypeOf(const std::filesystem::path& file);

}  // namespace kuimen
