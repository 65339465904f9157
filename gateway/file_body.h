#pragma once

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>

#include <httplib.h>

#include "domain/status.h"

// A reply body streamed from a file on disk (a download of 佐证材料), so a
// 20 MB file is never held in memory: the handler opens it (a missing file is
// still its own clean error), the reply carries it as a content provider, and
// the listener reads it in bounded chunks as the client drains the previous
// one. The descriptor closes when the last holder lets go: the connection,
// when the answer is written or the connection is closed.
namespace kuimen {

class FileBody {
 public:
  // Opens `path` for reading; kNotFound when it is not there, kDataLoss when it cannot be read.
  static Result<std::shared_ptr<FileBody>> Open(const std::filesystem::path& path);
  ~FileBody();
  FileBody(const FileBody&) = delete;
  FileBody& operator=(const FileBody&) = delete;

  std::uint64_t size() const { return size_; }
  // Reads `length` bytes at `offset`, handing them to `sink` in pieces of at
  // most 64 KiB; false when the file ends early or cannot be read.
  bool ReadInto(std::uint64_t offset, std::size_t length, httplib::DataSink& sink) const;

 private:
  FileBody(int fd, std::uint64_t size) : fd_(fd), size_(size) {}
  int fd_;
  std::uint64_t size_;
};

// Sets `response`'s body to stream from `file`, with `content_type`
// (Content-Length is the file's size; SerializeResponse writes only the head,
// the listener the rest).
void SetFileBody(httplib::Response& response, std::shared_ptr<const FileBody> file, const std::string& content_type);

}  // namespace kuimen
