#include "gateway/route_path.h"

namespace kuimen {

namespace {

// "/a/b/c" -> "a", "b", "c" (the leading slash is required by the caller).
std::vector<std::string_view> Split(std::string_view path) {
  std::vector<std::string_view> parts;
  std::size_t start = 1;
  for (;;) {
    const std::size_t slash = path.find('/', start);
    parts.push_back(path.substr(start, slash == std::string_view::npos ? std::string_view::npos : slash - start));
    if (slash == std::string_view::npos) return parts;
    start = slash + 1;
  }
}

}  // namespace

RoutePath::RoutePath(std::string_view path_template) {
  for (std::string_view part : Split(path_template)) {
    const bool parameter = part.size() > 2 && part.front() == '{' && part.back() == '}';
    segments_.push_back({std::string(parameter ? part.substr(1, part.size() - 2) : part), parameter});
  }
}

bool RoutePath::Match(std::string_view path, std::map<std::string, std::string>* params) const {
  if (path.empty() || path.front() != '/') return false;
  // Count the segments first: most routes are refused here without splitting.
  std::size_t count = 1;
  for (char c : path.substr(1)) count += c == '/' ? 1 : 0;
  if (count != segments_.size()) return false;
  const std::vector<std::string_view> parts = Split(path);
  for (std::size_t i = 0; i < parts.size(); ++i) {
    if (segments_[i].parameter ? parts[i].empty() : parts[i] != segments_[i].text) return false;
  }
  if (params != nullptr) {
    for (std::size_t i = 0; i < parts.size(); ++i) {
      if (segments_[i].parameter) (*params)[segments_[i].text] = std::string(parts[i]);
    }
  }
  return true;
}

}  // namespace kuimen
