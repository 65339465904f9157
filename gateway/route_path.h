#pragma once

#include <map>
#include <string>
#include <string_view>
#include <vector>

namespace kuimen {

// A route's path as the OpenAPI document writes it, "/api/v1/tasks/{no}/events",
// matched segment by segment: a "{name}" segment takes any non-empty segment,
// every other one only itself. Linear in the path's length, with no regex: a
// 30 KB path once overflowed std::regex's recursion and ended the process.
// Immutable: thread-safe.
class RoutePath {
 public:
  explicit RoutePath(std::string_view path_template);

  // True when `path` (percent-decoded) fits the template; then `params`, when
  // given, receives each "{name}" segment's text by name.
  bool Match(std::string_view path, std::map<std::string, std::string>* params = nullptr) const;

 private:
  struct Segment {
    std::string text;  // the literal, or the parameter's name
    bool parameter = false;
  };
  std::vector<Segment> segments_;
};

}  // namespace kuimen
