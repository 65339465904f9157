#pragma once

#include <cctype>
#include <string>

namespace kuimen::testing {

// A table row's behaviour ("unrelated unit may not report") as a gtest name
// ("unrelated_unit_may_not_report").
inline std::string BehaviourName(const char* behaviour) {
  std::string name;
  for (const char* p = behaviour; *p != '\0'; ++p) name += std::isalnum(static_cast<unsigned char>(*p)) ? *p : '_';
  return name;
}

// The name generator for INSTANTIATE_TEST_SUITE_P over rows with a `behaviour` field.
struct ByBehaviour {
  template <typename ParamInfo>
  std::string operator()(const ParamInfo& info) const {
    return BehaviourName(info.param.behaviour);
  }
};

}  // namespace kuimen::testing
