#include "gateway/file_body.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

namespace kuimen {

namespace {
constexpr std::size_t kPiece = 64 * 1024;
}  // namespace

Result<std::shared_ptr<FileBody>> FileBody::Open(const std::filesystem::path& path) {
  const int fd = open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    if (errno == ENOENT) return Status::NotFound("file " + path.string() + " does not exist");
    return Status::DataLoss("file " + path.string() + " cannot be opened: " + std::strerror(errno));
  }
  struct stat info {};
  if (fstat(fd, &info) != 0 || !S_ISREG(info.st_mode)) {
    close(fd);
    return Status::DataLoss("file " + path.string() + " is not a readable regular file");
  }
  return std::shared_ptr<FileBody>(new FileBody(fd, static_cast<std::uint64_t>(info.st_size)));
}

FileBody::~FileBody() { close(fd_); }

bool FileBody::ReadInto(std::uint64_t offset, std::size_t length, httplib::DataSink& sink) const {
  char buffer[kPiece];
  while (length > 0) {
    const ssize_t n = pread(fd_, buffer, std::min(length, kPiece), static_cast<off_t>(offset));
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return false;  // an error, or the file is shorter than it was
    if (!sink.write(buffer, static_cast<std::size_t>(n))) return false;
    offset += static_cast<std::uint64_t>(n);
    length -= static_cast<std::size_t>(n);
  }
  return true;
}

void SetFileBody(httplib::Response& response, std::shared_ptr<const FileBody> file, const std::string& content_type) {
  const std::size_t size = static_cast<std::size_t>(file->size());
  response.body.clear();
  // No releaser: Response copies would each call it; the shared_ptr closes the file once.
  response.set_content_provider(size, content_type,
                                [file = std::move(file)](std::size_t offset, std::size_t length,
                                                         httplib::DataSink& sink) {
                                  return file->ReadInto(offset, length, sink);
                                });
}

}  // namespace kuimen
